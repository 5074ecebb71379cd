"""What the unit is told: issues with stable codes and Chinese messages, what to add, and a reply skeleton
(收到诉求 → 调查核实 → 处理结果 → 联系当事人) filled with the sentences the reply already has."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from model.audit_lexicon import (
    BANNED_PHRASES,
    BANNED_RE,
    DISOWN_RE,
    FORWARD_RE,
    HAN,
    PENDING_STATUS_RE,
    PRAISE_ASKS_RE,
    PRAISE_TITLE_RE,
    SHIRK_RE,
    strip_boilerplate,
)
from model.audit_results import (
    ELEMENT_NAMES,
    ELEMENTS,
    AuditIssue,
    ElementAudit,
    Relevance,
    ReplyTicket,
    Suggestions,
    Timeliness,
)
from model.elements import RuleOutput
from model.text import mask_pii, normalise

ADD = {
    "org": "写明具体承办单位或人员（如“区城管局执法中队”“社区网格员”），不要只写“相关部门”。",
    "time": "写明办理时间（如“5月3日上午到现场”），文末落款日期不算。",
    "process": "写明调查核实的过程：由谁、何时到现场查看、约谈或查阅了什么。",
    "result": "写明办理结果：问题是否解决、整改是否完成并经复查，或对咨询给出明确答复和依据；"
              "“正在处理”“已责令”“已转交”不算结果。",
    "contact": "写明与当事人的联系情况：何时以何种方式（电话、面谈、上门）沟通，当事人的意见。",
}
RESULT_CLEARER = "办理结果已写，但不够明确：写明处理到什么程度（整改内容、数量、完成时间）、是否经复查，以及当事人对结果的意见。"
# For a consultation (咨询) the handling is establishing the answer, not a site visit.
ADD_CONSULTATION = {
    "time": "写明办理时间（如“5月3日查询了业务系统”“接到留言当天向某科室核实”），文末落款日期不算。",
    "process": "写明答复依据是如何核实的：查询了哪些政策文件或业务系统、向哪个科室或人员核实。",
}
PLACEHOLDERS = {
    "process": "〔何时、由哪个单位或人员、如何调查核实（到现场查看、约谈、查阅资料）〕",
    "result": "〔处理结果：问题是否已解决、整改是否完成并复查；或明确答复及政策依据〕",
    "contact": "〔何时以何种方式（电话、面谈、上门）与当事人联系，当事人的意见〕",
}
# Issues that explain a redo verdict by themselves; a redo with none of them gets RESULT_UNCLEAR.
REDO_REASONS = frozenset({"TOO_BRIEF", "FORWARD_ONLY", "ACK_ONLY", "BANNED_PHRASE", "SHIRKING", "PROCESS_NO_RESULT",
                          "PENDING_ONLY", "NO_RESULT", "OFF_TOPIC", "PARTIAL_ANSWER"})
_SENTENCE = re.compile(r"[^。！？!?；;]+[。！？!?；;]?")
_MAX_SENTENCES = 3  # unanswered demands named in the suggestions
PART_SENTENCES = 6  # sentences quoted in one part of the skeleton
# rule evidence that places a sentence by itself
ALWAYS_PLACES = ("result:done", "result:state", "result:answer", "contact:citizen")
_HELLO = re.compile(r"(?:您|你)们?好[!！,，:：。]?")
COURTESY_MAX_HAN = 4  # Han characters left in a sentence once its courtesies are removed, below which it is one
PRAISE_SKELETON = ("感谢表扬：感谢您对我们工作的肯定与支持！\n"
                   "转达情况：〔已将您的表扬转达给被表扬的单位或人员，以及今后的努力方向〕")


@dataclass
class Advice:
    issues: list[AuditIssue]
    suggestions: Suggestions


def is_praise(ticket: ReplyTicket) -> bool:
    """A 表扬 message asks for nothing to be handled: thanking the citizen is the whole reply. Without a type, a
    message whose title thanks (感谢…, 致…的感谢信) and which asks for nothing (no 希望/请/要求/？ …) is one."""
    if ticket.type:
        return "表扬" in ticket.type
    title = normalise(ticket.title or "")
    if not PRAISE_TITLE_RE.search(title):  # most titles do not thank: the content need not be normalised
        return False
    return not PRAISE_ASKS_RE.search(f"{title}。{normalise(ticket.content or '')}")


def is_consultation(ticket: ReplyTicket) -> bool:
    """A 咨询: typed so, or, without a type, titled so (咨询A市居住证办理事宜)."""
    return "咨询" in (ticket.type if ticket.type else ticket.title or "")


def advise(ticket: ReplyTicket, rules: RuleOutput, elements: dict[str, ElementAudit], relevance: Relevance,
           timeliness: Timeliness | None, verdict: str) -> Advice:
    overdue = [_overdue(timeliness)] if timeliness is not None and timeliness.overdue else []
    if is_praise(ticket):
        return Advice(overdue, Suggestions(add=[], skeleton=PRAISE_SKELETON))
    issues = _issues(rules, elements, relevance, verdict) + overdue
    unclear = any(issue.code == "RESULT_UNCLEAR" for issue in issues)
    wording = {**ADD, **ADD_CONSULTATION} if is_consultation(ticket) else ADD
    # A result the reply writes, though read as weak (unclear) or not read as one, asks to be made clearer.
    result = RESULT_CLEARER if elements["result"].evidence or _written_result(rules) else wording["result"]
    add = [result if name == "result" else wording[name] for name in ELEMENTS
           if not elements[name].present or (name == "result" and unclear)]
    add += [f"回应这项诉求：{demand}" for demand in relevance.unanswered[:_MAX_SENTENCES]]
    return Advice(issues, Suggestions(add=add, skeleton=_skeleton(ticket, elements, rules)))


def _banned_phrase(text: str) -> str | None:
    """The simple reply the offices forbid (已安排相关部门处理 …) that the text uses, as the rules or the text word it."""
    listed = next((phrase for phrase in BANNED_PHRASES if phrase in text), None)
    if listed:
        return listed
    found = BANNED_RE.search(text)
    return found.group() if found else None


def _written_result(rules: RuleOutput) -> str | None:
    """The first done result or state the reply writes (已整改到位, 问题已解决), whatever the result model read."""
    return next((span.text for span in rules.spans["result"] if span.kind in ("result:done", "result:state")), None)


def _overdue(timeliness: Timeliness) -> AuditIssue:
    return AuditIssue(code="OVERDUE", message=f"答复用时 {timeliness.working_days} 个工作日，"
                                              f"超过 {timeliness.limit_days} 个工作日的时限")


def _issues(rules: RuleOutput, elements: dict[str, ElementAudit], relevance: Relevance,
            verdict: str) -> list[AuditIssue]:
    found: list[tuple[str, str]] = []
    if verdict == "redo" and rules.feats["len_short"]:  # the length the auditor's models read as "short"
        found.append(("TOO_BRIEF", "答复篇幅过短（不足60字）：这样短的答复通常写不全办理过程、结果和联系情况，"
                                   "有退回重办的风险；请按“收到诉求—调查核实—处理结果—联系当事人”写全"))
    if rules.flags["FORWARD_ONLY"]:
        found.append(("FORWARD_ONLY", "只写了已转办或已安排，没有说明办理情况和结果"))
    if rules.flags["ACK_ONLY"]:
        found.append(("ACK_ONLY", "只表示已收悉，没有实质内容"))
    phrase = _banned_phrase(rules.text) if not elements["result"].present else None  # with a result, it is not the reply
    if phrase:
        found.append(("BANNED_PHRASE", f"使用了不允许单独作为答复的简单表述：“{phrase}”"))
    if rules.flags["SHIRKING"]:
        found.append(("SHIRKING", "称不属于本单位职责或让当事人另找部门，但没有说明责任单位和依据（推诿）"))
    if not elements["result"].present:
        written = _written_result(rules)
        vague = f"写了“{written}”，但结果不够具体：没有说明处理到什么程度、是否经复查或当事人确认" if written else None
        if rules.flags["ENDS_PENDING"]:
            status = list(PENDING_STATUS_RE.finditer(rules.text))[-1].group()
            found.append(("PROCESS_NO_RESULT" if elements["process"].present else "PENDING_ONLY",
                          f"答复以“{status}”收尾，事情还没有结果（把回复当办结）：办结后再答复，或写明已取得的结果和完成时限"))
        elif elements["process"].present:
            found.append(("PROCESS_NO_RESULT", f"只讲办理过程，{vague}" if vague else "只讲办理过程，没有办理结果（把回复当办结）"))
        elif rules.flags["PENDING"] and not written:
            found.append(("PENDING_ONLY", "只说正在处理或将要处理，没有结果"))
        else:
            found.append(("NO_RESULT", vague or "没有办理结果，也没有明确答复"))
    if relevance.level == 0 and not (rules.flags["FORWARD_ONLY"] or rules.flags["ACK_ONLY"]):
        found.append(("OFF_TOPIC", "答复没有回应留言的诉求（答非所问或只有套话）"))
    elif relevance.level == 1:
        found.append(("PARTIAL_ANSWER", "避重就轻：留言的部分诉求没有得到回应"))
    if verdict == "redo" and not any(code in REDO_REASONS for code, _ in found):
        found.append(("RESULT_UNCLEAR", "结果表述不够明确：看不出问题是否已解决或已给出明确答复，有退回重办的风险"))
    earlier = "、".join(dict.fromkeys(span.text for span in rules.spans["time"] if span.kind == "time:before"))
    for name in ELEMENTS:
        if not elements[name].present:
            why = f"：文中的日期（{earlier}）早于来信，是背景情况，不是这次办理的时间" if name == "time" and earlier else ""
            found.append((f"MISSING_{name.upper()}", f"未写明{ELEMENT_NAMES[name]}{why}"))
    return [AuditIssue(code=code, message=message) for code, message in found]


def _as_written(sentence: str) -> str:
    """A sentence of the reply as the unit wrote it (its own punctuation and width), whitespace runs made one space."""
    return re.sub(r"\s+", " ", sentence).strip()


_RECEIPT = re.compile(r"收悉|收到|已阅|获悉|知悉|悉知|已悉")  # an opening that acknowledges the message (not 谢谢 …)
# Who the unit talked to: a sentence with contact evidence that names the citizen is about the contact.
_CITIZEN = re.compile(r"您|你|当事人|来电人|来信人|反映人|投诉人|举报人|留言人|网友|业主|市民|群众")


def _part(text: str, evidence: dict[str, int]) -> str | None:
    """The skeleton part one sentence belongs to, from the evidence spans it holds (counted per element)."""
    if evidence["contact"] and (_CITIZEN.search(text) or not (evidence["result"] or evidence["process"])):
        return "contact"
    if evidence["result"]:
        return "result"
    if evidence["process"] or evidence["time"]:
        return "process"
    return None


_CLAUSE = re.compile(r"[^，,]+[，,]?")
# The parts a clause can go to, in the order a reply tells them; a date alone places no clause (it dates its
# neighbours' action).
_CLAUSE_PARTS = ("process", "result", "contact")


def _evidence_in(starts: dict[str, list[int]], start: int, end: int) -> dict[str, int]:
    return {name: bisect_left(at, end) - bisect_left(at, start) for name, at in starts.items()}


def _pieces(sentence: re.Match, starts: dict[str, list[int]]) -> list[tuple[str, str]]:
    """(part, text) for one sentence of the reply: the whole sentence in the part its evidence points to, or, when its
    clauses point to different parts ("于5月3日到现场查看，……，路灯已恢复照明"), each run of clauses in its own part,
    in the order 调查核实 → 处理结果 → 联系当事人: a clause without evidence, or one that would go back to an earlier
    part, goes with the one before it (the first ones with the first that has some)."""
    whole = _part(_as_written(sentence.group()), _evidence_in(starts, sentence.start(), sentence.end()))
    if whole is None:
        return []
    clauses = [(m.start() + sentence.start(), m.end() + sentence.start(), m.group())
               for m in _CLAUSE.finditer(sentence.group())]
    named = []
    for start, end, text in clauses:
        evidence = _evidence_in(starts, start, end)
        named.append(_part(text, {**evidence, "time": 0}) if any(evidence[n] for n in _CLAUSE_PARTS) else None)
    if len({part for part in named if part}) < 2:
        return [(whole, _as_written(sentence.group()))]
    runs: list[tuple[str, str]] = []
    current = next(part for part in named if part)
    for part, (_, _, text) in zip(named, clauses):
        if part and _CLAUSE_PARTS.index(part) >= _CLAUSE_PARTS.index(current):  # no way back: 已没收…，并处罚款 is result
            current = part
        if runs and runs[-1][0] == current:
            runs[-1] = (current, runs[-1][1] + text)
        else:
            runs.append((current, text))
    return [(part, _as_written(re.sub(r"[，,]$", "。", text))) for part, text in runs]


def _skeleton(ticket: ReplyTicket, elements: dict[str, ElementAudit], rules: RuleOutput) -> str:
    """Four paragraphs; each holds (up to PART_SENTENCES of) the reply's own sentences, quoted as written, or a
    placeholder. A sentence goes where its evidence points: the elements' evidence, and a done result or a stated
    contact the rules found even where the models doubt the element (已于当天拆除完毕 is the reply's result
    sentence). One without evidence goes with the sentence before it (for a 咨询, the first ones are the answer),
    unless it is a greeting, thanks, an offer to call or the sign-off, or the first sentence and only
    opens the reply (salutes, acknowledges or forwards: _is_opening). Sentences with a banned bare phrase or a shirk
    (不属于我单位职责) are what the unit should replace: they are left out."""
    starts = {name: sorted({span.start for span in elements[name].evidence}
                           | {span.start for span in rules.spans[name] if span.kind in ALWAYS_PLACES})
              for name in ("contact", "result", "process", "time")}
    signoff = [span.start for name in ("org", "time") for span in rules.spans[name] if span.kind.endswith(":signoff")]
    consultation = is_consultation(ticket)
    parts: dict[str, list[str]] = {"process": [], "result": [], "contact": []}
    first_free, previous = None, None
    for index, found in enumerate(_SENTENCE.finditer(ticket.reply)):
        text = _as_written(found.group())
        if not text or _banned_phrase(text):
            continue
        pieces = _pieces(found, starts)
        if not pieces:
            if index == 0:
                first_free = text
            if ((index == 0 and _is_opening(text)) or _is_courtesy(text) or SHIRK_RE.search(text)
                    or DISOWN_RE.search(text) or any(found.start() <= at < found.end() for at in signoff)):
                continue  # the opening note, nothing of the handling, or a shirk the unit should replace
            pieces = [(previous or ("result" if consultation else "process"), text)]
        for part, piece in pieces:
            if len(parts[part]) < PART_SENTENCES:
                parts[part].append(piece)
        previous = pieces[-1][0]
    title = mask_pii(_as_written(ticket.title))
    asked = "咨询" if consultation else "反映"
    if first_free and _RECEIPT.search(first_free):
        received = first_free
    else:
        received = f"您{asked}的“{title}”问题已收悉。" if title else f"您{asked}的问题已收悉。"
    paragraphs = [
        ("收到诉求", [received]),
        ("调查核实", parts["process"] or [PLACEHOLDERS["process"]]),
        ("处理结果", parts["result"] or [PLACEHOLDERS["result"]]),
        ("联系当事人", parts["contact"] or [PLACEHOLDERS["contact"]]),
    ]
    return "\n".join(f"{heading}：{''.join(text)}" for heading, text in paragraphs)


def _is_opening(sentence: str) -> bool:
    """A first sentence that only opens the reply: salutes (关于…的回复 网友：您好！), acknowledges (来信收悉) or forwards
    (您反映的问题已转…调查处理). One that goes on after its greeting ("您好，社保关系转移可到…办理") is the answer."""
    greetings = list(_HELLO.finditer(sentence))
    rest = sentence[greetings[-1].end():] if greetings else sentence
    return bool(_RECEIPT.search(rest) or FORWARD_RE.search(normalise(rest))) or _is_courtesy(rest)


def _is_courtesy(sentence: str) -> bool:
    """A greeting, an acknowledgement, thanks, wishes or an offer to call: nothing of the handling once they are gone."""
    rest = strip_boilerplate(normalise(sentence))
    return len(re.findall(f"[{HAN}]", rest)) < COURTESY_MAX_HAN
