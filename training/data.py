"""The shared data sets and labelled tables as DataFrames, and grouped train/test splits.

Office exports themselves are read by :mod:`training.exports`; this module builds on it for training and evaluation.
"""

from __future__ import annotations

import glob
import os
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from training.exports import iter_table, resolve_columns

SHARED_DATA = Path(os.environ.get("HOTLINE_SHARED_DATA",
                                  Path(__file__).resolve().parent.parent.parent / "shared" / "data"))


def read_table(path: str | Path, required: Sequence[str], optional: Sequence[str] = (),
               sheet: str | None = None) -> pd.DataFrame:
    """A whole (small) table with canonical columns; unreadable rows are dropped. `sheet`: the .xlsx sheet."""
    rows = [row for chunk in iter_table(path, required, optional, sheet=sheet) for row in chunk if row is not None]
    return pd.DataFrame(rows, columns=[*required, *[c for c in optional if rows and c in rows[0]]])


def load_labelled(path: str | Path, required: Sequence[str], optional: Sequence[str] = (),
                  sheet: str | None = None) -> pd.DataFrame:
    """A labelled table with canonical column names; CSV goes through `datasets` (every column as text).
    `sheet`: the .xlsx sheet to read, by name or number (refused for other files)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found")
    if path.suffix.lower() != ".csv" or sheet is not None:
        return read_table(path, required, optional, sheet)
    from datasets import Features, Value, disable_progress_bars, load_dataset

    disable_progress_bars()  # a few-second CSV read: the command's own progress bar is enough

    header = list(pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns)
    mapping = resolve_columns(header, required, optional)
    # data_files is a pattern: a name such as replies[may].csv is escaped to name itself
    dataset = load_dataset("csv", data_files=glob.escape(str(path)), split="train", encoding="utf-8-sig",
                           features=Features({name: Value("string") for name in header}))
    frame = dataset.to_pandas().fillna("")
    return frame.rename(columns={column: name for name, column in mapping.items()})[list(mapping)]


def load_shared_csv(relative: str, data_dir: Path | None = None) -> pd.DataFrame:
    """One of the shared data sets (all of its columns, as text)."""
    path = (data_dir or SHARED_DATA) / relative
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: the shared data is expected in ../shared/data")
    header = list(pd.read_csv(path, nrows=0).columns)
    return load_labelled(path, required=header)


def group_keys(titles: Sequence[str], contents: Sequence[str]) -> np.ndarray:
    """Near-duplicate groups (the same message as a raw, stripped and segmented row share a title)."""
    def key(title: str, content: str) -> str:
        clean = re.sub(r"\s+", "", unicodedata.normalize("NFKC", title or ""))
        return clean or re.sub(r"\s+", "", unicodedata.normalize("NFKC", content or ""))[:20]
    return np.array([key(t, c) for t, c in zip(titles, contents)])


def grouped_split(groups: np.ndarray, test_size: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Train/held-out row indices with every near-duplicate group on one side only."""
    from sklearn.model_selection import GroupShuffleSplit

    splitter = GroupShuffleSplit(n_splits=1, test_size=test_size, random_state=seed)
    return next(splitter.split(np.zeros(len(groups)), groups=groups))
