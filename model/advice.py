"""What the unit is told: issues with stable codes and Chinese messages, what to add, and a reply skeleton
(收到诉求 → 调查核实 → 处理结果 → 联系当事人) filled with the sentences the reply already has."""

from __future__ import annotations

import re
from dataclasses import dataclass

from model.audit_lexicon import ACK_RE, BANNED_PHRASES
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
PLACEHOLDERS = {
    "process": "〔何时、由哪个单位或人员、如何调查核实（到现场查看、约谈、查阅资料）〕",
    "result": "〔处理结果：问题是否已解决、整改是否完成并复查；或明确答复及政策依据〕",
    "contact": "〔何时以何种方式（电话、面谈、上门）与当事人联系，当事人的意见〕",
}
# Issues that explain a redo verdict by themselves; a redo with none of them gets RESULT_UNCLEAR.
REDO_REASONS = frozenset({"TOO_BRIEF", "FORWARD_ONLY", "ACK_ONLY", "BANNED_PHRASE", "SHIRKING", "PROCESS_NO_RESULT",
                          "PENDING_ONLY", "NO_RESULT", "OFF_TOPIC", "PARTIAL_ANSWER"})
_SENTENCE = re.compile(r"[^。！？!?；;]+[。！？!?；;]?")
_MAX_SENTENCES = 3


@dataclass
class Advice:
    issues: list[AuditIssue]
    suggestions: Suggestions


def advise(ticket: ReplyTicket, rules: RuleOutput, elements: dict[str, ElementAudit], relevance: Relevance,
           timeliness: Timeliness | None, verdict: str) -> Advice:
    issues = _issues(rules, elements, relevance, timeliness, verdict)
    unclear = any(issue.code == "RESULT_UNCLEAR" for issue in issues)
    add = [ADD[name] for name in ELEMENTS if not elements[name].present or (name == "result" and unclear)]
    add += [f"回应这项诉求：{demand}" for demand in relevance.unanswered[:_MAX_SENTENCES]]
    return Advice(issues, Suggestions(add=add, skeleton=_skeleton(ticket, elements)))


def _issues(rules: RuleOutput, elements: dict[str, ElementAudit], relevance: Relevance,
            timeliness: Timeliness | None, verdict: str) -> list[AuditIssue]:
    found: list[tuple[str, str]] = []
    if verdict == "redo" and rules.feats["len_short"]:  # the length the auditor's models read as "short"
        found.append(("TOO_BRIEF", "答复篇幅过短（不足60字）：办件答复中这样短的答复几乎都没有写明办理结果，会被退回；"
                                   "请按“收到诉求—调查核实—处理结果—联系当事人”写全"))
    if rules.flags["FORWARD_ONLY"]:
        found.append(("FORWARD_ONLY", "只写了已转办或已安排，没有说明办理情况和结果"))
    if rules.flags["ACK_ONLY"]:
        found.append(("ACK_ONLY", "只表示已收悉，没有实质内容"))
    for phrase in BANNED_PHRASES:
        if phrase in rules.text:
            found.append(("BANNED_PHRASE", f"使用了不允许单独作为答复的简单表述：“{phrase}”"))
            break
    if rules.flags["SHIRKING"]:
        found.append(("SHIRKING", "称不属于本单位职责或让当事人另找部门，但没有说明责任单位和依据（推诿）"))
    if not elements["result"].present:
        if elements["process"].present:
            found.append(("PROCESS_NO_RESULT", "只讲办理过程，没有办理结果（把回复当办结）"))
        elif rules.flags["PENDING"]:
            found.append(("PENDING_ONLY", "只说正在处理或将要处理，没有结果"))
        else:
            found.append(("NO_RESULT", "没有办理结果，也没有明确答复"))
    if relevance.level == 0:
        found.append(("OFF_TOPIC", "答非所问：答复没有回应留言的诉求"))
    elif relevance.level == 1:
        found.append(("PARTIAL_ANSWER", "避重就轻：留言的部分诉求没有得到回应"))
    if verdict == "redo" and not any(code in REDO_REASONS for code, _ in found):
        found.append(("RESULT_UNCLEAR", "结果表述不够明确：看不出问题是否已解决或已给出明确答复，有退回重办的风险"))
    for name in ELEMENTS:
        if not elements[name].present:
            found.append((f"MISSING_{name.upper()}", f"未写明{ELEMENT_NAMES[name]}"))
    if timeliness is not None and timeliness.overdue:
        found.append(("OVERDUE", f"答复用时 {timeliness.working_days} 个工作日，超过 {timeliness.limit_days} 个工作日的时限"))
    return [AuditIssue(code=code, message=message) for code, message in found]


def _skeleton(ticket: ReplyTicket, elements: dict[str, ElementAudit]) -> str:
    """Four paragraphs; each holds the reply's own sentences that carry that part's evidence, or a placeholder."""
    sentences = [(m.start(), m.end(), m.group()) for m in _SENTENCE.finditer(ticket.reply)]

    def holding(names: tuple[str, ...], used: set[int]) -> list[str]:
        starts = sorted({span.start for name in names if elements[name].present for span in elements[name].evidence})
        picked = []
        for index, (begin, end, _) in enumerate(sentences):
            if index not in used and any(begin <= s < end for s in starts) and len(picked) < _MAX_SENTENCES:
                picked.append(index)
        used.update(picked)
        return [normalise(sentences[i][2]) for i in picked]

    used: set[int] = set()
    result = holding(("result",), used)
    contact = holding(("contact",), used)
    process = holding(("process", "time", "org"), used)
    first = normalise(sentences[0][2]) if sentences else ""
    title = mask_pii(normalise(ticket.title))
    received = first if ACK_RE.search(first) else (f"您反映的“{title}”问题已收悉。" if title else "您反映的问题已收悉。")
    parts = [
        ("收到诉求", [received]),
        ("调查核实", process or [PLACEHOLDERS["process"]]),
        ("处理结果", result or [PLACEHOLDERS["result"]]),
        ("联系当事人", contact or [PLACEHOLDERS["contact"]]),
    ]
    return "\n".join(f"{heading}：{''.join(text)}" for heading, text in parts)
