"""`hotline serve` as a real uvicorn process on a loopback port: HTTP over a socket, the key, raw bodies, the log."""

import json
import socket
from urllib.parse import urlsplit

import httpx
import pytest

from model.artifacts import read_card
from tests.service.conftest import LIVE_API_KEY

KEY = {"X-API-Key": LIVE_API_KEY}
PHONE = "13912345678"


@pytest.fixture(scope="module")
def http(live_server):
    with httpx.Client(base_url=live_server.url, timeout=10) as client:
        yield client


def test_health_is_open_and_the_rest_needs_the_key(http):
    assert http.get("/health").json()["status"] == "ok"
    assert http.get("/").status_code == 200
    assert http.post("/classify", json={"content": "路灯不亮"}).status_code == 401
    assert http.post("/audit", json={"reply": "已转交相关部门。"}).status_code == 401
    assert http.get("/version").status_code == 401
    assert set(http.get("/version", headers=KEY).json()["models"]) == {"auditor", "classifier", "similar"}


def test_classify_and_batch_over_http(http, tiny_classifier):
    one = http.post("/classify", headers=KEY, json={"id": "a", "title": "噪音扰民", "content": f"楼下酒吧深夜噪音，电话{PHONE}"})
    assert one.status_code == 200
    assert one.json()["category"] in tiny_classifier.category.labels and one.json()["id"] == "a"
    batch = http.post("/classify/batch", headers=KEY,
                      json={"tickets": [{"id": str(i), "content": "小区垃圾无人清运"} for i in range(20)]})
    assert [r["id"] for r in batch.json()["results"]] == [str(i) for i in range(20)]


def test_audit_and_batch_over_http(http, tiny_auditor_dir):
    reply = "您好！区劳动监察大队于5月6日约谈了公司负责人，公司已于5月10日补发全部工资，5月11日已电话告知您。"
    one = http.post("/audit", headers=KEY, json={"id": "a", "content": "公司拖欠工资三个月", "reply": reply,
                                                 "message_time": "2020-05-04 09:00", "reply_time": "2020年5月12日"})
    assert one.status_code == 200
    audit = one.json()
    assert audit["id"] == "a" and audit["verdict"] in ("pass", "redo") and audit["timeliness"]["working_days"] == 6
    assert audit["model_version"] == read_card(tiny_auditor_dir)["version"]
    spans = [s for element in audit["elements"].values() for s in element["evidence"]]
    assert spans and all(reply[s["start"]:s["end"]] == s["text"] for s in spans)
    batch = http.post("/audit/batch", headers=KEY,
                      json={"replies": [{"id": str(i), "reply": "已转交相关部门处理。"} for i in range(20)]})
    assert [r["id"] for r in batch.json()["results"]] == [str(i) for i in range(20)]
    empty = http.post("/audit/batch", headers=KEY, json={"replies": [{"reply": "好"}, {"reply": " "}]})
    assert empty.status_code == 422 and empty.json()["error"]["field"] == "replies[1].reply"


def _raw_request(url: str, payload: bytes, length: int | None = None) -> tuple[int, dict]:
    """One hand-written HTTP/1.1 request, so the body is exactly the bytes given (and Content-Length `length`)."""
    target = urlsplit(url)
    length = len(payload) if length is None else length
    with socket.create_connection((target.hostname, target.port), timeout=10) as sock:
        head = (f"POST /classify HTTP/1.1\r\nHost: {target.hostname}\r\nContent-Type: application/json\r\n"
                f"X-API-Key: {LIVE_API_KEY}\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n")
        sock.sendall(head.encode() + payload)
        response = b""
        while chunk := sock.recv(65536):
            response += chunk
    header, _, body = response.partition(b"\r\n\r\n")
    return int(header.split()[1]), json.loads(body)


def test_undecodable_and_oversized_bodies_over_a_socket(live_server):
    status, body = _raw_request(live_server.url, '{"content": "路灯不亮"}'.encode("gb18030"))
    assert status == 400 and body["error"]["code"] == "invalid_encoding"
    # Refused on the declared length, before the body is sent (as a client using Expect: 100-continue would).
    status, body = _raw_request(live_server.url, b"", length=1_100_000)
    assert status == 413 and body["error"]["field"] == "body"


def test_the_log_has_request_ids_and_timings_but_no_phone_numbers(http, live_server):
    response = http.post("/classify", headers={**KEY, "X-Request-ID": "live-1"},
                         json={"title": f"回电{PHONE}", "content": f"身份证号110101199003071234，电话{PHONE}"})
    assert response.status_code == 200
    http.get(f"/lookup/{PHONE}")
    audited = http.post("/audit", headers={**KEY, "X-Request-ID": "live-2"},
                        json={"content": f"请回电{PHONE}", "reply": f"已于5月3日电话（{PHONE}）联系您，路灯已修复。"})
    assert audited.status_code == 200
    log = live_server.log_text()
    assert "request_id=live-1 POST /classify 200" in log and "ms" in log
    assert "request_id=live-2 POST /audit 200" in log
    assert PHONE not in log and "110101199003071234" not in log
