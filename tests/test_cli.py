"""`hotline classify` / `evaluate`: input formats and office headers, bad rows and files, exit codes."""

import json
import re
import subprocess
import sys

import pandas as pd
import pytest
from typer.testing import CliRunner

from serve.cli import app
from tests.conftest import SAMPLES

runner = CliRunner()
REQUIRED_KEYS = {"id", "category", "category_scores", "type", "type_scores", "routing", "needs_review", "model_version"}


def _classify(tiny_model_dir, source, destination):
    return runner.invoke(app, ["classify", str(source), "-o", str(destination), "--model", str(tiny_model_dir)])


def _jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_classify_csv_to_jsonl_keeps_every_row_in_order(tiny_model_dir, sample_tickets, tmp_path):
    out = tmp_path / "out.jsonl"
    result = _classify(tiny_model_dir, SAMPLES / "tickets.csv", out)
    assert result.exit_code == 0, result.output
    rows = _jsonl(out)
    assert [r["id"] for r in rows] == [t["id"] for t in sample_tickets]
    assert all(REQUIRED_KEYS <= set(r) and r["error"] is None for r in rows)
    assert all(r["routing"][0]["unit"] and r["category_scores"][0]["label"] == r["category"] for r in rows)


def test_office_headers_in_excel_are_understood(tiny_model_dir, tmp_path):
    out = tmp_path / "out.csv"
    result = _classify(tiny_model_dir, SAMPLES / "tickets_office.xlsx", out)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, dtype=str)
    office = pd.read_excel(SAMPLES / "tickets_office.xlsx", dtype=str)
    assert table.id.tolist() == office["留言编号"].tolist()
    assert json.loads(table.category_scores[0])[0]["label"] == table.category[0]


def test_jsonl_input_and_xlsx_output_with_bad_rows(tiny_model_dir, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps({"id": "1", "title": "路灯不亮", "content": "小区门口路灯坏了一个月", "extra": "ignored"}, ensure_ascii=False)
        + "\n{not json\n"
        + json.dumps({"id": "3", "title": "", "content": ""}) + "\n"
        + json.dumps({"id": "4", "title": "工资拖欠", "content": "老板拖欠三个月工资"}, ensure_ascii=False) + "\n",
        encoding="utf-8")
    out = tmp_path / "out.xlsx"
    result = _classify(tiny_model_dir, source, out)
    assert result.exit_code == 0, result.output
    table = pd.read_excel(out, dtype=str)
    assert len(table) == 4
    assert table.error.isna().tolist() == [True, False, False, True]
    assert "empty" in table.error[2] and table.id[3] == "4"
    assert table.id[1] == "2" and "not a JSON object" in table.error[1]  # the broken line, named by its line number


def test_title_lines_above_the_header_and_blank_rows_are_skipped(tiny_model_dir, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in (["A市12345热线工单导出（2024年5月）"], [], ["工单编号", "留言主题", "诉求内容", "备注"],
                ["w1", "路灯不亮", "小区门口路灯坏了一个月", ""], [], ["w2", "工资拖欠", "老板拖欠三个月工资", "急"]):
        sheet.append(row)
    workbook.save(tmp_path / "export.xlsx")
    (tmp_path / "export.csv").write_text("A市12345热线工单导出;2024年5月\n工单编号,留言主题,诉求内容\nw1,路灯不亮,小区门口路灯坏了\n"
                                         "\n,,\nw2,工资拖欠,老板拖欠三个月工资\n", encoding="utf-8")
    for name in ("export.xlsx", "export.csv"):
        out = tmp_path / f"{name}.jsonl"
        result = _classify(tiny_model_dir, tmp_path / name, out)
        assert result.exit_code == 0, result.output
        rows = _jsonl(out)
        assert [r["id"] for r in rows] == ["w1", "w2"] and all(r["category"] and not r.get("error") for r in rows)


def test_data_after_a_cover_sheet_repeated_headers_and_totals_lines_are_handled(tiny_model_dir, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "封面"
    workbook.active.append(["A市12345热线2024年4月工单导出"])
    data = workbook.create_sheet("工单")
    header = ["工单编号", "留言主题", "诉求内容"]
    for row in (header, ["w1", "路灯不亮", "小区门口路灯坏了"], header, ["w2", "工资拖欠", "老板拖欠三个月工资"],
                ["合计", "", "共2条"]):
        data.append(row)
    workbook.save(tmp_path / "export.xlsx")
    out = tmp_path / "out.jsonl"
    result = _classify(tiny_model_dir, tmp_path / "export.xlsx", out)
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in _jsonl(out)] == ["w1", "w2"]


def test_a_contents_sheet_naming_a_known_column_is_passed_over_for_the_tickets(tiny_model_dir, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "目录"
    for row in (["序号", "内容", "页码"], ["1", "工单明细", "2"], ["2", "统计表", "3"]):
        workbook.active.append(row)
    data = workbook.create_sheet("工单明细")
    for row in (["工单编号", "留言主题", "诉求内容", "承办单位"], ["w1", "路灯不亮", "小区门口路灯坏了", "A3区城管局"]):
        data.append(row)
    workbook.save(tmp_path / "export.xlsx")
    out = tmp_path / "out.jsonl"
    result = _classify(tiny_model_dir, tmp_path / "export.xlsx", out)
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in _jsonl(out)] == ["w1"]


@pytest.mark.parametrize("name,text,ids", [
    ("semicolons in a quoted cell", '工单编号,标题,内容\n1,路灯,"涉及A路;B路;C路;D路;E路;F路路灯不亮"\n', ["1"]),
    ("a ticket whose cells read like headers", "工单编号,标题,内容\n1,标题,内容\n2,路灯,小区路灯不亮\n", ["1", "2"]),
])
def test_header_and_delimiter_are_read_from_the_header_line(tiny_model_dir, tmp_path, name, text, ids):
    source = tmp_path / "export.csv"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = _classify(tiny_model_dir, source, out)
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in _jsonl(out)] == ids


def test_a_tab_separated_unicode_export_with_commas_in_the_text(tiny_model_dir, tmp_path):
    source = tmp_path / "export.csv"
    rows = ["工单编号\t留言主题\t诉求内容"] + [f"t{i}\t烧烤油烟\t楼下烧烤店每晚营业到凌晨2点,油烟很大,噪音扰民" for i in range(3)]
    source.write_bytes(("\n".join(rows) + "\n").encode("utf-16"))
    out = tmp_path / "out.jsonl"
    result = _classify(tiny_model_dir, source, out)
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in _jsonl(out)] == ["t0", "t1", "t2"]


def test_a_header_naming_two_columns_is_refused_as_ambiguous(tiny_model_dir, tmp_path):
    source = tmp_path / "dup.csv"
    source.write_text("工单编号,标题,内容,内容\n1,路灯不亮,,小区门口路灯坏了\n", encoding="utf-8")
    result = _classify(tiny_model_dir, source, tmp_path / "out.jsonl")
    assert result.exit_code == 2 and "内容" in result.output and "more than one column" in result.output
    assert not (tmp_path / "out.jsonl").exists()


def test_a_cell_longer_than_the_csv_modules_default_limit_is_read(tiny_model_dir, tmp_path):
    source = tmp_path / "long.csv"
    source.write_text("id,title,content\n1,噪音扰民," + "楼下餐馆夜间排风机噪音很大。" * 15000 + "\n2,路灯不亮,小区路灯坏了\n",
                      encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = _classify(tiny_model_dir, source, out)
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in _jsonl(out)] == ["1", "2"] and all(r["category"] for r in _jsonl(out))


@pytest.mark.parametrize("encoding,delimiter", [("utf-16", "\t"), ("utf-8-sig", ";"), ("utf-8-sig", ",")])
def test_unicode_text_and_other_delimiters_are_read(tiny_model_dir, tmp_path, encoding, delimiter):
    source = tmp_path / "export.csv"
    rows = [["工单编号", "留言主题", "诉求内容"], ["u1", "路灯不亮", "小区门口路灯坏了，请尽快修复"]]
    source.write_bytes("".join(delimiter.join(row) + "\n" for row in rows).encode(encoding))
    out = tmp_path / "out.jsonl"
    result = _classify(tiny_model_dir, source, out)
    assert result.exit_code == 0, result.output
    [row] = _jsonl(out)
    assert row["id"] == "u1" and row["category"] and not row.get("error")


def test_gbk_csv_from_excel_is_read(tiny_model_dir, tmp_path):
    source = tmp_path / "gbk.csv"
    source.write_bytes("留言编号,留言主题,留言详情\n7,小区路灯不亮,路灯坏了一个月没人修\n".encode("gbk"))
    out = tmp_path / "out.jsonl"
    result = _classify(tiny_model_dir, source, out)
    assert result.exit_code == 0, result.output
    assert _jsonl(out)[0]["id"] == "7" and _jsonl(out)[0]["category"]


def test_missing_column_names_found_and_expected(tiny_model_dir, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("编号,留言主题,备注\n1,路灯不亮,无\n", encoding="utf-8")
    result = _classify(tiny_model_dir, source, tmp_path / "out.jsonl")
    assert result.exit_code == 2
    assert "content" in result.output and "留言主题" in result.output and "留言详情" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "out.jsonl").exists()


def test_a_file_without_header_row_does_not_print_the_citizen_s_numbers(tiny_model_dir, tmp_path):
    """Without a header the first ticket is offered as one; the message quoting it is masked and cut."""
    source = tmp_path / "nohdr.csv"
    source.write_text("T001,路灯坏了,我家门口路灯坏了一个月，电话13812345678，身份证430102199001011234\n"
                      "T002,噪音,夜间施工\n", encoding="utf-8")
    result = _classify(tiny_model_dir, source, tmp_path / "out.jsonl")
    assert result.exit_code == 2 and "missing column" in result.output and "T001" in result.output
    assert "13812345678" not in result.output and "430102199001011234" not in result.output
    assert "…" in result.output  # the long cell is cut


@pytest.mark.parametrize("name,payload", [("broken.xlsx", b"PK\x03\x04 not really a zip"),
                                          ("latin.csv", "id,title,content\n1,caf\xe9,x\n".encode("latin-1")),
                                          ("empty.csv", b""), ("notes.txt", b"hello")])
def test_unreadable_files_give_a_clear_message(tiny_model_dir, tmp_path, name, payload):
    source = tmp_path / name
    source.write_bytes(payload)
    result = _classify(tiny_model_dir, source, tmp_path / "out.jsonl")
    assert result.exit_code == 2
    assert name in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("suffix,header,row", [
    (".csv", "id,title,content", "{i},路灯不亮,小区门口路灯坏了一个月"),
    (".jsonl", "", '{{"id": "{i}", "title": "路灯不亮", "content": "小区门口路灯坏了一个月"}}'),
])
def test_a_bad_byte_late_in_a_text_file_is_reported_at_its_line(tiny_model_dir, tmp_path, suffix, header, row):
    lines = ([header] if header else []) + [row.format(i=i) for i in range(3000)]
    lines[2500] = lines[2500].replace("路灯不亮", "路灯@@不亮")
    source = tmp_path / f"late{suffix}"
    source.write_bytes("\n".join(lines).encode("utf-8").replace(b"@@", b"\xff") + b"\n")
    result = _classify(tiny_model_dir, source, tmp_path / "out.jsonl")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "is not UTF-8 text: line 2501 " in result.output, result.output
    assert not (tmp_path / "out.jsonl").exists()


def test_missing_model_directory_is_reported(tmp_path):
    result = runner.invoke(app, ["classify", str(SAMPLES / "tickets.csv"), "-o", str(tmp_path / "o.jsonl"),
                                 "--model", str(tmp_path / "nowhere")])
    assert result.exit_code == 3 and "model_card.json" in result.output


def test_evaluate_prints_metrics_for_labelled_file(tiny_model_dir):
    result = runner.invoke(app, ["evaluate", "classifier", "--data", str(SAMPLES / "tickets.csv"),
                                 "--model", str(tiny_model_dir), "--json"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout)
    assert set(metrics) == {"category", "type"}
    assert metrics["category"]["n"] == 70 and 0 < metrics["category"]["macro_f1"] <= 1
    assert metrics["type"]["macro_f1_labels"] == ["投诉", "举报", "求助", "咨询", "建议"]
    assert sum(map(sum, metrics["category"]["confusion"]["matrix"])) == 70


def test_console_script_runs_as_a_real_process(tiny_model_dir, tmp_path):
    out = tmp_path / "out.jsonl"
    completed = subprocess.run([sys.executable, "-m", "serve", "classify", str(SAMPLES / "tickets.csv"), "-o", str(out),
                                "--model", str(tiny_model_dir)], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert len(_jsonl(out)) == 70
    assert "13912345678" not in completed.stderr + completed.stdout


def test_two_workers_give_the_same_output_as_one(tiny_model_dir, tmp_path):
    outputs = []
    for workers in ("1", "2"):
        out = tmp_path / f"out{workers}.jsonl"
        result = runner.invoke(app, ["classify", str(SAMPLES / "tickets.csv"), "-o", str(out), "--model",
                                     str(tiny_model_dir), "--workers", workers, "--chunk-size", "16"])
        assert result.exit_code == 0, result.output
        outputs.append(out.read_text(encoding="utf-8"))
    assert outputs[0] == outputs[1] and len(outputs[0].splitlines()) == 70


AUDIT_KEYS = {"id", "verdict", "redo_risk", "score", "elements", "relevance", "issues", "suggestions", "model_version"}


def _audit(tiny_auditor_dir, source, destination, *extra):
    return runner.invoke(app, ["audit", str(source), "-o", str(destination), "--model", str(tiny_auditor_dir), *extra])


def test_audit_csv_to_jsonl_keeps_every_row_in_order(tiny_auditor_dir, tmp_path):
    out = tmp_path / "audits.jsonl"
    result = _audit(tiny_auditor_dir, SAMPLES / "sample_replies.csv", out)
    assert result.exit_code == 0, result.output
    rows = _jsonl(out)
    source = pd.read_csv(SAMPLES / "sample_replies.csv", dtype=str)
    assert [r["id"] for r in rows] == source.id.tolist()
    assert all(AUDIT_KEYS <= set(r) and r["error"] is None for r in rows)
    assert all(set(r["elements"]) == {"org", "time", "process", "result", "contact"} for r in rows)
    assert all(r["timeliness"]["working_days"] is not None for r in rows)  # message_time and reply_time given


def test_audit_office_headers_bad_rows_and_xlsx_output(tiny_auditor_dir, tmp_path):
    source = tmp_path / "office.csv"
    source.write_text("留言编号,留言主题,留言详情,答复意见,答复时间,承办单位\n"
                      "1,路灯不亮,路灯坏了,已转A市城管局处理。,2019-05-10,A市城管局\n"
                      "2,噪音扰民,晚上施工,,2019-05-10,A市生态环境局\n", encoding="utf-8")
    out = tmp_path / "audits.xlsx"
    result = _audit(tiny_auditor_dir, source, out, "--workers", "2")
    assert result.exit_code == 0, result.output
    table = pd.read_excel(out, dtype=str)
    assert table.id.tolist() == ["1", "2"]
    assert table.error.isna().tolist() == [True, False] and "空" in table.error[1]
    assert json.loads(table.elements[0])["org"]["present"] in (True, False)


def test_audit_without_a_reply_column_exits_2(tiny_auditor_dir, tmp_path):
    result = _audit(tiny_auditor_dir, SAMPLES / "tickets.csv", tmp_path / "o.jsonl")
    assert result.exit_code == 2 and "reply" in result.output and "答复意见" in result.output


def test_evaluate_auditor_on_a_labelled_file(tiny_auditor_dir):
    result = runner.invoke(app, ["evaluate", "auditor", "--data", str(SAMPLES / "sample_replies.csv"),
                                 "--model", str(tiny_auditor_dir), "--json"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout)["sample_replies.csv"]
    assert metrics["n"] == 40 and set(metrics["elements"]) == {"org", "time", "process", "result", "contact"}
    assert 0 <= metrics["verdict"]["f1"] <= 1 and metrics["verdict"]["auc"] is not None


def test_output_paths_the_system_refuses_give_a_message_not_a_traceback(tiny_model_dir, tmp_path):
    (tmp_path / "a_file").write_text("x", encoding="utf-8")
    (tmp_path / "folder.jsonl").mkdir()
    for destination in (tmp_path / "a_file" / "out.jsonl", tmp_path / "folder.jsonl"):  # under a file; a folder
        result = _classify(tiny_model_dir, SAMPLES / "tickets.csv", destination)
        assert result.exit_code == 2, result.output
        assert result.output.startswith("error:") and "Traceback" not in result.output
    report = runner.invoke(app, ["report", str(SAMPLES / "tickets.csv"), "-o", str(tmp_path / "a_file"),
                                 "--model", str(tiny_model_dir)])
    assert report.exit_code == 2 and "a_file" in report.output


def test_audit_takes_the_auditor_folder_as_model_or_auditor(tiny_auditor_dir, tmp_path):
    outputs = []
    for flag in ("--model", "--auditor"):
        out = tmp_path / f"{flag.strip('-')}.jsonl"
        result = runner.invoke(app, ["audit", str(SAMPLES / "sample_replies.csv"), "-o", str(out), flag,
                                     str(tiny_auditor_dir)])
        assert result.exit_code == 0, result.output
        outputs.append([row["model_version"] for row in _jsonl(out)])
    assert outputs[0] == outputs[1] and outputs[0][0]


def test_xlsx_output_cuts_cells_longer_than_excel_allows_and_says_so(tiny_auditor_dir, tmp_path):
    source = tmp_path / "long.csv"
    reply = "区城管局于5月3日到现场核查，已责令商户整改并复查合格。" * 1500  # evidence lists longer than 32,767 characters
    source.write_text(f"id,title,content,reply\n1,占道经营,门口商户占道经营,{reply}\n2,路灯,路灯不亮,已修复\n",
                      encoding="utf-8")
    out = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["audit", str(source), "-o", str(out), "--model", str(tiny_auditor_dir)])
    assert result.exit_code == 0, result.output
    assert "were cut" in result.output and ".jsonl" in result.output
    table = pd.read_excel(out, dtype=str)
    assert len(table) == 2 and table.map(lambda v: len(str(v))).to_numpy().max() == 32_767


def test_similar_and_index_build_report_refused_paths_without_a_traceback(tmp_path):
    (tmp_path / "a_file").write_text("x", encoding="utf-8")
    build = runner.invoke(app, ["index", "build", str(SAMPLES / "tickets.csv"), "--index", str(tmp_path / "a_file" / "idx")])
    assert build.exit_code == 2 and build.output.startswith("error:")
    index = tmp_path / "idx"
    assert runner.invoke(app, ["index", "build", str(SAMPLES / "tickets.csv"), "--index", str(index)]).exit_code == 0
    (tmp_path / "out.jsonl").mkdir()
    found = runner.invoke(app, ["similar", str(SAMPLES / "tickets.csv"), "-o", str(tmp_path / "out.jsonl"),
                                "--index", str(index)])
    assert found.exit_code == 2 and found.output.startswith("error:")


def _two_sheet_export(path):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "五月"
    workbook.active.append(["工单编号", "留言主题", "诉求内容"])
    workbook.active.append(["m1", "路灯不亮", "小区门口路灯坏了"])
    june = workbook.create_sheet("六月")
    june.append(["工单编号", "留言主题", "诉求内容"])
    june.append(["j1", "工资拖欠", "老板拖欠三个月工资"])
    workbook.save(path)


def test_sheet_picks_a_sheet_by_name_or_number(tiny_model_dir, tmp_path):
    _two_sheet_export(tmp_path / "export.xlsx")
    for extra, ids in (([], ["m1"]), (["--sheet", "六月"], ["j1"]), (["--sheet", "2"], ["j1"])):
        out = tmp_path / "out.jsonl"
        result = runner.invoke(app, ["classify", str(tmp_path / "export.xlsx"), "-o", str(out),
                                     "--model", str(tiny_model_dir), *extra])
        assert result.exit_code == 0, result.output
        assert [r["id"] for r in _jsonl(out)] == ids


@pytest.mark.parametrize("source,sheet,message", [
    ("export.xlsx", "七月", "no sheet '七月'; its sheets: 五月, 六月"),
    ("export.xlsx", "3", "no sheet '3'"),
    ("tickets.csv", "1", "only be chosen in an .xlsx"),
])
def test_a_sheet_that_is_not_there_exits_2_naming_the_sheets(tiny_model_dir, tmp_path, source, sheet, message):
    _two_sheet_export(tmp_path / "export.xlsx")
    path = tmp_path / source if source.endswith(".xlsx") else SAMPLES / source
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["classify", str(path), "-o", str(out), "--model", str(tiny_model_dir),
                                 "--sheet", sheet])
    assert result.exit_code == 2 and message in " ".join(result.output.split()), result.output
    assert not out.exists()


def test_cells_merged_down_the_rows_are_read_as_excel_shows_them(tmp_path):
    from openpyxl import Workbook

    from training.exports import iter_table

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["A市12345热线5月答复"])
    sheet.merge_cells("A1:D1")  # a title line across the columns stays one cell
    sheet.append(["承办单位", "工单编号", "诉求内容", "答复意见"])
    for row in (["A市城管局", "1", "路灯坏了", "已修复"], [None, "2", "占道经营", "已取缔"], [None, "3", "渣土车", "已查处"],
                ["A市人社局", "4", "欠薪", "已追回"], [None, "5", "社保", "已答复"], [None, "6", "无单位", "已答复"]):
        sheet.append(row)
    sheet.merge_cells("A3:A5")
    sheet.merge_cells("A6:A7")  # row 8 is not in a merge: its empty unit stays empty
    workbook.save(tmp_path / "merged.xlsx")
    rows = [row for chunk in iter_table(tmp_path / "merged.xlsx", ["content"], ["id", "unit"]) for row in chunk]
    assert [(r["id"], r["unit"]) for r in rows] == [("1", "A市城管局"), ("2", "A市城管局"), ("3", "A市城管局"),
                                                    ("4", "A市人社局"), ("5", "A市人社局"), ("6", "")]


def test_an_output_that_is_the_input_file_is_refused_before_anything_is_written(tiny_model_dir, tmp_path):
    source = tmp_path / "tickets.csv"
    source.write_bytes((SAMPLES / "tickets.csv").read_bytes())
    before = source.read_bytes()
    for output in (source, tmp_path / "." / "tickets.csv"):
        result = _classify(tiny_model_dir, source, output)
        assert result.exit_code == 2 and "is the input file" in result.output, result.output
    assert source.read_bytes() == before


@pytest.mark.parametrize("pad", range(4))
def test_a_gbk_file_whose_first_64_kib_end_inside_a_character_is_read_as_gbk(tiny_model_dir, tmp_path, pad):
    lines = ["id,title,content", "000000,路灯," + "请维修" + "a" * pad]
    lines += [f"{i:06d},路灯不亮,小区门口路灯坏了一个月，晚上出行很不方便，请尽快修复。" for i in range(1, 1500)]
    source = tmp_path / "gbk.csv"
    source.write_bytes("\r\n".join(lines).encode("gbk"))
    out = tmp_path / "out.jsonl"
    result = _classify(tiny_model_dir, source, out)
    assert result.exit_code == 0, result.output
    assert len(_jsonl(out)) == 1500 and _jsonl(out)[0]["id"] == "000000"


def _rewrite_sheet(path, change):
    """Rewrite xl/worksheets/sheet1.xml of an .xlsx with `change(xml) -> xml`, as a broken exporter would."""
    import zipfile

    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    parts["xl/worksheets/sheet1.xml"] = change(parts["xl/worksheets/sheet1.xml"].decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)


def _export(path, rows):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["工单编号", "留言主题", "诉求内容"])
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)


def test_a_wrong_dimension_in_the_sheet_does_not_cut_rows(tiny_model_dir, tmp_path):
    source = tmp_path / "export.xlsx"
    _export(source, [[f"t{i}", "路灯不亮", "小区门口路灯坏了"] for i in range(5)])
    _rewrite_sheet(source, lambda xml: re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:C3"/>', xml))
    out = tmp_path / "out.jsonl"
    result = _classify(tiny_model_dir, source, out)
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in _jsonl(out)] == [f"t{i}" for i in range(5)]


def test_a_sheet_broken_halfway_exits_2_without_quoting_cells_or_leaving_a_partial_output(tiny_model_dir, tmp_path):
    source = tmp_path / "export.xlsx"
    _export(source, [[f"t{i}", "路灯不亮", "小区门口路灯坏了"] for i in range(600)] + [["t600", "电话", 13812345678]])
    # A number cell that is not a number (a phone number with an extension), as a hand-edited export can hold.
    _rewrite_sheet(source, lambda xml: xml.replace("<v>13812345678</v>", "<v>13812345678 ext</v>"))
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["classify", str(source), "-o", str(out), "--model", str(tiny_model_dir),
                                 "--chunk-size", "100"])
    assert result.exit_code == 2 and "cannot be read after row" in result.output, result.output
    assert "13812345678" not in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_xlsx_results_keep_ids_as_text_and_drop_characters_excel_refuses(tiny_model_dir, tmp_path):
    from openpyxl import load_workbook

    source = tmp_path / "odd_ids.csv"
    source.write_text("id,title,content\n\"000123\x0b\",路灯不亮,小区门口路灯坏了\n=1+1,噪音扰民,工地夜间施工\n",
                      encoding="utf-8")
    out = tmp_path / "out.xlsx"
    result = _classify(tiny_model_dir, source, out)
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out).active
    ids = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert ids == ["000123", "=1+1"] and sheet["A3"].data_type == "s"  # text, not a formula


def test_jsonl_keys_missing_from_the_first_object_are_still_read(tiny_auditor_dir, tmp_path):
    source = tmp_path / "replies.jsonl"
    lines = [{"id": "1", "title": "路灯不亮", "content": "小区路灯坏了", "reply": "区城管局已于5月3日修复。"},
             {"id": "2", "title": "路灯不亮", "content": "小区路灯坏了", "reply": "区城管局已于5月3日修复。",
              "message_time": "2020-05-01", "reply_time": "2020-05-06"}]
    source.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\nnot json\n",
                      encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = _audit(tiny_auditor_dir, source, out)
    assert result.exit_code == 0, result.output
    rows = _jsonl(out)
    assert [r["id"] for r in rows[:2]] == ["1", "2"] and rows[2]["error"]
    assert rows[0]["timeliness"] is None and rows[1]["timeliness"]["working_days"] == 1  # 5-6: Labour Day to 5-5


def test_brackets_in_headers_and_paths_are_printed_as_written(tiny_model_dir, tmp_path):
    """Rich would read [/说明], [h] or [archive] as markup: a crash, or text silently dropped from the message."""
    for header in ("备注[/说明]", "耗时[h]"):
        source = tmp_path / "in.csv"
        source.write_text(f"id,title,{header}\n1,a,b\n", encoding="utf-8")
        result = _classify(tiny_model_dir, source, tmp_path / "out.jsonl")
        assert result.exit_code == 2 and f"Found: id, title, {header}." in result.output, result.output
    folder = tmp_path / "[archive]"
    missing = _classify(tiny_model_dir, folder / "may.csv", tmp_path / "out.jsonl")
    assert missing.exit_code == 2 and f"{folder / 'may.csv'} does not exist" in missing.output
    done = _classify(tiny_model_dir, SAMPLES / "tickets.csv", folder / "res.jsonl")
    assert done.exit_code == 0 and f"→ {folder / 'res.jsonl'} (" in done.output


def test_id_and_title_columns_are_optional_ids_are_stripped_or_the_row_number(tiny_model_dir, tiny_auditor_dir,
                                                                                tmp_path):
    (tmp_path / "content_only.csv").write_text("诉求内容\n楼下噪音扰民请处理\n\n小区门口路灯坏了\n", encoding="utf-8")
    (tmp_path / "no_title.jsonl").write_text('{"id": " t1 ", "content": "楼下噪音扰民请处理"}\n\n'
                                             '{"id": "  ", "content": "小区门口路灯坏了"}\n', encoding="utf-8")
    expected = {"content_only.csv": ["2", "4"], "no_title.jsonl": ["t1", "3"]}  # a blank row or line still counts
    for name, ids in expected.items():
        out = tmp_path / f"{name}.out.jsonl"
        result = _classify(tiny_model_dir, tmp_path / name, out)
        assert result.exit_code == 0, result.output
        rows = _jsonl(out)
        assert [r["id"] for r in rows] == ids and all(r["category"] and r["error"] is None for r in rows)
    (tmp_path / "replies.csv").write_text("留言详情,答复意见\n小区路灯坏了,区城管局已于5月3日修复。\n", encoding="utf-8")
    out = tmp_path / "audit.jsonl"
    result = _audit(tiny_auditor_dir, tmp_path / "replies.csv", out)
    assert result.exit_code == 0, result.output
    assert [(r["id"], r["error"]) for r in _jsonl(out)] == [("2", None)]
    (tmp_path / "no_content.csv").write_text("id,答复意见\n1,已修复。\n", encoding="utf-8")
    refused = _audit(tiny_auditor_dir, tmp_path / "no_content.csv", tmp_path / "o.jsonl")
    assert refused.exit_code == 2 and "missing column(s): content." in refused.output


def test_a_header_only_input_gives_a_csv_with_its_header_line(tiny_model_dir, tmp_path):
    from model.results import Classification

    source = tmp_path / "header_only.csv"
    source.write_text("id,title,content\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    result = _classify(tiny_model_dir, source, out)
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").splitlines() == [",".join(Classification.model_fields)]


def test_an_xlsx_output_that_is_a_folder_gives_only_the_message(tiny_model_dir, tmp_path):
    (tmp_path / "out.xlsx").mkdir()
    completed = subprocess.run([sys.executable, "-m", "serve", "classify", str(SAMPLES / "tickets.csv"), "-o",
                                str(tmp_path / "out.xlsx"), "--model", str(tiny_model_dir)],
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 2
    assert completed.stderr.strip().splitlines() == [f"error: {tmp_path / 'out.xlsx'}: Is a directory"]


def test_an_output_under_a_file_names_the_file_in_the_way(tiny_model_dir, tmp_path):
    (tmp_path / "a_file").write_text("x", encoding="utf-8")
    for destination, reason in ((tmp_path / "a_file" / "sub" / "out.csv", f"{tmp_path / 'a_file'} is a file, not a "
                                 "folder"), (tmp_path / "a_file" / "out.csv", "a file of that name is there")):
        result = _classify(tiny_model_dir, SAMPLES / "tickets.csv", destination)
        assert result.exit_code == 2
        assert result.output.strip() == f"error: cannot create the folder {destination.parent}: {reason}"


def test_a_policy_or_taxonomy_that_is_not_toml_is_named(tiny_model_dir, tiny_auditor_dir, tmp_path):
    broken = tmp_path / "office.toml"
    broken.write_text("x = \n", encoding="utf-8")
    audit = _audit(tiny_auditor_dir, SAMPLES / "sample_replies.csv", tmp_path / "a.jsonl", "--policy", str(broken))
    classify = runner.invoke(app, ["classify", str(SAMPLES / "tickets.csv"), "-o", str(tmp_path / "c.jsonl"),
                                   "--model", str(tiny_model_dir), "--taxonomy", str(broken)])
    for result, what in ((audit, "auditor"), (classify, "model")):
        assert result.exit_code == 3
        assert f"cannot load the {what}: {broken} is not valid TOML: Invalid value (at line 1" in result.output


def test_serve_names_a_policy_or_taxonomy_that_is_not_toml(tmp_path):
    broken = tmp_path / "office.toml"
    broken.write_text("x = \n", encoding="utf-8")
    for option, what in (("--policy", "auditor"), ("--taxonomy", "model")):
        result = runner.invoke(app, ["serve", option, str(broken)])
        assert result.exit_code == 3 and f"cannot load the {what}: {broken} is not valid TOML" in result.output


def test_metrics_name_a_file_with_brackets_as_written(capsys):
    from serve.cli.training import _print_audit_metrics

    _print_audit_metrics({"replies[may].csv": {"split": "given file [/说明]", "n": 2}})  # the part before "elements"
    assert capsys.readouterr().out.strip() == "replies[may].csv: split given file [/说明], n 2"
