"""TicketClassifier on a tiny model: order, calibrated top-k, errors, needs_review, save/load, unsafe directories."""

import numpy as np
import pytest

from model.artifacts import ModelFileError
from model.classifier import EMPTY_TICKET, TicketClassifier
from model.results import Ticket
from model.text import prepare


def _tickets(rows):
    return [Ticket(id=r["id"], title=r["title"], content=r["content"]) for r in rows]


def test_results_keep_order_and_carry_sorted_calibrated_scores(tiny_classifier, sample_tickets):
    results = tiny_classifier.classify(_tickets(sample_tickets))
    assert [r.id for r in results] == [r["id"] for r in sample_tickets]
    for result in results:
        scores = [s.score for s in result.category_scores]
        assert scores == sorted(scores, reverse=True) and 0 < sum(scores) <= 1.0001
        assert result.category == result.category_scores[0].label
        assert result.type == result.type_scores[0].label
        assert result.routing and result.model_version == "tiny-test"
    accuracy = np.mean([r.category == s["category"] for r, s in zip(results, sample_tickets)])
    assert accuracy > 0.9  # the tiny model has seen these tickets: a sanity check of the plumbing


def test_empty_ticket_gets_an_error_and_others_are_classified(tiny_classifier):
    results = tiny_classifier.classify([Ticket(id="a", title="", content="  \n\t "),
                                        Ticket(id="b", title="小区路灯坏了", content="晚上回家很不安全，请尽快修复")])
    assert results[0].error == EMPTY_TICKET and results[0].category is None and results[0].needs_review
    assert results[1].error is None and results[1].category is not None


def test_probabilities_are_calibrated_distributions(tiny_classifier, sample_tickets):
    docs = [prepare(r["title"], r["content"]) for r in sample_tickets]
    probabilities = tiny_classifier.category.predict_proba(docs)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    assert tiny_classifier.category.predict(docs[:3]) == [tiny_classifier.category.labels[i]
                                                          for i in probabilities[:3].argmax(axis=1)]


def test_needs_review_follows_the_threshold(tiny_classifier, sample_tickets):
    results = tiny_classifier.classify(_tickets(sample_tickets))
    threshold = tiny_classifier.taxonomy.review_threshold
    for result in results:
        assert result.needs_review == (result.category_scores[0].score < threshold - 5e-5) or \
            abs(result.category_scores[0].score - threshold) < 1e-4


def test_save_and_load_round_trip(tiny_classifier, tiny_model_dir, sample_tickets):
    loaded = TicketClassifier.load(tiny_model_dir)
    docs = [prepare(r["title"], r["content"]) for r in sample_tickets]
    np.testing.assert_allclose(loaded.category.predict_proba(docs), tiny_classifier.category.predict_proba(docs),
                               atol=2e-3)  # coefficients are stored as float16
    assert loaded.version == loaded.card["version"] and loaded.version != "unversioned"
    assert loaded.card["components"]["category"]["labels"] == tiny_classifier.category.labels


def test_same_model_gives_the_same_version(tiny_classifier, tmp_path):
    first = tiny_classifier.save(tmp_path / "a", {})
    second = tiny_classifier.save(tmp_path / "b", {})
    assert first["version"] == second["version"]


def test_incomplete_or_unsafe_model_directories_are_refused(tiny_model_dir, tmp_path):
    with pytest.raises(ModelFileError, match="model_card.json"):
        TicketClassifier.load(tmp_path)
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in ["model_card.json", "category.json", "type.json", "type.npz"]:
        (broken / name).write_bytes((tiny_model_dir / name).read_bytes())
    with pytest.raises(ModelFileError, match="category"):
        TicketClassifier.load(broken)
    # an array that needs pickle is refused, not executed
    np.savez(broken / "category.npz", bad=np.array([{"x": 1}], dtype=object))
    with pytest.raises(ModelFileError):
        TicketClassifier.load(broken)
