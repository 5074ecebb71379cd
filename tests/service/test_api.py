"""The service through the TestClient on the tiny classifier: endpoints, the CLI's fields, keys, settings, the loop."""

import json
import threading

import pytest
from typer.testing import CliRunner

from model.results import Classification, Ticket
from serve.cli import app as cli
from serve.settings import Settings
from tests.conftest import SAMPLES

TICKET = {"id": "t1", "title": "工资拖欠", "content": "老板拖欠我们三个月工资，多次讨要无果，请劳动部门处理。"}


def test_classify_returns_the_fields_of_hotline_classify(client, tiny_classifier):
    response = client.post("/classify", json=TICKET)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == set(Classification.model_fields)
    expected = tiny_classifier.classify([Ticket(**TICKET)])[0].model_dump()
    assert body == expected


def test_batch_is_what_the_cli_writes_row_for_row(make_client, tiny_model_dir, sample_tickets, tmp_path):
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["classify", str(SAMPLES / "tickets.csv"), "-o", str(out),
                                      "--model", str(tiny_model_dir)])
    assert result.exit_code == 0, result.output
    cli_rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]

    client = make_client(classifier=None, model_dir=tiny_model_dir)  # loaded from the directory at start-up
    tickets = [{"id": t["id"], "title": t["title"], "content": t["content"]} for t in sample_tickets[:50]]
    response = client.post("/classify/batch", json={"tickets": tickets})
    assert response.status_code == 200
    assert response.json()["results"] == cli_rows[:50]


def test_health_is_cheap_and_version_comes_from_the_model_card(client, tiny_classifier):
    assert client.get("/health").json() == {"status": "ok", "models": ["auditor", "classifier"]}
    info = client.get("/version").json()
    assert info["models"]["classifier"]["version"] == tiny_classifier.version
    assert info["models"]["classifier"]["metrics"] == tiny_classifier.card.get("metrics", {})
    assert info["review_threshold"] == tiny_classifier.taxonomy.review_threshold
    assert info["limits"] == {"max_body_bytes": 1_048_576, "max_text_chars": 20_000, "max_batch_size": 100}


def test_docs_and_page_are_served(client):
    spec = client.get("/openapi.json").json()
    assert {"/classify", "/classify/batch", "/audit", "/audit/batch", "/health", "/version"} <= set(spec["paths"])
    content = spec["components"]["schemas"]["TicketIn"]["properties"]["content"]
    assert content["description"] == "诉求内容/留言详情"
    assert "examples" in spec["components"]["schemas"]["TicketIn"]
    docs = client.get("/docs").text
    script = next(part.split('"')[0] for part in docs.split('src="')[1:] if "swagger-ui-bundle" in part)
    assert script.startswith("/") and client.get(script).status_code == 200  # served here, not from a CDN
    page = client.get("/")
    assert page.status_code == 200 and "派单分类" in page.text and "答复核查" in page.text
    assert client.get("/static/app.js").status_code == 200


BODIES = {"/classify": TICKET, "/classify/batch": {"tickets": [TICKET]},
          "/audit": {**TICKET, "reply": "区劳动监察大队已于5月3日约谈老板，工资已全部发放。"},
          "/audit/batch": {"replies": [{"reply": "已转交相关部门处理。"}]}}


@pytest.mark.parametrize("path", [*BODIES, "/version"])
def test_api_key_protects_everything_but_health(make_client, path):
    client = make_client(api_keys=["k1", "k2"])

    def call(headers):
        if path in BODIES:
            return client.post(path, json=BODIES[path], headers=headers)
        return client.get(path, headers=headers)

    for headers in ({}, {"X-API-Key": "wrong"}):
        response = call(headers)
        assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "X-API-Key"
        assert response.json()["error"]["code"] == "unauthorized"
        assert response.json()["error"]["field"] == "X-API-Key"
    assert call({"X-API-Key": "k2"}).status_code == 200
    assert call({"X-API-Key": "k2 "}).status_code == 200  # trailing blanks survive in a raw header value
    assert client.get("/health").status_code == 200


def test_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("HOTLINE_API_KEYS", " a, b ,")
    monkeypatch.setenv("HOTLINE_MAX_BATCH_SIZE", "7")
    monkeypatch.setenv("HOTLINE_MODEL_DIR", str(tmp_path))
    monkeypatch.setenv("HOTLINE_REVIEW_THRESHOLD", "0.5")
    settings = Settings()
    assert settings.api_keys == ["a", "b"]
    assert settings.max_batch_size == 7 and settings.model_dir == tmp_path and settings.review_threshold == 0.5
    monkeypatch.setenv("HOTLINE_REVIEW_THRESHOLD", "2")
    with pytest.raises(ValueError, match="review_threshold"):
        Settings()


@pytest.mark.parametrize("value,problem", [(" , ,", "names no key"), ("密钥1,ok", "printable ASCII")])
def test_api_keys_that_would_open_the_service_or_never_match_are_refused(monkeypatch, value, problem):
    monkeypatch.setenv("HOTLINE_API_KEYS", value)
    with pytest.raises(ValueError, match=problem):
        Settings()
    monkeypatch.setenv("HOTLINE_API_KEYS", "")
    assert Settings().api_keys == []


def test_review_threshold_setting_decides_needs_review(make_client, tiny_classifier):
    strict = make_client(review_threshold=1.0).post("/classify", json=TICKET).json()
    lenient_client = make_client(review_threshold=0.0)
    lenient = lenient_client.post("/classify", json=TICKET).json()
    assert strict["needs_review"] is True and lenient["needs_review"] is False
    assert lenient_client.get("/version").json()["review_threshold"] == 0.0
    assert tiny_classifier.taxonomy.review_threshold == 0.8  # the given classifier is not changed


def test_a_locality_taxonomy_setting_applies_to_the_served_classifier(make_client, tiny_classifier, tmp_path):
    local = tmp_path / "city.toml"
    local.write_text('[settings]\nreview_threshold = 0.0\ntop_k = 1\n', encoding="utf-8")
    client = make_client(taxonomy=local)
    body = client.post("/classify", json=TICKET).json()
    assert body["needs_review"] is False and len(body["routing"]) == 1
    assert client.get("/version").json()["review_threshold"] == 0.0
    assert tiny_classifier.taxonomy.review_threshold == 0.8  # the given classifier is not changed


def test_integer_ids_are_taken_as_text_and_true_is_refused(client):
    assert client.post("/classify", json={**TICKET, "id": 20240001}).json()["id"] == "20240001"
    batch = client.post("/classify/batch", json={"tickets": [{**TICKET, "id": 7}, TICKET]}).json()["results"]
    assert [r["id"] for r in batch] == ["7", "t1"]
    reply = {"id": 42, "title": "路灯不亮", "content": "小区路灯坏了", "reply": "区城管局已于6月3日修复路灯。"}
    assert client.post("/audit", json=reply).json()["id"] == "42"
    serial = client.post("/audit", json={**reply, "message_time": 43983.4, "reply_time": 20200609}).json()
    assert serial["timeliness"]["working_days"] == 6  # Excel's serial date for 2020-06-01 09:36, and 20200609
    refused = client.post("/classify", json={**TICKET, "id": True})
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "id"


class HeldClassifier:
    """The tiny classifier, except that tickets titled "hold" wait until released."""

    def __init__(self, inner):
        self.inner = inner
        self.taxonomy, self.card, self.version = inner.taxonomy, inner.card, inner.version
        self.started, self.release = threading.Event(), threading.Event()

    def classify(self, tickets):
        if any(t.title == "hold" for t in tickets):
            self.started.set()
            assert self.release.wait(30)
        return self.inner.classify(tickets)


def test_inference_does_not_block_the_event_loop(make_client, tiny_classifier):
    held = HeldClassifier(tiny_classifier)
    client = make_client(classifier=held)
    answers = {}
    worker = threading.Thread(target=lambda: answers.update(
        held=client.post("/classify", json={"title": "hold", "content": "路灯不亮"})))
    worker.start()
    assert held.started.wait(30)
    assert client.get("/health").status_code == 200  # answered while the model is busy
    assert worker.is_alive() and not answers
    held.release.set()
    worker.join(30)
    assert answers["held"].status_code == 200


def test_request_ids_are_returned_and_logged_without_personal_numbers(client, caplog):
    phone, id_number = "13812345678", "110101199003071234"
    ticket = {"title": f"联系电话{phone}", "content": f"身份证{id_number}，小区垃圾无人清运"}
    with caplog.at_level("INFO", logger="hotline.serve"):
        given = client.post("/classify", json=ticket, headers={"X-Request-ID": "abc-123"})
        fresh = client.get(f"/no-such-page/{phone}")
        bad = client.post("/classify", json={**ticket, "title": 5})
    assert given.headers["x-request-id"] == "abc-123"
    assert len(fresh.headers["x-request-id"]) == 16 and fresh.status_code == 404 and bad.status_code == 422
    assert "request_id=abc-123 POST /classify 200" in caplog.text
    assert f"request_id={fresh.headers['x-request-id']} GET /no-such-page/〔手机号〕 404" in caplog.text
    assert phone not in caplog.text and id_number not in caplog.text


def test_generated_request_ids_are_logged_as_returned(client, caplog):
    """Hex ids with a long run of digits were garbled by the log masking; generated ids hold no digits."""
    with caplog.at_level("INFO", logger="hotline.serve"):
        ids = [client.get("/health").headers["x-request-id"] for _ in range(200)]
    assert len(set(ids)) == 200 and not any(ch.isdigit() for i in ids for ch in i)
    assert all(f"request_id={i} GET /health" in caplog.text for i in ids)


def test_uvicorn_server_and_access_logs_are_masked_whatever_starts_the_app(client, caplog):
    """`uvicorn --factory serve.app:create_app` keeps uvicorn's own logging: the app masks those loggers itself."""
    import logging

    phone, id_number = "13812345678", "110101199003071234"
    with caplog.at_level("INFO"):
        try:
            raise ValueError(f"ticket text {phone}")
        except ValueError:
            logging.getLogger("uvicorn.error").exception("Exception in ASGI application, id %s", id_number)
        logging.getLogger("uvicorn.access").info('%s - "GET /similar?q=%s HTTP/1.1" 200', "127.0.0.1", phone)
    assert "Exception in ASGI application" in caplog.text and "/similar?q=〔手机号〕" in caplog.text
    assert phone not in caplog.text and id_number not in caplog.text


def test_the_served_process_loads_neither_scikit_learn_nor_pandas():
    """They cost a worker about 130 MB and a second of start-up; only training and file reading need them."""
    import subprocess
    import sys

    script = ("import sys\n"
              "from fastapi.testclient import TestClient\n"
              "import serve.cli  # `hotline serve` runs uvicorn inside the command line's process\n"
              "from serve.app import create_app\n"
              "with TestClient(create_app()) as client:\n"
              "    assert client.post('/classify', json={'content': '小区路灯不亮'}).status_code == 200\n"
              "    assert client.post('/audit', json={'content': '路灯不亮', 'reply': '已修复。'}).status_code == 200\n"
              "print(sorted(m for m in ('sklearn', 'pandas', 'torch') if m in sys.modules))\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("path,body,field,meant", [
    ("/classify", {"title": "路灯不亮", "text": "小区门口路灯坏了一个月"}, "text", "content"),
    ("/classify", {"title": "路灯不亮", "诉求内容": "小区门口路灯坏了一个月"}, "诉求内容", "content"),
    ("/audit", {"title": "路灯", "content": "路灯坏了", "reply": "已修复。", "reply_tme": "2024-05-01"}, "reply_tme",
     "reply_time"),
    ("/classify/batch", {"tickets": [{"title": "路灯不亮", "content": "路灯坏了", "phone": "x"}]}, "tickets[0].phone", None),
    ("/audit/batch", {"replies": [{"content": "路灯坏了", "reply": "已修复。", "回复内容": "x"}]}, "replies[0].回复内容", "reply"),
    # only the endpoint's own fields are offered: /classify has no reply_time or reply
    ("/classify", {"content": "路灯坏了", "reply_tme": "2024-05-01"}, "reply_tme", None),
    ("/classify", {"content": "路灯坏了", "答复意见": "已修复。"}, "答复意见", None),
])
def test_an_unknown_field_is_refused_with_the_one_probably_meant(client, path, body, field, meant):
    response = client.post(path, json=body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == field and error["details"][0]["type"] == "extra_forbidden"
    assert (f"是否应为 {meant}" in error["message"]) if meant else ("/docs" in error["message"])


def test_every_empty_item_of_a_batch_is_reported_at_once(client):
    response = client.post("/classify/batch", json={"tickets": [{"content": ""}, {"content": "路灯坏了"},
                                                               {"content": " "}, {"title": "\u200b"}]})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "empty_ticket" and error["field"] == "tickets[0].content" and "共 3 条" in error["message"]
    assert [d["field"] for d in error["details"]] == ["tickets[0].content", "tickets[2].content", "tickets[3].content"]
    one = client.post("/audit/batch", json={"replies": [{"content": "路灯坏了", "reply": "已修复。"},
                                                        {"content": "路灯坏了", "reply": ""}]}).json()["error"]
    assert one["field"] == "replies[1].reply" and one["details"] == []


def test_a_client_that_leaves_before_its_body_arrives_is_logged_499_not_500(caplog):
    import asyncio

    from serve.middleware import BodyGuard, RequestLog

    async def never_reached(scope, receive, send):
        raise AssertionError("the app ran without a body")

    app = RequestLog(BodyGuard(never_reached, max_bytes=1024))
    scope = {"type": "http", "method": "POST", "path": "/classify", "headers": [
        (b"content-type", b"application/json"), (b"content-length", b"1000"), (b"x-request-id", b"gone-1")]}
    messages = iter([{"type": "http.request", "body": b'{"content":', "more_body": True}, {"type": "http.disconnect"}])

    async def receive():
        return next(messages)

    async def send(message):
        raise AssertionError("nothing is sent to a client that left")

    with caplog.at_level("INFO", logger="hotline.serve"):
        asyncio.run(app(scope, receive, send))
    assert "request_id=gone-1 POST /classify 499" in caplog.text
