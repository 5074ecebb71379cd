"""Result objects of the reply auditor, shared by the CLI, the HTTP service and the reports."""

from __future__ import annotations

from pydantic import BaseModel, Field

ELEMENTS = ("org", "time", "process", "result", "contact")
ELEMENT_NAMES = {"org": "办理机构或人员", "time": "办理时间", "process": "办理过程", "result": "办理结果",
                 "contact": "联系当事人情况"}


class ReplyTicket(BaseModel):
    """A citizen's message and the unit's reply to it."""

    id: str | None = Field(None, description="工单编号/留言编号")
    title: str = Field("", description="留言标题")
    content: str = Field("", description="诉求内容/留言详情")
    reply: str = Field("", description="答复意见/回复内容")
    message_time: str | None = Field(None, description="留言时间，如 2019-05-01 10:00:00")
    reply_time: str | None = Field(None, description="答复时间")
    type: str | None = Field(None, description="诉求类型（咨询/投诉/求助…），决定办理时限；也告诉退回风险模型留言是否为咨询（未给出时由分类模型判断）")
    unit: str | None = Field(None, description="承办单位")


class EvidenceSpan(BaseModel):
    start: int = Field(description="在原答复文本中的起始位置（字符，含）")
    end: int = Field(description="结束位置（字符，不含）")
    text: str = Field(description="原文片段 reply[start:end]")
    kind: str = Field(description="命中的规则，如 org:agent、time:action、result:done")


class ElementAudit(BaseModel):
    present: bool = Field(description="答复是否写明该要素")
    confidence: float = Field(description="present 判断成立的概率（已校准）；要素阈值低于 0.5 时，判为具备的把握可低于 0.5")
    evidence: list[EvidenceSpan] = Field(default_factory=list, description="支持判断的原文片段")


class Elements(BaseModel):
    org: ElementAudit = Field(description="办理机构或人员")
    time: ElementAudit = Field(description="办理时间")
    process: ElementAudit = Field(description="办理过程")
    result: ElementAudit = Field(description="办理结果")
    contact: ElementAudit = Field(description="联系当事人情况")


class Relevance(BaseModel):
    level: int = Field(description="2 回应了诉求；1 部分回应（避重就轻）；0 答非所问")
    score: float = Field(description="回应程度的期望值，0–1")
    unanswered: list[str] = Field(default_factory=list, description="答复中看不到回应的诉求句")


class Timeliness(BaseModel):
    working_days: int | None = Field(None, description="留言到答复的工作日数（法定节假日、调休已计入）")
    limit_days: int = Field(description="该诉求类型的办理时限（工作日）")
    overdue: bool | None = Field(None, description="是否超期")
    note: str | None = Field(None, description="说明，如时间无法识别")


class AuditIssue(BaseModel):
    code: str = Field(description="稳定的问题代码，如 NO_RESULT、FORWARD_ONLY")
    message: str = Field(description="中文说明")


class Suggestions(BaseModel):
    add: list[str] = Field(default_factory=list, description="建议补充的内容")
    skeleton: str = Field("", description="答复框架：收到诉求 → 调查核实 → 处理结果 → 联系当事人，已有内容已填入")


class Audit(BaseModel):
    """What a unit sees before submitting a reply."""

    id: str | None = Field(None, description="工单编号")
    verdict: str | None = Field(None, description="pass 可提交；redo 可能被退回重办")
    redo_risk: float | None = Field(None, description="被退回重办的概率（已校准）")
    score: float | None = Field(None, description="答复质量得分 0–100")
    elements: Elements | None = Field(None, description="五要素：org/time/process/result/contact")
    relevance: Relevance | None = None
    timeliness: Timeliness | None = Field(None, description="给出留言和答复时间时的办理时效")
    issues: list[AuditIssue] = Field(default_factory=list)
    suggestions: Suggestions | None = None
    model_version: str = Field(description="审核模型版本")
    error: str | None = Field(None, description="批量文件（hotline audit）中该行无法审核的原因，其余行照常输出；HTTP 接口对有误的请求整体返回 4xx，此处为 null")
