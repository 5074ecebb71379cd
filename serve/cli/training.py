"""`hotline train classifier|auditor|encoder` and `hotline evaluate classifier|auditor`: build models, print their
metrics as tables (or JSON)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from model.text import TOKENISE_LIMIT
from serve.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_MODEL,
    AuditModelOption,
    ModelOption,
    SheetOption,
    TypeEncoderOption,
    evaluate_app,
    fail,
    load_auditor,
    load_classifier,
    progress_bar,
    say,
    sheet_needs_data,
    track,
    train_app,
)
from training.exports import InputError


def _trained(train: Callable[..., Any], args: Any, data_dir: Path | None, output_dir: Path | None) -> Any:
    """`train(args, track)` under a progress bar, the folders given on the command line laid over the defaults; data
    that cannot be read or trained on is one message and exit code 2."""
    if data_dir:
        args.data_dir = data_dir
    if output_dir:
        args.output_dir = output_dir
    try:
        with progress_bar() as progress:
            return train(args, track(progress))
    except (FileNotFoundError, InputError, ValueError) as error:
        fail(str(error), EXIT_BAD_INPUT)


@train_app.command("classifier")
def train_classifier_command(
    data: Annotated[Path | None, typer.Option(help="Your own labelled tickets (.csv/.xlsx/.jsonl: title, content, label or 一级分类; optional type or 诉求类型) instead of the shared category data.")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Folder with the shared category/ and type/ data (default: ../shared/data).")] = None,
    output_dir: Annotated[Path | None, typer.Option(help="Model directory to write (default: the shipped model's).")] = None,
    seed: Annotated[int, typer.Option(help="Random seed (folds, estimators).")] = 0,
    tokenise_limit: Annotated[int, typer.Option(min=0, help="Characters of each ticket given to jieba: more is slower and slightly more accurate.")] = TOKENISE_LIMIT,
    sheet: SheetOption = None,
) -> None:
    """Train the category and request-type models, print cross-validated metrics and write a model directory."""
    from training.args import ClassifierTrainingArguments
    from training.fit_classifier import train_classifier

    sheet_needs_data(sheet, data)
    args = ClassifierTrainingArguments(seed=seed, category_data=data, category_sheet=sheet,
                                       tokenise_limit=tokenise_limit)
    classifier, card = _trained(train_classifier, args, data_dir, output_dir)
    card = classifier.save(args.output_dir, card)
    _print_metrics(card["metrics"])
    say(f"model {card['version']} written to {args.output_dir}")


@train_app.command("auditor")
def train_auditor_command(
    data: Annotated[Path | None, typer.Option(help="Your own labelled replies (id, title, content, reply, org, time, process, result, contact, relevant, verdict) instead of replies/audit_silver.csv.")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Folder with the shared replies/ data (default: ../shared/data).")] = None,
    output_dir: Annotated[Path | None, typer.Option(help="Model directory to write (default: the shipped auditor's).")] = None,
    seed: Annotated[int, typer.Option(help="Random seed (folds).")] = 0,
    sheet: SheetOption = None,
    classifier: Annotated[Path | None, typer.Option(help="Classifier directory whose request-type model tells the auditor which messages are inquiries (default: the shipped classifier).")] = None,
) -> None:
    """Train the reply auditor, print out-of-fold (and gold dev) metrics and write a model directory."""
    from training.args import AuditorTrainingArguments
    from training.fit_auditor import train_auditor

    sheet_needs_data(sheet, data)
    args = AuditorTrainingArguments(train_data=data, train_sheet=sheet, seed=seed, request_type_from=classifier)
    card = _trained(train_auditor, args, data_dir, output_dir)
    _print_audit_metrics(card["metrics"])
    say(f"auditor {card['version']} written to {args.output_dir}")


@train_app.command("encoder")
def train_encoder_command(
    task: Annotated[str, typer.Option(help="type (train on type_silver, measure on type_gold_dev) or category (grouped 80/20 split).")] = "type",
    encoder: Annotated[Path | None, typer.Option(help="Encoder directory to fine-tune (default: the converted e5-small).")] = None,
    output_dir: Annotated[Path, typer.Option(help="Model directory to write.")] = Path("models/encoder"),
    data_dir: Annotated[Path | None, typer.Option(help="Folder with the shared data (default: ../shared/data).")] = None,
    epochs: Annotated[int, typer.Option(min=1)] = 4,
    batch_size: Annotated[int, typer.Option(min=1)] = 16,
    max_length: Annotated[int, typer.Option(min=8, help="Tokens per message.")] = 128,
    learning_rate: Annotated[float, typer.Option()] = 8e-5,
    seed: Annotated[int, typer.Option()] = 0,
    device: Annotated[str | None, typer.Option(help="cpu or cuda (default: cuda when a GPU is there).")] = None,
    mix_weight: Annotated[float, typer.Option(min=0.0, max=1.0, help="type: the encoder's share when --type-encoder mixes it into the TF-IDF request type (recorded in the card).")] = 0.5,
    mix_temperature: Annotated[float, typer.Option(min=0.01, help="type: the temperature that recalibrates the mix (recorded in the card; 0.67 is what --tune-mix 5 fits for the default settings).")] = 0.67,
    tune_mix: Annotated[int, typer.Option(min=0, help="type: choose --mix-weight and --mix-temperature by this many folds of cross-validation on type_silver first (an encoder is fine-tuned in every fold: about 8 minutes each on 2 cores); 0: take them as given.")] = 0,
) -> None:
    """Fine-tune the transformer encoder with a classification head; prints the held-out metrics."""
    from model.encoder import EncoderNotFound
    from training.args import EncoderTrainingArguments
    from training.fit_encoder import train_encoder
    from training.tune_mix import tune_mix as tune_mix_by_cv

    args = EncoderTrainingArguments(task=task, encoder_dir=encoder, output_dir=output_dir, epochs=epochs,
                                    batch_size=batch_size, max_length=max_length, learning_rate=learning_rate,
                                    seed=seed, device=device, mix_weight=mix_weight,
                                    mix_temperature=mix_temperature)
    if data_dir:
        args.data_dir = data_dir
    if tune_mix and task != "type":
        fail("--tune-mix is for --task type: only the request type is mixed", EXIT_BAD_INPUT)
    if tune_mix == 1:
        fail("--tune-mix needs at least 2 folds", EXIT_BAD_INPUT)
    try:
        with progress_bar() as progress:
            tuning = tune_mix_by_cv(args, tune_mix, track(progress)) if tune_mix else None
            if tuning is not None:
                args.mix_weight, args.mix_temperature = tuning.weight, tuning.temperature
            card = train_encoder(args, track(progress), tuning)
    except EncoderNotFound as error:
        fail(str(error), EXIT_MODEL)
    except (FileNotFoundError, InputError, ValueError) as error:
        fail(str(error), EXIT_BAD_INPUT)
    _print_metrics({f"{task} ({card['split']})": card["metrics"]["held_out"]})
    if "held_out_mixed" in card["metrics"]:
        _print_metrics({f"{task}, mixed into the shipped classifier at weight {card['mix_weight']}, temperature "
                        f"{card['mix_temperature']} (--type-encoder)":
                        card["metrics"]["held_out_mixed"]})
    if tuning is not None:
        say(f"mix chosen by {tuning.folds}-fold cross-validation on type_silver (out-of-fold macro-F1, five "
             f"main types; all rows / high-confidence rows):")
        for row in tuning.table:
            say(f"  weight {row['weight']:.1f}: {row['macro_f1']:.3f} / {row['macro_f1_high_confidence']:.3f}")
    say(f"fine-tuned encoder {card['version']} written to {output_dir}")


@evaluate_app.command("auditor")
def evaluate_auditor_command(
    data: Annotated[Path | None, typer.Option(help="Labelled replies (as for `train auditor`). Without it: the gold dev set and the shallow_team_a check on the shared data, else the model card's metrics.")] = None,
    model: AuditModelOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")] = False,
    sheet: SheetOption = None,
) -> None:
    """Print element precision/recall/F1, redo-verdict F1, redo-risk AUC/Brier and relevance accuracy."""
    from training.evaluate_audit import evaluate_auditor

    sheet_needs_data(sheet, data)
    auditor = load_auditor(model, None)
    try:
        metrics = evaluate_auditor(auditor, data, sheet=sheet)
    except (FileNotFoundError, InputError, ValueError) as error:
        fail(str(error), EXIT_BAD_INPUT)
    _show(metrics, as_json, _print_audit_metrics)


def _show(metrics: dict[str, dict], as_json: bool, print_tables: Callable[[dict[str, dict]], None]) -> None:
    if as_json:
        typer.echo(json.dumps(metrics, ensure_ascii=False, indent=2))
    else:
        print_tables(metrics)


def _print_audit_metrics(metrics: dict[str, dict]) -> None:
    out = Console(soft_wrap=True)  # figures stay on one line, whatever the terminal width
    for name, m in metrics.items():
        if "elements" not in m:  # e.g. the shallow_team_a check
            out.print(f"[bold]{escape(name)}[/]: " + escape(", ".join(f"{k} {v}" for k, v in m.items())),
                      highlight=False)
            continue
        out.print(f"[bold]{escape(name)}[/] ({escape(str(m.get('split', '')))}; n={m['n']})", highlight=False)
        table = Table("", "precision", "recall", "F1", "positives")
        for element, c in m["elements"].items():
            label = f"{element} (t={c['threshold']})" if "threshold" in c else element
            table.add_row(label, f"{c['precision']:.3f}", f"{c['recall']:.3f}", f"{c['f1']:.3f}", str(c["positives"]))
        v = m["verdict"]
        table.add_row(f"verdict redo (t={v['threshold']})", f"{v['precision']:.3f}", f"{v['recall']:.3f}",
                      f"{v['f1']:.3f}", str(v["positives"]))
        out.print(table)
        out.print(f"  redo_risk: AUC {v['auc']}, Brier {v['brier']}, ECE {v['ece']}; "
                  f"relevance accuracy {m.get('relevance_accuracy')}", highlight=False)
        if "weakest_f1" in m:
            out.print(f"  weakest F1 of the verdict and org/time/process/result (goal 0.85 each, 0.88 for the "
                      f"verdict): {m['weakest_f1']:.3f}", highlight=False)


@evaluate_app.command("classifier")
def evaluate_classifier_command(
    data: Annotated[Path | None, typer.Option(help="Labelled tickets (.csv/.xlsx/.jsonl) with a label (一级分类) and/or type (诉求类型) column. Without it, the model card's held-out metrics are shown.")] = None,
    model: ModelOption = None,
    type_encoder: TypeEncoderOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")] = False,
    sheet: SheetOption = None,
) -> None:
    """Print macro-F1, per-class precision/recall, confusion matrix and calibration of the classifier."""
    from training.evaluate_classifier import evaluate_on_file

    sheet_needs_data(sheet, data)
    classifier = load_classifier(model, None, type_encoder)
    if data is None:
        metrics = classifier.card.get("metrics", {})
        say(f"metrics from the model card of {classifier.version} (data it did not train on; "
             f"{classifier.card.get('split', {}).get('category_cv', 'see the card for the split')})")
    else:
        try:
            metrics = evaluate_on_file(classifier, data, sheet)
        except InputError as error:
            fail(str(error), EXIT_BAD_INPUT)
    _show(metrics, as_json, _print_metrics)


def _print_metrics(metrics: dict[str, dict]) -> None:
    out = Console(soft_wrap=True)  # figures stay on one line, whatever the terminal width
    for name, m in metrics.items():
        summary = f"[bold]{escape(name)}[/]: macro-F1 {m['macro_f1']:.4f} over {len(m['macro_f1_labels'])} labels, " \
                  f"accuracy {m['accuracy']:.4f}, ECE {m['ece']:.4f}, n={m['n']}"
        if "log_loss" in m:
            summary += f", log-loss {m['log_loss']:.4f}"
        out.print(summary)
        if "macro_f1_by_source" in m:
            out.print("  by content_source: " + ", ".join(f"{k} {v:.4f}" for k, v in m["macro_f1_by_source"].items()),
                      markup=False)
        if m.get("auto_dispatch"):
            a = m["auto_dispatch"]
            out.print(f"  auto-dispatch at p ≥ {a['threshold']}: {a['share']:.1%} of tickets, accuracy {a['accuracy']}")
        table = Table("label", "precision", "recall", "F1", "support")
        for label, c in m["per_class"].items():
            table.add_row(escape(label), f"{c['precision']:.3f}", f"{c['recall']:.3f}", f"{c['f1']:.3f}",
                          str(c["support"]))
        out.print(table)
        confusion = Table("gold \\ predicted", *map(escape, m["confusion"]["labels"]))
        for label, row in zip(m["confusion"]["labels"], m["confusion"]["matrix"]):
            confusion.add_row(escape(label), *map(str, row))
        out.print(confusion)
