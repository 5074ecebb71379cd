"""Measure a ticket classifier on a labelled file (category and/or request type)."""

from __future__ import annotations

from pathlib import Path

from model.classifier import TicketClassifier
from model.results import Ticket
from training.data import read_table
from training.evaluate import label_metrics
from training.exports import InputError
from training.type_data import MAIN_TYPES


def evaluate_on_file(classifier: TicketClassifier, path: Path, sheet: str | None = None) -> dict[str, dict]:
    """Metrics for each label column the file has: `label` (category) and `type` (request type); `sheet`: the .xlsx
    sheet to read."""
    table = read_table(path, required=("title", "content"), optional=("id", "label", "type"), sheet=sheet)
    if not {"label", "type"} & set(table.columns):
        raise InputError(f"{Path(path).name} has no label column: add label (一级分类) or type (诉求类型)")
    docs = [classifier.prepare(Ticket(title=t.title, content=t.content)) for t in table.itertuples()]
    keep = [i for i, d in enumerate(docs) if d.text]
    docs = [docs[i] for i in keep]
    table = table.iloc[keep]
    metrics = {}
    if "label" in table.columns:
        metrics["category"] = label_metrics(table.label.to_numpy(), classifier.category.predict_proba(docs),
                                            classifier.category.labels,
                                            review_threshold=classifier.taxonomy.review_threshold)
    if "type" in table.columns:
        probabilities = classifier.request_type_proba(docs, list(table.title), list(table.content))
        metrics["type"] = label_metrics(table.type.to_numpy(), probabilities, classifier.request_type.labels,
                                        scored_labels=MAIN_TYPES)
    return metrics
