"""Sentence embeddings from a transformers encoder (multilingual-e5-small by default), offline.

e5 models want ``query: `` before a short question and ``passage: `` before a document. An embedding is the mean of
the last hidden states over the real (unpadded) tokens, L2-normalised, so a dot product of two is their cosine.
The default model directory is the one ``python -m training.convert_e5`` writes (``~/.cache/hotline/e5-small``,
or ``$HOTLINE_ENCODER_DIR``); any local transformers model directory, or a hub id where a hub is reachable, works too.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from transformers import AutoConfig, AutoModel, AutoTokenizer

ENCODER_DIR_ENV = "HOTLINE_ENCODER_DIR"
PREFIXES = {"query": "query: ", "passage": "passage: "}
NO_POOLER_TYPES = ("bert", "roberta", "xlm-roberta")  # the pooler is unused here: not built, not loaded


def default_encoder_dir() -> Path:
    return Path(os.environ.get(ENCODER_DIR_ENV) or Path.home() / ".cache" / "hotline" / "e5-small").expanduser()


class EncoderNotFound(FileNotFoundError):
    """No encoder at the given (or default) location."""


class TextEncoder:
    """Embeds texts into L2-normalised float32 vectors; ``kind`` chooses the e5 prefix."""

    def __init__(self, model: torch.nn.Module, tokenizer, name: str = ""):
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.name = name

    @classmethod
    def load(cls, path_or_id: str | Path | None = None, *, threads: int | None = None) -> TextEncoder:
        """Load a model directory (default: :func:`default_encoder_dir`) or a hub id; ``threads`` sets torch's."""
        if threads:
            torch.set_num_threads(threads)
        source = Path(path_or_id).expanduser() if path_or_id is not None else default_encoder_dir()
        if source.is_dir():
            name, local = str(source), {"local_files_only": True}
        elif path_or_id is None or source.exists() or str(path_or_id).startswith((".", "/", "~")):
            raise EncoderNotFound(f"no encoder directory at {source}; convert the default one with "
                                  f"`python -m training.convert_e5` (or set {ENCODER_DIR_ENV})")
        else:
            name, local = str(path_or_id), {}
        config = AutoConfig.from_pretrained(name, **local)
        no_pooler = {"add_pooling_layer": False} if config.model_type in NO_POOLER_TYPES else {}
        tokenizer = AutoTokenizer.from_pretrained(name, **local)
        model = AutoModel.from_pretrained(name, config=config, dtype=torch.float32, use_safetensors=True,  # no pickle
                                          **local, **no_pooler)
        return cls(model, tokenizer, name)

    @property
    def dim(self) -> int:
        return int(self.model.config.hidden_size)

    def embed(self, texts: Sequence[str], kind: str = "query", batch_size: int = 32,
              max_length: int = 256) -> np.ndarray:
        """``(len(texts), dim)`` float32, rows of unit length. Texts are batched by length to pad little."""
        if kind not in PREFIXES:
            raise ValueError(f"kind must be one of {sorted(PREFIXES)}, not {kind!r}")
        if batch_size < 1 or max_length < 3:
            raise ValueError("batch_size must be ≥ 1 and max_length ≥ 3")
        prefixed = [PREFIXES[kind] + text for text in texts]
        out = np.zeros((len(prefixed), self.dim), dtype=np.float32)
        order = sorted(range(len(prefixed)), key=lambda i: len(prefixed[i]))
        for start in range(0, len(order), batch_size):
            chosen = order[start:start + batch_size]
            out[chosen] = self._embed_batch([prefixed[i] for i in chosen], max_length)
        return out

    @torch.inference_mode()
    def _embed_batch(self, texts: list[str], max_length: int) -> np.ndarray:
        batch = self.tokenizer(texts, padding=True, truncation=True, max_length=max_length, return_tensors="pt",
                               return_token_type_ids=False)
        hidden = self.model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
        return torch.nn.functional.normalize(pooled, dim=-1).float().numpy()
