"""Working days between a message and its reply, against the offices' time limits, on China's official calendar.

The calendar (`resources/cn_calendar.json`) lists, per year, the weekday public holidays and the weekend days made
working days (调休) from the State Council's annual notices; an office adds a year the table lacks, or its own
regional holidays, with `WorkCalendar.with_days`. Days outside the covered years count Monday–Friday.
Limits are working days per request type (咨询 5, others 15 by default) and can be changed by the caller.
"""

from __future__ import annotations

import json
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from importlib import resources

from model.audit_results import Timeliness

DEFAULT_LIMITS = {"咨询": 5}
DEFAULT_LIMIT = 15
# Dates as offices, spreadsheets and JSON clients write them (after NFKC, so full-width digits read too):
# 2024-04-01, 2024/4/1, 2024.04.01, 2024年4月1日, each optionally with a time (09:04, 09:04:05.123, 9时4分, 9点),
# a "T" between the two, and an ISO offset (Z, +08:00), which is converted to China's time; or 20240401(090405).
_DATE_TIME = re.compile(
    r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*T?\s*(?P<H>\d{1,2})\s*[:时点]\s*(?:(?P<M>\d{1,2})\s*(?:[:分]\s*(?:(?P<S>\d{1,2})(?:\.\d+)?\s*秒?)?)?)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?")
_COMPACT = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?:(?P<H>\d{2})(?P<M>\d{2})(?P<S>\d{2}))?")
CHINA_TIME = timezone(timedelta(hours=8))
# A time cell read as a number: Excel's serial date (days since 1899-12-30, the fraction the time of day).
_EXCEL_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
_EXCEL_EPOCH = datetime(1899, 12, 30)


# Placeholders such as 9999-12-31 (not closed) or 1900-01-01 are not times: no working days are counted for them.
PLAUSIBLE_YEARS = range(1990, 2101)
OUT_OF_RANGE_NOTE = f"时间超出合理范围（{PLAUSIBLE_YEARS[0]}–{PLAUSIBLE_YEARS[-1]} 年），未计算时效"


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are worked: Monday–Friday, less the listed holidays, plus the listed weekend days worked (调休)."""

    holidays: frozenset[date]  # days off (weekend ones change nothing)
    workdays: frozenset[date]  # days worked (weekday ones change nothing)
    years: frozenset[int]  # years whose holidays are listed; other years count Monday–Friday
    holiday_ordinals: tuple[int, ...] = field(init=False, repr=False)  # weekday holidays, sorted, for counting a span
    workday_ordinals: tuple[int, ...] = field(init=False, repr=False)  # weekend workdays, sorted

    def __post_init__(self):
        object.__setattr__(self, "holiday_ordinals", tuple(sorted(
            d.toordinal() for d in self.holidays if d.weekday() < 5 and d not in self.workdays)))
        object.__setattr__(self, "workday_ordinals", tuple(sorted(
            d.toordinal() for d in self.workdays if d.weekday() >= 5)))

    @staticmethod
    def builtin() -> WorkCalendar:
        """The State Council's calendar shipped in `resources/cn_calendar.json`."""
        return _builtin_calendar()

    def with_days(self, holidays: Iterable[date] = (), workdays: Iterable[date] = ()) -> WorkCalendar:
        """This calendar with more days off and days worked (a new year's notice, a region's own holidays such as
        广西's 三月三); a day given here wins over the table. Their years count as covered."""
        holidays, workdays = frozenset(holidays), frozenset(workdays)
        both = sorted(holidays & workdays)
        if both:
            raise ValueError(f"listed both as a holiday and as a working day: {', '.join(map(str, both))}")
        return WorkCalendar((self.holidays - workdays) | holidays, (self.workdays - holidays) | workdays,
                            self.years | {d.year for d in holidays | workdays})

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (the day a message arrives does not count).

        Counted, not walked: weekdays in the span, less the weekday holidays in it, plus the 调休 weekend days in it."""
        first, last = start.toordinal(), end.toordinal()
        if last <= first:
            return 0

        def within(ordinals: tuple[int, ...]) -> int:
            return bisect_right(ordinals, last) - bisect_right(ordinals, first)

        return (_weekdays_through(last) - _weekdays_through(first) - within(self.holiday_ordinals)
                + within(self.workday_ordinals))


@lru_cache(maxsize=1)
def _builtin_calendar() -> WorkCalendar:
    raw = json.loads(resources.files("model.resources").joinpath("cn_calendar.json").read_text(encoding="utf-8"))

    def dates(section: str) -> frozenset[date]:
        return frozenset(date.fromisoformat(f"{year}-{day}") for year, days in raw[section].items() for day in days)

    return WorkCalendar(dates("holidays"), dates("workdays"), frozenset(int(year) for year in raw["holidays"]))


def is_working_day(day: date) -> bool:
    """On the shipped calendar."""
    return _builtin_calendar().is_working_day(day)


def working_days_between(start: date, end: date) -> int:
    """On the shipped calendar: see `WorkCalendar.working_days_between`."""
    return _builtin_calendar().working_days_between(start, end)


def _weekdays_through(ordinal: int) -> int:
    """Monday–Friday days among ordinals 1..ordinal (ordinal 1, 0001-01-01, is a Monday)."""
    weeks, rest = divmod(ordinal, 7)
    return 5 * weeks + min(rest, 5)


def parse_time(value: str | datetime | date | None) -> datetime | None:
    """A timestamp in the formats office exports and JSON clients use (China's time, naive); None when empty or not
    understood."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if _EXCEL_SERIAL.match(text):  # 5 digits: 1927-05-18 (10,000) to 2173-10-14 (99,999)
        return _EXCEL_EPOCH + timedelta(days=float(text))
    found = _DATE_TIME.fullmatch(text) or _COMPACT.fullmatch(text)
    if found is None:
        return None
    parts = found.groupdict()
    try:
        moment = datetime(*(int(parts[key] or 0) for key in ("y", "m", "d", "H", "M", "S")))
    except ValueError:  # 2024-02-30, 25:00 …
        return None
    offset = parts.get("tz")
    if offset and offset != "Z" and (abs(int(offset[:3])) > 23 or int(offset[-2:]) > 59):
        return None  # +24:00, +23:60: no such offset
    if offset:
        hours = 0 if offset == "Z" else int(offset[:3])
        minutes = 0 if offset == "Z" else int(offset[0] + offset[-2:])
        zone = timezone(timedelta(hours=hours, minutes=minutes))
        try:
            moment = moment.replace(tzinfo=zone).astimezone(CHINA_TIME).replace(tzinfo=None)
        except OverflowError:  # 9999-12-31T23:59:59Z: a placeholder, past the last representable day in China
            return moment
    return moment


@dataclass(frozen=True)
class TimeLimits:
    """Working-day limits per request type; `default` for any other type or when the type is not given."""

    by_type: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_LIMITS))
    default: int = DEFAULT_LIMIT
    default_types: tuple[str, ...] = ()  # types known to take `default` (no note for them)
    calendar: WorkCalendar = field(default_factory=WorkCalendar.builtin)

    def limit(self, request_type: str | None) -> int:
        return self.resolve(request_type)[0]

    def resolve(self, request_type: str | None) -> tuple[int, str | None]:
        """The limit for a request type as offices write it ("咨询", " 咨询", "政策咨询", "咨询类" all get 咨询's),
        and a note when a type was given but none of the configured ones is in it (the default limit applies)."""
        given = re.sub(r"\s+", "", unicodedata.normalize("NFKC", request_type or ""))
        if not given:
            return self.default, None
        if given in self.by_type:
            return self.by_type[given], None
        limits = {days for name, days in self.by_type.items() if name in given}
        limits |= {self.default for name in self.default_types if name in given}
        if len(limits) == 1:
            return limits.pop(), None
        return self.default, f"诉求类型“{given[:20]}”未能对应时限表，按默认 {self.default} 个工作日计"

    def describe(self) -> str:
        """The limits in words, e.g. "咨询 5 个、其他 15 个工作日"."""
        parts = [f"{request_type} {days} 个" for request_type, days in self.by_type.items()]
        return "、".join([*parts, f"其他 {self.default} 个"]) + "工作日"

    def check(self, message_time: str | datetime | None, reply_time: str | datetime | None,
              request_type: str | None = None) -> Timeliness | None:
        """Timeliness of one reply; None when either time is missing. Unreadable or reversed times are reported."""
        if message_time in (None, "") or reply_time in (None, ""):
            return None
        received, replied = parse_time(message_time), parse_time(reply_time)
        limit, type_note = self.resolve(request_type)
        if received is None or replied is None:
            return Timeliness(limit_days=limit, note="时间格式无法识别")
        if received.year not in PLAUSIBLE_YEARS or replied.year not in PLAUSIBLE_YEARS:
            return Timeliness(limit_days=limit, note=OUT_OF_RANGE_NOTE)
        if replied < received:
            return Timeliness(limit_days=limit, note="答复时间早于留言时间")
        days = self.calendar.working_days_between(received.date(), replied.date())
        covered = self.calendar.years
        calendar_note = None if received.year in covered and replied.year in covered else "超出节假日表覆盖年份，按周一至周五计"
        note = "；".join(n for n in (type_note, calendar_note) if n) or None
        return Timeliness(working_days=days, limit_days=limit, overdue=days > limit, note=note)
