"""Streaming batch classification: a ticket table in, one result per row out, in input order, nothing dropped.

Rows are read and classified in chunks so memory stays bounded; a row that cannot be read or is empty gets an
`error` in its output and every other row is classified as usual.
"""

from __future__ import annotations

import csv
import itertools
import json
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from model.classifier import TicketClassifier
from model.results import Classification, Ticket
from model.text import default_tokenizer
from training.data import InputError, iter_table

WRITABLE_SUFFIXES = (".jsonl", ".csv", ".xlsx")
UNREADABLE_ROW = "unreadable row: not a JSON object"


@dataclass
class BatchSummary:
    rows: int = 0
    errors: int = 0
    needs_review: int = 0


def _tickets(rows: list[dict[str, str] | None]) -> list[Ticket | None]:
    return [Ticket(id=r["id"] or None, title=r["title"], content=r["content"]) if r is not None else None
            for r in rows]


def classify_rows(classifier: TicketClassifier, rows: list[dict[str, str] | None]) -> list[dict[str, Any]]:
    """Classify one chunk into plain records (cheap to pass between processes); unreadable rows keep their place."""
    tickets = _tickets(rows)
    readable = [t for t in tickets if t is not None]
    results = iter(classifier.classify(readable))
    return [(next(results) if t is not None else
             Classification(model_version=classifier.version, error=UNREADABLE_ROW)).model_dump()
            for t in tickets]


_worker_classifier: TicketClassifier | None = None


def _classify_in_worker(rows: list[dict[str, str] | None]) -> list[dict[str, Any]]:
    return classify_rows(_worker_classifier, rows)


def map_chunks(classifier: TicketClassifier, chunks: Iterable[list[dict[str, str] | None]],
               workers: int = 1) -> Iterator[list[dict[str, Any]]]:
    """Classify chunks in order, in `workers` forked processes sharing the loaded model (bounded look-ahead)."""
    if workers <= 1:
        for rows in chunks:
            yield classify_rows(classifier, rows)
        return
    global _worker_classifier
    _worker_classifier = classifier
    default_tokenizer()  # load jieba once, before forking
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pending: deque = deque()
        for rows in chunks:
            pending.append(pool.apply_async(_classify_in_worker, (rows,)))
            if len(pending) >= 2 * workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def flat_record(record: dict[str, Any]) -> dict[str, Any]:
    """A result record as one table row: lists become JSON text."""
    return {key: json.dumps(value, ensure_ascii=False) if isinstance(value, list) else value
            for key, value in record.items()}


class ResultWriter:
    """Writes results as .jsonl, .csv (both streamed) or .xlsx (written on close)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        suffix = self.path.suffix.lower()
        if suffix not in WRITABLE_SUFFIXES:
            raise InputError(f"{self.path.name}: unsupported output type; use one of {', '.join(WRITABLE_SUFFIXES)}")
        self.suffix = suffix
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._rows: list[dict[str, object]] = []
        self._handle = None if suffix == ".xlsx" else self.path.open("w", encoding="utf-8", newline="")
        self._csv: csv.DictWriter | None = None

    def write(self, records: Iterable[dict[str, Any]]) -> None:
        for result in records:
            if self.suffix == ".jsonl":
                self._handle.write(json.dumps(result, ensure_ascii=False, separators=(",", ":")) + "\n")
                continue
            record = flat_record(result)
            if self.suffix == ".xlsx":
                self._rows.append(record)
                continue
            if self._csv is None:
                self._csv = csv.DictWriter(self._handle, fieldnames=list(record))
                self._csv.writeheader()
            self._csv.writerow(record)

    def close(self) -> None:
        if self.suffix == ".xlsx":
            import pandas as pd

            pd.DataFrame(self._rows, columns=list(Classification.model_fields)).to_excel(self.path, index=False)
        elif self._handle is not None:
            self._handle.close()


def classify_file(classifier: TicketClassifier, source: Path, destination: Path, chunk_size: int = 512,
                  on_chunk: Callable[[int], None] | None = None, workers: int = 1) -> BatchSummary:
    """Classify every row of `source` into `destination`; `on_chunk(n)` reports progress."""
    summary = BatchSummary()
    chunks: Iterator = iter_table(source, required=("id", "title", "content"), chunk_size=chunk_size)
    first = next(chunks)  # raises ColumnError / InputError before the output file is created
    writer = ResultWriter(destination)
    try:
        for results in map_chunks(classifier, itertools.chain([first], chunks), workers):
            writer.write(results)
            summary.rows += len(results)
            summary.errors += sum(r["error"] is not None for r in results)
            summary.needs_review += sum(r["needs_review"] and r["error"] is None for r in results)
            if on_chunk:
                on_chunk(len(results))
    finally:
        writer.close()
    return summary
