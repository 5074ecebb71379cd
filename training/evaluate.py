"""Metrics for a label model on data it did not train on: macro-F1, per-class P/R, confusion, calibration."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.metrics import confusion_matrix, f1_score, log_loss, precision_recall_fscore_support


def expected_calibration_error(probabilities: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """Top-label ECE: |accuracy − confidence| averaged over equal-width confidence bins, weighted by count."""
    confidence = probabilities.max(axis=1)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    error = 0.0
    for b in range(bins):
        members = which == b
        if members.any():
            error += members.mean() * abs(correct[members].mean() - confidence[members].mean())
    return float(error)


def label_metrics(gold: Sequence[str], probabilities: np.ndarray, labels: Sequence[str],
                  scored_labels: Sequence[str] | None = None, review_threshold: float | None = None) -> dict:
    """Everything the model card and `hotline evaluate` report for one label set.

    `scored_labels` restricts the macro-F1 to some labels (the five main request types); per-class figures
    cover every label that occurs.
    """
    labels = list(labels)
    gold = np.asarray(gold)
    predicted = np.array(labels)[probabilities.argmax(axis=1)]
    present = [label for label in labels if label in set(gold) | set(predicted)]
    scored = list(scored_labels) if scored_labels else present
    precision, recall, f1, support = precision_recall_fscore_support(gold, predicted, labels=present, zero_division=0)
    known = np.isin(gold, labels)
    metrics = {
        "n": int(len(gold)),
        "macro_f1": round(float(f1_score(gold, predicted, labels=scored, average="macro", zero_division=0)), 4),
        "macro_f1_labels": scored,
        "accuracy": round(float((gold == predicted).mean()), 4),
        "per_class": {
            label: {"precision": round(float(p), 4), "recall": round(float(r), 4), "f1": round(float(f), 4),
                    "support": int(s)}
            for label, p, r, f, s in zip(present, precision, recall, f1, support)
        },
        "confusion": {"labels": present, "matrix": confusion_matrix(gold, predicted, labels=present).tolist()},
        "ece": round(expected_calibration_error(probabilities, gold == predicted), 4),
    }
    if known.all():
        metrics["log_loss"] = round(float(log_loss(gold, probabilities, labels=labels)), 4)
    if review_threshold is not None:
        confident = probabilities.max(axis=1) >= review_threshold
        metrics["auto_dispatch"] = {
            "threshold": review_threshold,
            "share": round(float(confident.mean()), 4),
            "accuracy": round(float((gold == predicted)[confident].mean()), 4) if confident.any() else None,
        }
    return metrics
