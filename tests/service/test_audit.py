"""POST /audit and /audit/batch through the TestClient on the tiny auditor: the CLI's fields, order, times, settings."""

import json

import pytest
from typer.testing import CliRunner

from model.audit_results import Audit, ReplyTicket
from serve.cli import app as cli
from serve.settings import Settings
from tests.conftest import SAMPLES, read_samples

FIELDS = ("id", "title", "content", "reply", "message_time", "reply_time", "type", "unit")


@pytest.fixture(scope="module")
def replies() -> list[dict[str, str]]:
    return [{name: row[name] for name in FIELDS} for row in read_samples("sample_replies.csv")]


def test_audit_returns_the_fields_of_hotline_audit(client, tiny_auditor, replies):
    for reply in replies[:5]:
        response = client.post("/audit", json=reply)
        assert response.status_code == 200
        body = response.json()
        assert set(body) == set(Audit.model_fields)
        assert body == tiny_auditor.audit([ReplyTicket(**reply)])[0].model_dump()
        spans = [span for element in body["elements"].values() for span in element["evidence"]]
        assert all(reply["reply"][span["start"]:span["end"]] == span["text"] for span in spans)


def test_batch_is_what_the_cli_writes_row_for_row(make_client, tiny_auditor_dir, replies, tmp_path):
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["audit", str(SAMPLES / "sample_replies.csv"), "-o", str(out),
                                      "--model", str(tiny_auditor_dir)])
    assert result.exit_code == 0, result.output
    cli_rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]

    client = make_client(auditor=None, auditor_dir=tiny_auditor_dir)  # loaded from the directory at start-up
    response = client.post("/audit/batch", json={"replies": replies})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["id"] for r in results] == [r["id"] for r in replies]
    assert results == cli_rows


def test_office_time_formats_are_read_and_unreadable_times_are_a_note(client):
    reply = {"title": "路灯不亮", "content": "小区路灯坏了", "reply": "区城管局已于6月3日修复路灯。", "type": "咨询"}
    office = client.post("/audit", json={**reply, "message_time": "2020年5月29日", "reply_time": "2020/06/10 09:30"})
    assert office.json()["timeliness"] == {"working_days": 8, "limit_days": 5, "overdue": True, "note": None}
    unreadable = client.post("/audit", json={**reply, "message_time": "上周五", "reply_time": "2020-06-10"})
    assert unreadable.status_code == 200
    assert unreadable.json()["timeliness"] == {"working_days": None, "limit_days": 5, "overdue": None,
                                               "note": "时间格式无法识别"}
    assert client.post("/audit", json=reply).json()["timeliness"] is None


def test_auditor_settings_come_from_the_environment(monkeypatch, tmp_path, tiny_auditor_dir):
    monkeypatch.setenv("HOTLINE_AUDITOR_DIR", str(tiny_auditor_dir))
    monkeypatch.setenv("HOTLINE_AUDIT_POLICY", str(tmp_path / "office.toml"))
    settings = Settings()
    assert settings.auditor_dir == tiny_auditor_dir and settings.audit_policy == tmp_path / "office.toml"


@pytest.mark.parametrize("given", [True, False], ids=["given auditor", "auditor_dir"])
def test_audit_policy_sets_time_limits_and_score_weights(make_client, tmp_path, tiny_auditor, tiny_auditor_dir,
                                                         given):
    policy = tmp_path / "office.toml"
    policy.write_text("[time_limits]\ndefault = 3\n[score]\norg = 0\ntime = 0\nprocess = 0\nresult = 0\n"
                      "contact = 0\nrelevance = 1\n", encoding="utf-8")
    reply = {"reply": "区城管局已于6月3日修复路灯。", "message_time": "2020-06-01", "reply_time": "2020-06-10"}
    auditor = {"auditor": tiny_auditor} if given else {"auditor": None, "auditor_dir": tiny_auditor_dir}
    audit = make_client(audit_policy=policy, **auditor).post("/audit", json=reply).json()
    assert audit["timeliness"]["limit_days"] == 3 and audit["timeliness"]["overdue"] is True
    assert audit["score"] == round(100 * audit["relevance"]["score"], 1)  # relevance alone
    assert tiny_auditor.policy.limits.default == 15  # the given auditor is not changed


def test_health_and_version_show_the_auditor(client, tiny_auditor):
    assert client.get("/health").json()["models"] == ["auditor", "classifier"]
    info = client.get("/version").json()
    assert info["models"]["auditor"]["version"] == tiny_auditor.version
    assert info["redo_threshold"] == tiny_auditor.redo_threshold
