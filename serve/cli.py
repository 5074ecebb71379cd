"""The `hotline` command line: classify tickets, audit replies and find repeat complaints in files, report on a whole
export per unit, train and evaluate the models, serve the HTTP service."""

from __future__ import annotations

import json
import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from model.artifacts import ModelFileError, read_card
from model.text import TOKENISE_LIMIT
from training.exports import InputError

app = typer.Typer(help="hotline: classify 12345 hotline tickets and audit replies.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
train_app = typer.Typer(help="Train models.", no_args_is_help=True)
evaluate_app = typer.Typer(help="Measure models on labelled data.", no_args_is_help=True)
app.add_typer(train_app, name="train")
app.add_typer(evaluate_app, name="evaluate")

err = Console(stderr=True, soft_wrap=True)  # messages stay whole lines: other tools grep them
EXIT_BAD_INPUT = 2
EXIT_MODEL = 3

ModelOption = Annotated[Path | None, typer.Option("--model", "-m", help="Model directory (default: the shipped model).")]
AuditModelOption = Annotated[Path | None, typer.Option("--model", "-m", "--auditor", help="Reply auditor directory (default: the shipped auditor).")]
TaxonomyOption = Annotated[Path | None, typer.Option("--taxonomy", help="A locality's taxonomy TOML laid over the shipped one.")]
TypeEncoderOption = Annotated[Path | None, typer.Option("--type-encoder", help="A fine-tuned request-type encoder (`hotline train encoder`) to mix into the request type: more accurate, about 50 ms a ticket on a CPU (README, Encoder).")]
SheetOption = Annotated[str | None, typer.Option("--sheet", help="The .xlsx sheet to read, by name or number (1 is the first; default: the sheet whose header names the most known columns).")]


def _fail(message: str, code: int) -> None:
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False)  # paths and headers may hold [brackets]
    raise typer.Exit(code)


def _say(message: str) -> None:
    """A line for the user on stderr, as written: file names, paths and headers may hold [brackets]."""
    err.print(message, markup=False, highlight=False)


def _sheet_needs_data(sheet: str | None, data: Path | None) -> None:
    """`--sheet` names a sheet of the `--data` file; without one it would be silently ignored."""
    if sheet is not None and data is None:
        _fail("--sheet picks a sheet of the --data file: give --data too", EXIT_BAD_INPUT)


def _not_the_input(source: Path, destination: Path) -> None:
    """Writing the results over the file being read would destroy it halfway through: refuse before opening it."""
    try:
        same = source.resolve() == destination.resolve() or (destination.exists() and destination.samefile(source))
    except OSError:
        same = False
    if same:
        _fail(f"the output {destination} is the input file: write the results to another file", EXIT_BAD_INPUT)


def _file_problem(error: OSError) -> str:
    """An input or output path the system refuses (a folder where a file is expected, no permission, disk full …)."""
    where = f"{error.filename}: " if error.filename else ""
    return f"{where}{error.strerror or error}"


def _not_toml(path: Path | None, error: tomllib.TOMLDecodeError) -> str:
    """A --taxonomy or --policy file the TOML parser rejects (the shipped files parse): its message says where in the
    file, not which file."""
    return f"{path} is not valid TOML: {error}"


def _progress() -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}", markup=False), BarColumn(),
                    MofNCompleteColumn(), TimeElapsedColumn(), console=err, transient=not sys.stderr.isatty(),
                    disable=not sys.stderr.isatty())


def _load_classifier(model: Path | None, taxonomy: Path | None, type_encoder: Path | None = None,
                     workers: int = 1):
    from model.classifier import TicketClassifier

    if type_encoder is not None and workers > 1:
        _fail("--type-encoder runs torch on every core already: use --workers 1 with it", EXIT_BAD_INPUT)
    try:
        classifier = TicketClassifier.load(model, taxonomy)
    except tomllib.TOMLDecodeError as error:
        _fail(f"cannot load the model: {_not_toml(taxonomy, error)}", EXIT_MODEL)
    except (ModelFileError, OSError, ValueError) as error:
        _fail(f"cannot load the model: {error}", EXIT_MODEL)
    if type_encoder is not None:
        from model.encoder_classifier import EncoderMix

        try:
            read_card(type_encoder)
            classifier.type_encoder = EncoderMix.load(type_encoder)
        except (ModelFileError, OSError, ValueError) as error:
            _fail(f"cannot load the type encoder: {error}", EXIT_MODEL)
    return classifier


@app.command()
def classify(
    input: Annotated[Path, typer.Argument(help="Tickets: .csv, .xlsx or .jsonl with content (or 诉求内容/留言详情); optional id (工单编号/留言编号; else the row number), title (标题/留言主题).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Results: .jsonl, .csv or .xlsx.")],
    model: ModelOption = None,
    taxonomy: TaxonomyOption = None,
    type_encoder: TypeEncoderOption = None,
    sheet: SheetOption = None,
    chunk_size: Annotated[int, typer.Option(min=1, help="Rows classified at a time.")] = 512,
    workers: Annotated[int, typer.Option(min=1, help="Processes to classify with (2 uses both cores here).")] = 1,
) -> None:
    """Classify every ticket of INPUT: category, request type, routing, needs_review — one row out per row in."""
    from serve.batch import classify_file

    classifier = _load_classifier(model, taxonomy, type_encoder, workers)
    _score_file(classify_file, classifier, input, output, chunk_size, workers, "classifying", "need review", sheet)


PolicyOption = Annotated[Path | None, typer.Option("--policy", help="An office's audit policy TOML (score weights, time limits, calendar days) laid over the shipped one.")]


def _load_auditor(model: Path | None, policy: Path | None):
    from model.auditor import ReplyAuditor

    try:
        return ReplyAuditor.load(model, policy)
    except tomllib.TOMLDecodeError as error:
        _fail(f"cannot load the auditor: {_not_toml(policy, error)}", EXIT_MODEL)
    except (ModelFileError, OSError, ValueError) as error:
        _fail(f"cannot load the auditor: {error}", EXIT_MODEL)


@app.command()
def audit(
    input: Annotated[Path, typer.Argument(help="Replies: .csv, .xlsx or .jsonl with content (or 留言详情), reply (or 答复意见/回复内容); optional id (else the row number), title, message_time, reply_time (答复时间), type, unit (承办单位).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Results: .jsonl, .csv or .xlsx.")],
    model: AuditModelOption = None,
    policy: PolicyOption = None,
    sheet: SheetOption = None,
    chunk_size: Annotated[int, typer.Option(min=1, help="Rows audited at a time.")] = 512,
    workers: Annotated[int, typer.Option(min=1, help="Processes to audit with (2 uses both cores here).")] = 1,
) -> None:
    """Audit every reply of INPUT: five elements with evidence, verdict, redo risk, relevance, issues, suggestions."""
    from serve.batch import audit_file

    _score_file(audit_file, _load_auditor(model, policy), input, output, chunk_size, workers, "auditing",
                "at risk of redo", sheet)


def _score_file(score, scorer, source: Path, destination: Path, chunk_size: int, workers: int, doing: str,
                flagged: str, sheet: str | None) -> None:
    """Run a batch scorer with a progress bar; bad input (ColumnError included) is one message and exit code 2."""
    _not_the_input(source, destination)
    try:
        with _progress() as progress:
            task = progress.add_task(doing, total=None)
            summary = score(scorer, source, destination, chunk_size, on_chunk=lambda n: progress.advance(task, n),
                            workers=workers, sheet=sheet)
    except InputError as error:
        _fail(str(error), EXIT_BAD_INPUT)
    except OSError as error:
        _fail(_file_problem(error), EXIT_BAD_INPUT)
    _say(f"{summary.rows} rows → {destination} ({summary.errors} with errors, {summary.flagged} {flagged}; "
         f"model {scorer.version})")
    if summary.cut_cells:
        _say(f"warning: {summary.cut_cells} cells were longer than Excel's 32,767 characters and were cut; "
             f"write .jsonl or .csv to keep them whole")


AuditorOption = Annotated[Path | None, typer.Option("--auditor", help="Reply auditor directory (default: the shipped auditor).")]


@app.command()
def report(
    input: Annotated[Path, typer.Argument(help="An office export: .xlsx, .csv or .jsonl with the message (诉求内容/留言详情) and, where present, 工单编号, 标题, 答复内容, 承办单位, 受理时间, 办结时间, 一级分类, 诉求类型, 是否办结, 满意度.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for the report's files (created).")],
    columns: Annotated[str | None, typer.Option("--columns", help="Map other headers to the report's names: 回复正文=reply,处理部门=unit — or a .toml/.json file of such pairs. Names: id, title, content, reply, message_time, reply_time, unit, label, type, completed, on_time, satisfied.")] = None,
    model: ModelOption = None,
    taxonomy: TaxonomyOption = None,
    type_encoder: TypeEncoderOption = None,
    auditor: AuditorOption = None,
    policy: PolicyOption = None,
    sheet: SheetOption = None,
    worst: Annotated[int, typer.Option(min=1, help="Worst replies listed per unit.")] = 5,
    chunk_size: Annotated[int, typer.Option(min=1, help="Rows scored at a time.")] = 512,
    workers: Annotated[int, typer.Option(min=1, help="Processes to score with (2 uses both cores here).")] = 1,
) -> None:
    """Score every ticket of INPUT (classification; audit where there is a reply) and write the scored tickets, per-unit,
    category and type tables, the rows with problems and an HTML report into OUTPUT."""
    from serve.report.run import make_report

    classifier = _load_classifier(model, taxonomy, type_encoder, workers)
    reply_auditor = _load_auditor(auditor, policy)
    try:
        with _progress() as progress:
            task = progress.add_task("scoring", total=None)
            summary = make_report(classifier, reply_auditor, input, output, columns, chunk_size, workers, worst,
                                  on_chunk=lambda n: progress.advance(task, n), sheet=sheet)
    except InputError as error:
        _fail(str(error), EXIT_BAD_INPUT)
    except OSError as error:
        _fail(_file_problem(error), EXIT_BAD_INPUT)
    _say(f"{summary.rows} rows → {output}/report.html ({summary.problems} with problems in errors.csv; "
         f"{summary.audited} replies audited, {summary.redo} at risk of redo; model {classifier.version}, "
         f"auditor {reply_auditor.version})")
    if summary.xlsx_truncated:
        _say("tickets_scored.xlsx holds Excel's maximum of rows; tickets_scored.csv has them all")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (0.0.0.0: every interface).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Server processes, each holding its own copy of the models "
                                                     "(about 300 MB each with the default models).")] = 1,
    model: ModelOption = None,
    taxonomy: TaxonomyOption = None,
    type_encoder: TypeEncoderOption = None,
    auditor: AuditorOption = None,
    policy: PolicyOption = None,
    similar_index: Annotated[Path | None, typer.Option(help="Repeat-complaint index for /similar (built with `hotline index build`).")] = None,
    log_level: Annotated[str, typer.Option(help="debug, info, warning or error.")] = "info",
) -> None:
    """Run the HTTP service (API, docs at /docs, web page at /) with uvicorn; other settings come from HOTLINE_* variables."""
    import os

    import uvicorn
    from pydantic import ValidationError

    from model.audit_policy import AuditPolicy
    from model.routing import Taxonomy
    from serve.logs import log_config
    from serve.settings import Settings

    try:  # HOTLINE_* variables are read again in every worker: a bad one is one message here, not a traceback each
        Settings()
    except ValidationError as error:
        problems = "; ".join(f"HOTLINE_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in error.errors())
        _fail(f"bad setting: {problems}", EXIT_BAD_INPUT)
    try:  # cheap checks here, so a wrong path is one clear message rather than a traceback per worker
        for directory in (model, type_encoder):
            if directory is not None:
                read_card(directory)
        Taxonomy.load(taxonomy)
    except tomllib.TOMLDecodeError as error:
        _fail(f"cannot load the model: {_not_toml(taxonomy, error)}", EXIT_MODEL)
    except (ModelFileError, OSError, ValueError) as error:
        _fail(f"cannot load the model: {error}", EXIT_MODEL)
    try:
        if auditor is not None:
            read_card(auditor)
        AuditPolicy.load(policy)
    except tomllib.TOMLDecodeError as error:
        _fail(f"cannot load the auditor: {_not_toml(policy, error)}", EXIT_MODEL)
    except (ModelFileError, OSError, ValueError) as error:
        _fail(f"cannot load the auditor: {error}", EXIT_MODEL)
    index = similar_index or (Path(os.environ["HOTLINE_SIMILAR_INDEX"]) if os.environ.get("HOTLINE_SIMILAR_INDEX")
                              else None)
    if index is not None:
        from model.similar import read_manifest

        try:
            read_manifest(index)
        except ModelFileError as error:
            _fail(f"cannot open the repeat-complaint index: {error}", EXIT_MODEL)
    # Settings are read from the environment in every worker process, so the options travel that way.
    for name, path in (("HOTLINE_MODEL_DIR", model), ("HOTLINE_TAXONOMY", taxonomy), ("HOTLINE_TYPE_ENCODER", type_encoder),
                       ("HOTLINE_AUDITOR_DIR", auditor), ("HOTLINE_AUDIT_POLICY", policy),
                       ("HOTLINE_SIMILAR_INDEX", similar_index)):
        if path is not None:
            os.environ[name] = str(path.resolve())
    uvicorn.run("serve.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_config=log_config(log_level), log_level=log_level, access_log=False)


def _track(progress: Progress):
    def track(items: Iterable[Any], description: str, total: int) -> Iterable[Any]:
        task = progress.add_task(description, total=total)
        for item in items:
            yield item
            progress.advance(task)
    return track


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

    _sheet_needs_data(sheet, data)
    args = ClassifierTrainingArguments(seed=seed, category_data=data, category_sheet=sheet,
                                       tokenise_limit=tokenise_limit)
    if data_dir:
        args.data_dir = data_dir
    if output_dir:
        args.output_dir = output_dir
    try:
        with _progress() as progress:
            classifier, card = train_classifier(args, _track(progress))
    except (FileNotFoundError, InputError) as error:
        _fail(str(error), EXIT_BAD_INPUT)
    card = classifier.save(args.output_dir, card)
    _print_metrics(card["metrics"])
    _say(f"model {card['version']} written to {args.output_dir}")


@train_app.command("auditor")
def train_auditor_command(
    data: Annotated[Path | None, typer.Option(help="Your own labelled replies (id, title, content, reply, org, time, process, result, contact, relevant, verdict) instead of replies/audit_silver.csv.")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Folder with the shared replies/ data (default: ../shared/data).")] = None,
    output_dir: Annotated[Path | None, typer.Option(help="Model directory to write (default: the shipped auditor's).")] = None,
    seed: Annotated[int, typer.Option(help="Random seed (folds).")] = 0,
    sheet: SheetOption = None,
) -> None:
    """Train the reply auditor, print out-of-fold (and gold dev) metrics and write a model directory."""
    from training.args import AuditorTrainingArguments
    from training.fit_auditor import train_auditor

    _sheet_needs_data(sheet, data)
    args = AuditorTrainingArguments(train_data=data, train_sheet=sheet, seed=seed)
    if data_dir:
        args.data_dir = data_dir
    if output_dir:
        args.output_dir = output_dir
    try:
        with _progress() as progress:
            card = train_auditor(args, _track(progress))
    except (FileNotFoundError, InputError, ValueError) as error:
        _fail(str(error), EXIT_BAD_INPUT)
    _print_audit_metrics(card["metrics"])
    _say(f"auditor {card['version']} written to {args.output_dir}")


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
        _fail("--tune-mix is for --task type: only the request type is mixed", EXIT_BAD_INPUT)
    if tune_mix == 1:
        _fail("--tune-mix needs at least 2 folds", EXIT_BAD_INPUT)
    try:
        with _progress() as progress:
            tuning = tune_mix_by_cv(args, tune_mix, _track(progress)) if tune_mix else None
            if tuning is not None:
                args.mix_weight, args.mix_temperature = tuning.weight, tuning.temperature
            card = train_encoder(args, _track(progress), tuning)
    except EncoderNotFound as error:
        _fail(str(error), EXIT_MODEL)
    except (FileNotFoundError, InputError, ValueError) as error:
        _fail(str(error), EXIT_BAD_INPUT)
    _print_metrics({f"{task} ({card['split']})": card["metrics"]["held_out"]})
    if "held_out_mixed" in card["metrics"]:
        _print_metrics({f"{task}, mixed into the shipped classifier at weight {card['mix_weight']}, temperature "
                        f"{card['mix_temperature']} (--type-encoder)":
                        card["metrics"]["held_out_mixed"]})
    if tuning is not None:
        _say(f"mix chosen by {tuning.folds}-fold cross-validation on type_silver (out-of-fold macro-F1, five "
             f"main types; all rows / high-confidence rows):")
        for row in tuning.table:
            _say(f"  weight {row['weight']:.1f}: {row['macro_f1']:.3f} / {row['macro_f1_high_confidence']:.3f}")
    _say(f"fine-tuned encoder {card['version']} written to {output_dir}")


@evaluate_app.command("auditor")
def evaluate_auditor_command(
    data: Annotated[Path | None, typer.Option(help="Labelled replies (as for `train auditor`). Without it: the gold dev set and the shallow_team_a check on the shared data, else the model card's metrics.")] = None,
    model: AuditModelOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")] = False,
    sheet: SheetOption = None,
) -> None:
    """Print element precision/recall/F1, redo-verdict F1, redo-risk AUC/Brier and relevance accuracy."""
    from training.evaluate_audit import evaluate_auditor

    _sheet_needs_data(sheet, data)
    auditor = _load_auditor(model, None)
    try:
        metrics = evaluate_auditor(auditor, data, sheet=sheet)
    except (FileNotFoundError, InputError, ValueError) as error:
        _fail(str(error), EXIT_BAD_INPUT)
    if as_json:
        typer.echo(json.dumps(metrics, ensure_ascii=False, indent=2))
    else:
        _print_audit_metrics(metrics)


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

    _sheet_needs_data(sheet, data)
    classifier = _load_classifier(model, None, type_encoder)
    if data is None:
        metrics = classifier.card.get("metrics", {})
        _say(f"metrics from the model card of {classifier.version} (data it did not train on; "
             f"{classifier.card.get('split', {}).get('category_cv', 'see the card for the split')})")
    else:
        try:
            metrics = evaluate_on_file(classifier, data, sheet)
        except InputError as error:
            _fail(str(error), EXIT_BAD_INPUT)
    if as_json:
        typer.echo(json.dumps(metrics, ensure_ascii=False, indent=2))
    else:
        _print_metrics(metrics)


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


# -- repeat complaints: `hotline index build|add`, `hotline similar` ---------------------------------------------------

index_app = typer.Typer(help="Build and extend the index of past tickets that `hotline similar` searches.",
                        no_args_is_help=True)
app.add_typer(index_app, name="index")
IndexOption = Annotated[Path, typer.Option("--index", help="Index directory (`hotline index build` writes one).")]
PastFile = Annotated[Path, typer.Argument(help="Past tickets: .csv, .xlsx or .jsonl with id, title, content (or 工单编号/留言编号, 标题/留言主题, 诉求内容/留言详情); optional message_time (留言时间), unit (承办单位).")]


def _open_index(directory: Path):
    from model.similar import TicketIndex

    try:
        return TicketIndex.open(directory)
    except (ModelFileError, OSError, ValueError) as error:
        _fail(f"cannot load the index: {error}", EXIT_MODEL)


def _past_tickets(path: Path, sheet: str | None):
    from serve.similar_file import read_past_tickets

    try:
        return read_past_tickets(path, sheet)
    except InputError as error:
        _fail(str(error), EXIT_BAD_INPUT)


@index_app.command("build")
def index_build(
    past: PastFile,
    index: IndexOption,
    sheet: SheetOption = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an index already in the directory.")] = False,
    semantic: Annotated[bool, typer.Option("--semantic", help="Also keep e5 embeddings and mix them into the score: finds more reworded repeats; needs the converted encoder (README, Encoder) and takes about 0.1 s of CPU per ticket.")] = False,
    encoder: Annotated[Path | None, typer.Option("--encoder", help="Encoder directory for --semantic (default: ~/.cache/hotline/e5-small or $HOTLINE_ENCODER_DIR).")] = None,
) -> None:
    """Index the past tickets of PAST_FILE (the vocabulary is fitted on them) into a new index directory."""
    from model.similar import MANIFEST, TicketIndex

    if (index / MANIFEST).exists() and not force:
        _fail(f"{index} already holds an index: add tickets with `hotline index add`, or rebuild it with --force",
              EXIT_BAD_INPUT)
    past_tickets = _past_tickets(past, sheet)
    if not past_tickets.tickets:
        _fail(f"{past.name} has no ticket to index (skipped: {past_tickets.summary()})", EXIT_BAD_INPUT)
    text_encoder = None
    if semantic:
        from model.encoder import TextEncoder

        try:
            text_encoder = TextEncoder.load(encoder)
        except (OSError, ValueError) as error:
            _fail(f"cannot load the encoder: {error}", EXIT_MODEL)
    try:
        with _progress() as progress:
            progress.add_task("indexing", total=None)
            built = TicketIndex.build(past_tickets.tickets, encoder=text_encoder)
            built.save(index)
    except OSError as error:
        _fail(_file_problem(error), EXIT_BAD_INPUT)
    _say(f"{len(built)} tickets indexed → {index} (rows skipped: {past_tickets.summary()}; index "
         f"{built.version}, threshold {built.settings.threshold})")


@index_app.command("add")
def index_add(file: PastFile, index: IndexOption, sheet: SheetOption = None) -> None:
    """Add the tickets of FILE to the index (those whose id it already holds are left as they are)."""
    opened = _open_index(index)
    past_tickets = _past_tickets(file, sheet)
    try:
        added = opened.add_and_save(past_tickets.tickets)  # under the index's lock: safe beside a running service
    except ModelFileError as error:
        _fail(f"cannot save to the index: {error}", EXIT_MODEL)
    except OSError as error:
        _fail(_file_problem(error), EXIT_BAD_INPUT)
    _say(f"{added} tickets added → {index} ({len(past_tickets.tickets) - added} already there; rows skipped: "
         f"{past_tickets.summary()}; {len(opened)} in the index)")


@app.command()
def similar(
    input: Annotated[Path, typer.Argument(help="New tickets: .csv, .xlsx or .jsonl with id, title, content (office headers understood, as for classify); optional message_time, unit.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Results: .jsonl, .csv or .xlsx.")],
    index: IndexOption,
    k: Annotated[int, typer.Option("--k", "-k", min=1, max=100, help="Most matches listed per ticket.")] = 5,
    threshold: Annotated[float | None, typer.Option(min=0.0, max=1.0, help="Lowest score listed (default: the index's).")] = None,
    add: Annotated[bool, typer.Option("--add", help="Afterwards, add the rows to the index (rows of the same file are not matched to each other).")] = False,
    sheet: SheetOption = None,
    chunk_size: Annotated[int, typer.Option(min=1, help="Rows searched at a time.")] = 512,
) -> None:
    """For each ticket of INPUT, the earlier tickets of the index about the same matter (重复投诉), with evidence."""
    from serve.similar_file import similar_file

    _not_the_input(input, output)
    opened = _open_index(index)
    try:
        with _progress() as progress:
            task = progress.add_task("searching", total=None)
            summary = similar_file(opened, input, output, k, threshold, add, chunk_size,
                                   on_chunk=lambda n: progress.advance(task, n), sheet=sheet)
    except InputError as error:
        _fail(str(error), EXIT_BAD_INPUT)
    except ModelFileError as error:
        _fail(f"cannot save to the index: {error}", EXIT_MODEL)
    except OSError as error:
        _fail(_file_problem(error), EXIT_BAD_INPUT)
    _say(f"{summary.rows} rows → {output} ({summary.errors} with errors, {summary.with_matches} with earlier "
         f"tickets about the same matter; index of {len(opened) - summary.added} tickets"
         + (f", {summary.added} added" if add else "") + ")")
    if add and summary.added < summary.rows - summary.errors:
        _say(f"not added: {summary.offered - summary.added} with an id already in the index or earlier in the "
             f"file, {summary.rows - summary.errors - summary.offered} without an id")
