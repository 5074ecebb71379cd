"""Training data for the request-type model: the silver set, weighted by the annotator's confidence."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from training.data import load_shared_csv

MAIN_TYPES = ["投诉", "举报", "求助", "咨询", "建议"]
LOW_CONFIDENCE_WEIGHT = 0.5


def load_type_training(data_dir: Path | None = None) -> pd.DataFrame:
    """Columns title, content, type, weight; `attrs['description']` says what went in."""
    silver = load_shared_csv("type/type_silver.csv", data_dir)
    silver["weight"] = silver.confidence.map({"low": LOW_CONFIDENCE_WEIGHT}).fillna(1.0)
    frame = silver[["title", "content", "type", "weight"]].reset_index(drop=True)
    frame.attrs["description"] = f"type/type_silver.csv ({len(silver)} rows; low-confidence rows weighted 0.5)"
    return frame
