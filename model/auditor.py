"""ReplyAuditor: the five elements with evidence, redo risk, relevance, timeliness, score, issues and suggestions.

Two stages, both linear and stored as arrays:
1. one model per element reads the reply's character n-grams plus the rule features (:mod:`model.elements`);
2. the redo and relevance models read the element logits, a few rule flags, the message/reply overlap and how likely
   the message is an inquiry (:mod:`model.audit_asking`).
Evidence always comes from the rules; the models decide presence and give the probabilities. An element is present
when its probability reaches the element's threshold (the F1-best one out of fold, kept in the model directory);
contact and time also need a phrase of the reply that states them (for time, a date of this handling). The verdict is
redo when the risk reaches the redo threshold or the result is absent.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np

from model.advice import advise, is_praise
from model.artifacts import ModelFileError, fingerprint, load_component, read_card, save_component, write_card
from model.audit_asking import COMPONENT as ASKING_COMPONENT
from model.audit_asking import AskingReader
from model.audit_features import STAGE_TWO_ELEMENTS, ReplyFeatures, element_matrices, extract, meta_matrix
from model.audit_policy import AuditPolicy
from model.audit_results import (
    ELEMENTS,
    Audit,
    ElementAudit,
    Elements,
    EvidenceSpan,
    Relevance,
    ReplyTicket,
)
from model.elements import NOT_EVIDENCE, RULE_FEATURE_NAMES, RuleOutput
from model.features import CharNgramTfidf
from model.linear import CalibratedLinear

DEFAULT_AUDITOR_DIR = Path(__file__).parent / "resources" / "default_auditor"
EMPTY_REPLY = "答复内容为空"
# Elements the rubric wants stated in words, so the model's probability is not enough without a phrase: contact (the
# model has 26 positives to learn from) and time, which needs a date of a handling action (not the sign-off, the
# citizen's post, a policy or, given the message's time, a date before the message: 11 of 13 gold dev replies whose
# every date precedes the message have no handling time, though the silver annotator counted 25 of 64 such).
_NEEDS_EVIDENCE = ("contact", "time")
# Evidence that states an element by itself, whatever the model's probability: "已电话告知您" is a contact made (the
# contact model learnt from 26 loosely labelled replies and misses most such phrases); "经核实" / "据查" / "经了解" is
# the unit looking into the matter (model.elements, VERIFIED_RE).
_STATED = ("contact:citizen", "process:verified")


def with_evidence(element_p: np.ndarray, features: ReplyFeatures) -> np.ndarray:
    """Element probabilities once the rules' evidence counts: 0 for an element that needs a phrase and has none, 1
    for one a phrase states by itself. Presence is this probability against the element's threshold."""
    element_p = element_p.copy()
    for row, rules in enumerate(features.rules):
        for column, name in enumerate(ELEMENTS):
            spans = rules.spans[name]
            if any(span.kind in _STATED for span in spans):
                element_p[row, column] = 1.0
            elif name in _NEEDS_EVIDENCE and all(span.kind in NOT_EVIDENCE for span in spans):
                element_p[row, column] = 0.0
    return element_p
# Statements: replies whose rules find elements stated in so many words, whatever the models read. The models learnt
# that short replies are incomplete (2 % of the silver replies under 60 characters state a result), which is wrong for
# "区城管局于6月3日到现场修复路灯，已恢复照明。" and for "可以异地办理身份证。" answering a 咨询. Three kinds:
# - "complete" (flag COMPLETE_STATED): a named handler, a dated action, the handling and a result written as done;
# - "answer" (model.answers): the reply answers the question the title asks, which the rubric counts as the result;
# - "done" (flag DONE_STATED): of the four only the result, written as done (综合验收已办理完毕, 事情得到妥善解决); the
#   risk model reads a reply that also says what comes next (预计年底将办好一批) or is short as likely redo.
# A stated element is present at p ≥ 1 − r, the redo risk is at most r and the reply is not off-topic, where r is the
# smoothed share of such training replies sent back (kept in the model directory, per kind).
STATEMENT_ELEMENTS = {"complete": ("org", "time", "process", "result"), "answer": ("result",), "done": ("result",)}
# And one kind that states an element missing: the reply's last word on the matter is that it is still being handled
# (flag ENDS_PENDING: 目前案件正在办理中, with nothing done or answered after it). The rubric sends such replies back
# ("正在协调处理中" is no reply; 已立案 with no confirmed effect is no result): the result is at most 1 − r and the redo
# risk at least r, where r is again the smoothed share of such training replies sent back.
MISSING_STATEMENTS = {"pending": ("result",)}
RATED_KINDS = (*STATEMENT_ELEMENTS, *MISSING_STATEMENTS)


def statements(features: ReplyFeatures) -> dict[str, np.ndarray]:
    """Which replies make each kind of statement (bool per row), each counted under its strongest kind; a reply that
    states its result is not pending."""
    def flagged(name: str) -> np.ndarray:
        return np.array([rules.flags[name] == 1 for rules in features.rules], dtype=bool)

    complete, pending = flagged("COMPLETE_STATED"), flagged("ENDS_PENDING")
    answer = np.array([answer is not None for answer in features.answers], dtype=bool)
    return {"complete": complete, "answer": answer, "done": flagged("DONE_STATED") & ~complete & ~answer,
            "pending": pending & ~complete & ~answer}


def stated_redo_rate(stated: np.ndarray, redo: np.ndarray) -> float:
    """The share of stating training replies sent back, smoothed (one of each added)."""
    return round(float((redo[stated].sum() + 1) / (stated.sum() + 2)), 4)


def statement_redo_rates(stated: dict[str, np.ndarray], redo: np.ndarray) -> dict[str, float]:
    """The smoothed share sent back, per kind of statement."""
    return {kind: stated_redo_rate(rows, redo) for kind, rows in stated.items()}


def with_statements(element_p: np.ndarray, stated: dict[str, np.ndarray], rates: dict[str, float]) -> np.ndarray:
    """Element probabilities once statements count: each stated element at least 1 − its kind's rate, each element
    stated missing at most that."""
    element_p = element_p.copy()
    for kind, rows in stated.items():
        missing = kind in MISSING_STATEMENTS
        names = MISSING_STATEMENTS[kind] if missing else STATEMENT_ELEMENTS[kind]
        cells = np.ix_(np.flatnonzero(rows), [ELEMENTS.index(name) for name in names])
        element_p[cells] = (np.minimum if missing else np.maximum)(element_p[cells], 1 - rates[kind])
    return element_p


def capped_risk(risk: np.ndarray, stated: dict[str, np.ndarray], rates: dict[str, float]) -> np.ndarray:
    """Redo risk once statements count: at most the rate of each kind a reply states, at least the rate of a kind
    that states an element missing."""
    for kind, rows in stated.items():
        bound = np.maximum if kind in MISSING_STATEMENTS else np.minimum
        risk = np.where(rows, bound(risk, rates[kind]), risk)
    return risk


def answers_something(features: ReplyFeatures, stated: dict[str, np.ndarray]) -> np.ndarray:
    """Replies that have answered something (bool per row): those that state elements, and any that writes a done
    result or a closing state (已修复, 得到缓解). Of such labelled replies 3 of 126 silver and none of 25 gold dev ones
    are off-topic."""
    written = np.array([any(span.kind in ("result:done", "result:state") for span in rules.spans["result"])
                        for rules in features.rules], dtype=bool)
    return np.logical_or.reduce([written, *(stated[kind] for kind in STATEMENT_ELEMENTS)])


def verdict_scores(risk: np.ndarray, element_p: np.ndarray, result_threshold: float, praise: np.ndarray) -> np.ndarray:
    """What the redo threshold is set against: the redo risk, 1 for a reply without a result — the rubric sends back
    a reply that gives none, and the labels agree (98 % of silver replies without a result are redo, 0.6 % of those
    with one) — and 0 for a reply to praise, which needs no handling."""
    no_result = element_p[:, ELEMENTS.index("result")] < result_threshold
    return np.where(praise, 0.0, np.where(no_result, 1.0, risk))


def not_off_topic(relevance_p: np.ndarray, rows: np.ndarray, levels: Sequence) -> np.ndarray:
    """The relevance distribution with level 0 (off-topic) ruled out for the given rows."""
    relevance_p = relevance_p.copy()
    off_topic = [j for j, level in enumerate(levels) if int(level) == 0]
    relevance_p[np.ix_(np.flatnonzero(rows), off_topic)] = 0.0
    return relevance_p / relevance_p.sum(axis=1, keepdims=True)


class ReplyAuditor:
    """Audits replies; load a trained directory with :meth:`load`, build one with ``training.fit_auditor``."""

    COMPONENTS = ("audit_text", *(f"element_{e}" for e in ELEMENTS), "redo", "relevance", ASKING_COMPONENT)

    def __init__(self, tfidf: CharNgramTfidf, scale: np.ndarray, element_heads: dict[str, CalibratedLinear],
                 redo_head: CalibratedLinear, relevance_head: CalibratedLinear, asking: AskingReader,
                 redo_threshold: float = 0.5,
                 element_thresholds: dict[str, float] | None = None,
                 statement_redo_rates: dict[str, float] | None = None,
                 policy: AuditPolicy | None = None, card: dict | None = None):
        self.tfidf = tfidf
        self.scale = np.asarray(scale, dtype=np.float32)
        self.element_heads = element_heads
        self.redo_head = redo_head
        self.relevance_head = relevance_head
        self.asking = asking
        self.redo_threshold = redo_threshold
        self.element_thresholds = {e: 0.5 for e in ELEMENTS} | (element_thresholds or {})
        self.statement_redo_rates = {kind: 0.5 for kind in RATED_KINDS} | (statement_redo_rates or {})
        self.policy = policy or AuditPolicy.load()
        self.card = card or {}

    @property
    def version(self) -> str:
        return self.card.get("version", "unversioned")

    # --- probabilities -------------------------------------------------------------------------------------------
    def features(self, tickets: Sequence[ReplyTicket]) -> ReplyFeatures:
        """What the models read of a batch of tickets."""
        return extract(tickets, self.asking)

    def element_probabilities(self, features: ReplyFeatures) -> np.ndarray:
        """P(present) for each reply (rows) and element (columns, in ELEMENTS order)."""
        matrices = element_matrices(features, self.tfidf, self.scale)
        return np.column_stack([self.element_heads[e].predict_proba(matrices[e])[:, 1] for e in ELEMENTS])

    def stage_two(self, element_p: np.ndarray, features: ReplyFeatures) -> tuple[np.ndarray, np.ndarray]:
        """Redo risk and the relevance distribution (levels 0, 1, 2)."""
        meta = meta_matrix(element_p, features)
        return self.redo_head.predict_proba(meta)[:, 1], self.relevance_head.predict_proba(meta)

    def probabilities(self, features: ReplyFeatures) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Element probabilities with statements and evidence counted, the redo risk with statements counted (stage
        two reads the element probabilities before the evidence rule), and the relevance distribution."""
        stated, rates = statements(features), self.statement_redo_rates
        element_p = with_statements(self.element_probabilities(features), stated, rates)
        risk, relevance_p = self.stage_two(element_p, features)
        return (with_evidence(element_p, features), capped_risk(risk, stated, rates),
                not_off_topic(relevance_p, answers_something(features, stated), self.relevance_head.labels))

    # --- audits --------------------------------------------------------------------------------------------------
    def audit(self, tickets: Sequence[ReplyTicket]) -> list[Audit]:
        """Audit a batch; a row with an empty reply gets an `error` and the others are audited as usual."""
        results = [Audit(id=t.id, model_version=self.version, error=EMPTY_REPLY) for t in tickets]
        valid = [i for i, t in enumerate(tickets) if t.reply and t.reply.strip()]
        if not valid:
            return results
        batch = [tickets[i] for i in valid]
        features = self.features(batch)
        element_p, risk, relevance_p = self.probabilities(features)
        levels = np.array([int(label) for label in self.relevance_head.labels])
        for row, index in enumerate(valid):
            results[index] = self._one(batch[row], features.rules[row], element_p[row], float(risk[row]),
                                       relevance_p[row], levels, features.unanswered[row])
        return results

    def _one(self, ticket: ReplyTicket, rules: RuleOutput, element_p: np.ndarray, risk: float,
             relevance_p: np.ndarray, levels: np.ndarray, unanswered: list[str]) -> Audit:
        elements = {}
        for j, name in enumerate(ELEMENTS):
            p = float(element_p[j])
            present = p >= self.element_thresholds[name]
            spans = [s for s in rules.spans[name] if s.kind not in NOT_EVIDENCE] if present else []
            elements[name] = ElementAudit(
                present=present, confidence=round(p if present else 1 - p, 4),
                evidence=[EvidenceSpan(start=s.start, end=s.end, text=s.text, kind=s.kind) for s in spans])
        level = int(levels[int(relevance_p.argmax())])
        relevance = Relevance(level=level, score=round(float(relevance_p @ levels) / 2, 4),
                              unanswered=unanswered if level < 2 else [])
        timeliness = self.policy.limits.check(ticket.message_time, ticket.reply_time, ticket.type)
        score = verdict_scores(np.array([risk]), element_p[None, :], self.element_thresholds["result"],
                               np.array([is_praise(ticket)]))[0]
        verdict = "redo" if score >= self.redo_threshold else "pass"
        advice = advise(ticket, rules, elements, relevance, timeliness, verdict)
        return Audit(
            id=ticket.id, verdict=verdict, redo_risk=round(risk, 4),
            score=self.policy.score({name: float(element_p[j]) for j, name in enumerate(ELEMENTS)}, relevance.score),
            elements=Elements(**elements), relevance=relevance, timeliness=timeliness, issues=advice.issues,
            suggestions=advice.suggestions, model_version=self.version)

    # --- files ---------------------------------------------------------------------------------------------------
    def save(self, directory: str | Path, card: dict) -> dict:
        """Write every component and a model card; the version is a hash of what was written."""
        directory = Path(directory)
        config, arrays = self.tfidf.state()
        save_component(directory, "audit_text", {
            "tfidf": config, "rule_features": list(RULE_FEATURE_NAMES),
            "stage_two_elements": list(STAGE_TWO_ELEMENTS), "redo_threshold": self.redo_threshold,
            "element_thresholds": self.element_thresholds,
            "statement_redo_rates": self.statement_redo_rates,
        }, {**arrays, "scale": self.scale})
        heads = {**{f"element_{e}": self.element_heads[e] for e in ELEMENTS}, "redo": self.redo_head,
                 "relevance": self.relevance_head}
        for name, head in heads.items():
            save_component(directory, name, *head.state())
        self.asking.save(directory)
        card = {"version": f"{date.today():%Y.%m.%d}-{fingerprint(directory, list(self.COMPONENTS))}",
                "created": date.today().isoformat(), **card}
        write_card(directory, card)
        self.card = card
        return card

    @classmethod
    def load(cls, directory: str | Path | None = None, policy: str | Path | None = None) -> ReplyAuditor:
        """Load a model directory (the shipped default when none is given) and the audit policy (with overrides)."""
        directory = Path(directory) if directory else DEFAULT_AUDITOR_DIR
        card = read_card(directory)
        config, arrays = load_component(directory, "audit_text")
        if config.get("rule_features") != list(RULE_FEATURE_NAMES):
            raise ModelFileError(f"{directory} was trained with other rule features; retrain it with this version")
        if config.get("stage_two_elements", list(ELEMENTS)) != list(STAGE_TWO_ELEMENTS):  # older models read all five
            raise ModelFileError(f"{directory} was trained with an older redo model; retrain it with this version")
        if not (directory / f"{ASKING_COMPONENT}.json").is_file():
            raise ModelFileError(f"{directory} was trained before the redo model read whether the message is an "
                                 "inquiry; retrain it with this version")
        if set(config.get("statement_redo_rates", {})) != set(RATED_KINDS):
            raise ModelFileError(f"{directory} was trained before replies that state elements (complete replies, "
                                 "direct answers) were counted; retrain it with this version")
        tfidf = CharNgramTfidf.from_state(config["tfidf"], arrays)

        def head(name: str) -> CalibratedLinear:
            return CalibratedLinear.from_state(*load_component(directory, name))

        return cls(tfidf, arrays["scale"], {e: head(f"element_{e}") for e in ELEMENTS}, head("redo"),
                   head("relevance"), AskingReader.load(directory), float(config["redo_threshold"]), config.get("element_thresholds"),
                   {kind: float(rate) for kind, rate in config["statement_redo_rates"].items()}, AuditPolicy.load(policy),
                   card)
