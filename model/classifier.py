"""TicketClassifier: category and request type with calibrated top-k scores, plus routing suggestions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from model.artifacts import fingerprint, load_component, read_card, save_component, write_card
from model.features import TextFeatures, share_lookups
from model.linear import CalibratedLinear
from model.results import Classification, LabelScore, Ticket, UnitScore
from model.routing import Router, Taxonomy
from model.text import TOKENISE_LIMIT, PreparedText, Tokenizer, default_tokenizer, prepare

if TYPE_CHECKING:  # torch is imported only when a type encoder is used
    from model.encoder_classifier import EncoderMix

DEFAULT_MODEL_DIR = Path(str(resources.files("model.resources").joinpath("default_model")))
EMPTY_TICKET = "empty ticket: title and content are both empty"


class LabelModel:
    """Text features → calibrated linear scores, for one label set (category or request type)."""

    def __init__(self, features: TextFeatures, head: CalibratedLinear):
        self.features = features
        self.head = head

    @property
    def labels(self) -> list[str]:
        return self.head.labels

    def predict_proba(self, docs: Sequence[PreparedText], shared: dict | None = None) -> np.ndarray:
        """Calibrated probabilities; pass the same `shared` dict to models scoring the same docs."""
        if not docs:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        return self.head.predict_proba(self.features.transform(docs, shared))

    def predict(self, docs: Sequence[PreparedText]) -> list[str]:
        return [self.labels[i] for i in self.predict_proba(docs).argmax(axis=1)]

    def top_k(self, probabilities: np.ndarray, k: int) -> list[LabelScore]:
        order = np.argsort(-probabilities, kind="stable")[:k]
        return [LabelScore(label=self.labels[i], score=round(float(probabilities[i]), 4)) for i in order]

    def save(self, directory: Path, name: str) -> None:
        feature_config, feature_arrays = self.features.state()
        head_config, head_arrays = self.head.state()
        arrays = {**{f"features.{k}": v for k, v in feature_arrays.items()},
                  **{f"head.{k}": v for k, v in head_arrays.items()}}
        save_component(directory, name, {"features": feature_config, "head": head_config}, arrays)

    @classmethod
    def load(cls, directory: Path, name: str) -> LabelModel:
        config, arrays = load_component(directory, name)

        def part(prefix: str) -> dict[str, np.ndarray]:
            return {k[len(prefix) + 1:]: v for k, v in arrays.items() if k.startswith(prefix + ".")}

        return cls(TextFeatures.from_state(config["features"], part("features")),
                   CalibratedLinear.from_state(config["head"], part("head")))


class TicketClassifier:
    """Category + request type + routing for citizen tickets, loaded from a model directory."""

    COMPONENTS = ("category", "type")

    def __init__(self, category: LabelModel, request_type: LabelModel, taxonomy: Taxonomy | None = None,
                 card: dict | None = None, tokenizer: Tokenizer | None = None, type_encoder: EncoderMix | None = None):
        self.category = category
        self.request_type = request_type
        share_lookups([block for _, block, _ in [*category.features.blocks, *request_type.features.blocks]])
        self.taxonomy = taxonomy or Taxonomy.load()
        self.router = Router(self.taxonomy)
        self.card = card or {}
        self.tokenizer = tokenizer
        self.type_encoder = type_encoder  # opt-in: a fine-tuned encoder mixed into the request type

    @property
    def version(self) -> str:
        version = self.card.get("version", "unversioned")
        return f"{version}+type-encoder-{self.type_encoder.model.version}" if self.type_encoder else version

    @property
    def tokenise_limit(self) -> int:
        return int(self.card.get("text", {}).get("tokenise_limit", TOKENISE_LIMIT))

    def prepare(self, ticket: Ticket) -> PreparedText:
        return prepare(ticket.title, ticket.content, self.tokenizer or default_tokenizer(), self.tokenise_limit)

    def request_type_proba(self, docs: Sequence[PreparedText], titles: Sequence[str], contents: Sequence[str],
                           shared: dict | None = None) -> np.ndarray:
        """Request-type probabilities of prepared tickets: the TF-IDF model's, with the type encoder (which reads the
        raw title and content) mixed in when there is one."""
        probabilities = self.request_type.predict_proba(docs, shared)
        if self.type_encoder is not None:
            probabilities = self.type_encoder.mix(probabilities, self.request_type.labels, titles, contents)
        return probabilities

    def classify(self, tickets: Sequence[Ticket]) -> list[Classification]:
        """Classify a batch; an empty ticket gets an `error` and the others are classified as usual."""
        prepared = [self.prepare(ticket) for ticket in tickets]
        valid = [i for i, doc in enumerate(prepared) if doc.text]
        docs = [prepared[i] for i in valid]
        shared: dict = {}
        category_p = self.category.predict_proba(docs, shared)
        type_p = self.request_type_proba(docs, [tickets[i].title for i in valid], [tickets[i].content for i in valid],
                                         shared)
        results = [Classification(id=t.id, model_version=self.version, error=EMPTY_TICKET) for t in tickets]
        k = self.taxonomy.top_k
        for row, index in enumerate(valid):
            best = int(category_p[row].argmax())
            label = self.category.labels[best]
            units = self.router.route(prepared[index].text, dict(zip(self.category.labels, category_p[row].tolist())))
            results[index] = Classification(
                id=tickets[index].id,
                category=label,
                category_name=self.taxonomy.name_12345(label),
                category_scores=self.category.top_k(category_p[row], k),
                type=self.request_type.labels[int(type_p[row].argmax())],
                type_scores=self.request_type.top_k(type_p[row], k),
                routing=[UnitScore(unit=u.unit, score=u.score, basis=u.basis) for u in units],
                needs_review=self.router.needs_review(float(category_p[row, best])),
                model_version=self.version,
            )
        return results

    def save(self, directory: str | Path, card: dict) -> dict:
        """Write both components and a model card; the version is a hash of what was written."""
        directory = Path(directory)
        self.category.save(directory, "category")
        self.request_type.save(directory, "type")
        card = {
            "version": f"{date.today():%Y.%m.%d}-{fingerprint(directory, list(self.COMPONENTS))}",
            "created": date.today().isoformat(),
            "components": {
                "category": {"labels": self.category.labels, "n_features": self.category.features.n_features},
                "type": {"labels": self.request_type.labels, "n_features": self.request_type.features.n_features},
            },
            **card,
        }
        write_card(directory, card)
        self.card = card
        return card

    @classmethod
    def load(cls, directory: str | Path | None = None, taxonomy: str | Path | None = None,
             type_encoder: str | Path | None = None) -> TicketClassifier:
        """Load a model directory (the shipped default when none is given), the taxonomy (with overrides) and,
        when given, a fine-tuned request-type encoder (`hotline train encoder`) to mix in."""
        directory = Path(directory) if directory else DEFAULT_MODEL_DIR
        card = read_card(directory)
        mix = None
        if type_encoder is not None:
            from model.encoder_classifier import EncoderMix

            mix = EncoderMix.load(type_encoder)
        return cls(LabelModel.load(directory, "category"), LabelModel.load(directory, "type"),
                   Taxonomy.load(taxonomy), card, type_encoder=mix)
