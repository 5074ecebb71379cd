"""`hotline classify`, `audit`, `report`, `similar` and `index build|add`: files of tickets and replies in, scored
files out, with a progress bar and one message (exit code 2) for input that cannot be read."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from model.artifacts import ModelFileError
from serve.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_MODEL,
    AuditModelOption,
    AuditorOption,
    ModelOption,
    PolicyOption,
    SheetOption,
    TaxonomyOption,
    TypeEncoderOption,
    app,
    fail,
    file_problem,
    load_auditor,
    load_classifier,
    loading,
    not_the_input,
    progress_bar,
    say,
)
from training.exports import InputError


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

    classifier = load_classifier(model, taxonomy, type_encoder, workers)
    _score_file(classify_file, classifier, input, output, chunk_size, workers, "classifying", "need review", sheet)



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

    _score_file(audit_file, load_auditor(model, policy), input, output, chunk_size, workers, "auditing",
                "at risk of redo", sheet)


def _score_file(score, scorer, source: Path, destination: Path, chunk_size: int, workers: int, doing: str,
                flagged: str, sheet: str | None) -> None:
    """Run a batch scorer with a progress bar; bad input (ColumnError included) is one message and exit code 2."""
    not_the_input(source, destination)
    try:
        with progress_bar() as progress:
            task = progress.add_task(doing, total=None)
            summary = score(scorer, source, destination, chunk_size, on_chunk=lambda n: progress.advance(task, n),
                            workers=workers, sheet=sheet)
    except InputError as error:
        fail(str(error), EXIT_BAD_INPUT)
    except OSError as error:
        fail(file_problem(error), EXIT_BAD_INPUT)
    say(f"{summary.rows} rows → {destination} ({summary.errors} with errors, {summary.flagged} {flagged}; "
         f"model {scorer.version})")
    if summary.cut_cells:
        say(f"warning: {summary.cut_cells} cells were longer than Excel's 32,767 characters and were cut; "
             f"write .jsonl or .csv to keep them whole")



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

    classifier = load_classifier(model, taxonomy, type_encoder, workers)
    reply_auditor = load_auditor(auditor, policy)
    try:
        with progress_bar() as progress:
            task = progress.add_task("scoring", total=None)
            summary = make_report(classifier, reply_auditor, input, output, columns, chunk_size, workers, worst,
                                  on_chunk=lambda n: progress.advance(task, n), sheet=sheet)
    except InputError as error:
        fail(str(error), EXIT_BAD_INPUT)
    except OSError as error:
        fail(file_problem(error), EXIT_BAD_INPUT)
    say(f"{summary.rows} rows → {output}/report.html ({summary.problems} with problems in errors.csv; "
         f"{summary.audited} replies audited, {summary.redo} at risk of redo; model {classifier.version}, "
         f"auditor {reply_auditor.version})")
    if summary.xlsx_truncated:
        say("tickets_scored.xlsx holds Excel's maximum of rows; tickets_scored.csv has them all")



# -- repeat complaints: `hotline index build|add`, `hotline similar` ---------------------------------------------------

index_app = typer.Typer(help="Build and extend the index of past tickets that `hotline similar` searches.",
                        no_args_is_help=True)
app.add_typer(index_app, name="index")
IndexOption = Annotated[Path, typer.Option("--index", help="Index directory (`hotline index build` writes one).")]
PastFile = Annotated[Path, typer.Argument(help="Past tickets: .csv, .xlsx or .jsonl with id, title, content (or 工单编号/留言编号, 标题/留言主题, 诉求内容/留言详情); optional message_time (留言时间), unit (承办单位).")]


def _open_index(directory: Path):
    from model.similar import TicketIndex

    with loading("index"):
        return TicketIndex.open(directory)


def _past_tickets(path: Path, sheet: str | None):
    from serve.similar_file import read_past_tickets

    try:
        return read_past_tickets(path, sheet)
    except InputError as error:
        fail(str(error), EXIT_BAD_INPUT)


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
        fail(f"{index} already holds an index: add tickets with `hotline index add`, or rebuild it with --force",
              EXIT_BAD_INPUT)
    past_tickets = _past_tickets(past, sheet)
    if not past_tickets.tickets:
        fail(f"{past.name} has no ticket to index (skipped: {past_tickets.summary()})", EXIT_BAD_INPUT)
    text_encoder = None
    if semantic:
        from model.encoder import TextEncoder

        try:
            text_encoder = TextEncoder.load(encoder)
        except (OSError, ValueError) as error:
            fail(f"cannot load the encoder: {error}", EXIT_MODEL)
    try:
        with progress_bar() as progress:
            progress.add_task("indexing", total=None)
            built = TicketIndex.build(past_tickets.tickets, encoder=text_encoder)
            built.save(index)
    except OSError as error:
        fail(file_problem(error), EXIT_BAD_INPUT)
    say(f"{len(built)} tickets indexed → {index} (rows skipped: {past_tickets.summary()}; index "
         f"{built.version}, threshold {built.settings.threshold})")


@index_app.command("add")
def index_add(file: PastFile, index: IndexOption, sheet: SheetOption = None) -> None:
    """Add the tickets of FILE to the index (those whose id it already holds are left as they are)."""
    opened = _open_index(index)
    past_tickets = _past_tickets(file, sheet)
    try:
        added = opened.add_and_save(past_tickets.tickets)  # under the index's lock: safe beside a running service
    except ModelFileError as error:
        fail(f"cannot save to the index: {error}", EXIT_MODEL)
    except OSError as error:
        fail(file_problem(error), EXIT_BAD_INPUT)
    say(f"{added} tickets added → {index} ({len(past_tickets.tickets) - added} already there; rows skipped: "
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

    not_the_input(input, output)
    opened = _open_index(index)
    try:
        with progress_bar() as progress:
            task = progress.add_task("searching", total=None)
            summary = similar_file(opened, input, output, k, threshold, add, chunk_size,
                                   on_chunk=lambda n: progress.advance(task, n), sheet=sheet)
    except InputError as error:
        fail(str(error), EXIT_BAD_INPUT)
    except ModelFileError as error:
        fail(f"cannot save to the index: {error}", EXIT_MODEL)
    except OSError as error:
        fail(file_problem(error), EXIT_BAD_INPUT)
    say(f"{summary.rows} rows → {output} ({summary.errors} with errors, {summary.with_matches} with earlier "
         f"tickets about the same matter; index of {len(opened) - summary.added} tickets"
         + (f", {summary.added} added" if add else "") + ")")
    if add and summary.added < summary.rows - summary.errors:
        say(f"not added: {summary.offered - summary.added} with an id already in the index or earlier in the "
             f"file, {summary.rows - summary.errors - summary.offered} without an id")
