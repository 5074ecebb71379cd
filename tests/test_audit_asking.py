"""Whether a message is an inquiry: the office's own type when given, else the request-type model, read without
tokenising when the model reads characters only; the redo model uses it."""

import numpy as np
import pytest

from model.audit_asking import AskingReader
from model.audit_results import ReplyTicket
from model.classifier import LabelModel
from model.text import prepare
from training.args import BlockSpec, LabelModelArguments
from training.fit_classifier import fit_label_model

CHARS_ONLY = LabelModelArguments(blocks=[BlockSpec("chars", "char", (1, 2))], estimator="svc", C=1.0,
                                 calibration_folds=3)
REPLY = "您好，经核实，该路段的情况已了解，感谢您的监督。"


def _ticket(title: str, content: str, ticket_type: str = "") -> ReplyTicket:
    return ReplyTicket(id=title, title=title, content=content, reply=REPLY, type=ticket_type)


@pytest.fixture(scope="module")
def chars_only_model(sample_tickets) -> LabelModel:
    docs = [prepare(r["title"], r["content"]) for r in sample_tickets]
    model, _ = fit_label_model(docs, [r["type"] for r in sample_tickets], CHARS_ONLY, seed=0)
    return model


def test_the_office_type_decides_when_given_and_the_model_otherwise(tiny_classifier):
    reader = AskingReader(tiny_classifier.request_type)
    assert reader.given("咨询") == 1.0 and reader.given("政策咨询类") == 1.0
    assert reader.given("投诉") == 0.0 and reader.given("举报类") == 0.0
    assert reader.given("") is None and reader.given(None) is None and reader.given("市长信箱") is None
    tickets = [_ticket("请问居住证怎么办理", "想咨询办理居住证需要什么材料？", "投诉"),
               _ticket("请问居住证怎么办理", "想咨询办理居住证需要什么材料？")]
    given, predicted = reader.probability(tickets)
    expected = tiny_classifier.request_type.predict_proba([prepare(tickets[1].title, tickets[1].content)])
    assert given == 0.0
    assert predicted == pytest.approx(expected[0, tiny_classifier.request_type.labels.index("咨询")], abs=1e-6)


def test_a_model_reading_characters_only_is_read_without_tokenising(chars_only_model, tiny_classifier):
    assert not chars_only_model.features.reads_words and tiny_classifier.request_type.features.reads_words
    ticket = _ticket("咨询公积金提取条件", "请问离职后多久可以提取住房公积金？")
    untokenised = prepare(ticket.title, ticket.content, words=False)
    assert untokenised.tokens == () and untokenised.text == prepare(ticket.title, ticket.content).text
    expected = chars_only_model.predict_proba([prepare(ticket.title, ticket.content)])
    got = AskingReader(chars_only_model).probability([ticket])
    assert got[0] == pytest.approx(expected[0, chars_only_model.labels.index("咨询")], abs=1e-6)


def test_an_auditor_reads_the_inquiry_chance_it_saved(tiny_auditor, tmp_path):
    tickets = [_ticket("请问居住证怎么办理", "想咨询办理居住证需要什么材料？"), _ticket("路灯不亮", "路灯坏了一个月了", "投诉")]
    tiny_auditor.save(tmp_path, {"metrics": {}})
    from model.auditor import ReplyAuditor

    loaded = ReplyAuditor.load(tmp_path)
    assert np.allclose(loaded.features(tickets).asking, tiny_auditor.features(tickets).asking)
    assert loaded.features(tickets).asking[1] == 0.0


def test_the_redo_model_needs_the_inquiry_reading(tiny_auditor):
    from model.audit_features import extract

    features = extract([_ticket("路灯不亮", "路灯坏了")])
    assert features.asking is None
    with pytest.raises(ValueError, match="request-type"):
        tiny_auditor.stage_two(np.full((1, 5), 0.5), features)


def test_an_auditor_saved_before_it_read_inquiries_asks_to_be_retrained(tiny_auditor, tmp_path):
    from model.artifacts import ModelFileError
    from model.auditor import ReplyAuditor

    tiny_auditor.save(tmp_path, {"metrics": {}})
    for suffix in ("json", "npz"):
        (tmp_path / f"request_type.{suffix}").unlink()
    with pytest.raises(ModelFileError, match="retrain"):
        ReplyAuditor.load(tmp_path)
