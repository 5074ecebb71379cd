"""Streaming batch scoring (classification or reply audit): a table in, one result per row out, in input order,
nothing dropped.

Rows are read and scored in chunks so memory stays bounded; a row that cannot be read or is empty gets an `error`
in its output and every other row is scored as usual.
"""

from __future__ import annotations

import csv
import functools
import itertools
import json
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from model.audit_results import Audit, ReplyTicket
from model.auditor import ReplyAuditor
from model.classifier import TicketClassifier
from model.results import Classification, Ticket
from model.text import default_tokenizer
from training.exports import InputError, iter_records, resolve_columns

XLSX_MAX_CHARS = 32_767  # Excel's limit for one cell
XLSX_MAX_ROWS = 1_048_576  # Excel's limit for a sheet, header included

WRITABLE_SUFFIXES = (".jsonl", ".csv", ".xlsx")
UNREADABLE_ROW = "unreadable row: not a JSON object"
UNREADABLE = "unreadable"  # the key that marks a row read_rows could not read: {"id": its row number, UNREADABLE: ""}


TICKET_OPTIONAL = ("id", "title")  # without them a row is named by its row number and has no title (read_rows)
AUDIT_OPTIONAL = ("message_time", "reply_time", "type", "unit")
RowProcessor = Callable[[list[dict[str, str] | None]], list[dict[str, Any]]]


@dataclass
class BatchSummary:
    rows: int = 0
    errors: int = 0
    flagged: int = 0  # classification: needs review; audit: verdict redo
    cut_cells: int = 0  # .xlsx output: cells longer than Excel allows, cut to fit


def _readable(row: dict[str, str] | None) -> bool:
    return row is not None and UNREADABLE not in row


def _unreadable_id(row: dict[str, str] | None) -> str | None:
    """The id an unreadable row is reported under: its row number, when `read_rows` read it."""
    return row["id"] if row is not None else None


def classify_rows(classifier: TicketClassifier, rows: list[dict[str, str] | None]) -> list[dict[str, Any]]:
    """Classify one chunk into plain records (cheap to pass between processes); unreadable rows keep their place."""
    readable = [Ticket(id=r["id"] or None, title=r["title"], content=r["content"]) for r in rows if _readable(r)]
    results = iter(classifier.classify(readable))
    return [(next(results) if _readable(r) else
             Classification(id=_unreadable_id(r), model_version=classifier.version, error=UNREADABLE_ROW)).model_dump()
            for r in rows]


def audit_rows(auditor: ReplyAuditor, rows: list[dict[str, str] | None]) -> list[dict[str, Any]]:
    """Audit one chunk into plain records; unreadable rows keep their place."""
    readable = [ReplyTicket(**{k: (v or None) if k in ("id", *AUDIT_OPTIONAL) else v for k, v in r.items()})
                for r in rows if _readable(r)]
    results = iter(auditor.audit(readable))
    return [(next(results) if _readable(r) else
             Audit(id=_unreadable_id(r), model_version=auditor.version, error=UNREADABLE_ROW)).model_dump()
            for r in rows]


_worker_process: RowProcessor | None = None


def _process_in_worker(rows: list[dict[str, str] | None]) -> list[dict[str, Any]]:
    return _worker_process(rows)


def map_chunks(process: RowProcessor, chunks: Iterable[list[dict[str, str] | None]],
               workers: int = 1) -> Iterator[list[dict[str, Any]]]:
    """Score chunks in order, in `workers` forked processes sharing the loaded models (bounded look-ahead)."""
    if workers <= 1:
        for rows in chunks:
            yield process(rows)
        return
    global _worker_process
    _worker_process = process
    default_tokenizer()  # load jieba once, before forking
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pending: deque = deque()
        for rows in chunks:
            pending.append(pool.apply_async(_process_in_worker, (rows,)))
            if len(pending) >= 2 * workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def flat_record(record: dict[str, Any]) -> dict[str, Any]:
    """A result record as one table row: lists and objects become JSON text."""
    return {key: json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else value
            for key, value in record.items()}


def _make_folder(folder: Path) -> None:
    """Create the output's folder; when a file stands where a folder of the path should be, say which."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        blocking = next((p for p in (*reversed(folder.parents), folder) if p.exists() and not p.is_dir()), None)
        if blocking is None:
            reason = error.strerror or str(error)
        elif blocking == folder:
            reason = "a file of that name is there"
        else:
            reason = f"{blocking} is a file, not a folder"
        raise OSError(error.errno, f"cannot create the folder {folder}: {reason}") from error


class ResultWriter:
    """Writes results as .jsonl, .csv (both streamed) or .xlsx (written on close; the file is opened at once, so a
    path the system refuses fails before any scoring). Excel holds at most XLSX_MAX_CHARS characters in a cell: longer
    ones are cut to fit and counted in `cut_cells`. A .csv or .xlsx without any row still has its header line."""

    def __init__(self, path: Path, columns: Iterable[str]):
        self.path = Path(path)
        self.columns = list(columns)
        suffix = self.path.suffix.lower()
        if suffix not in WRITABLE_SUFFIXES:
            raise InputError(f"{self.path.name}: unsupported output type; use one of {', '.join(WRITABLE_SUFFIXES)}")
        self.suffix = suffix
        _make_folder(self.path.parent)
        self._rows: list[dict[str, object]] = []
        self._handle = self.path.open("wb") if suffix == ".xlsx" else self.path.open("w", encoding="utf-8", newline="")
        self._csv: csv.DictWriter | None = None
        self.cut_cells = 0

    def write(self, records: Iterable[dict[str, Any]]) -> None:
        for result in records:
            if self.suffix == ".jsonl":
                self._handle.write(json.dumps(result, ensure_ascii=False, separators=(",", ":")) + "\n")
                continue
            record = flat_record(result)
            if self.suffix == ".xlsx":
                if len(self._rows) == XLSX_MAX_ROWS - 1:
                    raise InputError(f"more rows than an Excel sheet holds ({XLSX_MAX_ROWS - 1:,}): "
                                     f"write the results to .csv or .jsonl")
                self._rows.append({key: self._fit(value) for key, value in record.items()})
                continue
            if self._csv is None:
                self._csv = csv.DictWriter(self._handle, fieldnames=list(record))
                self._csv.writeheader()
            self._csv.writerow(record)

    def _fit(self, value: Any) -> Any:
        """A cell Excel accepts: control characters it refuses dropped, cut to its length limit."""
        if not isinstance(value, str):
            return value
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if len(value) > XLSX_MAX_CHARS:
            self.cut_cells += 1
            return value[:XLSX_MAX_CHARS]
        return value

    def close(self) -> None:
        with self._handle:
            if self.suffix == ".xlsx":
                self._write_xlsx()
            elif self.suffix == ".csv" and self._csv is None:  # no row: the header still names the columns
                csv.writer(self._handle).writerow(self.columns)

    def _write_xlsx(self) -> None:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Sheet1")
        columns = self.columns or (list(self._rows[0]) if self._rows else [])

        def cell(value: Any) -> Any:
            if isinstance(value, str) and value.startswith("="):  # an id or a text, never a formula
                text = WriteOnlyCell(sheet, value)
                text.data_type = "s"
                return text
            return None if value == "" else value

        sheet.append(columns)
        for row in self._rows:
            sheet.append([cell(row.get(column)) for column in columns])
        workbook.save(self._handle)


def read_rows(source: Path, required: tuple[str, ...], optional: tuple[str, ...], chunk_size: int,
              sheet: str | None) -> Iterator[list[dict[str, str]]]:
    """Chunks of `source`'s rows as dicts of canonical columns (for a row that cannot be read, its row number as `id`
    and the UNREADABLE mark), with an `id` and a `title` even where the file has no such column: the id is the row's own, stripped, or else (no id column, a
    blank cell) the row number the file shows (a spreadsheet's row, a JSONL line); the title is empty."""
    position: dict[str, int] | None = None
    for header, records in iter_records(source, chunk_size, sheet=sheet):
        if position is None:
            mapping = resolve_columns(header, required, (*TICKET_OPTIONAL, *optional))
            position = {name: header.index(column) for name, column in mapping.items()}
        chunk: list[dict[str, str]] = []
        for number, cells in records:
            if cells is None:
                chunk.append({"id": str(number), UNREADABLE: ""})
                continue
            row = {"title": ""} | {name: (cells[i] if i < len(cells) else "") for name, i in position.items()}
            row["id"] = row.get("id", "").strip() or str(number)
            chunk.append(row)
        yield chunk


def score_file(process: RowProcessor, source: Path, destination: Path, required: tuple[str, ...],
               optional: tuple[str, ...], columns: Iterable[str], flagged: Callable[[dict[str, Any]], bool],
               chunk_size: int = 512, on_chunk: Callable[[int], None] | None = None,
               workers: int = 1, sheet: str | None = None) -> BatchSummary:
    """Score every row of `source` (its `sheet`, for an .xlsx; columns as `read_rows` gives them) into `destination`;
    `on_chunk(n)` reports progress."""
    summary = BatchSummary()
    chunks = read_rows(source, required, optional, chunk_size, sheet)
    first = next(chunks)  # raises ColumnError / InputError before the output file is created
    writer = ResultWriter(destination, columns)
    try:
        for results in map_chunks(process, itertools.chain([first], chunks), workers):
            writer.write(results)
            summary.rows += len(results)
            summary.errors += sum(r["error"] is not None for r in results)
            summary.flagged += sum(r["error"] is None and flagged(r) for r in results)
            if on_chunk:
                on_chunk(len(results))
    except BaseException:  # a file broken halfway (or Ctrl-C): no half-written output that looks complete
        writer.close()
        destination.unlink(missing_ok=True)
        raise
    writer.close()
    summary.cut_cells = writer.cut_cells
    return summary


def classify_file(classifier: TicketClassifier, source: Path, destination: Path, chunk_size: int = 512,
                  on_chunk: Callable[[int], None] | None = None, workers: int = 1,
                  sheet: str | None = None) -> BatchSummary:
    """Classify every ticket of `source`; `flagged` counts the tickets that need review."""
    return score_file(functools.partial(classify_rows, classifier), source, destination, ("content",), (),
                      Classification.model_fields, lambda r: r["needs_review"], chunk_size, on_chunk, workers,
                      sheet)


def audit_file(auditor: ReplyAuditor, source: Path, destination: Path, chunk_size: int = 512,
               on_chunk: Callable[[int], None] | None = None, workers: int = 1,
               sheet: str | None = None) -> BatchSummary:
    """Audit every reply of `source`; `flagged` counts the replies at risk of a redo."""
    return score_file(functools.partial(audit_rows, auditor), source, destination,
                      ("content", "reply"), AUDIT_OPTIONAL, Audit.model_fields,
                      lambda r: r["verdict"] == "redo", chunk_size, on_chunk, workers, sheet)
