"""POST /similar and /similar/add on an index of the sample tickets built in the test."""

from __future__ import annotations

import pytest

from model.similar import TicketIndex
from tests.test_similar import REPEATS, SAME_PLACE_OTHER_PROBLEM, UNRELATED, sample_past


@pytest.fixture
def index_dir(tmp_path):
    directory = tmp_path / "index"
    TicketIndex.build(sample_past()).save(directory)
    return directory


def _body(ticket) -> dict:
    return {"id": ticket.id, "title": ticket.title, "content": ticket.content}


def test_without_an_index_similar_answers_503(client):
    response = client.post("/similar", json=_body(REPEATS["s002"]))
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "no_index" and "HOTLINE_SIMILAR_INDEX" in response.json()["error"]["message"]
    assert client.post("/similar/add", json={"tickets": [_body(REPEATS["s002"])]}).status_code == 503
    assert "similar" not in client.get("/health").json()["models"]


def test_similar_finds_the_repeat_with_evidence(make_client, index_dir):
    client = make_client(similar_index=index_dir)
    response = client.post("/similar?threshold=0.3&k=2", json=_body(REPEATS["s002"]))
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["id"] == "q1" and result["threshold"] == 0.3 and result["index_size"] == 70
    top = result["matches"][0]
    assert top["id"] == "s002" and top["score"] >= 0.3 and "金桂园小区" in top["places"] and "停车费" in top["terms"]
    assert top["unit"] == "A3区住房和城乡建设局" and len(result["matches"]) <= 2
    assert client.post("/similar?threshold=0.3", json=_body(UNRELATED)).json()["matches"] == []
    default = client.post("/similar", json=_body(REPEATS["s002"])).json()
    assert default["threshold"] == 0.45
    assert "similar" in client.get("/health").json()["models"]
    assert client.get("/version").json()["models"]["similar"]["data"]["tickets"] == 70


def test_add_then_search_and_the_index_directory_grows(make_client, index_dir):
    client = make_client(similar_index=index_dir)
    response = client.post("/similar/add", json={"tickets": [_body(SAME_PLACE_OTHER_PROBLEM), _body(REPEATS["s026"])]})
    assert response.status_code == 200, response.text
    assert response.json() == {"added": 2, "not_added": 0, "index_size": 72}
    assert client.post("/similar/add", json={"tickets": [_body(REPEATS["s026"])]}).json()["not_added"] == 1
    twice = [{**_body(REPEATS["s011"]), "id": "d1"}, {**_body(UNRELATED), "id": "d1"}]
    assert client.post("/similar/add", json={"tickets": twice}).json() == {"added": 1, "not_added": 1, "index_size": 73}
    query = {"title": "A3区金桂园小区电梯又困人了", "content": "A3区金桂园小区5栋电梯本月第三次困人，物业维修不及时。"}
    assert client.post("/similar?threshold=0.3", json=query).json()["matches"][0]["id"] == "q4"
    assert (index_dir / "shard-000002.json").is_file()
    assert len(TicketIndex.load(index_dir)) == 73


@pytest.mark.parametrize("path,body,status,code,field", [
    ("/similar", {"title": " ", "content": ""}, 422, "empty_ticket", "content"),
    ("/similar?k=0", {"title": "x", "content": "y"}, 422, "invalid_field", "k"),
    ("/similar?threshold=2", {"title": "x", "content": "y"}, 422, "invalid_field", "threshold"),
    ("/similar/add", {"tickets": [{"title": "没有编号", "content": "内容"}]}, 422, "invalid_field", "tickets[0].id"),
    ("/similar/add", {"tickets": [{"id": "e", "title": "", "content": " "}]}, 422, "empty_ticket",
     "tickets[0].content"),
    ("/similar/add", {"tickets": []}, 422, "invalid_field", "tickets"),
])
def test_bad_requests_name_the_field(make_client, index_dir, path, body, status, code, field):
    response = make_client(similar_index=index_dir).post(path, json=body)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code and response.json()["error"]["field"] == field


def test_every_empty_addition_is_listed(make_client, index_dir):
    empty = [{"id": "e1", "title": "", "content": " "}, _body(REPEATS["s002"]), {"id": "e2", "content": ""}]
    error = make_client(similar_index=index_dir).post("/similar/add", json={"tickets": empty}).json()["error"]
    assert [d["field"] for d in error["details"]] == ["tickets[0].content", "tickets[2].content"]


def test_api_key_is_required_when_configured(make_client, index_dir):
    client = make_client(similar_index=index_dir, api_keys="k1")
    assert client.post("/similar", json=_body(REPEATS["s002"])).status_code == 401
    assert client.post("/similar/add", json={"tickets": [_body(REPEATS["s002"])]}).status_code == 401
    assert client.post("/similar", json=_body(REPEATS["s002"]), headers={"X-API-Key": "k1"}).status_code == 200


def test_batch_limit_applies_to_additions(make_client, index_dir):
    client = make_client(similar_index=index_dir, max_batch_size=1)
    response = client.post("/similar/add", json={"tickets": [_body(REPEATS["s002"]), _body(REPEATS["s011"])]})
    assert response.status_code == 413 and response.json()["error"]["field"] == "tickets"


def test_workers_sharing_an_index_see_each_others_additions(make_client, index_dir):
    """Two apps on one directory stand for two `hotline serve --workers 2` processes (and `hotline index add`)."""
    first, second = make_client(similar_index=index_dir), make_client(similar_index=index_dir)
    assert first.post("/similar/add", json={"tickets": [_body(SAME_PLACE_OTHER_PROBLEM)]}).json() == \
        {"added": 1, "not_added": 0, "index_size": 71}
    query = {"title": "A3区金桂园小区电梯又困人了", "content": "A3区金桂园小区5栋电梯本月第三次困人，物业维修不及时。"}
    found = second.post("/similar?threshold=0.3", json=query).json()
    assert found["index_size"] == 71 and found["matches"][0]["id"] == "q4"
    assert second.post("/similar/add", json={"tickets": [_body(SAME_PLACE_OTHER_PROBLEM), _body(REPEATS["s026"])]}
                       ).json() == {"added": 1, "not_added": 1, "index_size": 72}
    TicketIndex.load(index_dir).add_and_save([REPEATS["s011"]])  # what `hotline index add` does meanwhile
    assert first.post("/similar", json=_body(UNRELATED)).json()["index_size"] == 73
    assert [r["id"] for r in TicketIndex.load(index_dir).records][-3:] == ["q4", "q3", "q2"]


def test_an_index_rebuilt_in_place_is_loaded_anew(make_client, index_dir):
    client = make_client(similar_index=index_dir)
    TicketIndex.build(sample_past()[:40]).save(index_dir)  # `hotline index build --force` while serving
    response = client.post("/similar", json=_body(UNRELATED))
    assert response.status_code == 200 and response.json()["index_size"] == 40
    assert client.get("/version").json()["models"]["similar"]["data"]["tickets"] == 40


def test_a_failing_search_merged_with_an_addition_neither_repeats_nor_spoils_it(make_client, index_dir, monkeypatch):
    """The index's jobs have effects (an addition is saved at once): a failing job fails alone and nothing reruns."""
    from serve.routes import similar as routes

    calls = []
    real = routes._LiveIndex._one

    def one(self, job):
        calls.append(job)
        if job.ticket is not None and job.ticket.title == "boom":
            raise RuntimeError("search failed")
        return real(self, job)

    monkeypatch.setattr(routes._LiveIndex, "_one", one)
    live = routes._LiveIndex(index_dir, {})
    added, failed = live.run([routes._Job(tickets=[routes.PastTicketIn(**_body(SAME_PLACE_OTHER_PROBLEM))]),
                              routes._Job(ticket=routes.TicketIn(title="boom", content="x"))])
    assert added == routes.AddResponse(added=1, not_added=0, index_size=71) and isinstance(failed, RuntimeError)
    assert len(calls) == 2 and len(TicketIndex.load(index_dir)) == 71


def test_whole_float_ids_are_text_and_fractions_are_refused(make_client, index_dir):
    client = make_client(similar_index=index_dir)
    assert client.post("/classify", json={"id": 1001.0, "title": "路灯不亮", "content": "小区路灯坏了"}).json()["id"] == "1001"
    found = client.post("/similar", json={"id": 7.0, **{k: v for k, v in _body(REPEATS["s002"]).items() if k != "id"}})
    assert found.status_code == 200 and found.json()["id"] == "7"
    added = client.post("/similar/add", json={"tickets": [{**_body(UNRELATED), "id": 8.0}]})
    assert added.status_code == 200 and added.json()["added"] == 1
    refused = client.post("/classify", json={"id": 1.5, "title": "路灯不亮", "content": "小区路灯坏了"})
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "id"
    for too_long in (2.0**60, 1e300):  # past 2**53 a float no longer holds the number the office sent
        refused = client.post("/classify", json={"id": too_long, "title": "路灯不亮", "content": "小区路灯坏了"})
        assert refused.status_code == 422 and refused.json()["error"]["field"] == "id"


def test_additions_need_a_real_id_and_take_times_as_numbers(make_client, index_dir):
    client = make_client(similar_index=index_dir)
    blank = client.post("/similar/add", json={"tickets": [{**_body(UNRELATED), "id": "  "}]})
    assert blank.status_code == 422 and blank.json()["error"]["field"] == "tickets[0].id"
    serial = client.post("/similar/add", json={"tickets": [{**_body(UNRELATED), "id": "x9", "message_time": 43991.5}]})
    assert serial.status_code == 200 and serial.json()["added"] == 1
