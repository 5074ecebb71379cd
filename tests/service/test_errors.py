"""Bad input never yields a 5xx: each case gets a 4xx and the one JSON error shape naming the field."""

import json

import pytest

JSON = {"Content-Type": "application/json"}
LIMITS = {"max_body_bytes": 8192, "max_text_chars": 50, "max_batch_size": 3}
OK = {"title": "路灯不亮", "content": "小区门口路灯坏了一个月"}
REPLY = {**OK, "reply": "区城管局已于5月3日修复路灯。"}


def _raw(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode()


CASES = [
    # (name, path, body bytes, headers, status, code, field)
    ("missing body", "/classify", b"", JSON, 422, "invalid_field", "body"),
    ("empty object", "/classify", b"{}", JSON, 422, "empty_ticket", "content"),
    ("blank texts", "/classify", _raw({"title": " \n\t", "content": "\u3000\u200b"}), JSON, 422, "empty_ticket",
     "content"),
    ("number for title", "/classify", _raw({**OK, "title": 12}), JSON, 422, "invalid_field", "title"),
    ("null content", "/classify", _raw({**OK, "content": None}), JSON, 422, "invalid_field", "content"),
    ("list for id", "/classify", _raw({**OK, "id": ["x"]}), JSON, 422, "invalid_field", "id"),
    ("array body", "/classify", b"[1, 2]", JSON, 422, "invalid_field", "body"),
    ("lone surrogate", "/classify", b'{"title": "\\ud800", "content": "x"}', JSON, 422, "invalid_field", "title"),
    ("malformed JSON", "/classify", b'{"title": "a",', JSON, 400, "invalid_json", "body"),
    ("nested too deep", "/classify", b"[" * 3000, JSON, 400, "bad_request", "body"),
    ("number too long", "/classify", b'{"id": ' + b"1" * 4400 + b', "content": "x"}', JSON, 400, "bad_request",
     "body"),
    ("GBK bytes", "/classify", json.dumps(OK, ensure_ascii=False).encode("gbk"), JSON, 400, "invalid_encoding",
     "body"),
    ("form body", "/classify", b"title=a&content=b", {"Content-Type": "application/x-www-form-urlencoded"}, 415,
     "unsupported_media_type", "body"),
    ("no content type", "/classify", _raw(OK), {}, 415, "unsupported_media_type", "body"),
    ("gzip body", "/classify", __import__("gzip").compress(_raw(OK)), {**JSON, "Content-Encoding": "gzip"}, 415,
     "unsupported_media_type", "body"),
    ("text too long", "/classify", _raw({**OK, "content": "长" * 51}), JSON, 413, "too_large", "content"),
    ("body too large", "/classify", _raw({**OK, "content": "x" * 9000}), JSON, 413, "too_large", "body"),
    ("no tickets", "/classify/batch", _raw({"tickets": []}), JSON, 422, "invalid_field", "tickets"),
    ("tickets missing", "/classify/batch", _raw({}), JSON, 422, "invalid_field", "tickets"),
    ("tickets not a list", "/classify/batch", _raw({"tickets": OK}), JSON, 422, "invalid_field", "tickets"),
    ("batch too large", "/classify/batch", _raw({"tickets": [OK] * 4}), JSON, 413, "too_large", "tickets"),
    ("batch too large with a bad item", "/classify/batch", _raw({"tickets": [OK, OK, OK, {**OK, "content": 5}]}),
     JSON, 413, "too_large", "tickets"),
    ("id too long", "/classify", _raw({**OK, "id": "9" * 201}), JSON, 422, "invalid_field", "id"),
    ("NaN for a time", "/audit", b'{"reply": "x", "message_time": NaN}', JSON, 422, "invalid_field", "message_time"),
    ("trailing slash", "/classify/", _raw(OK), JSON, 404, "not_found", None),
    ("bad ticket in batch", "/classify/batch", _raw({"tickets": [OK, {**OK, "content": 3}]}), JSON, 422,
     "invalid_field", "tickets[1].content"),
    ("empty ticket in batch", "/classify/batch", _raw({"tickets": [OK, OK, {}]}), JSON, 422, "empty_ticket",
     "tickets[2].content"),
    ("long text in batch", "/classify/batch", _raw({"tickets": [{**OK, "title": "长" * 51}]}), JSON, 413,
     "too_large", "tickets[0].title"),
    ("no reply", "/audit", _raw(OK), JSON, 422, "empty_reply", "reply"),
    ("blank reply", "/audit", _raw({**OK, "reply": " \u3000\u200b\n"}), JSON, 422, "empty_reply", "reply"),
    ("null reply", "/audit", _raw({**OK, "reply": None}), JSON, 422, "invalid_field", "reply"),
    ("true for reply time", "/audit", _raw({**REPLY, "reply_time": True}), JSON, 422, "invalid_field",
     "reply_time"),
    ("lone surrogate in reply", "/audit", b'{"reply": "\\udc00"}', JSON, 422, "invalid_field", "reply"),
    ("reply too long", "/audit", _raw({**REPLY, "reply": "长" * 51}), JSON, 413, "too_large", "reply"),
    ("no replies", "/audit/batch", _raw({"replies": []}), JSON, 422, "invalid_field", "replies"),
    ("replies batch too large", "/audit/batch", _raw({"replies": [REPLY] * 4}), JSON, 413, "too_large", "replies"),
    ("empty reply in batch", "/audit/batch", _raw({"replies": [REPLY, REPLY, {**OK, "reply": ""}]}), JSON, 422,
     "empty_reply", "replies[2].reply"),
    ("long reply in batch", "/audit/batch", _raw({"replies": [REPLY, {**REPLY, "reply": "长" * 51}]}), JSON, 413,
     "too_large", "replies[1].reply"),
]


@pytest.mark.parametrize(("path", "body", "headers", "status", "code", "field"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_bad_input_gets_a_clear_4xx(make_client, path, body, headers, status, code, field):
    response = make_client(**LIMITS).post(path, content=body, headers=headers)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and error["field"] == field
    assert error["message"]


def test_every_validation_problem_is_listed(make_client):
    response = make_client().post("/classify/batch", json={"tickets": [{"title": 1}, {"content": []}]})
    details = response.json()["error"]["details"]
    assert [d["field"] for d in details] == ["tickets[0].title", "tickets[1].content"]
    assert all("应为字符串" in d["message"] for d in details)


@pytest.mark.parametrize(("path", "field"), [("/classify/batch", "tickets"), ("/audit/batch", "replies")])
def test_a_list_over_the_cap_is_refused_before_its_items_are_validated(make_client, path, field):
    """Half a million bad items in a 1 MiB body used to take seconds of validation and a 97 MB error."""
    from serve.schemas import BATCH_CAP

    body = b'{"%s": [' % field.encode() + b",".join([b"1"] * (BATCH_CAP + 1)) + b"]}"
    response = make_client(max_body_bytes=1 << 20).post(path, content=body, headers=JSON)
    assert response.status_code == 413 and response.json()["error"]["field"] == field
    assert response.json()["error"]["details"] == []


def test_many_bad_items_are_counted_but_only_the_first_are_detailed(make_client):
    from serve.errors import MAX_DETAILS

    response = make_client(max_batch_size=100).post("/classify/batch", json={"tickets": [1] * 60})
    error = response.json()["error"]
    assert response.status_code == 422 and len(error["details"]) == MAX_DETAILS
    assert error["details"][0]["field"] == "tickets[0]" and "共 60 处错误" in error["message"]


@pytest.mark.parametrize("field,value", [("unit", "局" * 201), ("type", "投" * 201), ("reply_time", "2" * 65)])
def test_name_and_time_fields_have_their_own_limits(make_client, field, value):
    response = make_client().post("/audit", json={**REPLY, field: value})
    assert response.status_code == 422 and response.json()["error"]["field"] == field


def test_a_batch_setting_above_the_cap_is_refused():
    from pydantic import ValidationError

    from serve.schemas import BATCH_CAP
    from serve.settings import Settings

    with pytest.raises(ValidationError):
        Settings(max_batch_size=BATCH_CAP + 1)


def test_chunked_body_over_the_limit_is_refused(make_client):
    client = make_client(max_body_bytes=2048)
    chunks = (b'{"title": "' + b"a" * 1000 + b'"}' if i == 0 else b" " * 1000 for i in range(3))
    response = client.post("/classify", content=chunks, headers=JSON)  # no Content-Length: streamed
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"


def test_unknown_paths_and_methods_use_the_same_shape(client):
    assert client.get("/nowhere").json()["error"]["code"] == "not_found"
    response = client.get("/classify")
    assert response.status_code == 405 and response.json()["error"]["code"] == "method_not_allowed"


def test_probes_may_use_head(client):
    for path in ("/health", "/"):
        response = client.head(path)
        assert response.status_code == 200 and response.content == b"", path
