"""Routing: category units, message cues, locality overrides of the taxonomy, bad overrides."""

import pytest

from model.routing import Router, Taxonomy


@pytest.fixture(scope="module")
def router():
    return Router(Taxonomy.load())


def test_cues_pick_the_unit_within_a_category(router):
    street = router.route("A3区人民路有人占道经营，流动摊贩堵塞人行道", {"城乡建设": 0.95, "环境保护": 0.05})
    assert street[0].unit == "区城市管理和综合执法局" and "占道经营" in street[0].basis
    estate = router.route("小区物业公司乱收停车费", {"城乡建设": 0.9, "商贸旅游": 0.1})
    assert estate[0].unit == "区住房和城乡建设局" and "物业" in estate[0].basis
    wages = router.route("工地老板拖欠工资半年不给", {"劳动和社会保障": 0.97, "城乡建设": 0.03})
    assert wages[0].unit == "区人力资源和社会保障局（劳动监察大队）"


def test_without_cues_the_category_default_units_apply(router):
    units = router.route("学校食堂饭菜质量差", {"教育文体": 1.0})
    assert units[0].unit == "区教育局" and units[0].score == pytest.approx(0.8)
    assert units[0].basis == "类别「教育文体」"


def test_scores_are_ranked_and_sum_at_most_one(router):
    units = router.route("公交车司机态度差还拒载", {"交通运输": 0.7, "商贸旅游": 0.2, "城乡建设": 0.1})
    scores = [u.score for u in units]
    assert scores == sorted(scores, reverse=True) and sum(scores) <= 1.0 + 1e-6
    assert len(units) == 3


def test_unknown_label_falls_back_to_a_named_unit():
    router = Router(Taxonomy.load())
    assert router.route("随便什么", {"民政": 1.0})[0].unit == "民政主管部门"


def test_locality_override_replaces_settings_categories_and_adds_cues(tmp_path):
    local = tmp_path / "city.toml"
    local.write_text(
        '[settings]\nreview_threshold = 0.5\ntop_k = 2\n'
        '[categories."教育文体"]\nname_12345 = "教育"\nunits = { "市教育局" = 1.0 }\n'
        '[[cues]]\ncategory = "教育文体"\nkeywords = ["校车"]\nunit = "市交通运输局"\n', encoding="utf-8")
    taxonomy = Taxonomy.load(local)
    assert taxonomy.review_threshold == 0.5 and taxonomy.top_k == 2
    assert taxonomy.name_12345("教育文体") == "教育" and taxonomy.name_12345("环境保护") == "生态环境保护"
    router = Router(taxonomy)
    assert router.route("校车超载", {"教育文体": 1.0})[0].unit == "市交通运输局"
    assert router.route("食堂", {"教育文体": 1.0})[0].unit == "市教育局"
    assert not router.needs_review(0.6) and router.needs_review(0.4)


def test_bad_override_is_refused(tmp_path):
    local = tmp_path / "bad.toml"
    local.write_text("[settings]\nreview_treshold = 0.5\n", encoding="utf-8")
    with pytest.raises(ValueError, match="review_treshold"):
        Taxonomy.load(local)


def test_cue_without_keywords_is_refused(tmp_path):
    local = tmp_path / "bad.toml"
    local.write_text('[[cues]]\ncategory = "教育文体"\nkeywords = [""]\nunit = "市教育局"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="keywords"):
        Taxonomy.load(local)
