"""The configurable part of an audit: score weights, time limits and calendar additions, from
``resources/audit_policy.toml`` with an office's own file laid over it."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

from model.audit_results import ELEMENTS
from model.timeliness import TimeLimits, WorkCalendar

_SCORE_KEYS = (*ELEMENTS, "relevance")
_TIME_LIMIT_KEYS = ("default", "default_types", "by_type")
_CALENDAR_KEYS = ("holidays", "workdays")


def _days(values: object, where: str) -> list[date]:
    """Dates of a [calendar] list, written as TOML dates (2027-01-01) or strings ("2027-01-01")."""
    if not isinstance(values, list):
        raise ValueError(f"{where} must be a list of dates such as [2027-01-01, 2027-01-02]")
    days = []
    for value in values:
        if isinstance(value, date):
            days.append(value)
            continue
        try:
            days.append(date.fromisoformat(str(value).strip()))
        except ValueError:
            raise ValueError(f"{where}: {str(value)[:30]!r} is not a date (write 2027-01-01)") from None
    return days


@dataclass(frozen=True)
class AuditPolicy:
    weights: dict[str, float]
    limits: TimeLimits

    @classmethod
    def load(cls, override: str | Path | None = None) -> AuditPolicy:
        document = tomllib.loads(resources.files("model.resources").joinpath("audit_policy.toml")
                                 .read_text(encoding="utf-8"))
        if override is not None:
            extra = tomllib.loads(Path(override).read_text(encoding="utf-8"))
            unknown = (set(extra) - {"score", "time_limits", "calendar"} | set(extra.get("score", {})) - set(_SCORE_KEYS)
                       | set(extra.get("time_limits", {})) - set(_TIME_LIMIT_KEYS)
                       | set(extra.get("calendar", {})) - set(_CALENDAR_KEYS))
            if unknown:
                raise ValueError(f"unknown keys in audit policy {override}: {sorted(unknown)}")
            document["score"].update(extra.get("score", {}))
            limits = extra.get("time_limits", {})
            document["time_limits"]["default"] = limits.get("default", document["time_limits"]["default"])
            document["time_limits"]["by_type"].update(limits.get("by_type", {}))
            if "default_types" in limits:
                document["time_limits"]["default_types"] = limits["default_types"]
            for key in _CALENDAR_KEYS:
                document["calendar"][key] = [*document["calendar"][key], *extra.get("calendar", {}).get(key, [])]
        weights = {key: float(document["score"][key]) for key in _SCORE_KEYS}
        if any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
            raise ValueError("audit score weights must be non-negative and not all zero")
        limits, days = document["time_limits"], document["calendar"]
        calendar = WorkCalendar.builtin().with_days(_days(days["holidays"], "calendar.holidays"),
                                                    _days(days["workdays"], "calendar.workdays"))
        return cls(weights, TimeLimits({k: int(v) for k, v in limits["by_type"].items()}, int(limits["default"]),
                                       tuple(limits.get("default_types", ())), calendar))

    def score(self, element_probabilities: dict[str, float], relevance: float) -> float:
        """0–100: the weighted share of the elements' probabilities and of relevance (0–1)."""
        values = {**element_probabilities, "relevance": relevance}
        total = sum(self.weights[key] * values[key] for key in _SCORE_KEYS)
        return round(100 * total / sum(self.weights.values()), 1)
