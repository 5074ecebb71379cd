"""Auditor metrics on rows the model did not train on: element F1 with precision/recall, redo-verdict F1, the
quality of redo_risk as a probability (AUC, Brier, calibration), relevance accuracy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import brier_score_loss, f1_score, precision_recall_fscore_support, roc_auc_score

from model.audit_results import ELEMENTS
from model.auditor import verdict_scores
from training.audit_data import load_audit_labelled, tickets_from_frame
from training.data import SHARED_DATA, load_labelled
from training.evaluate import expected_calibration_error


def _prf(gold: np.ndarray, predicted: np.ndarray) -> dict:
    p, r, f, _ = precision_recall_fscore_support(gold, predicted, average="binary", zero_division=0)
    return {"precision": round(float(p), 4), "recall": round(float(r), 4), "f1": round(float(f), 4),
            "positives": int(gold.sum())}


SCORED_ELEMENTS = ("org", "time", "process", "result")


def best_threshold(gold: np.ndarray, risk: np.ndarray, window: int = 11) -> float:
    """The threshold with the best F1 averaged over its neighbours (grid of 0.01 between 0.2 and 0.8, a moving
    window of `window` points; ties to the middle). The raw F1 curve out of fold is jagged where it is flat, so its
    arg-max jumps with any change of features (process 0.45 → 0.26 for a change in the result rules)."""
    grid, scores = _f1_curve(gold, risk)
    half = window // 2
    padded = np.pad(scores, half, mode="edge")
    smoothed = np.convolve(padded, np.ones(window) / window, mode="valid")
    best = np.flatnonzero(smoothed >= smoothed.max() - 1e-9)
    return float(grid[best[len(best) // 2]])


def recall_leaning_threshold(gold: np.ndarray, risk: np.ndarray, tolerance: float = 0.005) -> float:
    """The lowest threshold whose F1 is within `tolerance` of the best: where the F1 curve is flat, catch more.

    Used for the redo verdict: its out-of-fold F1 is flat over a wide band (0.78–0.79 from 0.41 to 0.64), so the
    arg-max wanders with any change of features, and inside the band a missed redo (a reply sent back) costs the
    unit more than a second look at a sound one."""
    grid, scores = _f1_curve(gold, risk)
    return float(grid[np.flatnonzero(scores >= scores.max() - tolerance)[0]])


def _f1_curve(gold: np.ndarray, risk: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    grid = np.round(np.arange(0.2, 0.801, 0.01), 2)
    return grid, np.array([f1_score(gold, risk >= t, zero_division=0) for t in grid])


def audit_metrics(frame: pd.DataFrame, element_p: np.ndarray, risk: np.ndarray, threshold: float,
                  element_thresholds: dict[str, float], relevance_predicted: np.ndarray | None = None,
                  praise: np.ndarray | None = None) -> dict:
    """The figures of one split. `element_p` is what presence is decided on (with evidence counted); `praise` marks
    replies to praise, which pass whatever their risk, as in ReplyAuditor."""
    redo = (frame["verdict"] == "redo").to_numpy().astype(int)
    praise = praise if praise is not None else np.zeros(len(frame), dtype=bool)
    predicted_redo = verdict_scores(risk, element_p, element_thresholds["result"], praise) >= threshold
    metrics: dict = {"n": len(frame), "elements": {}}
    for j, name in enumerate(ELEMENTS):
        present = (element_p[:, j] >= element_thresholds[name]).astype(int)
        metrics["elements"][name] = {"threshold": element_thresholds[name],
                                     **_prf(frame[name].to_numpy().astype(int), present)}
    two_class = np.column_stack([1 - risk, risk])
    metrics["verdict"] = {
        "threshold": threshold, **_prf(redo, predicted_redo.astype(int)),
        "auc": round(float(roc_auc_score(redo, risk)), 4) if 0 < redo.sum() < len(redo) else None,
        "brier": round(float(brier_score_loss(redo, risk)), 4),
        "ece": round(expected_calibration_error(two_class, (risk >= 0.5).astype(int) == redo), 4),
    }
    # the figure the goals are checked on: the weakest of the verdict and the four required elements (contact is
    # reported only)
    metrics["weakest_f1"] = min([metrics["verdict"]["f1"]] + [metrics["elements"][e]["f1"] for e in SCORED_ELEMENTS])
    if relevance_predicted is not None:
        metrics["relevance_accuracy"] = round(float((relevance_predicted == frame["relevant"].to_numpy()).mean()), 4)
    return metrics


def shallow_auc(risk: np.ndarray, shallow: np.ndarray) -> float:
    """How well redo_risk ranks the replies a research team marked as shallow (shallow_team_a)."""
    return round(float(roc_auc_score(shallow.astype(int), risk)), 4)


def evaluate_auditor(auditor, path: Path | None = None, data_dir: Path = SHARED_DATA,
                     sheet: str | None = None) -> dict[str, dict]:
    """Metrics on a labelled file (`sheet`: its .xlsx sheet); by default the gold dev set and the shallow_team_a
    check of the shared data (replies.csv rows the auditor did not train on), or the model card's figures when the
    shared data is absent."""
    from training.fit_auditor import evaluate_on

    if path is not None:
        return {Path(path).name: {"split": "given file", **evaluate_on(auditor, load_audit_labelled(path, sheet))}}
    dev, replies = data_dir / "replies" / "audit_gold_dev.csv", data_dir / "replies" / "replies.csv"
    if not dev.is_file():
        return auditor.card.get("metrics", {})
    metrics = {"gold_dev": {"split": "replies/audit_gold_dev.csv, never trained on",
                            **evaluate_on(auditor, load_audit_labelled(dev))}}
    if replies.is_file():
        metrics["shallow_team_a"] = shallow_check(auditor, replies, data_dir / "replies" / "audit_silver.csv")
    return metrics


def shallow_check(auditor, replies_path: Path, training_path: Path) -> dict:
    """AUC of redo_risk against the noisy shallow_team_a label on the replies.csv rows not used in training."""
    frame = load_labelled(replies_path, required=("id", "title", "content", "reply", "shallow_team_a"))
    trained = set(load_labelled(training_path, required=("id",))["id"]) if training_path.is_file() else set()
    held_out = frame[~frame["id"].isin(trained)]
    audits = auditor.audit(tickets_from_frame(held_out))
    risk = np.array([a.redo_risk if a.redo_risk is not None else 1.0 for a in audits])
    shallow = held_out["shallow_team_a"].astype(int).to_numpy()
    return {"split": "replies.csv minus the training rows", "n": len(held_out), "positives": int(shallow.sum()),
            "auc": shallow_auc(risk, shallow)}
