"""Shared fixtures: the hand-made samples, and a tiny classifier and auditor trained on them inside the tests."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from model.audit_asking import AskingReader
from model.auditor import ReplyAuditor
from model.classifier import TicketClassifier
from model.routing import Taxonomy
from model.text import prepare
from training.args import AuditorTrainingArguments, BlockSpec, LabelModelArguments
from training.audit_data import load_audit_labelled
from training.data import SHARED_DATA
from training.fit_auditor import fit_auditor
from training.fit_classifier import fit_label_model

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"

TINY_ARGS = LabelModelArguments(
    blocks=[BlockSpec("chars", "char", (1, 2)), BlockSpec("words", "word", (1, 1)),
            BlockSpec("title", "char", (1, 2), field="title", weight=0.5)],
    estimator="svc", C=1.0, calibration_folds=3,
)


def read_samples(name: str) -> list[dict[str, str]]:
    with (SAMPLES / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="session")
def sample_tickets() -> list[dict[str, str]]:
    return read_samples("tickets.csv")


@pytest.fixture(scope="session")
def tiny_classifier(sample_tickets) -> TicketClassifier:
    docs = [prepare(r["title"], r["content"]) for r in sample_tickets]
    category, _ = fit_label_model(docs, [r["category"] for r in sample_tickets], TINY_ARGS, seed=0)
    request_type, _ = fit_label_model(docs, [r["type"] for r in sample_tickets], TINY_ARGS, seed=0)
    return TicketClassifier(category, request_type, Taxonomy.load(), card={"version": "tiny-test"})


@pytest.fixture(scope="session")
def tiny_model_dir(tiny_classifier, tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("tiny_model")
    # Saved through a copy: save() sets the card (and version) of the classifier it is called on, and the
    # session's tiny_classifier must stay "tiny-test" whichever test ran first.
    TicketClassifier(tiny_classifier.category, tiny_classifier.request_type, tiny_classifier.taxonomy,
                     dict(tiny_classifier.card)).save(directory, {"metrics": {}})
    return directory


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not (SHARED_DATA / "category" / "train.csv").is_file():
        pytest.skip(f"shared data not found at {SHARED_DATA} (it lives beside the repository as ../shared/data)")
    return SHARED_DATA


TINY_AUDITOR_ARGS = AuditorTrainingArguments(folds=3, min_df=1, max_features=5000)


@pytest.fixture(scope="session")
def sample_replies():
    return load_audit_labelled(SAMPLES / "sample_replies.csv")


@pytest.fixture(scope="session")
def tiny_auditor(sample_replies, tiny_classifier) -> ReplyAuditor:
    auditor, _ = fit_auditor(sample_replies, TINY_AUDITOR_ARGS, AskingReader(tiny_classifier.request_type))
    auditor.card = {"version": "tiny-audit-test"}
    return auditor


@pytest.fixture(scope="session")
def tiny_auditor_dir(tiny_auditor, tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("tiny_auditor")
    tiny_auditor.save(directory, {"metrics": {}})
    return directory
