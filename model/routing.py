"""Routing suggestions: category probabilities + message cues → handling units, 12345 names, needs_review.

The rules live in a readable TOML file (``model/resources/taxonomy.toml``); a locality's own file overrides it.
"""

from __future__ import annotations

import re
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

DEFAULT_TAXONOMY = "taxonomy.toml"
CUE_MIN_PROBABILITY = 0.01  # below this a category's (tiny) mass goes to its default units without reading cues


@dataclass(frozen=True)
class Cue:
    """Keywords that, in a message of `category`, point to `unit`."""

    category: str
    unit: str
    keywords: tuple[str, ...]
    subcategory: str = ""
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        longest_first = sorted(self.keywords, key=len, reverse=True)
        object.__setattr__(self, "pattern", re.compile("|".join(map(re.escape, longest_first))))

    def hits(self, text: str) -> list[str]:
        """The keywords found in `text`, each once, in order of appearance."""
        return list(dict.fromkeys(self.pattern.findall(text)))


@dataclass(frozen=True)
class CategoryRoute:
    name_12345: str
    units: dict[str, float]


@dataclass(frozen=True)
class UnitSuggestion:
    unit: str
    score: float
    basis: str  # why: the category's default units, or the cue words found


@dataclass
class Taxonomy:
    """Category names, unit weights, cues and thresholds, as read from TOML."""

    categories: dict[str, CategoryRoute] = field(default_factory=dict)
    cues: list[Cue] = field(default_factory=list)
    review_threshold: float = 0.8
    cue_share: float = 0.8
    top_k: int = 3

    @classmethod
    def load(cls, override: str | Path | None = None) -> Taxonomy:
        """The shipped taxonomy, with a locality's file (if given) laid over it."""
        shipped = resources.files("model.resources").joinpath(DEFAULT_TAXONOMY).read_text(encoding="utf-8")
        taxonomy = cls.from_toml(tomllib.loads(shipped))
        if override is not None:
            taxonomy = taxonomy.overridden_by(tomllib.loads(Path(override).read_text(encoding="utf-8")))
        return taxonomy

    @classmethod
    def from_toml(cls, document: dict) -> Taxonomy:
        return cls().overridden_by(document)

    def overridden_by(self, document: dict) -> Taxonomy:
        settings = document.get("settings", {})
        unknown = set(settings) - {"review_threshold", "cue_share", "top_k"}
        if unknown:
            raise ValueError(f"unknown taxonomy settings: {sorted(unknown)}")
        categories = dict(self.categories)
        for label, spec in document.get("categories", {}).items():
            units = {str(unit): float(weight) for unit, weight in spec.get("units", {}).items()}
            if not units or min(units.values()) < 0:
                raise ValueError(f"category '{label}' needs at least one unit with a non-negative weight")
            categories[label] = CategoryRoute(spec.get("name_12345", label), units)
        cues = []
        for spec in document.get("cues", []):
            keywords = tuple(str(k) for k in spec.get("keywords", ()) if str(k))
            if not keywords or "category" not in spec or "unit" not in spec:
                raise ValueError(f"a cue needs a category, a unit and non-empty keywords: {spec}")
            cues.append(Cue(spec["category"], spec["unit"], keywords, spec.get("subcategory", "")))
        return Taxonomy(
            categories=categories,
            cues=cues + self.cues,
            review_threshold=float(settings.get("review_threshold", self.review_threshold)),
            cue_share=float(settings.get("cue_share", self.cue_share)),
            top_k=int(settings.get("top_k", self.top_k)),
        )

    def name_12345(self, label: str) -> str:
        route = self.categories.get(label)
        return route.name_12345 if route else label


class Router:
    """Turns category probabilities and the message text into ranked unit suggestions."""

    def __init__(self, taxonomy: Taxonomy):
        self.taxonomy = taxonomy
        self._cues_by_category: dict[str, list[Cue]] = defaultdict(list)
        for cue in taxonomy.cues:
            self._cues_by_category[cue.category].append(cue)

    def _default_units(self, label: str) -> dict[str, float]:
        route = self.taxonomy.categories.get(label)
        if route is None:
            return {f"{label}主管部门": 1.0}
        total = sum(route.units.values()) or 1.0
        return {unit: weight / total for unit, weight in route.units.items()}

    def route(self, text: str, category_probabilities: dict[str, float]) -> list[UnitSuggestion]:
        scores: dict[str, float] = defaultdict(float)
        bases: dict[str, list[str]] = defaultdict(list)
        for label, probability in category_probabilities.items():
            cues = self._cues_by_category.get(label, []) if probability >= CUE_MIN_PROBABILITY else []
            matched = [(cue, words) for cue in cues if (words := cue.hits(text))]
            cue_mass = probability * self.taxonomy.cue_share if matched else 0.0
            for cue, words in matched:
                scores[cue.unit] += cue_mass / len(matched)
                basis = f"关键词「{'、'.join(words[:3])}」→{cue.subcategory or label}"
                if basis not in bases[cue.unit]:
                    bases[cue.unit].append(basis)
            for unit, weight in self._default_units(label).items():
                scores[unit] += (probability - cue_mass) * weight
                if probability >= 0.1 and f"类别「{label}」" not in bases[unit]:
                    bases[unit].append(f"类别「{label}」")
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[: self.taxonomy.top_k]
        return [UnitSuggestion(unit, round(score, 4), "；".join(bases[unit]) or "低概率类别") for unit, score in ranked]

    def needs_review(self, top_category_probability: float) -> bool:
        return top_category_probability < self.taxonomy.review_threshold
