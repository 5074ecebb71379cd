"""`hotline report`: scored files, per-unit tables, errors, the HTML report; policy and spreadsheet safety."""

import csv
import json
from html import escape

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from serve.cli import app
from serve.report.aggregate import UnitStats
from serve.report.scoring import RowResult, is_shallow
from serve.report.writers import RESULT_COLUMNS, ScoredTickets
from tests.conftest import SAMPLES, read_samples

runner = CliRunner()
EXPORT = SAMPLES / "office_export.xlsx"
ROWS = 320
FILES = ("tickets_scored.csv", "tickets_scored.xlsx", "units.csv", "categories.csv", "types.csv", "agreement.csv",
         "errors.csv", "summary.json", "report.html")
# The rows data/samples/make_office_export.py breaks on purpose, as (row number in the sheet, column).
BROKEN = {("42", "content"), ("213", "content"), ("99", "message_time"), ("152", "reply_time"), ("262", "reply_time")}


def _report(source, out, *extra, models=None):
    args = ["report", str(source), "-o", str(out), *extra]
    if models:
        args += ["--model", str(models[0]), "--auditor", str(models[1])]
    return runner.invoke(app, args)


def _csv(path):
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _xlsx_values(path):
    workbook = load_workbook(path, read_only=True)
    try:
        return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


@pytest.fixture(scope="module")
def models(tiny_model_dir, tiny_auditor_dir):
    return tiny_model_dir, tiny_auditor_dir


@pytest.fixture(scope="module")
def sample_report(models, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "out"
    result = _report(EXPORT, out, models=models)
    assert result.exit_code == 0, result.output
    return out


def test_every_output_file_is_written_with_every_row(sample_report):
    assert all((sample_report / name).is_file() for name in FILES)
    scored = _csv(sample_report / "tickets_scored.csv")
    assert len(scored) == ROWS
    header = list(scored[0])
    assert header[:3] == ["工单编号", "受理时间", "标题"] and header[-len(RESULT_COLUMNS):] == list(RESULT_COLUMNS)
    sheet = _xlsx_values(sample_report / "tickets_scored.xlsx")
    assert len(sheet) == ROWS + 1 and sheet[0] == header
    assert [row[0] for row in sheet[1:]] == [row["工单编号"] for row in scored]
    assert sum(bool(row["hotline_category"]) for row in scored) == ROWS - 2  # the two empty messages


def test_per_unit_counts_add_up_to_the_rows(sample_report):
    units = _csv(sample_report / "units.csv")
    summary = json.loads((sample_report / "summary.json").read_text(encoding="utf-8"))
    assert sum(int(u["tickets"]) for u in units) == ROWS == summary["rows"]
    assert sum(int(u["audited"]) for u in units) == summary["totals"]["audited"]
    assert sum(int(c["tickets"]) for c in _csv(sample_report / "categories.csv")) == summary["totals"]["scored"]
    assert sum(int(t["tickets"]) for t in _csv(sample_report / "types.csv")) == summary["totals"]["scored"]
    assert "（未注明）" in {u["unit"] for u in units} and len(units) == 11
    rates = [float(u["redo_rate"]) for u in units if u["redo_rate"]]
    assert rates == sorted(rates, reverse=True)
    assert set(summary["agreement"]) == {"category", "type"} and summary["totals"]["completed_rate"] is not None


def test_errors_file_lists_the_bad_rows_by_row_number(sample_report):
    errors = _csv(sample_report / "errors.csv")
    assert {(e["row"], e["column"]) for e in errors} == BROKEN
    sheet = _xlsx_values(EXPORT)
    assert all(sheet[int(e["row"]) - 1][0] == e["id"] for e in errors)  # row numbers as Excel shows them
    scored = {row["工单编号"]: row for row in _csv(sample_report / "tickets_scored.csv")}
    assert all(scored[e["id"]]["hotline_error"] for e in errors)
    late = next(e for e in errors if e["row"] == "262")
    assert scored[late["id"]]["hotline_category"] and scored[late["id"]]["hotline_overdue"] == ""


def test_html_report_is_self_contained_with_units_and_charts(sample_report):
    html = (sample_report / "report.html").read_text(encoding="utf-8")
    assert html.count("<svg") == 4  # units by redo rate, missing-element heat map, categories, types
    assert all(escape(u["unit"]) in html for u in _csv(sample_report / "units.csv"))
    assert "http:" not in html and "https:" not in html and "<script" not in html and "src=" not in html
    assert "Noto Sans CJK SC" in html and "缺失要素热力图" in html


@pytest.mark.parametrize("extra", [(), ("--workers", "2", "--chunk-size", "37")])
def test_the_same_input_gives_the_same_output(sample_report, models, tmp_path, extra):
    again = tmp_path / "again"
    result = _report(EXPORT, again, *extra, models=models)
    assert result.exit_code == 0, result.output
    for name in FILES:
        if name.endswith(".xlsx"):
            assert _xlsx_values(again / name) == _xlsx_values(sample_report / name)
        else:
            assert (again / name).read_bytes() == (sample_report / name).read_bytes(), name


def test_forwarding_only_unit_ranks_above_a_unit_with_complete_replies(tmp_path):
    """With the shipped default models: the same messages, answered completely by one unit and only forwarded by
    another."""
    complete = [r for r in read_samples("sample_replies.csv") if r["id"] in ("r002", "r003", "r008", "r016", "r022")]
    source = tmp_path / "export.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["工单编号", "留言主题", "留言详情", "答复意见", "承办单位"])
        for r in complete:
            writer.writerow([r["id"], r["title"], r["content"], r["reply"], "认真办理局"])
            writer.writerow([f"{r['id']}f", r["title"], r["content"], "您好！您反映的问题已转交相关部门处理，请耐心等待。",
                             "只转办局"])
    result = _report(source, tmp_path / "out")
    assert result.exit_code == 0, result.output
    units = {u["unit"]: u for u in _csv(tmp_path / "out" / "units.csv")}
    forwarding, careful = units["只转办局"], units["认真办理局"]
    assert float(forwarding["redo_rate"]) == 1.0 and float(forwarding["shallow_rate"]) == 1.0
    assert float(careful["redo_rate"]) < float(forwarding["redo_rate"])
    assert list(units) == ["只转办局", "认真办理局"]


def test_column_mapping_takes_the_files_own_headers(models, tmp_path):
    source = tmp_path / "export.csv"
    source.write_text("流水号,反映内容,回复正文,处理部门,承办单位\n"
                      "1,小区门口路灯坏了一个月，请尽快修复。,已转交相关部门处理。,城管局,不用这一列\n"
                      "2,老板拖欠三个月工资，请劳动部门处理。,劳动监察大队于5月6日约谈公司，公司已补发工资。,人社局,不用这一列\n",
                      encoding="utf-8")
    mapping = tmp_path / "columns.toml"
    mapping.write_text('[columns]\n"流水号" = "id"\n"反映内容" = "content"\n"回复正文" = "reply"\n"处理部门" = "unit"\n',
                       encoding="utf-8")
    for option in ("流水号=id, 反映内容=content,回复正文=reply,处理部门=unit", str(mapping)):
        out = tmp_path / f"out{len(option)}"
        result = _report(source, out, "--columns", option, models=models)
        assert result.exit_code == 0, result.output
        assert {u["unit"] for u in _csv(out / "units.csv")} == {"城管局", "人社局"}
        assert all(u["audited"] == "1" for u in _csv(out / "units.csv"))
        assert [r["流水号"] for r in _csv(out / "tickets_scored.csv")] == ["1", "2"]


def test_missing_columns_and_bad_mappings_exit_2(models, tmp_path):
    source = tmp_path / "export.csv"
    source.write_text("编号,标题,备注\n1,路灯不亮,无\n", encoding="utf-8")
    result = _report(source, tmp_path / "out", models=models)
    assert result.exit_code == 2
    assert "content" in result.output and "Found: 编号, 标题, 备注" in result.output and "留言详情" in result.output
    assert not (tmp_path / "out").exists()
    result = _report(source, tmp_path / "out", "--columns", "意见=reply", models=models)
    assert result.exit_code == 2 and "意见" in result.output and "not in the file" in result.output
    result = _report(source, tmp_path / "out", "--columns", "备注=remark", models=models)
    assert result.exit_code == 2 and "remark" in result.output


def test_unreadable_jsonl_line_is_reported_and_the_job_goes_on(models, tmp_path):
    source = tmp_path / "export.jsonl"
    source.write_text(json.dumps({"id": "1", "content": "路灯坏了", "reply": "", "unit": "城管局"}, ensure_ascii=False) + "\n"
                      + "{broken\n"
                      + json.dumps({"id": "3", "content": "拖欠工资", "reply": "=已补发", "unit": "人社局"},
                                   ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = _report(source, out, models=models)
    assert result.exit_code == 0, result.output
    assert [(e["row"], e["reason"][:10]) for e in _csv(out / "errors.csv")] == [("2", "unreadable")]
    assert sum(int(u["tickets"]) for u in _csv(out / "units.csv")) == 3
    workbook = load_workbook(out / "tickets_scored.xlsx")
    assert workbook.active["C4"].value == "=已补发" and workbook.active["C4"].data_type == "s"  # text, not a formula


def test_shallow_and_worst_replies():
    assert is_shallow("redo", ("FORWARD_ONLY",), "已转交相关部门处理，请耐心等待。" * 5)
    assert is_shallow("redo", ("MISSING_CONTACT",), "已转交。")
    assert not is_shallow("redo", ("PROCESS_NO_RESULT",), "区城管局于5月3日到现场核查，已责令商户整改，下一步将加强巡查，确保问题得到解决。")
    assert not is_shallow("pass", ("ACK_ONLY",), "已收悉")
    stats = UnitStats()
    for number, risk in enumerate((0.9, 0.95, 0.6, 0.95), start=2):
        stats.add(number, f"t{number}", {}, RowResult(verdict="redo", redo_risk=risk, score=10.0), keep=2)
    assert [ident for *_, ident in stats.worst_first()] == ["t3", "t5"]  # ties: the earlier row first
    assert stats.row("u", ())["worst_rows"] == "3; 5"


def test_praise_replies_are_counted_apart_from_the_audited_ones(models, tmp_path):
    """A 表扬 message's reply is thanks: it must neither lower the unit's redo rate nor raise its missing rates."""
    source = tmp_path / "export.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["工单编号", "留言主题", "留言详情", "诉求类型", "答复意见", "承办单位"])
        writer.writerow(["p1", "感谢区城管局", "路灯修好了，感谢工作人员。", "表扬", "感谢您的肯定！", "区城管局"])
        writer.writerow(["p2", "表扬环卫工人", "环卫工人每天很辛苦，特此表扬。", "表扬", "谢谢您的支持。", "区城管局"])
        writer.writerow(["c1", "路灯不亮", "小区门口路灯坏了一个月，请尽快修复。", "求助", "您好！您反映的问题已转交相关部门处理。",
                         "区城管局"])
    result = _report(source, tmp_path / "out", models=models)
    assert result.exit_code == 0, result.output
    (unit,) = _csv(tmp_path / "out" / "units.csv")
    assert (unit["tickets"], unit["audited"], unit["praise"]) == ("3", "1", "2")
    assert float(unit["missing_result_rate"]) == 1.0 and float(unit["redo_rate"]) == int(unit["redo"])
    scored = {row["工单编号"]: row for row in _csv(tmp_path / "out" / "tickets_scored.csv")}
    assert scored["p1"]["hotline_verdict"] == "pass"  # the praise rows are still scored, row by row
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["totals"]["praise"] == 2 and summary["totals"]["audited"] == 1
    assert "表扬件答复（不计入核查）" in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")


def test_scored_tickets_pad_short_rows(tmp_path):
    writer = ScoredTickets(tmp_path, ["a", "b"])
    writer.write(["1"], RowResult(error="x", problems=[("content", "x")]))
    writer.write(None, RowResult())
    writer.close()
    rows = _csv(tmp_path / "tickets_scored.csv")
    assert [(r["a"], r["b"], r["hotline_error"]) for r in rows] == [("1", "", "x"), ("", "", "")]


def test_errors_file_cells_that_a_spreadsheet_would_run_are_kept_as_text(tmp_path):
    from serve.report.writers import ErrorsFile

    errors = ErrorsFile(tmp_path)
    errors.write(7, '=HYPERLINK("http://x.cn")', RowResult(problems=[("content", "empty")]))
    errors.close()
    [row] = _csv(tmp_path / "errors.csv")
    assert row["id"] == "'=HYPERLINK(\"http://x.cn\")" and row["row"] == "7"


def test_csv_cells_that_a_spreadsheet_would_run_are_kept_as_text(tmp_path):
    writer = ScoredTickets(tmp_path, ["title", "amount", "phone"])
    writer.write(['=HYPERLINK("http://x.cn","点击")', "-5", "@SUM(A1)"], RowResult())
    writer.close()
    [row] = _csv(tmp_path / "tickets_scored.csv")
    assert (row["title"], row["amount"], row["phone"]) == ("'=HYPERLINK(\"http://x.cn\",\"点击\")", "-5", "'@SUM(A1)")
    [_, cells] = _xlsx_values(tmp_path / "tickets_scored.xlsx")
    assert cells[0] == '=HYPERLINK("http://x.cn","点击")'  # stored as text in the workbook, unchanged


def test_dates_go_back_into_the_workbook_as_dates_and_ids_stay_text(tmp_path):
    from datetime import datetime

    writer = ScoredTickets(tmp_path, ["id", "message_time", "reply_time", "note"])
    writer.write(["20240501001", "2024-05-01 09:30:00", "2024-05-03", "2024-02-30"], RowResult())
    writer.close()
    [_, cells] = _xlsx_values(tmp_path / "tickets_scored.xlsx")
    assert cells[:4] == ["20240501001", datetime(2024, 5, 1, 9, 30), datetime(2024, 5, 3), "2024-02-30"]
    [row] = _csv(tmp_path / "tickets_scored.csv")
    assert row["message_time"] == "2024-05-01 09:30:00"


def test_report_states_the_time_limits_of_the_policy_it_used(models, tmp_path):
    source = tmp_path / "export.csv"
    source.write_text("id,title,content,reply,message_time,reply_time,type\n"
                      "1,请问公租房怎么申请,想咨询公租房申请条件,您好，申请条件见区住建局官网。,2024-03-01 09:00,2024-03-07 10:00,咨询\n",
                      encoding="utf-8")
    policy = tmp_path / "office.toml"
    policy.write_text('[time_limits]\ndefault = 10\n[time_limits.by_type]\n"咨询" = 3\n', encoding="utf-8")
    assert _report(source, tmp_path / "shipped", models=models).exit_code == 0
    result = _report(source, tmp_path / "office", "--policy", str(policy), models=models)
    assert result.exit_code == 0, result.output
    assert "咨询 5 个、其他 15 个工作日" in (tmp_path / "shipped" / "report.html").read_text(encoding="utf-8")
    html = (tmp_path / "office" / "report.html").read_text(encoding="utf-8")
    assert "咨询 3 个、其他 10 个工作日" in html
    summary = json.loads((tmp_path / "office" / "summary.json").read_text(encoding="utf-8"))
    assert summary["time_limits"] == "咨询 3 个、其他 10 个工作日" and summary["totals"]["overdue"] == 1


def test_placeholder_dates_go_to_the_errors_file_and_the_row_is_still_scored(models, tmp_path):
    source = tmp_path / "export.csv"
    source.write_text("工单编号,留言主题,留言详情,答复意见,留言时间,答复时间\n"
                      "p1,路灯不亮,小区路灯坏了一个月,区城管局已于6月3日修复路灯。,2019-06-01,9999-12-31\n"
                      "p2,路灯不亮,小区路灯坏了一个月,区城管局已于6月3日修复路灯。,2019-06-01,2019-06-04\n",
                      encoding="utf-8")
    result = _report(source, tmp_path / "out", models=models)
    assert result.exit_code == 0, result.output
    scored = _csv(tmp_path / "out" / "tickets_scored.csv")
    assert [r["hotline_working_days"] for r in scored] == ["", "2"] and all(r["hotline_verdict"] for r in scored)
    [problem] = _csv(tmp_path / "out" / "errors.csv")
    assert (problem["row"], problem["column"]) == ("2", "reply_time") and "out of range" in problem["reason"]


def test_phone_numbers_typed_into_unit_or_label_cells_stay_out_of_the_tables_and_page(models, tmp_path):
    phone, ticket_number = "13812345678", "2024050112345678"  # a 16-digit ticket number is no bank card: kept
    source = tmp_path / "export.csv"
    source.write_text("工单编号,留言主题,留言详情,答复意见,承办单位,一级分类\n"
                      f"{ticket_number},路灯不亮,小区路灯坏了,已转交相关部门处理。,联系人{phone},城建{phone}\n",
                      encoding="utf-8")
    result = _report(source, tmp_path / "out", models=models)
    assert result.exit_code == 0, result.output
    for name in ("units.csv", "agreement.csv", "summary.json", "report.html"):
        assert phone not in (tmp_path / "out" / name).read_text(encoding="utf-8-sig"), name
    [unit] = _csv(tmp_path / "out" / "units.csv")
    assert unit["unit"] == "联系人〔手机号〕" and unit["worst_ids"] == ticket_number


def test_headers_named_by_columns_are_found_below_a_title_line(models, tmp_path):
    source = tmp_path / "export.csv"
    source.write_text("A市12345热线工单导出（2024年5月）\n来电摘要,处理结果,处理部门\n"
                      "小区路灯坏了一个月,区城管局已于6月3日修复路灯。,区城管局\n", encoding="utf-8")
    result = _report(source, tmp_path / "out", "--columns", "来电摘要=content,处理结果=reply,处理部门=unit", models=models)
    assert result.exit_code == 0, result.output
    [unit] = _csv(tmp_path / "out" / "units.csv")
    assert unit["unit"] == "区城管局" and unit["audited"] == "1"


def test_a_header_with_one_known_name_is_still_the_header(models, tmp_path):
    source = tmp_path / "export.csv"
    source.write_text("流水号,诉求内容,备注\n1,标题,内容\n2,小区路灯坏了一个月,无\n", encoding="utf-8")
    result = _report(source, tmp_path / "out", models=models)
    assert result.exit_code == 0, result.output
    scored = _csv(tmp_path / "out" / "tickets_scored.csv")
    assert [(r["流水号"], r["诉求内容"]) for r in scored] == [("1", "标题"), ("2", "小区路灯坏了一个月")]


def _tickets_csv(path, rows):
    """An export of `rows` short tickets (ids 1…)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["工单编号", "标题", "诉求内容"])
        writer.writerows([str(i), "路灯不亮", f"小区门口路灯坏了{i}天，晚上出行很不方便，请尽快修复。"]
                         for i in range(1, rows + 1))


def test_a_report_refuses_to_read_one_of_the_files_it_writes(models, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    _tickets_csv(out / "tickets_scored.csv", 3)
    before = (out / "tickets_scored.csv").read_bytes()
    (tmp_path / "link.csv").symlink_to(out / "tickets_scored.csv")
    for source in (out / "tickets_scored.csv", out / ".." / "out" / "tickets_scored.csv", tmp_path / "link.csv"):
        result = _report(source, out, models=models)
        assert result.exit_code == 2, result.output
        assert "is the report's own tickets_scored.csv" in result.output and "another folder" in result.output
    assert (out / "tickets_scored.csv").read_bytes() == before and [p.name for p in out.iterdir()] == [
        "tickets_scored.csv"]
    assert _report(out / "tickets_scored.csv", tmp_path / "elsewhere", models=models).exit_code == 0


@pytest.mark.parametrize("new_folder", [False, True])
def test_a_report_that_breaks_halfway_leaves_the_previous_one_whole(models, tmp_path, new_folder):
    from serve.report.run import WIDTH_ROWS

    out = tmp_path / "out"
    if not new_folder:
        _tickets_csv(tmp_path / "good.csv", 2)
        assert _report(tmp_path / "good.csv", out, models=models).exit_code == 0
        (out / "notes.txt").write_text("the office's own file", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in out.iterdir()} if out.exists() else None
    source = tmp_path / "halfbad.csv"
    _tickets_csv(source, WIDTH_ROWS + 200)  # the bad line lies past the rows read ahead and past 64 KiB
    with source.open("ab") as handle:
        handle.write("99999,坏行,".encode() + "这一行是GBK".encode("gbk") + b"\n")
    result = _report(source, out, "--chunk-size", "50", models=models)
    assert result.exit_code == 2 and "not UTF-8" in result.output
    assert ({p.name: p.read_bytes() for p in out.iterdir()} if out.exists() else None) == before


def test_cells_right_of_the_last_header_name_are_carried_under_their_column_letter(models, tmp_path):
    from openpyxl import Workbook

    source = tmp_path / "export.csv"
    source.write_text("工单编号,,诉求内容\n1,路灯不亮,小区门口路灯坏了一个月,备注：已回访,额外\n2,停水,小区停水三天\n",
                      encoding="utf-8")
    workbook = Workbook()
    workbook.active.append(["工单编号", "标题", "诉求内容", None, None])  # trailing header cells left blank
    workbook.active.append(["1", "路灯不亮", "小区门口路灯坏了一个月", "备注：已回访", "额外"])
    workbook.save(tmp_path / "export.xlsx")
    result = _report(source, tmp_path / "csv", "--chunk-size", "1", models=models)
    assert result.exit_code == 0, result.output
    rows = _csv(tmp_path / "csv" / "tickets_scored.csv")
    assert list(rows[0])[:6] == ["工单编号", "列B", "诉求内容", "列D", "列E", "hotline_category"]
    assert [(r["列D"], r["列E"]) for r in rows] == [("备注：已回访", "额外"), ("", "")]
    assert _xlsx_values(tmp_path / "csv" / "tickets_scored.xlsx")[1][3:5] == ["备注：已回访", "额外"]
    result = _report(tmp_path / "export.xlsx", tmp_path / "xlsx", models=models)
    assert result.exit_code == 0, result.output
    [row] = _csv(tmp_path / "xlsx" / "tickets_scored.csv")
    assert (row["标题"], row["列D"], row["列E"]) == ("路灯不亮", "备注：已回访", "额外")


def test_a_row_wider_than_the_rows_read_ahead_is_named_in_the_errors_file(models, tmp_path, monkeypatch):
    monkeypatch.setattr("serve.report.run.WIDTH_ROWS", 2)
    source = tmp_path / "export.csv"
    source.write_text("工单编号,标题,诉求内容\n1,路灯,路灯坏了,备注\n2,停水,小区停水三天\n3,噪音,楼下噪音扰民,,后来的备注,又一个\n",
                      encoding="utf-8")
    result = _report(source, tmp_path / "out", models=models)
    assert result.exit_code == 0, result.output
    assert "1 with problems" in result.output
    [problem] = _csv(tmp_path / "out" / "errors.csv")
    assert problem["row"] == "4" and problem["reason"].startswith("2 cell(s) right of column D not carried")
    rows = _csv(tmp_path / "out" / "tickets_scored.csv")
    assert [r["列D"] for r in rows] == ["备注", "", ""] and rows[2]["hotline_error"] == problem["reason"]
    assert rows[2]["hotline_category"]  # the row itself is still scored
