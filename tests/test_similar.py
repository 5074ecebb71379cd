"""The repeat-complaint index on the 70 sample tickets plus repeats written here: ranking, evidence, incremental
adds, files on disk, the open vocabulary, and the e5 mix on a tiny random BERT."""

from __future__ import annotations

import json

import numpy as np
import pytest

import model.similar as similar_module
from model.artifacts import ModelFileError
from model.similar import LEXICAL_THRESHOLD, SEMANTIC_THRESHOLD, IndexRebuilt, IndexSettings, TicketIndex
from model.similar_evidence import places
from model.similar_results import PastTicket
from tests.conftest import read_samples
from tests.test_encoder import build_tiny_encoder

# A 70-ticket index has coarse idf, so ranking tests use a lower threshold than the shipped one.
LOW = 0.3
REPEATS = {  # reworded repeat complaints of sample tickets: same place, same problem
    "s002": PastTicket(id="q1", title="金桂园小区停车费问题再次反映",
                       content="A3区金桂园小区物业公司还在每月向业主收取地面车位停车费200元，上次反映后没有任何改变，"
                               "没有业主大会决议也没有公示，请尽快查处并退费。"),
    "s011": PastTicket(id="q2", title="麓谷大道在建工地半夜还在打桩",
                       content="A3区麓谷大道边上的楼盘工地晚上十二点以后还在打桩、泵车作业，噪音吵得附近小区居民睡不着，"
                               "投诉过也没用，请城管夜里来查。"),
    "s026": PastTicket(id="q3", title="芙蓉苑小区湘菜馆油烟问题",
                       content="A1区芙蓉苑小区3栋楼下的湘菜馆没有油烟净化器，油烟直接排到居民楼，家里窗户都不能开，"
                               "请环保部门处理。"),
}
SAME_PLACE_OTHER_PROBLEM = PastTicket(id="q4", title="A3区金桂园小区电梯经常困人",
                                      content="A3区金桂园小区5栋电梯这个月已经三次困人，物业维修不及时，请质监部门检查电梯安全。")
UNRELATED = PastTicket(id="q5", title="咨询护照办理需要哪些材料", content="请问第一次办理护照需要带哪些材料，多久能拿到？")


def sample_past() -> list[PastTicket]:
    return [PastTicket(id=r["id"], title=r["title"], content=r["content"],
                       message_time=f"2020-05-{int(r['id'][1:]) % 28 + 1:02d} 09:00:00",
                       unit="A3区住房和城乡建设局" if r["id"] == "s002" else None)
            for r in read_samples("tickets.csv")]


@pytest.fixture(scope="module")
def index() -> TicketIndex:
    return TicketIndex.build(sample_past())


def test_each_repeat_finds_its_original_first_with_evidence(index):
    results = index.search(list(REPEATS.values()), k=3, threshold=LOW)
    for original, matches in zip(REPEATS, results):
        assert matches and matches[0].id == original
        assert all(m.score >= LOW for m in matches) and matches == sorted(matches, key=lambda m: -m.score)
    parking = results[0][0]
    assert {"A3区", "金桂园小区"} <= set(parking.places) and "停车费" in parking.terms
    assert parking.title == "A3区金桂园小区物业擅自收取地面停车费" and parking.unit == "A3区住房和城乡建设局"
    assert parking.message_time == "2020-05-03 09:00:00"
    assert "麓谷大道" in results[1][0].places and "湘菜馆" in results[2][0].terms


def test_unrelated_ticket_has_no_match_and_same_place_scores_below_the_repeat(index):
    [repeat], [other_problem], [unrelated] = index.search([REPEATS["s002"], SAME_PLACE_OTHER_PROBLEM, UNRELATED],
                                                          k=1, threshold=0.0)
    assert unrelated.score < LOW
    assert other_problem.id == "s002" and other_problem.score < repeat.score
    assert index.search([UNRELATED], threshold=LOW) == [[]]


def test_shipped_threshold_and_k(index):
    assert index.settings.threshold == LEXICAL_THRESHOLD
    [matches] = index.search([REPEATS["s002"]], k=1, threshold=0.0)
    assert len(matches) == 1
    assert index.search([], k=3) == []


def test_a_ticket_already_in_the_index_is_not_its_own_match(index):
    s002 = next(t for t in sample_past() if t.id == "s002")
    [matches] = index.search([s002], threshold=0.0)
    assert "s002" not in {m.id for m in matches}
    [copy] = index.search([s002.model_copy(update={"id": "other"})], k=1)
    assert copy[0].id == "s002" and copy[0].score == pytest.approx(1.0)


def test_incremental_add_then_search():
    index = TicketIndex.build(sample_past())
    assert index.add([REPEATS["s002"], REPEATS["s002"]]) == 1 and len(index) == 71
    assert index.add([REPEATS["s002"]]) == 0
    [matches] = index.search([PastTicket(title="金桂园小区停车费", content="A3区金桂园小区物业每月收地面车位停车费200元")],
                             threshold=LOW)
    assert {"s002", "q1"} <= {m.id for m in matches}
    with pytest.raises(ValueError, match="id"):
        index.add([PastTicket(title="x", content="y")])
    with pytest.raises(ValueError, match="title or content"):
        index.add([PastTicket(id="blank", title=" ", content="\n\t")])


def test_many_adds_are_searched_before_and_after_the_inverted_index_is_rebuilt(monkeypatch):
    monkeypatch.setattr(similar_module, "TAIL_ROWS", 2)
    index = TicketIndex.build(sample_past()[:20])
    for repeat in REPEATS.values():
        index.add([repeat])
        [matches] = index.search([repeat.model_copy(update={"id": None})], k=1)
        assert matches[0].id == repeat.id
    assert index._inverted_rows > 20  # rebuilt on the way


def test_save_load_round_trip_appends_shards(index, tmp_path):
    directory = tmp_path / "index"
    index.save(directory)
    loaded = TicketIndex.load(directory)
    queries = list(REPEATS.values())
    assert loaded.search(queries, threshold=LOW) == index.search(queries, threshold=LOW)
    assert loaded.version == index.version and len(loaded) == 70
    first = (directory / "shard-000001.npz").read_bytes()
    loaded.add([SAME_PLACE_OTHER_PROBLEM])
    loaded.save(directory)
    assert (directory / "shard-000001.npz").read_bytes() == first  # appended, not rewritten
    assert (directory / "shard-000002.json").is_file()
    again = TicketIndex.load(directory)
    assert len(again) == 71 and "q4" in again
    with np.load(directory / "shard-000002.npz", allow_pickle=False) as stored:
        assert set(stored.files) == {"indptr", "indices", "data"}


def test_shards_after_the_first_are_merged_past_the_limit(monkeypatch, tmp_path):
    monkeypatch.setattr(similar_module, "MAX_SHARDS", 3)
    index = TicketIndex.build(sample_past())
    index.save(tmp_path)
    for repeat in [*REPEATS.values(), SAME_PLACE_OTHER_PROBLEM]:
        index.add([repeat])
        index.save(tmp_path)
    manifest = json.loads((tmp_path / "index.json").read_text(encoding="utf-8"))
    assert len(manifest["shards"]) <= 3 and sum(s["rows"] for s in manifest["shards"]) == 74
    assert sorted(p.name for p in tmp_path.glob("shard-*.json")) == sorted(f"{s['name']}.json" for s in manifest["shards"])
    assert len(TicketIndex.load(tmp_path)) == 74


def test_saving_elsewhere_writes_everything_and_clears_old_shards(index, tmp_path):
    (tmp_path / "shard-000009.json").write_text("{}", encoding="utf-8")
    index.save(tmp_path)
    assert not (tmp_path / "shard-000009.json").exists()
    assert len(TicketIndex.load(tmp_path)) == 70


def test_two_processes_sharing_a_directory_see_each_others_tickets_in_one_order(monkeypatch, tmp_path):
    monkeypatch.setattr(similar_module, "MAX_SHARDS", 3)  # so that the shards are merged on the way
    TicketIndex.build(sample_past()).save(tmp_path)
    first, second = TicketIndex.load(tmp_path), TicketIndex.load(tmp_path)
    assert first.refresh() == 0  # nothing saved since: one stat, nothing read
    tickets = [*REPEATS.values(), SAME_PLACE_OTHER_PROBLEM]
    for n, ticket in enumerate(tickets):
        writer, reader = (first, second) if n % 2 == 0 else (second, first)
        assert writer.add_and_save([ticket]) == 1
        assert reader.refresh() == 1 and ticket.id in reader
    assert first.add_and_save([REPEATS["s002"]]) == 0  # already there, added by the other one
    assert [r["id"] for r in first.records] == [r["id"] for r in second.records] == \
        [r["id"] for r in TicketIndex.load(tmp_path).records]
    assert len(json.loads((tmp_path / "index.json").read_text(encoding="utf-8"))["shards"]) <= 3
    query = SAME_PLACE_OTHER_PROBLEM.model_copy(update={"id": None})
    assert first.search([query], k=1)[0][0].id == second.search([query], k=1)[0][0].id == "q4"


def test_a_plain_save_never_overwrites_what_another_process_saved(tmp_path):
    TicketIndex.build(sample_past()).save(tmp_path)
    first, second = TicketIndex.load(tmp_path), TicketIndex.load(tmp_path)
    first.add_and_save([REPEATS["s002"]])
    second.add([REPEATS["s011"]])
    with pytest.raises(ModelFileError, match="another process"):
        second.save(tmp_path)
    with pytest.raises(ModelFileError, match="unsaved"):
        second.refresh()
    assert [r["id"] for r in TicketIndex.load(tmp_path).records][-1] == "q1"


def test_refresh_reports_an_index_rebuilt_in_its_directory(tmp_path):
    TicketIndex.build(sample_past()).save(tmp_path)
    opened = TicketIndex.load(tmp_path)
    TicketIndex.build(sample_past()[:40]).save(tmp_path)  # another vocabulary: another version
    with pytest.raises(IndexRebuilt):
        opened.refresh()


def test_add_and_save_needs_a_directory_it_can_lock(tmp_path):
    with pytest.raises(ValueError, match="save it once"):
        TicketIndex.build(sample_past()).add_and_save([UNRELATED])
    TicketIndex.build(sample_past()).save(tmp_path)
    opened = TicketIndex.load(tmp_path)
    (tmp_path / ".lock").mkdir()  # a lock file that cannot be opened, whoever runs the test
    other = TicketIndex.load(tmp_path)
    other.add([REPEATS["s002"]])
    other.save(tmp_path)  # a plain save takes no lock
    assert opened.refresh() == 1  # reading goes without the lock
    with pytest.raises(ModelFileError, match="cannot lock"):
        opened.add_and_save([UNRELATED])


@pytest.mark.parametrize("content", [None, "{not json", json.dumps({"format": "other"})])
def test_a_directory_that_is_not_an_index_is_one_clear_error(tmp_path, content):
    if content is not None:
        (tmp_path / "index.json").write_text(content, encoding="utf-8")
    with pytest.raises(ModelFileError):
        TicketIndex.load(tmp_path)


def test_phone_numbers_never_reach_the_index(tmp_path):
    index = TicketIndex.build(sample_past())
    index.add([PastTicket(id="p1", title="联系电话13912345678小区停水", content="A2区幸福小区停水三天，电话13912345678",
                          unit="13912345678", message_time="2020-06-09 12:00 13912345678")])  # fields filled wrongly
    [matches] = index.search([PastTicket(title="幸福小区停水", content="A2区幸福小区停水三天了")], threshold=LOW)
    assert matches[0].id == "p1" and "〔手机号〕" in matches[0].title
    index.save(tmp_path)
    assert not any(b"13912345678" in path.read_bytes() for path in tmp_path.iterdir())
    assert "13912345678" not in json.dumps([m.model_dump() for m in matches], ensure_ascii=False)


def test_masked_numbers_in_both_tickets_are_no_sign_of_the_same_matter():
    index = TicketIndex.build(sample_past())
    index.add([PastTicket(id="id1", title="办卡被拒110101199003071234",
                          content="本人110101199003071234到社保中心办卡被告知信息有误，联系13912345678。")])
    query = PastTicket(title="门口垃圾堆放", content="业主110101199003071235反映门口垃圾没人清运，联系13812345678")
    [matches] = index.search([query], threshold=0.0, k=80)
    found = {m.id: m for m in matches}
    assert "id1" not in found or (found["id1"].score < 0.1 and not {"身份证号", "手机号"} & set(found["id1"].terms))


def test_a_small_index_still_names_the_shared_terms():
    past = sample_past()[:20]
    index = TicketIndex.build(past)
    s002 = next(t for t in past if t.id == "s002")
    [matches] = index.search([PastTicket(id="copy", title=s002.title, content=s002.content)], threshold=LOW)
    assert matches[0].id == "s002" and len(matches[0].terms) >= 3


def test_a_place_first_seen_after_the_vocabulary_was_fitted_still_counts():
    index = TicketIndex.build(sample_past())
    index.add([PastTicket(id="n1", title="翡翠湾畔小区二期门前积水", content="翡翠湾畔小区二期门前道路一下雨就积水，车辆无法通行。"),
               PastTicket(id="n2", title="星河湾小区门前积水", content="星河湾小区门前道路一下雨就积水，车辆无法通行。")])
    keys = np.array([(ord("翡") << 21) | ord("翠")], dtype=np.int64)
    assert index.vectoriser.columns(keys)[0] >= len(index.vectoriser.vocabulary_)  # hashed, not dropped
    [matches] = index.search([PastTicket(title="翡翠湾畔小区二期积水", content="翡翠湾畔小区二期门口下雨积水严重")], k=2,
                             threshold=0.0)
    assert matches[0].id == "n1" and "翡翠湾畔小区" in matches[0].places


@pytest.mark.parametrize("text,expected", [
    ("我是A3区金桂园小区业主，小区地面停车位被物业收费", ["A3区", "金桂园小区"]),
    ("台江区中选新巷瀛洲河内河改造工程晚上还在施工", ["台江区", "中选新巷", "瀛洲河"]),
    ("举报闽侯县洋里乡洋里溪安全水系建设项目", ["闽侯县", "洋里乡", "洋里溪"]),
    ("A1区蔡锷南路A2区华庭楼顶水箱", ["A1区", "蔡锷南路", "A2区"]),
    ("小区门口路灯不亮，影响村民出行，城市形象差", []),
    ("请问哪里可以办理", []),
])
def test_place_names(text, expected):
    assert places(text) == expected


@pytest.fixture(scope="module")
def tiny_encoder_dir(tmp_path_factory):
    return build_tiny_encoder(tmp_path_factory.mktemp("tiny_encoder"))


def test_semantic_index_mixes_e5_and_round_trips(tiny_encoder_dir, tmp_path):
    from model.encoder import TextEncoder

    encoder = TextEncoder.load(tiny_encoder_dir, threads=1)
    settings = IndexSettings(threshold=SEMANTIC_THRESHOLD, semantic=True, semantic_max_length=32)  # a tiny BERT
    index = TicketIndex.build(sample_past()[:30], settings, encoder)
    assert index.settings.semantic and index.settings.threshold == SEMANTIC_THRESHOLD
    s002 = next(t for t in sample_past() if t.id == "s002")
    [matches] = index.search([s002.model_copy(update={"id": "copy"})], k=2, threshold=0.0)
    assert matches[0].id == "s002" and matches[0].score == pytest.approx(1.0, abs=1e-3)
    index.add([REPEATS["s002"]])
    index.save(tmp_path)
    with np.load(tmp_path / "shard-000001.npz", allow_pickle=False) as stored:
        assert stored["embeddings"].shape == (31, encoder.dim) and stored["embeddings"].dtype == np.float16
    reopened = TicketIndex.open(tmp_path, encoder_dir=tiny_encoder_dir)
    assert reopened.search([REPEATS["s002"]], k=2, threshold=0.0)[0][0].id == "s002"
    with pytest.raises(ModelFileError, match="encoder"):
        TicketIndex.load(tmp_path)
    with pytest.raises(FileNotFoundError):
        TicketIndex.open(tmp_path, encoder_dir=tmp_path / "no-encoder")


def test_the_hand_judgements_are_found_and_a_missing_file_is_an_error(tmp_path):
    from training.similar_data import read_judgements

    assert len(read_judgements()) > 200  # shipped in training/resources
    with pytest.raises(FileNotFoundError):
        read_judgements(tmp_path / "none.csv")
