"""Fine-tune the transformer encoder with a classification head (request type or category), on the GPU when there
is one, and measure it on data it did not train on: type_gold_dev for the request type, a grouped 20 % split for the
category. The result is a model directory with its card, like the other models."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import torch

from model.classifier import TicketClassifier
from model.encoder import PREFIXES, TextEncoder
from model.encoder_classifier import EncoderClassifier, EncoderMix, message_text
from model.results import Ticket
from training.args import EncoderTrainingArguments
from training.data import group_keys, grouped_split, load_shared_csv
from training.evaluate import label_metrics
from training.progress import Progress, no_progress
from training.type_data import MAIN_TYPES

if TYPE_CHECKING:
    from training.tune_mix import MixTuning


def fine_tune(texts: Sequence[str], labels: Sequence[str], args: EncoderTrainingArguments,
              encoder: TextEncoder | None = None, progress: Progress = no_progress) -> EncoderClassifier:
    """AdamW with linear warm-up and decay, class weights √(balanced), gradient clipping; seeded."""
    torch.manual_seed(args.seed)
    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    classes = sorted(set(labels))
    model = EncoderClassifier(encoder or TextEncoder.load(args.encoder_dir), classes).to(device).train()
    targets = torch.tensor([classes.index(label) for label in labels], device=device)
    counts = np.bincount(targets.cpu().numpy(), minlength=len(classes))
    weight = torch.tensor(np.sqrt(len(targets) / (len(classes) * np.maximum(counts, 1))), dtype=torch.float32,
                          device=device)
    prefixed = [PREFIXES["query"] + text for text in texts]
    steps_per_epoch = (len(prefixed) + args.batch_size - 1) // args.batch_size
    total = max(1, args.epochs * steps_per_epoch)
    warm = max(1, int(args.warmup_ratio * total))
    optimiser = torch.optim.AdamW(model.parameters(), lr=args.learning_rate, weight_decay=args.weight_decay)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda s: min((s + 1) / warm, max(0.0, (total - s) / total)))
    order = torch.Generator().manual_seed(args.seed)
    for _ in progress(range(args.epochs), "fine-tuning (epochs)", args.epochs):
        permutation = torch.randperm(len(prefixed), generator=order).tolist()
        for start in range(0, len(permutation), args.batch_size):
            rows = permutation[start:start + args.batch_size]
            logits = model([prefixed[i] for i in rows], args.max_length)
            loss = torch.nn.functional.cross_entropy(logits, targets[rows], weight=weight)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
    return model.eval()


def _task_data(args: EncoderTrainingArguments) -> tuple[list[str], list[str], list[str], list[str], str, list | None]:
    """(train texts, train labels, held-out texts, held-out labels, split description, scored labels)."""
    if args.task == "type":
        train = load_shared_csv("type/type_silver.csv", args.data_dir)
        dev = load_shared_csv("type/type_gold_dev.csv", args.data_dir)
        return ([message_text(t, c) for t, c in zip(train.title, train.content, strict=True)], list(train.type),
                [message_text(t, c) for t, c in zip(dev.title, dev.content, strict=True)], list(dev.type),
                "train type/type_silver.csv, measure type/type_gold_dev.csv", list(MAIN_TYPES))
    if args.task == "category":
        frame = load_shared_csv("category/train.csv", args.data_dir)
        texts = [message_text(t, c) for t, c in zip(frame.title, frame.content, strict=True)]
        train, held = grouped_split(group_keys(frame.title, frame.content), 0.2, args.seed)
        labels = list(frame.label)
        return ([texts[i] for i in train], [labels[i] for i in train], [texts[i] for i in held],
                [labels[i] for i in held], f"grouped 80/20 split of category/train.csv (seed {args.seed})", None)
    raise ValueError(f"unknown task {args.task!r}: use type or category")


def train_encoder(args: EncoderTrainingArguments, progress: Progress = no_progress,
                  mix_tuning: MixTuning | None = None) -> dict:
    """Fine-tune for the task, measure on its held-out data, write the model directory; returns the card.
    `mix_tuning` (training.tune_mix): the cross-validation that chose the mix weight and temperature, recorded."""
    train_texts, train_labels, held_texts, held_labels, split, scored = _task_data(args)
    model = fine_tune(train_texts, train_labels, args, progress=progress)
    model.card = {"arguments": {"max_length": args.max_length}}
    probabilities = model.predict_proba(held_texts, max_length=args.max_length)
    card = {
        "created": date.today().isoformat(),
        "task": args.task,
        "split": split,
        "arguments": {k: str(v) if k.endswith("_dir") else v for k, v in vars(args).items()},
        "metrics": {"held_out": label_metrics(np.array(held_labels), probabilities, model.labels,
                                              scored_labels=scored)},
    }
    if args.task == "type":  # what `--type-encoder` serves: mixed into the shipped TF-IDF request type
        card["mix_weight"], card["mix_temperature"] = args.mix_weight, args.mix_temperature
        if mix_tuning is not None:
            card["mix_tuning"] = mix_tuning.card()
        card["metrics"]["held_out_mixed"] = _mixed_metrics(model, args)
    model.save(args.output_dir, card)
    return model.card


def _mixed_metrics(model: EncoderClassifier, args: EncoderTrainingArguments) -> dict:
    """type_gold_dev scored as `hotline classify --type-encoder` scores it: the shipped classifier's request-type
    probabilities mixed with the encoder's at `args.mix_weight`."""
    dev = load_shared_csv("type/type_gold_dev.csv", args.data_dir)
    classifier = TicketClassifier.load()
    linear = classifier.request_type.predict_proba(
        [classifier.prepare(Ticket(title=t, content=c)) for t, c in zip(dev.title, dev.content, strict=True)])
    mixed = EncoderMix(model, args.mix_weight, args.mix_temperature).mix(
        linear, classifier.request_type.labels, list(dev.title), list(dev.content))
    return label_metrics(dev.type.to_numpy(), mixed, classifier.request_type.labels, scored_labels=MAIN_TYPES)
