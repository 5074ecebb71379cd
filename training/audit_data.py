"""Labelled replies for the auditor: the shared audit sets or an office's own file with the same label columns."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from model.audit_results import ELEMENTS, ReplyTicket
from training.data import load_labelled

REPLY_FIELDS = ("id", "title", "content", "reply")
OPTIONAL_FIELDS = ("message_time", "reply_time", "type", "unit")
REPLY_LABELS = (*ELEMENTS, "relevant", "verdict")


def load_audit_labelled(path: str | Path, sheet: str | None = None) -> pd.DataFrame:
    """Replies with the rubric's labels: 0/1 per element, relevant 0/1/2, verdict pass/redo."""
    frame = load_labelled(path, required=(*REPLY_FIELDS, *REPLY_LABELS), optional=OPTIONAL_FIELDS, sheet=sheet)
    bad = ~frame["verdict"].isin(["pass", "redo"])
    if bad.any():
        raise ValueError(f"{Path(path).name}: verdict must be pass or redo (row {int(bad.idxmax()) + 2})")
    for column in (*ELEMENTS, "relevant"):
        frame[column] = pd.to_numeric(frame[column], errors="raise").astype(int)
    return frame


def tickets_from_frame(frame: pd.DataFrame) -> list[ReplyTicket]:
    columns = [c for c in (*REPLY_FIELDS, *OPTIONAL_FIELDS) if c in frame.columns]
    return [ReplyTicket(**{c: (str(row[c]) if row[c] not in (None, "") else None) if c in OPTIONAL_FIELDS or c == "id"
                           else str(row[c] or "") for c in columns})
            for row in frame[columns].to_dict("records")]
