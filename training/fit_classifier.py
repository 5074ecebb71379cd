"""Fit the ticket classifier: category model on category/train.csv, request-type model on the type data.

Each label model is a scikit-learn estimator on :class:`TextFeatures`; its probabilities are calibrated by
temperature scaling on out-of-fold decision scores. Metrics come from data the measured model never saw: grouped
cross-validation of category/train.csv for the category; the gold dev set (and cross-validation) for the request type.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize_scalar
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold, cross_val_predict
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

from model.classifier import LabelModel, TicketClassifier
from model.features import BLOCK_KINDS, CueFeatures, TextFeatures
from model.linear import CalibratedLinear
from model.routing import Taxonomy
from model.text import PreparedText, default_tokenizer, prepare
from training.args import BlockSpec, ClassifierTrainingArguments, LabelModelArguments
from training.corpus_vocabulary import CorpusCharNgramTfidf
from training.data import group_keys, load_labelled, load_shared_csv
from training.evaluate import label_metrics
from training.exports import InputError
from training.nbsvm import NBSVMClassifier
from training.progress import Progress, no_progress
from training.type_data import MAIN_TYPES, load_type_training

MIN_OWN_TYPE_ROWS = 50


def build_features(blocks: Sequence[BlockSpec], corpus: Sequence[PreparedText] = ()) -> TextFeatures:
    """The blocks, unfitted; `corpus` (unlabelled messages) is what blocks with `corpus=True` count as well."""
    made = []
    for spec in blocks:
        if spec.kind == "cue":
            made.append((spec.name, CueFeatures(spec.lexicon, spec.closing), spec.weight))
            continue
        params: dict[str, Any] = {"ngram_range": spec.ngram_range, "min_df": spec.min_df,
                                  "max_features": spec.max_features}
        if spec.kind == "char":
            params["field"] = spec.field
        if spec.corpus:
            if spec.kind != "char":
                raise ValueError(f"block '{spec.name}': only char blocks can count a corpus")
            made.append((spec.name, CorpusCharNgramTfidf(**params, corpus=corpus), spec.weight))
            continue
        made.append((spec.name, BLOCK_KINDS[spec.kind](**params), spec.weight))
    return TextFeatures(made)


def _estimator(args: LabelModelArguments, seed: int):
    if args.estimator == "nbsvm":
        return NBSVMClassifier(alpha=args.alpha, C=args.C, class_weight=args.class_weight, random_state=seed)
    if args.estimator == "svc":
        return LinearSVC(C=args.C, class_weight=args.class_weight, random_state=seed)
    if args.estimator == "logreg":
        return LogisticRegression(C=args.C, class_weight=args.class_weight, max_iter=3000, random_state=seed)
    raise ValueError(f"unknown estimator '{args.estimator}': use 'nbsvm', 'svc' or 'logreg'")


def _as_multiclass(coef: np.ndarray, intercept: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Binary estimators return one row of scores; give each label its own."""
    if coef.shape[0] == 1:
        return np.vstack([-coef, coef]) / 2, np.concatenate([-intercept, intercept]) / 2
    return coef, intercept


def _fill_absent_classes(scores: np.ndarray) -> np.ndarray:
    """A label missing from a training fold gets the float minimum as its score; use the lowest real score."""
    absent = scores < -1e30
    if absent.any():
        scores = scores.copy()
        scores[absent] = scores[~absent].min()
    return scores


def fit_temperature(scores: np.ndarray, gold: np.ndarray) -> float:
    """Temperature scaling: the T minimising the log-loss of softmax(scores / T). Keeps the argmax."""
    rows = np.arange(len(gold))

    def loss(log_t: float) -> float:
        logits = scores / np.exp(log_t)
        logits = logits - logits.max(axis=1, keepdims=True)
        return float(-(logits[rows, gold] - np.log(np.exp(logits).sum(axis=1))).mean())

    return float(np.exp(minimize_scalar(loss, bounds=(-6.0, 4.0), method="bounded").x))


def cross_validated_scores(docs: Sequence[PreparedText], labels: np.ndarray, args: LabelModelArguments,
                           seed: int = 0, sample_weight: np.ndarray | None = None,
                           groups: np.ndarray | None = None, corpus: Sequence[PreparedText] = ()) -> np.ndarray:
    """Out-of-fold decision scores: features and estimator refitted in every fold (grouped when groups given)."""
    pipeline = Pipeline([("features", build_features(args.blocks, corpus)), ("model", _estimator(args, seed))])
    folds = args.calibration_folds
    if groups is not None:
        splitter = StratifiedGroupKFold(folds, shuffle=True, random_state=seed)
    else:
        splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    params = {"model__sample_weight": sample_weight} if sample_weight is not None else None
    with warnings.catch_warnings():  # rare labels (表扬, 其他) cannot be in every fold; handled below
        warnings.filterwarnings("ignore", message=".*least populated class.*")
        warnings.filterwarnings("ignore", message=".*Number of classes in training fold.*")
        scores = cross_val_predict(pipeline, list(docs), labels, cv=splitter, groups=groups,
                                   method="decision_function", params=params)
    if scores.ndim == 1:
        scores = np.stack([-scores, scores], axis=1) / 2
    return _fill_absent_classes(scores)


def fit_label_model(docs: Sequence[PreparedText], labels: Sequence[str], args: LabelModelArguments, seed: int = 0,
                    sample_weight: np.ndarray | None = None, groups: np.ndarray | None = None,
                    corpus: Sequence[PreparedText] = ()) -> tuple[LabelModel, np.ndarray]:
    """Fit on every row; calibrate on out-of-fold scores, whose probabilities are returned for measuring.

    The out-of-fold probabilities are the held-out predictions of cross-validation: each row is predicted by a
    model that never saw it (nor, with `groups`, its near-duplicates). `corpus`: unlabelled messages for the blocks
    that count one (their labels are never read).
    """
    labels = np.asarray(labels)
    if len(set(labels)) < 2:
        raise InputError("training needs at least two different labels")
    out_of_fold = cross_validated_scores(docs, labels, args, seed, sample_weight, groups, corpus)
    classes = np.unique(labels)
    temperature = fit_temperature(out_of_fold, np.searchsorted(classes, labels))
    features = build_features(args.blocks, corpus).fit(docs)
    estimator = _estimator(args, seed).fit(features.transform(docs), labels, sample_weight=sample_weight)
    coef, intercept = _as_multiclass(estimator.coef_, estimator.intercept_)
    n = len(classes)
    head = CalibratedLinear(list(estimator.classes_), coef, intercept, np.eye(n) / temperature, np.zeros(n))
    return LabelModel(features, head), head.calibrate(out_of_fold)


def _prepare_all(titles: Sequence[str], contents: Sequence[str], progress: Progress, what: str,
                 tokenise_limit: int) -> list[PreparedText]:
    pairs = list(zip(titles, contents))
    tokenizer = default_tokenizer()
    return [prepare(t, c, tokenizer, tokenise_limit) for t, c in progress(pairs, f"tokenising {what}", len(pairs))]


def _category_data(args: ClassifierTrainingArguments) -> tuple[pd.DataFrame, str]:
    if args.category_data is not None:
        frame = load_labelled(args.category_data, ("title", "content", "label"), ("id", "type", "content_source"),
                              sheet=args.category_sheet)
        return frame[frame.label != ""].reset_index(drop=True), Path(args.category_data).name
    return load_shared_csv("category/train.csv", args.data_dir), "category/train.csv"


def _type_data(args: ClassifierTrainingArguments, category_data: pd.DataFrame) -> pd.DataFrame:
    """An office's own type labels when its file has enough of them, else the shared type training data."""
    if "type" in category_data.columns:
        own = category_data[category_data.type != ""]
        if len(own) >= MIN_OWN_TYPE_ROWS and own.type.nunique() >= 2:
            frame = own[["title", "content", "type"]].assign(weight=1.0).reset_index(drop=True)
            frame.attrs["description"] = f"the type column of the training file ({len(frame)} rows)"
            return frame
    return load_type_training(args.data_dir)


def train_classifier(args: ClassifierTrainingArguments, progress: Progress = no_progress) -> tuple[TicketClassifier, dict]:
    """Fit both label models on all their data; measure them on held-out predictions; return model and card."""
    category_data, category_source = _category_data(args)
    category_docs = _prepare_all(category_data.title, category_data.content, progress, "category data",
                                 args.tokenise_limit)
    category_labels = category_data.label.to_numpy()
    groups = group_keys(category_data.title, category_data.content)
    category_model, held_out = fit_label_model(category_docs, category_labels, args.category, args.seed,
                                               groups=groups)
    category_metrics = label_metrics(category_labels, held_out, category_model.labels,
                                     review_threshold=Taxonomy.load().review_threshold)
    if "content_source" in category_data.columns:
        sources = category_data.content_source.to_numpy()
        category_metrics["macro_f1_by_source"] = {
            source: label_metrics(category_labels[sources == source], held_out[sources == source],
                                  category_model.labels)["macro_f1"]
            for source in sorted(set(sources))
        }

    type_training = _type_data(args, category_data)
    type_docs = _prepare_all(type_training.title, type_training.content, progress, "request-type data",
                             args.tokenise_limit)
    type_labels = type_training.type.to_numpy()
    type_model, type_held_out = fit_label_model(type_docs, type_labels, args.request_type, args.seed,
                                                sample_weight=type_training.weight.to_numpy(), corpus=category_docs)
    labelled = type_training.weight.to_numpy() >= min(1.0, type_training.weight.max())
    metrics = {
        "category_cv": category_metrics,
        "type_cv": label_metrics(type_labels[labelled], type_held_out[labelled], type_model.labels,
                                 scored_labels=MAIN_TYPES),
    }
    gold_path = args.data_dir / "type" / "type_gold_dev.csv"
    if gold_path.is_file() and args.category_data is None:
        gold = load_shared_csv("type/type_gold_dev.csv", args.data_dir)
        gold_docs = _prepare_all(gold.title, gold.content, progress, "type gold dev", args.tokenise_limit)
        metrics["type_gold_dev"] = label_metrics(gold.type.to_numpy(), type_model.predict_proba(gold_docs),
                                                 type_model.labels, scored_labels=MAIN_TYPES)
    folds = f"{args.category.calibration_folds}-fold"
    type_data = type_training.attrs["description"]
    if any(block.corpus for block in args.request_type.blocks):
        type_data += f"; corpus blocks count the n-grams of all {len(category_data)} messages of {category_source} (labels unread)"
    card = {
        "data": {
            "category": f"{category_source} ({len(category_data)} rows)",
            "type": type_data,
        },
        "split": {
            "category_cv": f"grouped {folds} cross-validation of {category_source} (StratifiedGroupKFold, shuffled, "
                           f"seed {args.seed}; near-duplicates sharing a normalised title stay in one fold): every "
                           f"row is predicted by a model that did not train on it",
            "type_cv": f"{folds} cross-validation (seed {args.seed}), scored on the fully weighted labelled rows only",
            "type_gold_dev": "type/type_gold_dev.csv, never trained on",
            "shipped_model": "fitted on all rows with the same settings; calibrated on the cross-validated scores",
        },
        "metrics": metrics,
        "text": {"tokenise_limit": args.tokenise_limit},
        "training_arguments": {
            "seed": args.seed,
            "category": _describe(args.category),
            "type": _describe(args.request_type),
        },
    }
    return TicketClassifier(category_model, type_model, card=card), card


def _describe(args: LabelModelArguments) -> dict:
    return {
        "blocks": [vars(b) | {"ngram_range": list(b.ngram_range)} for b in args.blocks],
        "estimator": args.estimator, "C": args.C, "alpha": args.alpha, "class_weight": args.class_weight,
        "calibration_folds": args.calibration_folds,
    }
