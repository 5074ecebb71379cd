"""Rule detectors for the five reply elements, each returning evidence spans (offsets into the raw reply) and
numeric features, plus the flags for forwarding-only, acknowledgement-only and shirking replies.

The reply is normalised (NFKC, no whitespace) with a map back to raw offsets, so every span's text is exactly
``reply[start:end]`` of what the unit wrote.
"""

from __future__ import annotations

import math
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, replace
from datetime import datetime

from model.audit_lexicon import (
    ACK_RE,
    ACTION_NEAR_RE,
    ANSWER_RE,
    ARRIVAL_AFTER,
    BASIS_RE,
    BOOK_TITLE_RE,
    CITIZEN_RE,
    CLAUSE_MARKS,
    CONTACT_BY_OTHERS_RE,
    CONTACT_FAILED_AFTER_RE,
    CONTACT_FUTURE_RE,
    CONTACT_NEGATED_RE,
    CONTACT_PLANNED_RE,
    CONTACT_RE,
    CONTACT_TALK_RE,
    DATE_RES,
    DISOWN_RE,
    DISPOSAL_JIANG_RE,
    FORWARD_RE,
    FUTURE_RE,
    FWD_CLAUSE_RE,
    FWD_TARGET_RE,
    GENERIC_ORG_RE,
    GENERIC_UNIT_RE,
    GREETING_START,
    ON_THE_SPOT_RE,
    ORDER_RE,
    ORG_AGENT_AFTER,
    ORG_AGENT_BEFORE,
    ORG_AND_HEADS,
    ORG_GENERIC_EXACT,
    ORG_GENERIC_PREFIX,
    ORG_LOCATION_BEFORE,
    ORG_NAME_CHARS,
    ORG_NAME_STOP_VERBS,
    ORG_NAME_STOP_WORDS,
    ORG_NOT_UNIT_ENDINGS,
    ORG_NOT_UNITS,
    ORG_OBJECT_VERBS,
    ORG_PERSON_RE,
    ORG_PLACE_OWNER_RE,
    ORG_PLACE_START_RE,
    ORG_REFERRAL_RE,
    ORG_SELF_PREFIX,
    ORG_SUFFIX_NOT_BEFORE,
    ORG_SUFFIX_RE,
    ORG_TRIM_CHARS,
    PAST_RE,
    PENDING_RE,
    PENDING_STATUS_RE,
    PHONE_RE,
    PLACE_RE,
    PROCESS_FUTURE_BEFORE,
    PROCESS_FUTURE_CLAUSE,
    PROCESS_RE,
    RECEIPT_AFTER,
    RESULT_DONE_RE,
    RESULT_NEG_RE,
    RESULT_POLICY_RE,
    RESULT_STATE_RE,
    SENT_SPLIT,
    SHIRK_RE,
    SIGNOFF_TAIL_CHARS,
    START_ACTION_AFTER,
    STATED_DONE_BLOCK_RE,
    STATED_NOT_OUTCOMES,
    STATED_ORG_KINDS,
    STRONG_CONTACT,
    STRONG_PROCESS,
    STRONG_STATE,
    TAIL_CHARS,
    TIME_FRAME_RE,
    TIME_MESSAGE_AFTER,
    TIME_MESSAGE_BEFORE,
    TIME_POLICY_AFTER,
    TIME_POLICY_BEFORE,
    TRAILING_DATE_RE,
    VAGUE_RE,
    VERIFIED_RE,
    YEAR_MONTH_RE,
    strip_boilerplate,
)
from model.text import normalise_with_offsets


@dataclass(slots=True)
class Span:
    kind: str      # e.g. "org:named", "time:full", "process", "result:done"
    start: int     # raw reply offset (inclusive)
    end: int       # raw reply offset (exclusive)
    text: str      # raw reply text[start:end]


# Time spans that do not date a handling action are evidence of nothing: the sign-off, the citizen's post, a policy's
# date, and (given the message's time) a date before the message: what the unit recounts, not how it handled this one.
NOT_EVIDENCE = ("time:signoff", "time:message", "time:policy", "time:before")


class ReplyContext:
    """A reply as given (raw) and normalised, with the offset map between them."""

    __slots__ = ("offs", "raw", "signoff_start", "text")

    def __init__(self, raw: str):
        self.raw = "" if raw is None or (isinstance(raw, float) and math.isnan(raw)) else str(raw)
        self.text, self.offs = normalise_with_offsets(self.raw)
        self.signoff_start = _signoff_start(self.text)

    def span(self, kind: str, s: int, e: int) -> Span:
        if self.offs is None:
            return Span(kind, s, e, self.raw[s:e])
        rs = self.offs[s]
        re_ = self.offs[e - 1] + 1 if e > s else rs
        return Span(kind, rs, re_, self.raw[rs:re_])


@dataclass(slots=True)
class RuleOutput:
    text: str
    spans: dict[str, list[Span]]
    flags: dict[str, int]
    feats: dict[str, float]
    context: ReplyContext  # the reply, raw and normalised, for later rules that read it (model.answers)


def _signoff_start(text: str) -> int:
    """Index where the closing sign-off (unit name and/or date at the very end) starts; len(text) if none."""
    m = TRAILING_DATE_RE.search(text)
    end = m.start() if m else len(text)
    return end


def _in_name(text: str, i: int) -> bool:
    """Whether text[i] may belong to a unit name that ends after it (walking backwards from the suffix)."""
    char = text[i]
    if char == "和":  # 和平街道 at the start of a line begins a name; 局和社区 joins two
        return i == 0 or not ORG_NAME_CHARS.match(text[i - 1]) or text.endswith(ORG_AND_HEADS, 0, i)
    if char in "年月日号" and i > 0 and text[i - 1].isdigit():  # 3月13日执法大队, 2015年市发城集团: a date, not the name
        return False
    if (char == "有" and text.startswith("限", i + 1)) or (char == "中" and text.startswith("共", i + 1)):
        return True  # 有限公司, 中共A7县委: not the verb 有 nor the preposition 中
    return char not in ORG_TRIM_CHARS


def _place_start(prefix: str) -> int:
    """Where a unit name starts within the words walked back from its suffix: at its place (通过A7县规划局 →
    A7县规划局) when other words come before that place and hold no place or owner of their own."""
    place = ORG_PLACE_START_RE.search(prefix)
    if place is None or place.start() == 0 or ORG_PLACE_OWNER_RE.search(prefix, 0, place.start()):
        return 0
    return place.start()


def detect_org(ctx: ReplyContext) -> tuple[list[Span], dict[str, float]]:
    text = ctx.text
    spans: list[Span] = []
    n_named = n_agent = n_self = n_self_agent = n_generic = n_person = n_signoff = n_place = n_loc = n_fwd_target = 0
    tail_start = max(0, len(text) - SIGNOFF_TAIL_CHARS)
    titles = [m.span() for m in BOOK_TITLE_RE.finditer(text)]
    for m in ORG_SUFFIX_RE.finditer(text):
        suf, suf_s, suf_e = m.group(), m.start(), m.end()
        nb = ORG_SUFFIX_NOT_BEFORE.get(suf)
        if nb and suf_e < len(text) and text[suf_e] in nb:
            continue
        if any(a < suf_s < b for a, b in titles):  # 《民办学校办学许可证》 names a document, not a unit
            continue
        j = suf_s
        while j > 0 and suf_s - j < 18 and ORG_NAME_CHARS.match(text[j - 1]) and _in_name(text, j - 1):
            j -= 1
        words = list(ORG_NAME_STOP_WORDS.finditer(text, j, suf_s))
        j = words[-1].end() if words else j
        verbs = list(ORG_NAME_STOP_VERBS.finditer(text, j, suf_s))
        object_of = verbs[-1].group() in ORG_OBJECT_VERBS if verbs else False  # 拨打区住建局: whom to call
        j = verbs[-1].end() if verbs else j
        j += _place_start(text[j:suf_s])
        prefix = text[j:suf_s]
        before = text[max(0, j - 4):j]
        after = text[suf_e:suf_e + 12]
        agent = bool(ORG_AGENT_AFTER.match(after) or ORG_AGENT_BEFORE.search(before))
        if suf_s > 0 and text[suf_s - 1] in ORG_SELF_PREFIX and (prefix in ("", *ORG_SELF_PREFIX) or text[suf_s - 1] == "我"):
            n_self += 1
            n_self_agent += agent
            spans.append(ctx.span("org:self", suf_s - 1, suf_e))
            continue
        if not prefix:
            continue
        name = prefix + suf
        if name in ORG_NOT_UNITS or suf in ORG_NOT_UNITS or name.endswith(ORG_NOT_UNIT_ENDINGS):
            continue
        if suf in ("镇", "乡", "办", "委") and len(prefix) < 2:
            continue
        if any(prefix.endswith(g) for g in ORG_GENERIC_PREFIX) or prefix in ORG_GENERIC_EXACT or (
                suf in ("部门", "单位") and not PLACE_RE.search(prefix)):
            n_generic += 1
            continue
        clause_start = max(text.rfind(mark, 0, j) for mark in "。，,；;！!？?") + 1
        if ORG_REFERRAL_RE.search(text, clause_start, j) or (
                (object_of or ORG_LOCATION_BEFORE.search(before)) and not agent):
            n_loc += 1  # where to go or whom to ask (请向县人力资源服务中心咨询), not who handled it
            continue
        kind = "org:named"
        if j >= tail_start and suf_e >= ctx.signoff_start - 2:
            kind = "org:signoff"
            n_signoff += 1
        elif agent:
            kind = "org:agent"
            n_agent += 1
        n_named += 1
        if PLACE_RE.match(prefix):
            n_place += 1
        spans.append(ctx.span(kind, j, suf_e))
    # forwarded to a named place / unit without unit suffix: 已转L1区调查 / 已转F9市
    for m in FWD_TARGET_RE.finditer(text):
        n_fwd_target += 1
        spans.append(ctx.span("org:forward_target", m.start(1), m.end(1)))
    for m in ORG_PERSON_RE.finditer(text):
        n_person += 1
        spans.append(ctx.span("org:person", m.start(), m.end()))
    n_generic += len(GENERIC_ORG_RE.findall(text))
    # keep the longest span when a unit contains another (区城管局 ⊂ 区城管局执法大队)
    spans = [a for a in spans if not any(b is not a and b.start <= a.start and a.end <= b.end and
                                         (b.end - b.start) > (a.end - a.start) for b in spans)]
    by_stretch: dict[tuple[int, int], Span] = {}  # and one span per stretch of text, the first found (已转D市交通运输局
    for span in spans:                             # is both a named unit and a forward target)
        by_stretch.setdefault((span.start, span.end), span)
    spans = list(by_stretch.values())
    feats = {
        "org_named": min(n_named, 5), "org_named_any": float(n_named > 0), "org_agent": min(n_agent, 4),
        "org_self": min(n_self, 3), "org_self_agent": min(n_self_agent, 3), "org_self_any": float(n_self > 0),
        "org_generic": min(n_generic, 3), "org_person": min(n_person, 3), "org_signoff": float(n_signoff > 0),
        "org_place": min(n_place, 3), "org_loc": min(n_loc, 3), "org_fwd_target": float(n_fwd_target > 0),
        "org_generic_only": float(n_generic > 0 and n_named == 0 and n_self == 0 and n_person == 0),
    }
    return spans, feats


def detect_time(ctx: ReplyContext) -> tuple[list[Span], dict[str, float]]:
    """Dates classified as signoff / message (citizen's post date) / policy (document, deadline) / action / other."""
    text = ctx.text
    taken = bytearray(len(text) + 1)
    spans: list[Span] = []
    gran = {"full": "day", "daypart": "day", "relative": "day", "yearmonth": "month", "month": "month", "year": "year"}
    c = {f"{k}_{g}": 0 for k in ("act", "oth") for g in ("day", "month", "year")}
    n_signoff = n_msg = n_policy = 0
    for kind, rx in DATE_RES:
        for m in rx.finditer(text):
            s, e = m.start(), m.end()
            if any(taken[s:e]):
                continue
            for k in range(s, e):
                taken[k] = 1
            after = text[e:e + 30]
            before = text[max(0, s - 6):s]
            if s >= ctx.signoff_start or (kind in ("full", "yearmonth") and (GREETING_START.match(after) or not after)):
                n_signoff += 1
                spans.append(ctx.span("time:signoff", s, e))
                continue
            if TIME_MESSAGE_AFTER.match(after) or TIME_MESSAGE_BEFORE.search(before):
                n_msg += 1
                spans.append(ctx.span("time:message", s, e))
                continue
            starts_action = any(rx.match(after) is not None for rx in (START_ACTION_AFTER, ARRIVAL_AFTER, RECEIPT_AFTER))
            if kind != "relative" and not starts_action and (TIME_POLICY_AFTER.match(after) or
                                                             TIME_POLICY_BEFORE.search(before)):
                n_policy += 1
                spans.append(ctx.span("time:policy", s, e))
                continue
            sent_end = text.find("。", e)
            window = text[e:min(e + 25, sent_end if sent_end != -1 else len(text))]
            if starts_action or ACTION_NEAR_RE.search(window) or ACTION_NEAR_RE.search(text, max(0, s - 8), s):
                c[f"act_{gran[kind]}"] += 1
                spans.append(ctx.span("time:action", s, e))
            else:
                c[f"oth_{gran[kind]}"] += 1
                spans.append(ctx.span(f"time:{kind}", s, e))
    n_vague = len(VAGUE_RE.findall(text))
    feats = {f"time_{k}": min(v, 5) for k, v in c.items()}
    feats.update({
        "time_signoff": min(n_signoff, 3), "time_message": min(n_msg, 3), "time_policy": min(n_policy, 4),
        "time_vague": min(n_vague, 5), "time_act_any": float(c["act_day"] + c["act_month"] > 0),
        "time_any": float(sum(c.values()) > 0),
    })
    return spans, feats


def detect_process(ctx: ReplyContext) -> tuple[list[Span], dict[str, float]]:
    text = ctx.text
    spans: list[Span] = []
    n = n_strong = n_future = n_fwd_clause = 0
    for m in PROCESS_RE.finditer(text):
        s = m.start()
        cs = max(text.rfind(ch, 0, s) for ch in "。，,；;！!：:") + 1
        if PROCESS_FUTURE_BEFORE.search(text[max(0, s - 8):s]) or PROCESS_FUTURE_CLAUSE.search(text, cs, s):
            n_future += 1
            continue
        if FWD_CLAUSE_RE.search(text, cs, s):
            n_fwd_clause += 1
            continue
        n += 1
        if m.group() in STRONG_PROCESS:
            n_strong += 1
        spans.append(ctx.span("process", s, m.end()))
    spans = _with_verified(ctx, spans)
    n_ack = len(ACK_RE.findall(text))
    n_fwd = len(FORWARD_RE.findall(text))
    feats = {"proc_n": min(n, 10), "proc_strong": min(n_strong, 6), "proc_future": min(n_future, 4),
             "proc_any": float(n > 0), "proc_fwd_clause": min(n_fwd_clause, 3), "ack_n": min(n_ack, 4), "fwd_n": min(n_fwd, 3)}
    return spans, feats


def _with_verified(ctx: ReplyContext, spans: list[Span]) -> list[Span]:
    """The process spans with each "经核实 / 据查 / 经了解…" phrase outside a forwarding clause as one span of kind
    "process:verified" (it states the process by itself), in place of the plain spans inside it."""
    text = ctx.text
    verified = []
    for m in VERIFIED_RE.finditer(text):
        clause_start = max(text.rfind(ch, 0, m.start()) for ch in "。，,；;！!：:") + 1
        if not FWD_CLAUSE_RE.search(text, clause_start, m.start()):
            verified.append(ctx.span("process:verified", m.start(), m.end()))
    if not verified:
        return spans
    starts = [v.start for v in verified]  # in order and disjoint: only the last one starting before a span can hold it

    def inside(span: Span) -> bool:
        holder = bisect_right(starts, span.start) - 1
        return holder >= 0 and span.end <= verified[holder].end

    return sorted([span for span in spans if not inside(span)] + verified, key=lambda span: span.start)


def detect_result(ctx: ReplyContext) -> tuple[list[Span], dict[str, float]]:
    text = ctx.text
    spans: list[Span] = []
    n_done = n_state = n_strong_state = n_policy = n_neg = n_pending = 0
    for m in RESULT_DONE_RE.finditer(text):
        n_done += 1
        spans.append(ctx.span("result:done", m.start(), m.end()))
    for m in RESULT_STATE_RE.finditer(text):
        n_state += 1
        if m.group() in STRONG_STATE:
            n_strong_state += 1
            spans.append(ctx.span("result:state", m.start(), m.end()))
    for m in RESULT_POLICY_RE.finditer(text):
        n_policy += 1
        spans.append(ctx.span("result:policy", m.start(), m.end()))
    n_neg = len(RESULT_NEG_RE.findall(text))
    n_pending = len(PENDING_RE.findall(text))
    n_shirk = len(SHIRK_RE.findall(text))
    feats = {"res_done": min(n_done, 8), "res_state": min(n_state, 10), "res_strong_state": min(n_strong_state, 5),
             "res_policy": min(n_policy, 5), "res_neg": min(n_neg, 3), "res_pending": min(n_pending, 6),
             "res_shirk": min(n_shirk, 3), "res_any": float(n_done + n_strong_state + n_policy > 0)}
    return spans, feats


def detect_contact(ctx: ReplyContext) -> tuple[list[Span], dict[str, float]]:
    text = ctx.text
    spans: list[Span] = []
    n = n_strong = 0
    talks: list[tuple[int, int]] = []
    for m in CONTACT_TALK_RE.finditer(text):
        s = m.start()
        if CONTACT_FUTURE_RE.search(text[max(0, s - 14):s]):
            continue
        n += 1
        n_strong += 1
        talks.append(m.span())
        spans.append(ctx.span("contact", s, m.end()))
    for m in CONTACT_RE.finditer(text):
        s = m.start()
        if CONTACT_FUTURE_RE.search(text[max(0, s - 14):s]) or any(a <= s < b for a, b in talks):
            continue
        n += 1
        if m.group() in STRONG_CONTACT:
            n_strong += 1
            spans.append(ctx.span("contact", s, m.end()))
    n_phone = len(PHONE_RE.findall(text))
    feats = {"con_n": min(n, 6), "con_strong": min(n_strong, 4), "con_phone": min(n_phone, 3)}
    return [_with_addressee(ctx, span) for span in spans], feats


def _clause_around(raw: str, span: Span) -> tuple[int, str]:
    """The clause of the raw reply that holds a span (between punctuation marks), with its start offset."""
    start = max((raw.rfind(mark, 0, span.start) for mark in CLAUSE_MARKS), default=-1) + 1
    ends = [i for i in (raw.find(mark, span.end) for mark in CLAUSE_MARKS) if i != -1]
    return start, raw[start:min(ends, default=len(raw))]


def _with_addressee(ctx: ReplyContext, span: Span) -> Span:
    """A contact span whose clause names the citizen as the one talked to, as done (已电话告知您, 与您联系沟通, 您表示
    满意), becomes "contact:citizen": the reply states the contact in so many words. A planned or failed one (将向您
    反馈, 无法与当事人核实) stays "contact", as does one that a company makes or is told to make (开发商正积极与业主协商,
    督促物业与业主沟通)."""
    raw = ctx.raw
    start, clause = _clause_around(raw, span)
    end = start + len(clause)
    planned = CONTACT_PLANNED_RE.search(raw, start, span.start) and "了" not in raw[span.end:end]
    failed = CONTACT_NEGATED_RE.search(raw, start, span.start) or CONTACT_FAILED_AFTER_RE.search(raw[span.end:end + 20])
    by_others = CONTACT_BY_OTHERS_RE.search(raw, start, span.start)
    if CITIZEN_RE.search(clause) and not planned and not failed and not by_others:
        return Span("contact:citizen", span.start, span.end, span.text)
    return span


def detect_elements(reply: str, message_time: datetime | None = None) -> RuleOutput:
    """Run every detector on one reply: spans per element, rule features and flags. With the message's time, a date
    before it is ``time:before`` (no evidence), and a reply whose dates all precede it is told apart (feature
    ``time_all_before``)."""
    ctx = ReplyContext(reply)
    spans: dict[str, list[Span]] = {}
    feats: dict[str, float] = {}
    for el, fn in (("org", detect_org), ("time", detect_time), ("process", detect_process),
                   ("result", detect_result), ("contact", detect_contact)):
        sp, f = fn(ctx)
        spans[el] = sp
        feats.update(f)
    L = len(ctx.text)
    body = ctx.text[:ctx.signoff_start]
    feats["time_all_before"] = float(_mark_dated_before(spans["time"], message_time))
    feats["len_log"] = math.log1p(L)
    feats["len_short"] = float(L < 60)
    feats["len_mid"] = float(60 <= L < 150)
    feats["n_sent"] = min(len([x for x in SENT_SPLIT.split(body) if x]), 30) / 10.0
    feats["n_digits"] = min(sum(ch.isdigit() for ch in body), 60) / 20.0
    resid, n_bp = _residual(body)
    feats["resid_log"] = math.log1p(len(resid))
    feats["resid_short"] = float(len(resid) < 30)
    feats["bp_n"] = min(n_bp, 6)
    feats["answer_n"] = min(len(ANSWER_RE.findall(resid)), 8)
    feats["pending_sent"] = min(sum(1 for x in SENT_SPLIT.split(resid) if PENDING_RE.search(x)), 5)
    feats["done_sent"] = min(sum(1 for x in SENT_SPLIT.split(resid) if RESULT_DONE_RE.search(x)), 5)
    tail = resid[-TAIL_CHARS:]
    feats["tail_done"] = min(len(RESULT_DONE_RE.findall(tail)), 4)
    feats["tail_pending"] = min(len(PENDING_RE.findall(tail)), 4)
    feats["tail_order"] = min(len(ORDER_RE.findall(tail)), 4)
    feats["tail_answer"] = min(len(ANSWER_RE.findall(tail)), 6)
    feats["tail_state"] = min(sum(1 for x in RESULT_STATE_RE.findall(tail) if x in STRONG_STATE), 4)
    rs_sents = [x for x in SENT_SPLIT.split(resid) if len(x) >= 6]
    n_fut = sum(1 for x in rs_sents if FUTURE_RE.search(x) and not PAST_RE.search(x))
    n_past = sum(1 for x in rs_sents if PAST_RE.search(x))
    feats["fut_sent"] = min(n_fut, 5)
    feats["past_sent"] = min(n_past, 8)
    feats["fut_frac"] = n_fut / len(rs_sents) if rs_sents else 0.0
    feats["fut_only"] = float(n_fut > 0 and n_past == 0)
    feats["enum"] = float(bool(re.search(r"(?:^|[。：:])(?:一、|1[、.]|（一）|\(一\)|首先)", body)))
    # flags (rule level)
    fwd = feats["fwd_n"] > 0
    substantive = feats["proc_any"] or feats["res_any"] or feats["res_state"] >= 2
    redirect_only = feats["res_shirk"] > 0 and feats["res_done"] == 0 and feats["proc_n"] == 0
    flags = {
        "FORWARD_ONLY": int(fwd and not substantive and L < 150),
        "ACK_ONLY": int(feats["ack_n"] > 0 and not fwd and not substantive and L < 80),
        "SHIRKING": int(_shirks(ctx.text, redirect_only)),
        "PENDING": int(feats["res_pending"] > 0),
    }
    if flags["SHIRKING"]:  # "经了解，不属于我单位职责": a form of words before disowning the matter, not a handling
        spans["process"] = [replace(s, kind="process") if s.kind == "process:verified" else s for s in spans["process"]]
    handled = not flags["SHIRKING"] and not flags["FORWARD_ONLY"]
    flags["COMPLETE_STATED"] = int(handled and _complete_stated(ctx, spans))
    flags["ENDS_PENDING"] = int(not flags["COMPLETE_STATED"] and _ends_pending(ctx, spans["result"]))
    flags["DONE_STATED"] = int(handled and not flags["ENDS_PENDING"] and _done_stated(ctx, spans["result"]))
    feats["flag_forward_only"] = float(flags["FORWARD_ONLY"])
    feats["flag_ack_only"] = float(flags["ACK_ONLY"])
    feats["flag_shirking"] = float(redirect_only)  # the trained models' input (the issue uses the stricter SHIRKING)
    return RuleOutput(ctx.text, spans, flags, feats, ctx)


def _mark_dated_before(spans: list[Span], message_time: datetime | None) -> bool:
    """Re-kind as ``time:before`` each date that may date an action but carries its year and falls in a month before
    the message's (a year alone: a year before it): background the unit recounts (成立于2013年9月24日, 五一桥于1959年8月
    开工建设), not its handling of this message. A date without a year (6月3日, 当晚) may be this message's. True when
    the reply had such dates and every one of them was re-kinded."""
    if message_time is None:
        return False
    dated = [i for i, s in enumerate(spans) if s.kind not in NOT_EVIDENCE]
    earlier = [i for i in dated if _dated_before(spans[i].text, message_time)]
    for i in earlier:
        spans[i] = Span("time:before", spans[i].start, spans[i].end, spans[i].text)
    return bool(dated) and len(earlier) == len(dated)


def _dated_before(text: str, message_time: datetime) -> bool:
    found = YEAR_MONTH_RE.search(unicodedata.normalize("NFKC", text))
    if found is None:
        return False
    year, month = int(found.group(1)), found.group(2)
    return (year, int(month or 0)) < (message_time.year, message_time.month if month else 0)


def _complete_stated(ctx: ReplyContext, spans: dict[str, list[Span]]) -> bool:
    """The reply states the four required elements in so many words: a named handler, a dated action, the handling,
    and a result written as done or as a closing state (复查合格, 得到缓解) in a clause that neither plans, wishes,
    orders nor supposes it ("区城管局于6月3日到现场查看，路灯已修复")."""
    return (any(s.kind in STATED_ORG_KINDS for s in spans["org"])
            and any(s.kind == "time:action" for s in spans["time"])
            and bool(spans["process"])
            and _done_stated(ctx, spans["result"]))


def _done_stated(ctx: ReplyContext, result_spans: list[Span]) -> bool:
    """A result written as done or as a closing state (已修复, 复查合格, 得到缓解) in a clause that neither plans, wishes,
    orders nor supposes it: "路灯已修复" states an outcome, "将尽快修复" and "已责令其修复" do not. With a named handler,
    a dated action and the handling it makes a reply complete (flag COMPLETE_STATED); alone, flag DONE_STATED."""
    return any(s.kind in ("result:done", "result:state") and s.text not in STATED_NOT_OUTCOMES
               and not STATED_DONE_BLOCK_RE.search(_around(ctx.raw, s)) for s in result_spans)


def _ends_pending(ctx: ReplyContext, result_spans: list[Span]) -> bool:
    """The reply's last word on the matter is that it is still being handled (目前案件正在办理中): the last such status
    in the body, in a sentence without a time frame, with no done result, closing state or answer after it."""
    body = ctx.text[:ctx.signoff_start]
    statuses = list(PENDING_STATUS_RE.finditer(body))
    if not statuses:
        return False
    last = statuses[-1]
    start = max(body.rfind(mark, 0, last.start()) for mark in "。！!？?；;") + 1
    ends = [i for i in (body.find(mark, last.end()) for mark in "。！!？?；;") if i != -1]
    if TIME_FRAME_RE.search(body, start, min(ends, default=len(body))):
        return False
    raw_at = ctx.span("", last.start(), last.end()).start
    return not any(span.kind in ("result:done", "result:state", "result:answer") and span.start > raw_at
                   for span in result_spans)


def _around(raw: str, span: Span) -> str:
    """The clause that holds a done span, the span's 将 left out: in "已将工资全额支付" it marks the object of a done
    action, not a plan (its 责令 or 要求 still counts). So does a 将 with an object between it and an on-the-spot action
    ("民警将发现的赌博机当场销毁"); "将当场没收" plans one."""
    start, clause = _clause_around(raw, span)
    before = clause[:span.start - start]
    if ON_THE_SPOT_RE.match(span.text):
        before = DISPOSAL_JIANG_RE.sub("", before)
    return before + span.text.replace("将", "") + clause[span.end - start:]


def _shirks(text: str, redirect_only: bool) -> bool:
    """推诿 as the rubric has it: the reply disowns the matter (不属于我局职责…), or only redirects the citizen with no
    handling and no result, without naming the responsible unit (after the statement) and the basis for it."""
    statement = DISOWN_RE.search(text) or (SHIRK_RE.search(text) if redirect_only else None)
    if statement is None:
        return False
    start = statement.start()
    after = GENERIC_UNIT_RE.sub("", text[start:start + 120])
    named = any(m.group() not in ("部门", "单位") for m in ORG_SUFFIX_RE.finditer(after))
    return not (named and BASIS_RE.search(text))


def _residual(body: str) -> tuple[str, int]:
    """Body with boilerplate sentences (greeting, acknowledgement, 'reply as follows', thanks, contact invitation,
    pure forwarding) removed: what is left is the substantive part of the reply."""
    keep, n_bp = [], 0
    for sent in re.split(r"(?<=[。！!？?；;])|(?<=如下[:：])", body):
        core = strip_boilerplate(sent)
        if len(core) < 6 or (FORWARD_RE.search(sent) and len(core) < 40):
            n_bp += 1
            continue
        keep.append(core)
    return "".join(keep), n_bp


RULE_FEATURE_NAMES = tuple(detect_elements("").feats)
