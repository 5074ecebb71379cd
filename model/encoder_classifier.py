"""A fine-tuned transformer classifier: an encoder, mean pooling over the real tokens and a linear head; and
:class:`EncoderMix`, which mixes its probabilities into a linear model's (the request type, opt-in).

Saved as a directory of safetensors and JSON (``encoder/`` in transformers' own format, ``head.safetensors``,
``labels.json`` and the model card), so loading never executes code from the files.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from model.artifacts import read_card, write_card
from model.encoder import PREFIXES, TextEncoder
from model.text import combine, mask_pii, normalise

MESSAGE_CHARS = 300  # characters of a message (title + content) the encoder sees: about 128 tokens


def message_text(title: str, content: str) -> str:
    """What the encoder reads of a ticket: normalised, personal numbers masked, title and content joined, cut."""
    return mask_pii(combine(normalise(title), normalise(content)))[:MESSAGE_CHARS]


class EncoderClassifier(torch.nn.Module):
    def __init__(self, encoder: TextEncoder, labels: Sequence[str], dropout: float = 0.1):
        super().__init__()
        self.encoder = encoder.model
        self.tokenizer = encoder.tokenizer
        self.labels = list(labels)
        self.dropout = torch.nn.Dropout(dropout)
        self.head = torch.nn.Linear(encoder.dim, len(self.labels))
        self.card: dict = {}

    @property
    def version(self) -> str:
        return self.card.get("version", "unversioned")

    @property
    def device(self) -> torch.device:
        return self.head.weight.device

    def forward(self, texts: Sequence[str], max_length: int) -> torch.Tensor:
        """Logits for texts that already carry their e5 prefix."""
        batch = self.tokenizer(list(texts), padding=True, truncation=True, max_length=max_length,
                               return_tensors="pt").to(self.device)
        hidden = self.encoder(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
        return self.head(self.dropout(pooled))

    @torch.inference_mode()
    def predict_proba(self, texts: Sequence[str], batch_size: int = 32, max_length: int | None = None) -> np.ndarray:
        """(len(texts), len(labels)) probabilities; texts get the "query: " prefix here."""
        was_training = self.training
        self.eval()
        max_length = max_length or int(self.card.get("arguments", {}).get("max_length", 128))
        out = [torch.softmax(self([PREFIXES["query"] + t for t in texts[i:i + batch_size]], max_length), dim=-1)
               for i in range(0, len(texts), batch_size)]
        self.train(was_training)
        return torch.cat(out).float().cpu().numpy() if out else np.zeros((0, len(self.labels)), np.float32)

    def save(self, directory: str | Path, card: dict) -> None:
        directory = Path(directory)
        self.encoder.save_pretrained(directory / "encoder")
        self.tokenizer.save_pretrained(directory / "encoder")
        save_file({k: v.detach().cpu().contiguous() for k, v in self.head.state_dict().items()},
                  directory / "head.safetensors")
        (directory / "labels.json").write_text(json.dumps(self.labels, ensure_ascii=False), encoding="utf-8")
        digest = hashlib.sha256((directory / "head.safetensors").read_bytes())
        digest.update((directory / "labels.json").read_bytes())
        card = {"version": f"{date.today():%Y.%m.%d}-{digest.hexdigest()[:10]}", **card}
        write_card(directory, card)
        self.card = card

    @classmethod
    def load(cls, directory: str | Path, threads: int | None = None) -> EncoderClassifier:
        directory = Path(directory)
        labels = json.loads((directory / "labels.json").read_text(encoding="utf-8"))
        model = cls(TextEncoder.load(directory / "encoder", threads=threads), labels)
        model.head.load_state_dict(load_file(directory / "head.safetensors"))
        model.card = read_card(directory)
        return model.eval()


@dataclass
class EncoderMix:
    """A fine-tuned encoder's probabilities mixed into a linear model's: (1 − weight) · linear + weight · encoder,
    over the linear model's labels (an encoder label it does not have is left out and the rest renormalised), then
    recalibrated: softmax(log(mix) / temperature)."""

    model: EncoderClassifier
    weight: float
    temperature: float = 1.0

    @classmethod
    def load(cls, directory: str | Path, weight: float | None = None, threads: int | None = None) -> EncoderMix:
        """The model in `directory`, at `weight` or else the weight its card was trained for (``mix_weight``), with
        the card's ``mix_temperature``."""
        model = EncoderClassifier.load(directory, threads=threads)
        weight = model.card.get("mix_weight") if weight is None else weight
        if weight is None or not 0.0 <= float(weight) <= 1.0:
            raise ValueError(f"{directory}: a mixing weight between 0 and 1 is needed (the card has none)")
        temperature = float(model.card.get("mix_temperature", 1.0))
        if temperature <= 0:
            raise ValueError(f"{directory}: mix_temperature must be positive")
        return cls(model, float(weight), temperature)

    def mix(self, probabilities: np.ndarray, labels: Sequence[str], titles: Sequence[str],
            contents: Sequence[str]) -> np.ndarray:
        if not len(probabilities) or self.weight == 0.0:
            return probabilities
        own = self.model.predict_proba([message_text(t, c) for t, c in zip(titles, contents, strict=True)])
        return mix_probabilities(probabilities, align_labels(own, self.model.labels, labels), self.weight,
                                 self.temperature)


def align_labels(probabilities: np.ndarray, own_labels: Sequence[str], labels: Sequence[str]) -> np.ndarray:
    """Probabilities over `own_labels` moved to the columns of `labels`; an own label not among them is left out and
    the rest renormalised."""
    aligned = np.zeros((len(probabilities), len(labels)))
    for j, label in enumerate(own_labels):
        if label in labels:
            aligned[:, list(labels).index(label)] = probabilities[:, j]
    return aligned / np.maximum(aligned.sum(axis=1, keepdims=True), 1e-12)


def mix_probabilities(linear: np.ndarray, encoder: np.ndarray, weight: float, temperature: float = 1.0) -> np.ndarray:
    """(1 − weight) · linear + weight · encoder (same columns), recalibrated as softmax(log(mix) / temperature)."""
    mixed = (1.0 - weight) * linear + weight * encoder
    if temperature == 1.0:
        return mixed
    logits = np.log(np.maximum(mixed, 1e-12)) / temperature
    scaled = np.exp(logits - logits.max(axis=1, keepdims=True))
    return scaled / scaled.sum(axis=1, keepdims=True)
