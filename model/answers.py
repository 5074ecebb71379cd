"""Direct answers: the reply answers, in its own words, the question the citizen's title asks.

The rubric counts "a definitive substantive answer to the citizen's question (the policy answer, yes/no with reasons)"
as the result. A title that asks (咨询…, …是否…, …何时…) and a sentence of the reply that answers it — a clause that says
can / cannot / needs / belongs / has none (可以异地办理身份证, 不属于招生范围), or for a when-question a dated plan
(预计明年底完工通车) — on the message's subject (two shared character bigrams), in a sentence that neither forwards the
matter, nor sends the citizen elsewhere (请咨询…, 无法答复), nor disowns it (不属于我局职责), is such an answer. Short
answers are what the learned models miss: they read length, and most short replies in the offices' data are forwarding
notes.
"""

from __future__ import annotations

import re

from model.audit_lexicon import (
    ANSWER_CLAUSE_RE,
    ASKS_RE,
    DISOWN_RE,
    FORWARD_RE,
    NO_ANSWER_RE,
    WHEN_ANSWER_RE,
    WHEN_ASKS_RE,
    strip_boilerplate,
)
from model.elements import ReplyContext, Span
from model.relevance import bigrams
from model.text import normalise

ANSWER_KIND = "result:answer"
MIN_SHARED_BIGRAMS = 2  # bigrams an answering sentence shares with the message: it is about what was asked
MIN_CORE_CHARS = 6  # a sentence shorter than this once its courtesies are gone says nothing
_SENTENCE = re.compile(r"[^。！!？?；;\n]+?(?:[。！!？?；;\n]|如下[:：]|$)")
_CLAUSE = re.compile(r"[^，,；;：:。！!？?\n]+")


def _core(sentence: str) -> str:
    """A sentence without its courtesies (greeting, 收悉, 回复如下, thanks, 如有疑问…)."""
    return strip_boilerplate(sentence)


def direct_answer(title: str, content: str, reply: str | ReplyContext, asks: bool = False) -> Span | None:
    """The clause of the reply that answers the title's question, as evidence in raw reply offsets; None when the
    title asks nothing (and ``asks`` is not set, as for a ticket typed 咨询) or no sentence answers it. The reply may
    come already read (the ReplyContext of its rules)."""
    title = normalise(title or "")
    if not (asks or ASKS_RE.search(title)):
        return None
    answer_re = WHEN_ANSWER_RE if WHEN_ASKS_RE.search(title) else None
    ctx = reply if isinstance(reply, ReplyContext) else ReplyContext(reply)
    body = ctx.text[:ctx.signoff_start]
    message = bigrams(f"{title}。{normalise(content or '')[:1500]}")
    for sentence in _SENTENCE.finditer(body):
        core = _core(sentence.group())
        if (len(core) < MIN_CORE_CHARS or FORWARD_RE.search(core) or NO_ANSWER_RE.search(core)
                or DISOWN_RE.search(core)):  # 不属于我局管辖范围 disowns the question, it does not answer it
            continue
        if len(bigrams(core) & message) < MIN_SHARED_BIGRAMS:
            continue
        for clause in _CLAUSE.finditer(sentence.group()):
            text = clause.group()
            if ASKS_RE.search(text):  # 关于能不能入读的问题: the question restated, not answered
                continue
            if ANSWER_CLAUSE_RE.search(text) or (answer_re and answer_re.search(text)):
                start = sentence.start() + clause.start()
                return ctx.span(ANSWER_KIND, start, start + len(text))
    return None
