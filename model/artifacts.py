"""Model directories on disk: JSON for configuration and the model card, .npz for arrays; never pickle.

Layout of a model directory::

    model_card.json        version, creation date, training data, split, metrics
    <component>.json       configuration of one component (feature blocks, labels, vocabularies)
    <component>.npz        its arrays, read with ``allow_pickle=False``
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

CARD_FILE = "model_card.json"


class ModelFileError(RuntimeError):
    """A model directory is missing, incomplete or not in the expected format."""


def save_component(directory: Path, name: str, config: dict | list, arrays: dict[str, np.ndarray]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{name}.json").write_text(json.dumps(config, ensure_ascii=False, separators=(",", ":")),
                                            encoding="utf-8")
    np.savez_compressed(directory / f"{name}.npz", **arrays)


def load_component(directory: Path, name: str) -> tuple[dict | list, dict[str, np.ndarray]]:
    config_path, arrays_path = directory / f"{name}.json", directory / f"{name}.npz"
    if not config_path.is_file() or not arrays_path.is_file():
        raise ModelFileError(f"{directory} has no component '{name}' ({config_path.name}, {arrays_path.name})")
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
        with np.load(arrays_path, allow_pickle=False) as stored:
            arrays = {key: stored[key] for key in stored.files}
    except (ValueError, OSError) as error:
        raise ModelFileError(f"cannot read component '{name}' of {directory}: {error}") from error
    return config, arrays


def fingerprint(directory: Path, names: list[str]) -> str:
    """Short content hash of the components: the same training gives the same version."""
    digest = hashlib.sha256()
    for name in names:
        digest.update((directory / f"{name}.json").read_bytes())
        with np.load(directory / f"{name}.npz", allow_pickle=False) as stored:
            for key in sorted(stored.files):
                digest.update(key.encode())
                digest.update(np.ascontiguousarray(stored[key]).tobytes())
    return digest.hexdigest()[:10]


def write_card(directory: Path, card: dict) -> None:
    (directory / CARD_FILE).write_text(json.dumps(card, ensure_ascii=False, indent=2), encoding="utf-8")


def read_card(directory: Path) -> dict:
    path = directory / CARD_FILE
    if not path.is_file():
        raise ModelFileError(f"{directory} is not a model directory: {CARD_FILE} is missing")
    return json.loads(path.read_text(encoding="utf-8"))
