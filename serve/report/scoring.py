"""Scoring one chunk of an export: every message classified, every reply audited, the time taken against the
limit, and the row's problems for the errors file. Runs in the worker processes and returns small records.

A reply is **shallow** (过于简单) when the auditor says redo and the reply is forwarding-only, acknowledgement-only,
a banned stock phrase, pending-only or without any result or process (issues FORWARD_ONLY, ACK_ONLY, BANNED_PHRASE,
PENDING_ONLY, NO_RESULT), or is shorter than 40 characters.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from model.advice import is_praise
from model.audit_results import ELEMENTS, ReplyTicket
from model.auditor import ReplyAuditor
from model.classifier import TicketClassifier
from model.results import Ticket
from model.text import mask_pii
from model.timeliness import PLAUSIBLE_YEARS, parse_time

SHALLOW_ISSUES = frozenset({"FORWARD_ONLY", "ACK_ONLY", "BANNED_PHRASE", "PENDING_ONLY", "NO_RESULT"})
SHORT_REPLY_CHARS = 40
UNREADABLE = "unreadable row: not a JSON object; not scored"
EMPTY_MESSAGE = "empty message: title and content are both empty; not scored"
REPLY_BEFORE_MESSAGE = "reply_time is earlier than message_time; overdue not computed"


@dataclass(slots=True)
class RowResult:
    """What the report keeps of one row; fields stay None where the row was not classified or audited."""

    error: str | None = None  # why the row was not scored at all
    problems: list[tuple[str, str]] = field(default_factory=list)  # (column, reason) for the errors file
    category: str | None = None
    category_name: str | None = None
    category_score: float | None = None
    type: str | None = None
    type_score: float | None = None
    routing: str | None = None
    needs_review: bool | None = None
    verdict: str | None = None
    redo_risk: float | None = None
    score: float | None = None
    missing: tuple[str, ...] = ()
    issues: tuple[str, ...] = ()
    shallow: bool | None = None
    relevance: int | None = None
    praise: bool = False  # a 表扬 message: its reply is thanks, so it is counted apart from the audited replies
    working_days: int | None = None
    limit_days: int | None = None
    overdue: bool | None = None


def is_shallow(verdict: str, issues: tuple[str, ...], reply: str) -> bool:
    return verdict == "redo" and (bool(SHALLOW_ISSUES.intersection(issues))
                                  or len("".join(reply.split())) < SHORT_REPLY_CHARS)


def _time_problems(row: dict[str, str]) -> list[tuple[str, str]]:
    problems = []
    for name in ("message_time", "reply_time"):
        value = row.get(name, "").strip()
        parsed = parse_time(value) if value else None
        if value and parsed is None:
            problems.append((name, f"time not understood: '{mask_pii(value)[:40]}'; overdue not computed"))
        elif parsed is not None and parsed.year not in PLAUSIBLE_YEARS:
            problems.append((name, f"time out of range ({PLAUSIBLE_YEARS[0]}–{PLAUSIBLE_YEARS[-1]}): "
                                   f"'{mask_pii(value)[:40]}'; overdue not computed"))
    return problems


def _type(row: dict[str, str], result: RowResult) -> str | None:
    return row.get("type", "").strip() or result.type


def score_rows(classifier: TicketClassifier, auditor: ReplyAuditor,
               rows: list[dict[str, str] | None]) -> list[RowResult]:
    """Score one chunk of rows (canonical columns; None for an unreadable row), in order."""
    results = [RowResult() if row is not None else RowResult(error=UNREADABLE, problems=[("", UNREADABLE)])
               for row in rows]
    readable = [i for i, row in enumerate(rows) if row is not None]
    tickets = [Ticket(id=rows[i].get("id") or None, title=rows[i].get("title", ""), content=rows[i]["content"])
               for i in readable]
    for i, classification in zip(readable, classifier.classify(tickets)):
        result = results[i]
        if classification.error:
            result.error = EMPTY_MESSAGE
            result.problems.append(("content", EMPTY_MESSAGE))
            continue
        result.category, result.category_name = classification.category, classification.category_name
        result.category_score = classification.category_scores[0].score
        result.type, result.type_score = classification.type, classification.type_scores[0].score
        result.routing = classification.routing[0].unit if classification.routing else None
        result.needs_review = classification.needs_review
    scored = [i for i in readable if results[i].error is None]
    for i in scored:  # the office's own request type sets the time limit; else the predicted one
        row, result = rows[i], results[i]
        time_problems = _time_problems(row)
        result.problems.extend(time_problems)
        timeliness = auditor.policy.limits.check(row.get("message_time", "").strip(),
                                                  row.get("reply_time", "").strip(), _type(row, result))
        if timeliness is None:
            continue
        if timeliness.working_days is not None:
            result.working_days, result.limit_days = timeliness.working_days, timeliness.limit_days
            result.overdue = timeliness.overdue
        elif not time_problems:
            result.problems.append(("reply_time", REPLY_BEFORE_MESSAGE))
    replied = [i for i in scored if rows[i].get("reply", "").strip()]
    tickets = [ReplyTicket(id=rows[i].get("id") or None, title=rows[i].get("title", ""), content=rows[i]["content"],
                           reply=rows[i]["reply"], message_time=rows[i].get("message_time") or None,
                           reply_time=rows[i].get("reply_time") or None, type=_type(rows[i], results[i]),
                           unit=rows[i].get("unit") or None)
               for i in replied]
    for i, ticket, audit in zip(replied, tickets, auditor.audit(tickets)):
        result = results[i]
        result.praise = is_praise(ticket)
        result.verdict, result.redo_risk, result.score = audit.verdict, audit.redo_risk, audit.score
        result.missing = tuple(name for name in ELEMENTS if not getattr(audit.elements, name).present)
        result.issues = tuple(issue.code for issue in audit.issues)
        result.shallow = is_shallow(audit.verdict, result.issues, rows[i]["reply"])
        result.relevance = audit.relevance.level
    return results
