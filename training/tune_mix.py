"""Choose how `--type-encoder` mixes the fine-tuned encoder into the TF-IDF request type: the encoder's share (the
mix weight) and the temperature that recalibrates the mix, both by k-fold cross-validation on type/type_silver.csv.

In every fold the shipped TF-IDF recipe (the fold's silver rows, low-confidence ones down-weighted, plus the weak
title-rule rows) and a fine-tuned encoder (the fold's silver rows) are fitted, and the held-out fold is predicted.
The weight is the one with the best out-of-fold macro-F1 over the five main types (the smaller on a tie); the
temperature is fitted on the out-of-fold mixes at that weight. type_gold_dev is not used.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn.model_selection import StratifiedKFold

from model.encoder_classifier import align_labels, message_text, mix_probabilities
from model.text import default_tokenizer, prepare
from training.args import ClassifierTrainingArguments, EncoderTrainingArguments
from training.data import load_shared_csv
from training.evaluate import label_metrics
from training.fit_classifier import fit_label_model, fit_temperature
from training.fit_encoder import fine_tune
from training.progress import Progress, no_progress
from training.type_data import MAIN_TYPES, load_type_training

MIX_WEIGHTS = tuple(round(0.1 * step, 1) for step in range(11))


@dataclass
class MixTuning:
    weight: float
    temperature: float
    folds: int
    rows: int
    # per weight: out-of-fold macro-F1 over the five main types, on every silver row and on the high-confidence ones
    table: list[dict[str, float]] = field(default_factory=list)

    def card(self) -> dict:
        return {"weight": self.weight, "temperature": self.temperature,
                "split": f"{self.folds}-fold stratified cross-validation of type/type_silver.csv ({self.rows} rows), "
                         f"out of fold", "macro_f1_by_weight": self.table}


def tune_mix(args: EncoderTrainingArguments, folds: int = 5, progress: Progress = no_progress) -> MixTuning:
    """Out-of-fold probabilities of both models on type_silver, then the weight and the temperature."""
    silver = load_shared_csv("type/type_silver.csv", args.data_dir)
    training = load_type_training(args.data_dir)  # the silver rows first, then the weak title-rule rows
    weak = training.iloc[len(silver):]
    recipe = ClassifierTrainingArguments()
    tokenizer = default_tokenizer()
    docs = [prepare(t, c, tokenizer, recipe.tokenise_limit) for t, c in
            progress(list(zip(training.title, training.content, strict=True)), "tokenising", len(training))]
    messages = load_shared_csv("category/train.csv", args.data_dir)  # the unlabelled corpus, as in training
    corpus = [prepare(t, c, tokenizer, recipe.tokenise_limit) for t, c in
              progress(list(zip(messages.title, messages.content, strict=True)), "tokenising the corpus",
                       len(messages))]
    texts = [message_text(t, c) for t, c in zip(silver.title, silver.content, strict=True)]
    gold = silver.type.to_numpy()
    labels = sorted(set(training.type))
    weights = training.weight.to_numpy()
    linear_p, encoder_p = np.zeros((len(silver), len(labels))), np.zeros((len(silver), len(labels)))
    with warnings.catch_warnings():  # a type with a single silver row cannot be in every fold
        warnings.filterwarnings("ignore", message=".*least populated class.*")
        splits = list(StratifiedKFold(folds, shuffle=True, random_state=args.seed).split(texts, gold))
    for train, test in progress(splits, "folds (TF-IDF + encoder)", len(splits)):
        rows = np.concatenate([train, np.arange(len(silver), len(training))]) if len(weak) else train
        model, _ = fit_label_model([docs[i] for i in rows], training.type.to_numpy()[rows], recipe.request_type,
                                   args.seed, sample_weight=weights[rows], corpus=corpus)
        linear_p[test] = align_labels(model.predict_proba([docs[i] for i in test]), model.labels, labels)
        encoder = fine_tune([texts[i] for i in train], list(gold[train]), args)
        own = encoder.predict_proba([texts[i] for i in test], max_length=args.max_length)
        encoder_p[test] = align_labels(own, encoder.labels, labels)

    confident = (silver.confidence != "low").to_numpy() if "confidence" in silver else np.ones(len(silver), bool)
    table = []
    for weight in MIX_WEIGHTS:
        mixed = mix_probabilities(linear_p, encoder_p, weight)
        table.append({"weight": weight,
                      "macro_f1": label_metrics(gold, mixed, labels, scored_labels=MAIN_TYPES)["macro_f1"],
                      "macro_f1_high_confidence": label_metrics(gold[confident], mixed[confident], labels,
                                                                scored_labels=MAIN_TYPES)["macro_f1"]})
    best = max(table, key=lambda row: (row["macro_f1"], -row["weight"]))
    mixed = mix_probabilities(linear_p, encoder_p, best["weight"])
    temperature = fit_temperature(np.log(np.maximum(mixed, 1e-12)), np.searchsorted(labels, gold))
    return MixTuning(best["weight"], round(temperature, 3), folds, len(silver), table)
