"""The configurable part of an audit: score weights and time limits, from ``resources/audit_policy.toml`` with an
office's own file laid over it."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from model.audit_results import ELEMENTS
from model.timeliness import TimeLimits

_SCORE_KEYS = (*ELEMENTS, "relevance")


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
            unknown = set(extra) - {"score", "time_limits"} | set(extra.get("score", {})) - set(_SCORE_KEYS)
            if unknown:
                raise ValueError(f"unknown keys in audit policy {override}: {sorted(unknown)}")
            document["score"].update(extra.get("score", {}))
            limits = extra.get("time_limits", {})
            document["time_limits"]["default"] = limits.get("default", document["time_limits"]["default"])
            document["time_limits"]["by_type"].update(limits.get("by_type", {}))
            if "default_types" in limits:
                document["time_limits"]["default_types"] = limits["default_types"]
        weights = {key: float(document["score"][key]) for key in _SCORE_KEYS}
        if any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
            raise ValueError("audit score weights must be non-negative and not all zero")
        limits = document["time_limits"]
        return cls(weights, TimeLimits({k: int(v) for k, v in limits["by_type"].items()}, int(limits["default"]),
                                       tuple(limits.get("default_types", ()))))

    def score(self, element_probabilities: dict[str, float], relevance: float) -> float:
        """0–100: the weighted share of the elements' probabilities and of relevance (0–1)."""
        values = {**element_probabilities, "relevance": relevance}
        total = sum(self.weights[key] * values[key] for key in _SCORE_KEYS)
        return round(100 * total / sum(self.weights.values()), 1)
