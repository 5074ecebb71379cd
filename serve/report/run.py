"""`hotline report`: read an export in chunks, score them (in forked workers with --workers), and stream every row
into the scored tables, the errors file and the per-unit accumulators; write the summary tables and the page last.

The files are written into a temporary folder inside the output folder and moved into place only when the whole run
succeeds: a run that fails halfway (a damaged sheet, Ctrl-C) leaves the previous report as it was.
"""

from __future__ import annotations

import functools
import itertools
import os
import tempfile
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from openpyxl.utils import get_column_letter

from model.audit_results import ELEMENTS
from model.auditor import ReplyAuditor
from model.classifier import TicketClassifier
from serve.batch import map_chunks
from serve.report.aggregate import ReportStats
from serve.report.columns import carried_header, describe, parse_mapping, resolve
from serve.report.page import render
from serve.report.scoring import RowResult, score_rows
from serve.report.writers import ErrorsFile, ScoredTickets, write_json, write_table
from training.exports import InputError, Record, iter_records

UNIT_COLUMNS = ("unit", "tickets", "scored", "audited", "praise", "redo", "redo_rate", "mean_redo_risk",
                "shallow", "shallow_rate", *(f"missing_{name}_rate" for name in ELEMENTS), "mean_score", "timed", "overdue")
OUTPUT_FILES = ("tickets_scored.csv", "tickets_scored.xlsx", "units.csv", "categories.csv", "types.csv",
                "agreement.csv", "errors.csv", "summary.json", "report.html")
# The scored tickets carry every column of the header or of the first WIDTH_ROWS rows (whatever the chunk size, so
# that the output does not depend on it); a later row wider still has its extra cells named in errors.csv.
WIDTH_ROWS = 1000
CELLS_CUT = ("{cut} cell(s) right of column {last} not carried to tickets_scored: the row is wider than the header "
             "and the first {rows} rows")


@dataclass
class ReportSummary:
    rows: int
    problems: int
    audited: int
    redo: int
    xlsx_truncated: bool


def make_report(classifier: TicketClassifier, auditor: ReplyAuditor, source: Path, directory: Path,
                columns: str | None = None, chunk_size: int = 512, workers: int = 1, keep: int = 5,
                on_chunk: Callable[[int], None] | None = None, sheet: str | None = None) -> ReportSummary:
    """Score every row of `source` (its `sheet`, for an .xlsx) and write the report's files into `directory`; raises
    InputError (ColumnError included) before writing anything when the file or its columns cannot be read or the
    file is one the report would write, and leaves `directory` as it was when the file breaks halfway."""
    _not_an_output(source, directory)
    mapping = parse_mapping(columns)
    chunks = iter_records(source, chunk_size, extra_headers=list(mapping), sheet=sheet)
    header, first = next(chunks)
    position = resolve(header, mapping)
    ahead = [first, *_read_ahead(chunks, WIDTH_ROWS - len(first))]
    carried = carried_header(header, itertools.islice((values for records in ahead for _, values in records),
                                                      WIDTH_ROWS))
    stats = ReportStats(position, keep)
    with _staged(directory) as staging:
        scored, errors = ScoredTickets(staging, carried), ErrorsFile(staging)
        try:
            records = itertools.chain(ahead, (records for _, records in chunks))
            _score_all(classifier, auditor, records, position, workers, (scored, errors, stats), on_chunk)
        finally:
            scored.close()
            errors.close()
        _write_tables(stats, staging)
        info = {"input": source.name, "classifier": classifier.version, "auditor": auditor.version,
                "time_limits": auditor.policy.limits.describe()}
        _write_summary(stats, info, describe(position, header), scored.xlsx_truncated, staging)
    return ReportSummary(stats.rows, stats.error_rows, stats.total.audited, stats.total.redo, scored.xlsx_truncated)


def _not_an_output(source: Path, directory: Path) -> None:
    """The input being one of the report's own files (a second run on tickets_scored.csv into the same folder) would
    be replaced by the report: refuse before reading it. Symlinks, `..` and hard links are seen through."""
    for name in OUTPUT_FILES:
        target = directory / name
        try:
            same = source.resolve() == target.resolve() or (target.exists() and target.samefile(source))
        except OSError:
            same = False
        if same:
            raise InputError(f"the input {source} is the report's own {name} in {directory}: "
                             f"write the report to another folder")


def _read_ahead(chunks: Iterator[tuple[list[str], list[Record]]], rows: int) -> list[list[Record]]:
    """The next chunks, until they hold at least `rows` rows (or the file ends)."""
    ahead: list[list[Record]] = []
    while rows > 0 and (chunk := next(chunks, None)) is not None:
        ahead.append(chunk[1])
        rows -= len(chunk[1])
    return ahead


@contextmanager
def _staged(directory: Path) -> Iterator[Path]:
    """A temporary folder inside `directory` (so on its file system) for the report's files, moved into `directory`
    when the block succeeds; removed either way. A `directory` created here is removed again when the block fails."""
    created = not directory.exists()
    directory.mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.TemporaryDirectory(prefix=".hotline-report-", dir=directory) as staging:
            yield Path(staging)
            for name in sorted(os.listdir(staging)):
                os.replace(Path(staging) / name, directory / name)
    except BaseException:
        if created:
            directory.rmdir()
        raise


def _score_all(classifier: TicketClassifier, auditor: ReplyAuditor, chunks: Iterator[list[Record]],
               position: dict[str, int], workers: int, sinks: tuple[ScoredTickets, ErrorsFile, ReportStats],
               on_chunk: Callable[[int], None] | None) -> None:
    """Score the chunks of records in order and hand every row to the scored tickets, the errors file and the stats."""
    scored, errors, stats = sinks
    pending: deque[tuple[list[Record], list[dict[str, str] | None]]] = deque()

    def fields_of(values: list[str] | None) -> dict[str, str] | None:
        return None if values is None else {name: values[i] if i < len(values) else ""
                                            for name, i in position.items()}

    def to_score() -> Iterator[list[dict[str, str] | None]]:
        for records in chunks:
            rows = [fields_of(values) for _, values in records]
            pending.append((records, rows))
            yield rows

    for results in map_chunks(functools.partial(score_rows, classifier, auditor), to_score(), workers):
        records, rows = pending.popleft()
        for (number, values), fields, result in zip(records, rows, results):
            _note_cut_cells(values, scored.width, result)
            fields = fields or {}
            scored.write(values, result)
            errors.write(number, fields.get("id", ""), result)
            stats.add(number, fields, result)
        if on_chunk:
            on_chunk(len(results))


def _note_cut_cells(values: list[str] | None, width: int, result: RowResult) -> None:
    """Filled cells beyond the scored tickets' columns are not lost silently: the row gets a problem naming them."""
    cut = sum(bool(cell.strip()) for cell in (values or [])[width:])
    if cut:
        result.problems.append(("", CELLS_CUT.format(cut=cut, last=get_column_letter(width), rows=WIDTH_ROWS)))


def _write_summary(stats: ReportStats, info: dict[str, str], columns: dict[str, str], xlsx_truncated: bool,
                   directory: Path) -> None:
    """summary.json (the totals, agreement rates, columns read, model versions) and report.html."""
    write_json(directory / "summary.json", {
        **info, "rows": stats.rows, "rows_with_problems": stats.error_rows, "columns": columns,
        "totals": stats.total.row("all", stats.outcome_columns), "agreement": stats.agreement(),
        "xlsx_truncated": xlsx_truncated,
    })
    (directory / "report.html").write_text(render(stats, info), encoding="utf-8")


def _write_tables(stats: ReportStats, directory: Path) -> None:
    unit_columns = (*UNIT_COLUMNS, *(f"{name}_rate" for name in stats.outcome_columns), "worst_ids", "worst_rows")
    write_table(directory / "units.csv", stats.unit_table(), unit_columns)
    write_table(directory / "categories.csv", stats.category_table(),
                ("category", "category_name", "tickets", "share", "needs_review"))
    write_table(directory / "types.csv", stats.type_table(), ("type", "tickets", "share"))
    write_table(directory / "agreement.csv", stats.agreement_table(),
                ("field", "office_label", "predicted", "tickets", "agrees"))
