"""Fit the reply auditor on replies labelled against RUBRIC_AUDIT.md (replies/audit_silver.csv by default).

Stage one: a logistic regression per element on reply n-grams + rule features. Stage two (redo risk, relevance) is
fitted on out-of-fold stage-one probabilities, so it sees inputs as noisy as at inference; it also reads how likely
the message is an inquiry, from the ticket classifier's request-type model (copied into the auditor's directory). Thresholds come from
out-of-fold predictions too: each element's presence threshold is its F1-best one (the elements are rare enough, time
in one reply in five, that 0.5 misses many); the redo threshold is the lowest within 0.005 of the best F1. Every
figure in the card comes from rows the scored model did not see.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from threadpoolctl import threadpool_limits

from model.advice import is_praise
from model.artifacts import read_card
from model.audit_asking import AskingReader
from model.audit_features import ReplyFeatures, element_matrices, extract, meta_matrix
from model.audit_results import ELEMENTS, ReplyTicket
from model.auditor import (
    ReplyAuditor,
    answers_something,
    capped_risk,
    not_off_topic,
    statement_redo_rates,
    statements,
    verdict_scores,
    with_evidence,
    with_statements,
)
from model.classifier import DEFAULT_MODEL_DIR, LabelModel
from model.features import CharNgramTfidf
from model.linear import CalibratedLinear
from training.args import AuditorTrainingArguments
from training.audit_data import REPLY_LABELS, load_audit_labelled, tickets_from_frame
from training.evaluate_audit import audit_metrics, best_threshold, recall_leaning_threshold
from training.progress import Progress, no_progress


def linear_head(model: LogisticRegression) -> CalibratedLinear:
    """A fitted LogisticRegression as arrays: binary models get a zero row for the negative class (softmax of
    (0, z) is the logistic of z)."""
    coef, intercept = model.coef_, model.intercept_
    if coef.shape[0] == 1:
        coef = np.vstack([np.zeros_like(coef), coef])
        intercept = np.array([0.0, intercept[0]])
    labels = [str(c) for c in model.classes_]
    return CalibratedLinear(labels, coef, intercept, np.eye(len(labels)), np.zeros(len(labels)))


class _StageOne:
    """TF-IDF + one logistic regression per element, fitted on some rows."""

    def __init__(self, args: AuditorTrainingArguments, scale: np.ndarray):
        self.args, self.scale = args, scale

    def fit(self, features: ReplyFeatures, labels: dict[str, np.ndarray]) -> _StageOne:
        self.tfidf = CharNgramTfidf(ngram_range=self.args.ngram_range, min_df=self.args.min_df,
                                    max_features=self.args.max_features).fit(features.docs)
        matrices = element_matrices(features, self.tfidf, self.scale)
        self.models = {e: LogisticRegression(C=self.args.element_C[e], max_iter=3000,
                                             class_weight="balanced" if e == "contact" else None)
                       .fit(matrices[e], labels[e]) for e in ELEMENTS}
        return self

    def predict_proba(self, features: ReplyFeatures) -> np.ndarray:
        matrices = element_matrices(features, self.tfidf, self.scale)
        return np.column_stack([self.models[e].predict_proba(matrices[e])[:, 1] for e in ELEMENTS])


def fit_auditor(frame: pd.DataFrame, args: AuditorTrainingArguments, asking: AskingReader,
                progress: Progress = no_progress) -> tuple[ReplyAuditor, dict]:
    """Train on a labelled frame (columns of REPLY_LABELS), `asking` reading whether each message is an inquiry;
    returns the auditor and its out-of-fold metrics."""
    with threadpool_limits(1):  # BLAS threads make these small fits many times slower
        tickets = tickets_from_frame(frame)
        features = extract(tickets, asking)
        labels = {e: frame[e].astype(int).to_numpy() for e in ELEMENTS}
        redo = (frame["verdict"] == "redo").astype(int).to_numpy()
        relevance = frame["relevant"].astype(int).to_numpy()
        scale = np.maximum(features.rule_matrix.max(axis=0), 1.0)
        folds = list(StratifiedKFold(args.folds, shuffle=True, random_state=args.seed).split(redo, redo))

        # replies that state elements count as such out of fold too, at the rates of their training folds
        stated = statements(features)
        answered = answers_something(features, stated)

        def rows(picked: np.ndarray) -> dict[str, np.ndarray]:
            return {kind: mask[picked] for kind, mask in stated.items()}

        rates = [statement_redo_rates(rows(train), redo[train]) for train, _ in folds]
        element_oof = np.zeros((len(tickets), len(ELEMENTS)))
        fold_rates = list(zip(folds, rates, strict=True))
        for (train, test), rate in progress(fold_rates, "stage one, out of fold", len(folds)):
            stage = _StageOne(args, scale).fit(features.subset(train), {e: y[train] for e, y in labels.items()})
            element_oof[test] = with_statements(stage.predict_proba(features.subset(test)), rows(test), rate)
        meta = meta_matrix(element_oof, features)

        def stage_two() -> LogisticRegression:
            return LogisticRegression(C=args.stage_two_C, max_iter=3000)

        risk_oof, relevance_oof = np.zeros(len(tickets)), np.zeros(len(tickets), dtype=int)
        for (train, test), rate in fold_rates:
            risk = stage_two().fit(meta[train], redo[train]).predict_proba(meta[test])[:, 1]
            risk_oof[test] = capped_risk(risk, rows(test), rate)
            model = stage_two().fit(meta[train], relevance[train])
            relevance_p = not_off_topic(model.predict_proba(meta[test]), answered[test], model.classes_)
            relevance_oof[test] = model.classes_[relevance_p.argmax(axis=1)]
        decided_oof = with_evidence(element_oof, features)  # what presence is decided on, as in ReplyAuditor
        element_thresholds = {e: best_threshold(labels[e], decided_oof[:, j]) if args.tune_element_thresholds else 0.5
                              for j, e in enumerate(ELEMENTS)}
        praise = praised(tickets)
        threshold = (args.redo_threshold if args.redo_threshold is not None else recall_leaning_threshold(
            redo, verdict_scores(risk_oof, decided_oof, element_thresholds["result"], praise)))
        redo_model = stage_two().fit(meta, redo)
        relevance_model = stage_two().fit(meta, relevance)
        final = _StageOne(args, scale).fit(features, labels)

    auditor = ReplyAuditor(final.tfidf, scale, {e: linear_head(final.models[e]) for e in ELEMENTS},
                           linear_head(redo_model), linear_head(relevance_model), asking, threshold, element_thresholds,
                           statement_redo_rates(stated, redo))
    metrics = audit_metrics(frame, decided_oof, risk_oof, threshold, element_thresholds, relevance_oof, praise)
    return auditor, metrics


def train_auditor(args: AuditorTrainingArguments, progress: Progress = no_progress) -> dict:
    """Fit on the training data, measure on the gold dev set when present, save the directory with its card."""
    path = args.train_data or args.data_dir / "replies" / "audit_silver.csv"
    frame = load_audit_labelled(path, args.train_sheet if args.train_data else None)
    classifier_dir = args.request_type_from or DEFAULT_MODEL_DIR
    auditor, oof = fit_auditor(frame, args, AskingReader(LabelModel.load(classifier_dir, "type")), progress)
    card: dict = {
        "task": "reply audit (RUBRIC_AUDIT.md): five elements, redo verdict, relevance",
        "training_data": {"file": path.name, "rows": len(frame), "labels": list(REPLY_LABELS)},
        "request_type": {"from_classifier": read_card(classifier_dir).get("version", "unversioned"),
                         "read_as": "P(咨询), or the ticket's own type when given"},
        "arguments": {"seed": args.seed, "folds": args.folds, "ngram_range": list(args.ngram_range),
                      "min_df": args.min_df, "max_features": args.max_features, "element_C": args.element_C,
                      "stage_two_C": args.stage_two_C, "tune_element_thresholds": args.tune_element_thresholds},
        "redo_threshold": auditor.redo_threshold,
        "element_thresholds": auditor.element_thresholds,
        "statement_redo_rates": auditor.statement_redo_rates,
        "metrics": {"cross_validation": {"split": f"{args.folds}-fold stratified by verdict, seed {args.seed}, "
                                                  f"out-of-fold", **oof}},
    }
    dev_path = args.data_dir / "replies" / "audit_gold_dev.csv"
    if args.train_data is None and dev_path.is_file():
        card["metrics"]["gold_dev"] = {"split": "replies/audit_gold_dev.csv (double-annotated, never trained on)",
                                       **evaluate_on(auditor, load_audit_labelled(dev_path))}
    return auditor.save(args.output_dir, card)


def evaluate_on(auditor: ReplyAuditor, frame: pd.DataFrame) -> dict:
    """The auditor's figures on a labelled frame."""
    tickets = tickets_from_frame(frame)
    features = auditor.features(tickets)
    element_p, risk, relevance_p = auditor.probabilities(features)
    levels = np.array([int(label) for label in auditor.relevance_head.labels])
    return audit_metrics(frame, element_p, risk, auditor.redo_threshold, auditor.element_thresholds,
                         levels[relevance_p.argmax(axis=1)], praised(tickets))


def praised(tickets: list[ReplyTicket]) -> np.ndarray:
    """Which tickets praise (their replies pass)."""
    return np.array([is_praise(ticket) for ticket in tickets], dtype=bool)

