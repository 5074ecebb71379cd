"""A fine-tuned transformer classifier: an encoder, mean pooling over the real tokens and a linear head.

Saved as a directory of safetensors and JSON (``encoder/`` in transformers' own format, ``head.safetensors``,
``labels.json`` and the model card), so loading never executes code from the files.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from model.artifacts import read_card, write_card
from model.encoder import PREFIXES, TextEncoder


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
