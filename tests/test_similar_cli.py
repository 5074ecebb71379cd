"""`hotline index build|add` and `hotline similar` on the sample tickets and repeats written here."""

from __future__ import annotations

import json

import pandas as pd
from typer.testing import CliRunner

from serve.cli import app
from tests.conftest import SAMPLES
from tests.test_similar import REPEATS, UNRELATED

runner = CliRunner()


def _said(result) -> str:
    """The command's output with rich's line wrapping undone (it depends on the terminal width and path lengths)."""
    return " ".join(result.output.split())


def _build(tmp_path, *extra):
    index = tmp_path / "index"
    result = runner.invoke(app, ["index", "build", str(SAMPLES / "tickets.csv"), "--index", str(index), *extra])
    return index, result


def _new_tickets(tmp_path):
    """Two repeats, a ticket about nothing indexed, a broken line and an empty ticket, as JSON lines."""
    rows = [{"id": r.id, "title": r.title, "content": r.content} for r in (*list(REPEATS.values())[:2], UNRELATED)]
    source = tmp_path / "new.jsonl"
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows[:2]) + "\n{broken\n"
                      + json.dumps({"id": "e1", "title": " ", "content": ""}) + "\n"
                      + json.dumps(rows[2], ensure_ascii=False) + "\n", encoding="utf-8")
    return source


def test_build_then_search_a_file_keeps_every_row_in_order(tmp_path):
    index, result = _build(tmp_path)
    assert result.exit_code == 0, result.output
    assert "70 tickets indexed" in _said(result) and (index / "index.json").is_file()
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["similar", str(_new_tickets(tmp_path)), "-o", str(out), "--index", str(index),
                                 "--threshold", "0.3", "-k", "2"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["q1", "q2", None, "e1", "q5"]
    assert rows[0]["matches"][0]["id"] == "s002" and rows[1]["matches"][0]["id"] == "s011"
    assert rows[0]["matches"][0]["places"] and rows[0]["threshold"] == 0.3 and rows[0]["index_size"] == 70
    assert "unreadable" in rows[2]["error"] and "empty" in rows[3]["error"]
    assert rows[4]["matches"] == [] and rows[4]["error"] is None
    assert "2 with errors" in _said(result)


def test_csv_output_and_add_afterwards(tmp_path):
    index, _ = _build(tmp_path)
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["similar", str(_new_tickets(tmp_path)), "-o", str(out), "--index", str(index), "--add"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, dtype=str)
    assert len(table) == 5 and json.loads(table.matches[0])[0]["id"] == "s002"  # lists are JSON text in a cell
    assert "3 added" in _said(result) and "not added" not in _said(result)  # every readable row had an id
    again = runner.invoke(app, ["index", "add", str(_new_tickets(tmp_path)), "--index", str(index)])
    assert again.exit_code == 0, again.output
    assert "0 tickets added" in again.output and "73 in the index" in again.output
    assert "1 unreadable row" in again.output and "1 empty ticket" in again.output


def test_index_add_appends_and_skips_rows_without_an_id(tmp_path):
    index, _ = _build(tmp_path)
    source = tmp_path / "more.csv"
    source.write_text("工单编号,留言主题,留言详情,留言时间\nm1,幸福小区停水,A2区幸福小区停水三天,2020-06-01\n,没有编号,内容\n"
                      "m1,幸福小区又停水,A2区幸福小区又停水\n", encoding="utf-8")
    result = runner.invoke(app, ["index", "add", str(source), "--index", str(index)])
    assert result.exit_code == 0, result.output
    assert "1 tickets added" in _said(result) and "1 no id" in _said(result) and "1 repeated id" in _said(result)
    assert (index / "shard-000002.json").is_file()
    record = json.loads((index / "shard-000002.json").read_text(encoding="utf-8"))["tickets"][0]
    assert record["id"] == "m1" and record["message_time"] == "2020-06-01"


def test_existing_index_is_not_overwritten_without_force(tmp_path):
    index, _ = _build(tmp_path)
    index, result = _build(tmp_path)
    assert result.exit_code == 2 and "already holds an index" in _said(result)
    index, result = _build(tmp_path, "--force")
    assert result.exit_code == 0, result.output


def test_bad_input_and_missing_index_exit_codes(tmp_path):
    index, _ = _build(tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_text("编号,备注\n1,无\n", encoding="utf-8")
    result = runner.invoke(app, ["similar", str(bad), "-o", str(tmp_path / "o.jsonl"), "--index", str(index)])
    assert result.exit_code == 2 and "missing column" in _said(result) and not (tmp_path / "o.jsonl").exists()
    result = runner.invoke(app, ["similar", str(bad), "-o", str(tmp_path / "o.jsonl"), "--index", str(tmp_path / "none")])
    assert result.exit_code == 3 and "cannot load the index" in _said(result)
    result = runner.invoke(app, ["index", "build", str(bad), "--index", str(tmp_path / "other")])
    assert result.exit_code == 2 and "Traceback" not in _said(result)
    empty = tmp_path / "empty.csv"
    empty.write_text("id,title,content\n1,,\n", encoding="utf-8")
    result = runner.invoke(app, ["index", "build", str(empty), "--index", str(tmp_path / "other")])
    assert result.exit_code == 2 and "no ticket to index" in _said(result)
