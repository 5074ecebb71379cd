"""`hotline report`: read an export in chunks, score them (in forked workers with --workers), and stream every row
into the scored tables, the errors file and the per-unit accumulators; write the summary tables and the page last.
"""

from __future__ import annotations

import functools
import itertools
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from model.audit_results import ELEMENTS
from model.auditor import ReplyAuditor
from model.classifier import TicketClassifier
from serve.batch import map_chunks
from serve.report.aggregate import ReportStats
from serve.report.columns import describe, parse_mapping, resolve
from serve.report.page import render
from serve.report.scoring import score_rows
from serve.report.writers import ErrorsFile, ScoredTickets, write_json, write_table
from training.exports import Record, iter_records

UNIT_COLUMNS = ("unit", "tickets", "scored", "audited", "praise", "redo", "redo_rate", "mean_redo_risk",
                "shallow", "shallow_rate", *(f"missing_{name}_rate" for name in ELEMENTS), "mean_score", "timed", "overdue")


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
    InputError (ColumnError included) before writing anything when the file or its columns cannot be read."""
    mapping = parse_mapping(columns)
    chunks = iter_records(source, chunk_size, extra_headers=list(mapping), sheet=sheet)
    header, first = next(chunks)
    position = resolve(header, mapping)
    directory.mkdir(parents=True, exist_ok=True)
    stats = ReportStats(position, keep)
    scored, errors = ScoredTickets(directory, header), ErrorsFile(directory)
    pending: deque[tuple[list[Record], list[dict[str, str] | None]]] = deque()

    def fields_of(values: list[str] | None) -> dict[str, str] | None:
        return None if values is None else {name: values[i] if i < len(values) else ""
                                            for name, i in position.items()}

    def to_score() -> Iterator[list[dict[str, str] | None]]:
        for _, records in itertools.chain([(header, first)], chunks):
            rows = [fields_of(values) for _, values in records]
            pending.append((records, rows))
            yield rows

    try:
        for results in map_chunks(functools.partial(score_rows, classifier, auditor), to_score(), workers):
            records, rows = pending.popleft()
            for (number, values), fields, result in zip(records, rows, results):
                fields = fields or {}
                scored.write(values, result)
                errors.write(number, fields.get("id", ""), result)
                stats.add(number, fields, result)
            if on_chunk:
                on_chunk(len(results))
    finally:
        scored.close()
        errors.close()
    _write_tables(stats, directory)
    info = {"input": source.name, "classifier": classifier.version, "auditor": auditor.version,
            "time_limits": auditor.policy.limits.describe()}
    write_json(directory / "summary.json", {
        **info, "rows": stats.rows, "rows_with_problems": stats.error_rows,
        "columns": describe(position, header), "totals": stats.total.row("all", stats.outcome_columns),
        "agreement": stats.agreement(), "xlsx_truncated": scored.xlsx_truncated,
    })
    (directory / "report.html").write_text(render(stats, info), encoding="utf-8")
    return ReportSummary(stats.rows, stats.error_rows, stats.total.audited, stats.total.redo, scored.xlsx_truncated)


def _write_tables(stats: ReportStats, directory: Path) -> None:
    unit_columns = (*UNIT_COLUMNS, *(f"{name}_rate" for name in stats.outcome_columns), "worst_ids", "worst_rows")
    write_table(directory / "units.csv", stats.unit_table(), unit_columns)
    write_table(directory / "categories.csv", stats.category_table(),
                ("category", "category_name", "tickets", "share", "needs_review"))
    write_table(directory / "types.csv", stats.type_table(), ("type", "tickets", "share"))
    write_table(directory / "agreement.csv", stats.agreement_table(),
                ("field", "office_label", "predicted", "tickets", "agrees"))
