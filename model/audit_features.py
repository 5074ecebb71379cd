"""Features of a batch of replies for the auditor's models: rule features, relevance overlap, masked reply text, and
how likely the message is an inquiry.

Training and inference build them the same way, here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from model.answers import direct_answer
from model.audit_asking import AskingReader
from model.audit_results import ELEMENTS, ReplyTicket
from model.elements import RULE_FEATURE_NAMES, RuleOutput, Span, detect_elements
from model.features import CharNgramTfidf
from model.relevance import REL_FEATURE_NAMES, relevance_features
from model.text import PreparedText, mask_pii
from model.timeliness import parse_time

# Rule features the second stage (redo risk, relevance) sees next to the element logits.
META_RULES = ("flag_forward_only", "flag_ack_only", "flag_shirking", "res_pending", "res_shirk", "fwd_n", "len_log",
              "len_short", "resid_log", "fut_only", "fut_frac", "tail_done", "tail_pending", "tail_order")
_META_INDEX = [RULE_FEATURE_NAMES.index(name) for name in META_RULES]


@dataclass
class ReplyFeatures:
    rules: list[RuleOutput]
    rule_matrix: np.ndarray       # rule features, raw scale (rows: replies, columns: RULE_FEATURE_NAMES)
    relevance_matrix: np.ndarray  # REL_FEATURE_NAMES
    docs: list[PreparedText]      # masked, normalised reply text for the character n-grams
    unanswered: list[list[str]]   # demand sentences the reply does not touch
    answers: list[Span | None]    # the clause answering the title's question (model.answers), if any
    asking: np.ndarray | None = None  # P(the message is an inquiry) (model.audit_asking); None when not read

    def __len__(self) -> int:
        return len(self.docs)

    def subset(self, rows: Sequence[int]) -> ReplyFeatures:
        return ReplyFeatures([self.rules[i] for i in rows], self.rule_matrix[rows], self.relevance_matrix[rows],
                             [self.docs[i] for i in rows], [self.unanswered[i] for i in rows],
                             [self.answers[i] for i in rows], None if self.asking is None else self.asking[rows])


def extract(tickets: Sequence[ReplyTicket], asking: AskingReader | None = None) -> ReplyFeatures:
    """Features of each ticket's reply; a direct answer to the title's question joins the result evidence. The redo
    and relevance models also need `asking` (the element models and the rules do not)."""
    rules = [detect_elements(t.reply, parse_time(t.message_time)) for t in tickets]
    answers = [direct_answer(t.title, t.content, r.context, asks="咨询" in (t.type or ""))
               for t, r in zip(tickets, rules, strict=True)]
    for rule, answer in zip(rules, answers, strict=True):
        if answer is not None:
            rule.spans["result"].append(answer)
    rule_matrix = np.array([[r.feats[name] for name in RULE_FEATURE_NAMES] for r in rules], dtype=np.float32)
    relevance = [relevance_features(t.title, t.content, r.text) for t, r in zip(tickets, rules, strict=True)]
    relevance_matrix = np.array([[f[name] for name in REL_FEATURE_NAMES] for f, _ in relevance], dtype=np.float32)
    docs = [PreparedText(title="", text=mask_pii(r.text), tokens=()) for r in rules]
    return ReplyFeatures(rules, rule_matrix.reshape(len(rules), -1), relevance_matrix.reshape(len(rules), -1), docs,
                         [u for _, u in relevance], answers, None if asking is None else asking.probability(tickets))


# Rule features only one element's model reads. The others would take them as a proxy: replies that recount old dates
# (成立于2013年, 1959年开工建设) state results less often in silver, and with the date feature in every model the result
# and redo readings fell on gold dev (result F1 0.85 → 0.82) while time rose.
ELEMENT_ONLY_RULES = {"time_all_before": "time"}
_ELEMENT_ONLY_INDEX = {name: RULE_FEATURE_NAMES.index(name) for name in ELEMENT_ONLY_RULES}


def element_matrices(features: ReplyFeatures, tfidf: CharNgramTfidf, scale: np.ndarray) -> dict[str, sp.csr_matrix]:
    """What each element model reads: reply n-grams, rule features scaled to [0, 1] (another element's own ones set
    to zero), relevance overlap."""
    ngrams = tfidf.transform(features.docs)
    rules = features.rule_matrix / scale
    matrices = {}
    for element in ELEMENTS:
        own = rules.copy()
        for name, column in _ELEMENT_ONLY_INDEX.items():
            if ELEMENT_ONLY_RULES[name] != element:
                own[:, column] = 0.0
        matrices[element] = sp.hstack([ngrams, sp.csr_matrix(np.hstack([own, features.relevance_matrix]))],
                                      format="csr")
    return matrices


# The rubric: missing contact alone is not a redo. Given the contact logit, the redo model learned a positive weight
# for it (26 silver replies report contact, mostly short ones), so complete replies that had called the citizen were
# pushed towards redo. Stage two reads the other four elements.
STAGE_TWO_ELEMENTS = ("org", "time", "process", "result")
_STAGE_TWO_INDEX = [ELEMENTS.index(name) for name in STAGE_TWO_ELEMENTS]


def meta_matrix(element_probabilities: np.ndarray, features: ReplyFeatures) -> np.ndarray:
    """What the redo and relevance models read: element logits but contact's, a few rule flags, relevance overlap,
    and how likely the message is an inquiry."""
    if features.asking is None:
        raise ValueError("the redo model needs features extracted with the request-type reading (extract(…, asking))")
    p = np.clip(element_probabilities[:, _STAGE_TWO_INDEX], 1e-3, 1 - 1e-3)
    return np.column_stack([np.log(p / (1 - p)), features.rule_matrix[:, _META_INDEX], features.relevance_matrix,
                            features.asking])
