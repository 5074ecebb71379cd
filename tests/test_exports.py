"""Reading office exports: where the header is, which lines are tickets, and what a cell's text is."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from training.exports import InputError, iter_records, iter_table

HEADER = ["工单编号", "标题", "诉求内容", "承办单位"]
TICKETS = [["w1", "路灯不亮", "小区门口路灯坏了一个月", "A3区城管局"], ["w2", "工资拖欠", "老板拖欠三个月工资", "A3区人社局"]]


def _rows(path, **kwargs) -> list[dict[str, str]]:
    return [row for chunk in iter_table(path, ["content"], ["id", "title", "unit", "reply", "reply_time",
                                                            "message_time"], **kwargs) for row in chunk]


def _xlsx(path, rows, merges=()):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    for cells in merges:
        workbook.active.merge_cells(cells)
    workbook.save(path)
    return path


@pytest.mark.parametrize("header,row,bad", [
    ("id,title,content", "t{i},路灯不亮,小区门口路灯坏了", 't2,路灯不亮,"我要投诉小区门口路灯坏了'),
    ("title,content", "路灯不亮{i},小区门口路灯坏了", '路灯不亮2,"我要投诉小区门口路灯坏了'),  # no ids: runs to the end
])
def test_an_unclosed_quote_that_swallows_the_following_rows_is_refused(tmp_path, header, row, bad):
    lines = [header] + [row.format(i=i) for i in range(20)]
    lines[3] = bad
    source = tmp_path / "quote.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 4, column 'content'.*never closed"):
        _rows(source)


def test_a_quoted_cell_of_several_lines_full_of_commas_is_still_a_cell(tmp_path):
    """A letter in the shared data (c06258): its lines hold sums like 8,713,200 and split into many fields."""
    letter = "K市劲松物业情况汇报如下：\n\n411人?00元＝82,200元。两项共8,713,200元\n\n纯利6,573,600元，补购还余下721,930元。"
    source = tmp_path / "lines.csv"
    source.write_text(f'id,title,content\nt1,噪音,"{letter}"\nt2,路灯,路灯坏了\n', encoding="utf-8")
    assert [row["id"] for row in _rows(source)] == ["t1", "t2"]
    no_ids = tmp_path / "no_ids.csv"
    no_ids.write_text(f'title,content\n路灯,路灯坏了\n噪音,"{letter}"\n', encoding="utf-8")  # the letter ends the file
    assert [row["title"] for row in _rows(no_ids)] == ["路灯", "噪音"]


def test_a_query_line_naming_two_columns_does_not_hide_the_header_below_it(tmp_path):
    source = _xlsx(tmp_path / "criteria.xlsx", [["A市12345热线工单明细"],
                                                 ["受理时间", "2024-05-01 至 2024-05-31", None, "办理状态", "已办结"],
                                                 HEADER, *TICKETS])
    rows = _rows(source)
    assert [(row["id"], row["unit"]) for row in rows] == [("w1", "A3区城管局"), ("w2", "A3区人社局")]


def test_a_second_header_row_under_a_group_heading_completes_the_header(tmp_path):
    group = ["工单编号", "标题", "诉求内容", "办理情况", "", ""]
    names = ["", "", "", "承办单位", "答复内容", "办结时间"]
    ticket = ["w1", "路灯不亮", "小区门口路灯坏了", "A3区城管局", "已于5月3日修复。", "2024-05-03"]
    csv_source = tmp_path / "two.csv"
    csv_source.write_text("\n".join(",".join(row) for row in (group, names, ticket)) + "\n", encoding="utf-8")
    merged = _xlsx(tmp_path / "two.xlsx", [group, names, ticket], merges=("A1:A2", "B1:B2", "C1:C2", "D1:F1"))
    for source in (csv_source, merged):
        [row] = _rows(source)
        assert (row["id"], row["unit"], row["reply"], row["reply_time"]) == \
            ("w1", "A3区城管局", "已于5月3日修复。", "2024-05-03"), source.name


def test_totals_and_footer_lines_are_not_tickets(tmp_path):
    source = _xlsx(tmp_path / "footer.xlsx", [HEADER, *TICKETS, ["合计：2件"], ["共计2条"], ["合计", "", "", "2"],
                                              ["制表人：李四  审核：王五"], ["导出时间：2024-05-31 10:00"]])
    assert [row["id"] for row in _rows(source)] == ["w1", "w2"]


def test_titles_that_start_like_a_totals_line_are_tickets(tmp_path):
    source = tmp_path / "titles.csv"
    source.write_text("title,content\n合计收费不合理,物业费多收\n共计3次投诉无果,噪音问题没人管\n", encoding="utf-8")
    assert [row["title"] for row in _rows(source)] == ["合计收费不合理", "共计3次投诉无果"]


def test_json_values_are_read_as_json_text(tmp_path):
    source = tmp_path / "odd.jsonl"
    ticket = {"id": 7, "content": "路灯坏了", "urgent": True, "extra": {"楼栋": 3}, "tags": ["路灯"]}
    source.write_text(json.dumps(ticket, ensure_ascii=False) + "\n", encoding="utf-8")
    [(header, [(_, cells)])] = list(iter_records(source))
    assert dict(zip(header, cells)) == {"id": "7", "content": "路灯坏了", "urgent": "true", "extra": '{"楼栋": 3}',
                                        "tags": '["路灯"]'}


def test_date_cells_read_as_dates_and_times_keep_their_time(tmp_path):
    source = _xlsx(tmp_path / "dates.xlsx", [["id", "content", "留言时间", "答复时间"],
                                             ["w1", "路灯坏了", date(2024, 5, 1), datetime(2024, 5, 3, 9, 30)]])
    [row] = _rows(source)
    assert (row["message_time"], row["reply_time"]) == ("2024-05-01", "2024-05-03 09:30:00")


def test_an_id_in_a_zero_padded_number_format_keeps_its_zeros(tmp_path):
    workbook = Workbook()
    workbook.active.append(["工单编号", "诉求内容", "件数"])
    workbook.active.append([123, "路灯坏了", 5])
    workbook.active.append([20240501001, "工资拖欠", 7])
    workbook.active["A2"].number_format = "00000"
    workbook.active["C2"].number_format = "0.00"
    workbook.save(tmp_path / "ids.xlsx")
    [(header, records)] = list(iter_records(tmp_path / "ids.xlsx"))
    assert [cells for _, cells in records] == [["00123", "路灯坏了", "5"], ["20240501001", "工资拖欠", "7"]]


def test_every_shared_data_file_reads_whole(shared_data):
    """Each row of the shared CSVs, multi-line letters full of commas included, comes out as one row."""
    import csv

    for path in sorted(shared_data.rglob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            expected = sum(1 for _ in csv.reader(handle)) - 1
        assert sum(len(records) for _, records in iter_records(path)) == expected, path.name


def test_a_workbook_with_macros_reads_as_its_data(tmp_path):
    source = _xlsx(tmp_path / "export.xlsm", [HEADER, *TICKETS])
    assert [row["id"] for row in _rows(source)] == ["w1", "w2"]
