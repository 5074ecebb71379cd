"""The shipped default model: it loads, it is what its card says, and it classifies unseen hand-made tickets well."""

import numpy as np
import pytest

from model.classifier import DEFAULT_MODEL_DIR, TicketClassifier
from model.results import Ticket
from training.data import group_keys, load_shared_csv


@pytest.fixture(scope="module")
def default_classifier():
    return TicketClassifier.load()


def test_default_model_is_small_and_documented(default_classifier):
    size = sum(f.stat().st_size for f in DEFAULT_MODEL_DIR.iterdir())
    assert size <= 20 * 2**20
    card = default_classifier.card
    assert card["version"] == default_classifier.version
    assert card["metrics"]["category_cv"]["n"] > 1000 and "cross-validation" in card["split"]["category_cv"]
    assert set(card["components"]["category"]["labels"]) == set(default_classifier.category.labels)
    assert {"投诉", "举报", "求助", "咨询", "建议"} <= set(default_classifier.request_type.labels)


def test_default_model_on_hand_made_tickets(default_classifier, sample_tickets):
    """The samples were written for this project, so the model never trained on them."""
    results = default_classifier.classify(
        [Ticket(id=r["id"], title=r["title"], content=r["content"]) for r in sample_tickets])
    category_accuracy = np.mean([r.category == s["category"] for r, s in zip(results, sample_tickets)])
    type_accuracy = np.mean([r.type == s["type"] for r, s in zip(results, sample_tickets)])
    assert category_accuracy >= 0.8
    assert type_accuracy >= 0.5
    wage = next(r for r, s in zip(results, sample_tickets) if "工资" in s["title"] and s["category"] == "劳动和社会保障")
    assert wage.routing[0].unit.startswith("区人力资源和社会保障局")


def test_shared_data_loads_through_datasets(shared_data):
    frame = load_shared_csv("category/train.csv", shared_data)
    assert {"id", "title", "content", "label", "content_source"} <= set(frame.columns)
    assert set(frame.content_source) == {"raw", "stripped", "segmented"}
    groups = group_keys(frame.title, frame.content)
    assert len(set(groups)) < len(frame)  # near-duplicates share a group


def test_default_auditor_loads_and_separates_good_from_bare_replies(sample_replies):
    from model.audit_results import ReplyTicket
    from model.auditor import DEFAULT_AUDITOR_DIR, ReplyAuditor

    auditor = ReplyAuditor.load()
    assert sum(f.stat().st_size for f in DEFAULT_AUDITOR_DIR.iterdir()) <= 5 * 2**20
    assert auditor.card["metrics"]["gold_dev"]["n"] == 100
    tickets = [ReplyTicket(id=r.id, title=r.title, content=r.content, reply=r.reply)
               for r in sample_replies.itertuples()]
    risk = np.array([a.redo_risk for a in auditor.audit(tickets)])
    redo = (sample_replies["verdict"] == "redo").to_numpy()
    assert risk[redo].mean() > risk[~redo].mean() + 0.2  # hand-written replies it never saw
