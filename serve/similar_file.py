"""Repeat-complaint search over files: build or extend an index from past tickets, and list each row's earlier
tickets about the same matter, one result per row in input order (a row that cannot be searched gets an `error`)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from model.classifier import EMPTY_TICKET
from model.similar import TicketIndex
from model.similar_results import PastTicket, SimilarResult
from model.text import normalise
from serve.batch import UNREADABLE_ROW, ResultWriter
from training.exports import iter_table

REQUIRED = ("id", "title", "content")
OPTIONAL = ("message_time", "unit")
NO_ID = "no id: a ticket added to the index needs one"
REPEATED_ID = "repeated id (the first row with it is kept)"


@dataclass
class PastTickets:
    """The rows of a file of past tickets that can be indexed, and why the others cannot."""

    tickets: list[PastTicket]
    skipped: dict[str, int]

    def summary(self) -> str:
        return ", ".join(f"{count} {why}" for why, count in self.skipped.items()) or "none"


def _ticket(row: dict[str, str]) -> PastTicket:
    return PastTicket(**{key: (value or None) if key in ("id", *OPTIONAL) else value for key, value in row.items()})


def _problem(row: dict[str, str] | None) -> str | None:
    if row is None:
        return UNREADABLE_ROW
    if not normalise(row["title"]) and not normalise(row["content"]):
        return EMPTY_TICKET
    return None


def read_past_tickets(path: Path, sheet: str | None = None) -> PastTickets:
    """Every indexable row of `path` (.csv/.xlsx/.jsonl with id, title, content; optional message_time, unit; of
    `sheet`, for an .xlsx)."""
    tickets: list[PastTicket] = []
    skipped: dict[str, int] = {}
    seen: set[str] = set()
    for chunk in iter_table(path, required=REQUIRED, optional=OPTIONAL, sheet=sheet):
        for row in chunk:
            problem = _problem(row) or (None if row["id"].strip() else NO_ID)
            if not problem and row["id"] in seen:
                problem = REPEATED_ID
            if problem:
                skipped[problem] = skipped.get(problem, 0) + 1
            else:
                seen.add(row["id"])
                tickets.append(_ticket(row))
    return PastTickets(tickets, skipped)


@dataclass
class SimilarSummary:
    rows: int = 0
    errors: int = 0
    with_matches: int = 0
    added: int = 0
    offered: int = 0  # rows with an id and text, offered to the index (those already in it, or repeated, are not added)


def similar_file(index: TicketIndex, source: Path, destination: Path, k: int, threshold: float | None,
                 add: bool = False, chunk_size: int = 512,
                 on_chunk: Callable[[int], None] | None = None, sheet: str | None = None) -> SimilarSummary:
    """Search every row of `source` in `index`, write the results to `destination`; with `add`, then add the rows
    to the index and save them to its directory (so repeats within the file are not matched to each other)."""
    summary = SimilarSummary()
    threshold = index.settings.threshold if threshold is None else threshold
    chunks = iter_table(source, required=REQUIRED, optional=OPTIONAL, chunk_size=chunk_size, sheet=sheet)
    first = next(chunks)  # a missing column stops here, before the output file is created
    writer = ResultWriter(destination, SimilarResult.model_fields)
    to_add: list[PastTicket] = []
    try:
        for rows in itertools.chain([first], chunks):
            readable = [(i, _ticket(row)) for i, row in enumerate(rows) if not _problem(row)]
            found = iter(index.search([ticket for _, ticket in readable], k=k, threshold=threshold))
            usable = {i for i, _ in readable}
            results = [SimilarResult(id=(row or {}).get("id") or None, threshold=threshold, index_size=len(index),
                                     matches=next(found) if i in usable else [], error=_problem(row))
                       for i, row in enumerate(rows)]
            writer.write(result.model_dump() for result in results)
            to_add += [ticket for _, ticket in readable if ticket.id]
            summary.rows += len(rows)
            summary.errors += sum(result.error is not None for result in results)
            summary.with_matches += sum(bool(result.matches) for result in results)
            if on_chunk:
                on_chunk(len(rows))
    finally:
        writer.close()
    if add:
        summary.offered = len(to_add)
        summary.added = index.add_and_save(to_add)
    return summary
