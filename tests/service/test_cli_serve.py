"""`hotline serve`: options reach uvicorn and every worker's settings; a wrong model or auditor path is one clear
error."""

import uvicorn
from typer.testing import CliRunner

from serve.cli import app
from serve.settings import Settings

runner = CliRunner()


def test_options_reach_uvicorn_and_the_workers_environment(monkeypatch, tiny_model_dir, tiny_auditor_dir, tmp_path):
    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda target, **options: calls.append((target, options)))
    policy = tmp_path / "office.toml"
    policy.write_text("[time_limits]\ndefault = 10\n", encoding="utf-8")
    for name in ("HOTLINE_MODEL_DIR", "HOTLINE_AUDITOR_DIR", "HOTLINE_AUDIT_POLICY", "HOTLINE_SIMILAR_INDEX"):
        monkeypatch.setenv(name, "")  # so that the value the command sets is undone after the test
    result = runner.invoke(app, ["serve", "--host", "0.0.0.0", "--port", "9123", "--workers", "2",
                                 "--model", str(tiny_model_dir), "--auditor", str(tiny_auditor_dir),
                                 "--policy", str(policy)])
    assert result.exit_code == 0, result.output
    [(target, options)] = calls
    assert target == "serve.app:create_app" and options["factory"] is True
    assert (options["host"], options["port"], options["workers"]) == ("0.0.0.0", 9123, 2)
    assert options["access_log"] is False  # our request log replaces it: no query strings in the log
    settings = Settings()
    assert settings.model_dir == tiny_model_dir.resolve() and settings.auditor_dir == tiny_auditor_dir.resolve()
    assert settings.audit_policy == policy.resolve()


def test_a_wrong_model_directory_stops_before_serving(monkeypatch, tmp_path):
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: (_ for _ in ()).throw(AssertionError("started")))
    result = runner.invoke(app, ["serve", "--model", str(tmp_path / "missing")])
    assert result.exit_code == 3
    assert "cannot load the model" in result.output and "model_card.json" in result.output


def test_a_wrong_auditor_or_policy_stops_before_serving(monkeypatch, tmp_path):
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: (_ for _ in ()).throw(AssertionError("started")))
    result = runner.invoke(app, ["serve", "--auditor", str(tmp_path / "missing")])
    assert result.exit_code == 3 and "cannot load the auditor" in result.output
    policy = tmp_path / "office.toml"
    policy.write_text("[scores]\norg = 1\n", encoding="utf-8")
    result = runner.invoke(app, ["serve", "--policy", str(policy)])
    assert result.exit_code == 3 and "unknown keys" in result.output


def test_a_wrong_similar_index_stops_before_serving(monkeypatch, tmp_path):
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: (_ for _ in ()).throw(AssertionError("started")))
    result = runner.invoke(app, ["serve", "--similar-index", str(tmp_path)])
    assert result.exit_code == 3 and "repeat-complaint index" in result.output and "index.json" in result.output
    monkeypatch.setenv("HOTLINE_SIMILAR_INDEX", str(tmp_path / "nowhere"))
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 3 and "repeat-complaint index" in result.output


def test_a_bad_setting_in_the_environment_is_one_message(monkeypatch):
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: (_ for _ in ()).throw(AssertionError("started")))
    monkeypatch.setenv("HOTLINE_MAX_BODY_BYTES", "1MB")
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 2 and "HOTLINE_MAX_BODY_BYTES" in result.output and "Traceback" not in result.output
