"""Streaming aggregation: per-unit accumulators updated row by row (a unit keeps only its K worst replies, in a
heap), counts by predicted category and type, and agreement with the office's own labels. Memory grows with the
number of units and labels, never with the rows.

Definitions (all over the rows of the export, in input order):
- redo rate: share of a unit's audited replies (rows with a reply, praise (表扬) excepted: thanking the citizen is
  the whole reply, so it would lower the redo rate and raise the missing-element rates) whose verdict is redo;
  mean redo risk: the mean calibrated redo_risk over the same replies; praise: the replies to 表扬 messages;
- shallow rate: share of audited replies that are shallow (:mod:`serve.report.scoring`);
- missing-element rate: share of audited replies where the auditor finds the element absent;
- overdue: rows whose working days from message to reply exceed the limit (both times readable: `timed`);
- 办结率 / 按期办结率 / 满意率: from the office's own columns, where it has them, over rows whose cell says yes or no.
"""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from model.audit_results import ELEMENTS
from model.text import mask_pii
from serve.report.columns import NO_UNIT, OUTCOMES, outcome
from serve.report.scoring import RowResult

COMPARED = {"label": "category", "type": "type"}  # office column → predicted field


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass
class UnitStats:
    tickets: int = 0
    scored: int = 0
    audited: int = 0
    praise: int = 0
    redo: int = 0
    risk_sum: float = 0.0
    score_sum: float = 0.0
    shallow: int = 0
    missing: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ELEMENTS, 0))
    timed: int = 0
    overdue: int = 0
    outcomes: dict[str, list[int]] = field(default_factory=lambda: {name: [0, 0] for name in OUTCOMES})
    worst: list[tuple[float, float, int, str]] = field(default_factory=list)  # heap: (risk, -score, -row, id)

    def add(self, number: int, ident: str, fields: dict[str, str], result: RowResult, keep: int) -> None:
        self.tickets += 1
        for name in OUTCOMES:
            said = outcome(fields.get(name, ""))
            if said is not None:
                self.outcomes[name][0] += said
                self.outcomes[name][1] += 1
        if result.error is not None:
            return
        self.scored += 1
        if result.overdue is not None:
            self.timed += 1
            self.overdue += result.overdue
        if result.verdict is None:
            return
        if result.praise:
            self.praise += 1
            return
        self.audited += 1
        self.risk_sum += result.redo_risk
        self.score_sum += result.score
        self.shallow += bool(result.shallow)
        for name in result.missing:
            self.missing[name] += 1
        if result.verdict == "redo":
            self.redo += 1
            heapq.heappush(self.worst, (result.redo_risk, -result.score, -number, ident))
            if len(self.worst) > keep:
                heapq.heappop(self.worst)

    @property
    def redo_rate(self) -> float | None:
        return rate(self.redo, self.audited)

    @property
    def mean_redo_risk(self) -> float | None:
        return round(self.risk_sum / self.audited, 4) if self.audited else None

    def worst_first(self) -> list[tuple[float, float, int, str]]:
        return sorted(self.worst, reverse=True)

    def row(self, unit: str, outcome_columns: tuple[str, ...]) -> dict[str, Any]:
        """One line of the per-unit table."""
        worst = self.worst_first()
        return {
            "unit": unit, "tickets": self.tickets, "scored": self.scored, "audited": self.audited,
            "praise": self.praise, "redo": self.redo, "redo_rate": self.redo_rate, "mean_redo_risk": self.mean_redo_risk,
            "shallow": self.shallow, "shallow_rate": rate(self.shallow, self.audited),
            **{f"missing_{name}_rate": rate(self.missing[name], self.audited) for name in ELEMENTS},
            "mean_score": round(self.score_sum / self.audited, 1) if self.audited else None,
            "timed": self.timed, "overdue": self.overdue,
            **{f"{name}_rate": rate(*self.outcomes[name]) for name in outcome_columns},
            "worst_ids": "; ".join(ident for *_, ident in worst),
            "worst_rows": "; ".join(str(-row) for _, _, row, _ in worst),
        }

    def sort_key(self, unit: str) -> tuple:
        """Units with replies first, by redo rate, then mean redo risk (both descending), then name."""
        return (self.audited == 0, -(self.redo_rate or 0.0), -(self.mean_redo_risk or 0.0), unit)


class ReportStats:
    """Everything the report's tables need, updated one scored row at a time."""

    def __init__(self, columns: dict[str, int], keep: int = 5):
        self.keep = keep
        self.outcome_columns = tuple(name for name in OUTCOMES if name in columns)
        self.compared = {name: predicted for name, predicted in COMPARED.items() if name in columns}
        self.units: dict[str, UnitStats] = {}
        self.total = UnitStats()
        self.rows = 0
        self.error_rows = 0
        self.categories: Counter[str] = Counter()
        self.category_names: dict[str, str] = {}
        self.category_review: Counter[str] = Counter()
        self.types: Counter[str] = Counter()
        self.pairs: dict[str, Counter[tuple[str, str]]] = {name: Counter() for name in self.compared}

    def add(self, number: int, fields: dict[str, str], result: RowResult) -> None:
        self.rows += 1
        self.error_rows += bool(result.problems)
        # the tables and the page are made to be mailed: a phone or ID number typed into a unit or label cell is
        # masked; ids stay as they are (ticket numbers are often 15–19 digits, and the worst replies are named by them)
        unit = mask_pii(fields.get("unit", "").strip()) or NO_UNIT
        ident = fields.get("id", "").strip() or f"row {number}"
        self.units.setdefault(unit, UnitStats()).add(number, ident, fields, result, self.keep)
        self.total.add(number, ident, fields, result, self.keep)
        if result.error is not None:
            return
        self.categories[result.category] += 1
        self.category_names[result.category] = result.category_name or ""
        self.category_review[result.category] += bool(result.needs_review)
        self.types[result.type] += 1
        for name, predicted in self.compared.items():
            office = mask_pii(fields.get(name, "").strip())
            if office:
                self.pairs[name][(office, getattr(result, predicted))] += 1

    def unit_table(self) -> list[dict[str, Any]]:
        ordered = sorted(self.units.items(), key=lambda item: item[1].sort_key(item[0]))
        return [stats.row(unit, self.outcome_columns) for unit, stats in ordered]

    def category_table(self) -> list[dict[str, Any]]:
        scored = self.total.scored
        return [{"category": label, "category_name": self.category_names[label], "tickets": n,
                 "share": rate(n, scored), "needs_review": self.category_review[label]}
                for label, n in sorted(self.categories.items(), key=lambda item: (-item[1], item[0]))]

    def type_table(self) -> list[dict[str, Any]]:
        scored = self.total.scored
        return [{"type": label, "tickets": n, "share": rate(n, scored)}
                for label, n in sorted(self.types.items(), key=lambda item: (-item[1], item[0]))]

    def agreement_table(self) -> list[dict[str, Any]]:
        """Every (office label, prediction) pair with its count, most frequent first, per compared field."""
        return [{"field": COMPARED[name], "office_label": office, "predicted": predicted, "tickets": n,
                 "agrees": office == predicted}
                for name, pairs in self.pairs.items()
                for (office, predicted), n in sorted(pairs.items(), key=lambda item: (-item[1], item[0]))]

    def agreement(self) -> dict[str, dict[str, Any]]:
        """Share of rows with an office label where it equals the prediction (raw labels compared)."""
        result = {}
        for name, pairs in self.pairs.items():
            compared = sum(pairs.values())
            agree = sum(n for (office, predicted), n in pairs.items() if office == predicted)
            result[COMPARED[name]] = {"compared": compared, "agree": agree, "rate": rate(agree, compared)}
        return result
