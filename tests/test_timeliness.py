"""Working days between message and reply: holidays, 调休, limits per type, odd or missing times."""

from datetime import date, timedelta

import pytest

from model.audit_policy import AuditPolicy
from model.timeliness import (
    OUT_OF_RANGE_NOTE,
    TimeLimits,
    WorkCalendar,
    is_working_day,
    parse_time,
    working_days_between,
)


def test_holidays_and_makeup_working_days_are_counted():
    assert not is_working_day(date(2019, 10, 1))  # National Day
    assert is_working_day(date(2019, 10, 12))  # a Saturday made a working day (调休)
    assert not is_working_day(date(2019, 10, 13))  # an ordinary Sunday
    assert not is_working_day(date(2026, 2, 17))  # Spring Festival 2026, a Tuesday


def test_working_days_across_national_day_2019():
    # 9/29 (Sunday, 调休), 9/30, 10/8-10/11, 10/12 (Saturday, 调休), 10/14: eight working days
    assert working_days_between(date(2019, 9, 27), date(2019, 10, 14)) == 8


def test_limits_by_type_and_overdue():
    limits = TimeLimits()
    consult = limits.check("2019/9/27 10:00:00", "2019/10/14 9:00:00", "咨询")
    complaint = limits.check("2019-09-27 10:00", "2019-10-14", "投诉")
    assert (consult.working_days, consult.limit_days, consult.overdue) == (8, 5, True)
    assert (complaint.limit_days, complaint.overdue) == (15, False)


def test_missing_unreadable_or_reversed_times():
    limits = TimeLimits({"咨询": 3}, default=10)
    assert limits.check(None, "2019-01-01") is None
    assert limits.check("下周一", "2019-01-02").note == "时间格式无法识别"
    reversed_ = limits.check("2019-01-05", "2019-01-02", "咨询")
    assert reversed_.working_days is None and reversed_.limit_days == 3 and "早于" in reversed_.note


def test_years_outside_the_calendar_count_weekdays_and_say_so():
    result = TimeLimits().check("2040-01-06", "2040-01-13")  # Friday to Friday
    assert result.working_days == 5 and "覆盖" in result.note


def test_an_office_adds_a_year_and_regional_holidays_to_the_calendar():
    # A made-up 2040 notice: Monday 1-2 off, Saturday 1-7 worked; and a regional holiday inside a covered year.
    calendar = WorkCalendar.builtin().with_days(holidays=[date(2040, 1, 2), date(2019, 4, 8)],
                                                workdays=[date(2040, 1, 7)])
    assert not calendar.is_working_day(date(2040, 1, 2)) and calendar.is_working_day(date(2040, 1, 7))
    assert not calendar.is_working_day(date(2019, 4, 8)) and is_working_day(date(2019, 4, 8))  # shipped one unchanged
    assert calendar.working_days_between(date(2039, 12, 30), date(2040, 1, 9)) == 6  # 1-3…1-6, 1-7, 1-9
    result = TimeLimits(calendar=calendar).check("2040-01-06", "2040-01-13")  # Friday to Friday
    assert result.working_days == 6 and result.note is None  # 1-7 worked, 1-9…1-13; 2040 now counts as covered
    # a day the office lists wins over the shipped table: National Day 2019 worked in some imagined locality
    assert WorkCalendar.builtin().with_days(workdays=[date(2019, 10, 1)]).is_working_day(date(2019, 10, 1))
    with pytest.raises(ValueError, match="2040-01-02"):
        calendar.with_days(holidays=[date(2040, 1, 2)], workdays=[date(2040, 1, 2)])


def test_an_extended_calendar_counts_as_walking_it_day_by_day():
    calendar = WorkCalendar.builtin().with_days(holidays=[date(2040, 1, 2), date(2040, 1, 6)],
                                                workdays=[date(2040, 1, 7), date(2040, 1, 3)])
    start = date(2039, 12, 20)
    for span in range(40):
        walked = sum(calendar.is_working_day(start + timedelta(d)) for d in range(1, span + 1))
        assert calendar.working_days_between(start, start + timedelta(span)) == walked


def test_a_policy_file_adds_calendar_days(tmp_path):
    policy = tmp_path / "office.toml"
    policy.write_text('[calendar]\nholidays = [2040-01-02, "2040-01-03"]\nworkdays = ["2040-01-07"]\n', encoding="utf-8")
    limits = AuditPolicy.load(policy).limits
    assert limits.check("2039-12-30", "2040-01-09").working_days == 5  # 1-4, 1-5, 1-7, 1-8, 1-9
    assert AuditPolicy.load().limits.check("2039-12-30", "2040-01-09").working_days == 6
    for text, named in [('[calendar]\nholidays = ["2040-13-01"]\n', "2040-13-01"),
                        ('[calendar]\nholidays = "2040-01-02"\n', "calendar.holidays"),
                        ('[calendar]\nholiday = [2040-01-02]\n', "holiday"),
                        ('[time_limits]\ndefualt = 10\n', "defualt")]:
        policy.write_text(text, encoding="utf-8")
        with pytest.raises(ValueError, match=named):
            AuditPolicy.load(policy)


def test_office_time_formats():
    excel_serial = parse_time("45383.3777")  # a time cell read as a number
    assert abs((excel_serial - parse_time("2024-04-01 09:03:53")).total_seconds()) < 1
    assert parse_time("45383") == parse_time("2024-04-01")
    assert parse_time("20240401") == parse_time("2024-04-01") and parse_time("2024年4月1日 9时4分").minute == 4
    assert parse_time("2019年5月1日 08:30").hour == 8
    assert parse_time("2019.05.01").day == 1
    assert parse_time("not a time") is None


def test_times_json_clients_and_spreadsheets_send():
    nine = parse_time("2025-12-01 09:00")
    for text in ("２０２５-１２-０１ ０９:００:００", "2025-12-01T09:00:00+08:00", "2025-12-01T01:00:00Z",
                 "2025.12.01 09:00", "2025/12/01 09:00:00.000", "2025年12月1日9:00", "2025-12-01T09:00"):
        assert parse_time(text) == nine, text
    assert parse_time("2025-11-30T20:00:00Z") == parse_time("2025-12-01 04:00")  # UTC evening is China's next day
    assert parse_time("2024-02-30") is None and parse_time("2024-04-01 25:00") is None


def test_request_types_as_offices_write_them():
    limits = TimeLimits({"咨询": 5}, default=15, default_types=("投诉", "举报"))
    for written in ("咨询", " 咨询", "咨询\n", "政策咨询", "咨询类"):
        assert limits.resolve(written) == (5, None), written
    assert limits.resolve("投诉举报") == (15, None) and limits.resolve(None) == (15, None)
    for unknown in ("咨洵", "咨询投诉"):  # a typo; a type with two limits
        days, note = limits.resolve(unknown)
        assert days == 15 and unknown in note
    checked = limits.check("2019-09-27", "2019-10-14", "咨洵")
    assert checked.limit_days == 15 and "咨洵" in checked.note


def test_counting_equals_walking_the_calendar_day_by_day():
    def walked(start, end):
        days = (start + timedelta(n) for n in range(1, (end - start).days + 1))
        return sum(is_working_day(day) for day in days)

    starts = [date(2018, 12, 28) + timedelta(17 * n) for n in range(160)]  # 2018–2026, every weekday and holiday
    starts += [date(2003, 12, 20), date(2026, 12, 20), date(1995, 3, 1), date(2040, 1, 1)]  # across and outside
    for start in starts:
        for span in (0, 1, 3, 9, 40, 400):
            assert working_days_between(start, start + timedelta(span)) == walked(start, start + timedelta(span))
    assert working_days_between(date(2019, 10, 14), date(2019, 9, 27)) == 0


def test_placeholder_dates_are_not_counted_and_do_not_crash():
    limits = TimeLimits()
    for received, replied in (("2019-05-01", "9999-12-31"), ("1900-01-01", "2019-05-06"), ("0001-01-01", "9999-12-30")):
        result = limits.check(received, replied)
        assert result.working_days is None and result.overdue is None and result.note == OUT_OF_RANGE_NOTE
    assert working_days_between(date(1, 1, 1), date(9999, 12, 31)) > 2_600_000  # counted, not walked: instant


@pytest.mark.parametrize("moment", ["2020-06-09T04:00:00+24:00", "2020-06-09T04:00:00+23:60", "2020-06-09T04:00:00-99:99"])
def test_offsets_that_do_not_exist_are_not_read(moment):
    assert parse_time(moment) is None
    assert TimeLimits().check(moment, "2020-06-10").note == "时间格式无法识别"


@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59Z", "9999-12-31 23:00:00-12:00", "0001-01-01T00:00:00+14:00"])
def test_placeholder_times_at_the_ends_of_the_calendar_are_out_of_range_not_errors(moment):
    assert TimeLimits().check("2020-06-09", moment).note == OUT_OF_RANGE_NOTE
