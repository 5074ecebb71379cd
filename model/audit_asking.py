"""How likely each citizen's message is an inquiry (咨询): the redo model reads it, because it changes what counts
as an answer.

The rubric takes a definitive answer as the result of an inquiry, while a complaint, report or plea for help
(投诉/举报/求助) wants the matter handled: a reply that explains the situation and handles nothing is 避重就轻 there.
Of the silver replies the auditor passes out of fold, 11 % of the inquiries and 22 % of the complaints are redo.
The reading is the request-type model of the ticket classifier (a copy kept in the auditor's directory, so that
retraining the classifier does not move the auditor's inputs), or the office's own type when the ticket has one.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from model.audit_results import ReplyTicket
from model.classifier import LabelModel
from model.features import share_lookups
from model.text import Tokenizer, default_tokenizer, prepare

INQUIRY_TYPE = "咨询"
COMPONENT = "request_type"


class AskingReader:
    """P(the message is an inquiry) for tickets, from their given type or the request-type model."""

    def __init__(self, request_type: LabelModel):
        self.request_type = request_type
        self._tokenizer: Tokenizer | None = None
        # its char blocks read the same n-grams: probe them once (blocks a classifier already links are left alone)
        share_lookups([block for _, block, _ in request_type.features.blocks
                       if getattr(block, "_shared_lookup", None) is None])

    def given(self, ticket_type: str | None) -> float | None:
        """1 or 0 for a type the office gave (咨询 / another request type), None when there is none to go by."""
        text = (ticket_type or "").strip()
        if not text:
            return None
        if INQUIRY_TYPE in text:
            return 1.0
        return 0.0 if any(label in text for label in self.request_type.labels) else None

    def probability(self, tickets: Sequence[ReplyTicket]) -> np.ndarray:
        """One probability per ticket: the given type's when it has one, else the model's (0 for a model without
        an inquiry label)."""
        asking = np.array([np.nan if (p := self.given(t.type)) is None else p for t in tickets], dtype=np.float64)
        unknown = np.flatnonzero(np.isnan(asking))
        if len(unknown) == 0:
            return asking
        if INQUIRY_TYPE not in self.request_type.labels:
            asking[unknown] = 0.0
            return asking
        words = self.request_type.features.reads_words
        if words and self._tokenizer is None:
            self._tokenizer = default_tokenizer()
        docs = [prepare(tickets[i].title, tickets[i].content, self._tokenizer, words=words) for i in unknown]
        inquiry = self.request_type.labels.index(INQUIRY_TYPE)
        asking[unknown] = self.request_type.predict_proba(docs, shared={})[:, inquiry]
        return asking

    def save(self, directory: Path) -> None:
        self.request_type.save(directory, COMPONENT)

    @classmethod
    def load(cls, directory: Path) -> AskingReader:
        return cls(LabelModel.load(directory, COMPONENT))
