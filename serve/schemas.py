"""Request and response schemas of the HTTP service; results reuse the CLI's objects (model/results.py,
model/audit_results.py)."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, field_validator

from model.audit_results import Audit, ReplyTicket
from model.results import Classification, Ticket

# s002 of data/samples/tickets.csv and what the shipped default model answers for it.
EXAMPLE_TICKET = {
    "id": "s002",
    "title": "A3区金桂园小区物业擅自收取地面停车费",
    "content": "尊敬的领导：我是A3区金桂园小区业主，小区地面停车位属于全体业主共有，但物业公司从今年3月起擅自对地面车位"
               "每月收取200元停车费，既没有经过业主大会同意，也没有公示收费依据。业主质疑时物业工作人员态度蛮横，"
               "还威胁不交钱就不让车辆进小区。请相关部门查处物业违规收费行为，退还已收取的费用。",
}
EXAMPLE_RESULT = {
    "id": "s002", "category": "城乡建设", "category_name": "住房与城乡建设/城市管理",
    "category_scores": [{"label": "城乡建设", "score": 0.6496}, {"label": "商贸旅游", "score": 0.1989},
                        {"label": "交通运输", "score": 0.0519}],
    "type": "投诉", "type_scores": [{"label": "投诉", "score": 0.9898}, {"label": "举报", "score": 0.0046},
                                  {"label": "求助", "score": 0.0016}],
    "routing": [{"unit": "区住房和城乡建设局", "score": 0.5781, "basis": "关键词「物业」→住房保障与房地产；类别「城乡建设」"},
                {"unit": "区市场监督管理局", "score": 0.143, "basis": "类别「商贸旅游」"},
                {"unit": "区文化旅游体育局", "score": 0.0379, "basis": "类别「商贸旅游」"}],
    "needs_review": True, "model_version": "2026.11.23-007d57a2c6", "error": None,
}


def _no_lone_surrogates(value: str | None) -> str | None:
    # JSON may carry escaped lone surrogates (\ud800); they cannot be written back as UTF-8.
    if isinstance(value, str) and any("\ud800" <= ch <= "\udfff" for ch in value):
        raise ValueError("含有无法编码的 Unicode 代理字符 (lone surrogate)")
    return value


def _id_as_text(value: object) -> object:
    # Office systems number their tickets: a JSON integer (or a whole float, as tables write 1001.0) is taken as the
    # id's text; true/false and fractions are no ids, nor are floats past 2**53, which no longer hold the number sent
    # (9007199254740993.0 arrives as ...992): such ids must be sent as text or integers.
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ValueError("编号应为文本或整数")
    if isinstance(value, float) and abs(value) > 2**53:
        raise ValueError("编号过长，无法用小数精确表示：请按文本或整数发送")
    if isinstance(value, float):
        return str(int(value))
    return str(value) if isinstance(value, int) else value


def _time_as_text(value: object) -> object:
    # A time cell a spreadsheet exported as a number (45383.5: Excel's serial date) is read as its text.
    if isinstance(value, bool) or (isinstance(value, float) and not math.isfinite(value)):  # JSON's NaN/Infinity
        raise ValueError("时间应为文本（或 Excel 日期序号）")
    return str(value) if isinstance(value, int | float) else value


# No batch setting may exceed this: a longer list is refused as soon as it is read, before its items are validated
# (a 1 MiB body of half a million bad items otherwise takes seconds of validation and a huge error).
BATCH_CAP = 10_000
# Fields that hold a name or a time, not a text: a 20,000-character 承办单位 is a mistake, not a unit.
SHORT_FIELD_CHARS = 200
TimeText = Annotated[str, Field(max_length=64)]
IdText = Annotated[str, Field(max_length=SHORT_FIELD_CHARS)]
ID_DESCRIPTION = "工单编号/留言编号（文本或整数，整数按文本返回）"


class TicketIn(Ticket):
    """一条待分类的工单：标题与诉求内容至少一项非空。"""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE_TICKET]})
    id: IdText | StrictInt | None = Field(None, description=ID_DESCRIPTION)
    _id_text = field_validator("id", mode="before")(_id_as_text)
    _encodable = field_validator("id", "title", "content")(_no_lone_surrogates)


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tickets: list[TicketIn] = Field(min_length=1, max_length=BATCH_CAP, description="待分类工单（按顺序返回结果）",
                                    examples=[[EXAMPLE_TICKET]])


class BatchResponse(BaseModel):
    results: list[Classification] = Field(description="每条工单的分类结果，与请求顺序一致",
                                          examples=[[EXAMPLE_RESULT]])


# r010 of data/samples/sample_replies.csv and what the shipped default auditor answers for it.
EXAMPLE_REPLY = {
    "id": "r010",
    "title": "106路公交司机猛开车致老人摔倒",
    "content": "6月9日早上乘坐106路公交，司机不等乘客站稳就猛踩油门，一位老人被甩倒，司机还骂人，请严肃处理。",
    "reply": "您好！A市公共交通集团于6月10日调取了106路公交车车载视频，核实了您反映的情况，目前正在进一步核实司机的"
             "违规情节，待核实后将按公司规定严肃处理。6月11日已电话联系您说明了办理进展。",
    "message_time": "2020-06-09 12:00:00", "reply_time": "2020-06-16 10:05:00", "type": "投诉",
    "unit": "A市公共交通集团",
}
EXAMPLE_AUDIT = {
    "id": "r010", "verdict": "redo", "redo_risk": 0.7311, "score": 69.4,
    "elements": {
        "org": {"present": True, "confidence": 0.8402,
                "evidence": [{"start": 3, "end": 11, "text": "A市公共交通集团", "kind": "org:agent"},
                             {"start": 64, "end": 67, "text": "按公司", "kind": "org:named"}]},
        "time": {"present": True, "confidence": 0.8856,
                 "evidence": [{"start": 12, "end": 17, "text": "6月10日", "kind": "time:action"},
                              {"start": 74, "end": 79, "text": "6月11日", "kind": "time:action"}]},
        "process": {"present": True, "confidence": 0.9145,
                    "evidence": [{"start": 32, "end": 34, "text": "核实", "kind": "process"},
                                 {"start": 60, "end": 62, "text": "核实", "kind": "process"}]},
        "result": {"present": False, "confidence": 0.6574, "evidence": []},
        "contact": {"present": True, "confidence": 1.0,
                    "evidence": [{"start": 80, "end": 84, "text": "电话联系", "kind": "contact:citizen"}]},
    },
    "relevance": {"level": 2, "score": 0.8433, "unanswered": []},
    "timeliness": {"working_days": 5, "limit_days": 15, "overdue": False, "note": None},
    "issues": [{"code": "PROCESS_NO_RESULT", "message": "只讲办理过程，没有办理结果（把回复当办结）"},
               {"code": "MISSING_RESULT", "message": "未写明办理结果"}],
    "suggestions": {
        "add": ["写明办理结果：问题是否解决、整改是否完成并经复查，或对咨询给出明确答复和依据；“正在处理”“已责令”“已转交”"
                "不算结果。"],
        "skeleton": "收到诉求：您反映的“106路公交司机猛开车致老人摔倒”问题已收悉。\n"
                    "调查核实：A市公共交通集团于6月10日调取了106路公交车车载视频，核实了您反映的情况，目前正在进一步核实"
                    "司机的违规情节，待核实后将按公司规定严肃处理。\n"
                    "处理结果：〔处理结果：问题是否已解决、整改是否完成并复查；或明确答复及政策依据〕\n"
                    "联系当事人：6月11日已电话联系您说明了办理进展。",
    },
    "model_version": "2026.11.24-aae940ce36", "error": None,
}


class ReplyIn(ReplyTicket):
    """一条待核查的答复：市民留言（标题、诉求内容）与承办单位的答复；答复不能为空。时间可用 2019-05-01 10:00:00、
    2019/05/01、2019年5月1日 等格式，无法识别时不报错，由 timeliness.note 说明。"""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE_REPLY]})
    id: IdText | StrictInt | None = Field(None, description=ID_DESCRIPTION)
    message_time: TimeText | StrictFloat | None = Field(None, description="留言时间，如 2019-05-01 10:00:00；数字按 Excel 日期序号读")
    reply_time: TimeText | StrictFloat | None = Field(None, description="答复时间（格式同留言时间）")
    type: str | None = Field(None, max_length=SHORT_FIELD_CHARS, description="诉求类型（咨询/投诉/求助…），决定办理时限；也告诉退回风险模型留言是否为咨询（未给出时由分类模型判断）")
    unit: str | None = Field(None, max_length=SHORT_FIELD_CHARS, description="承办单位")
    _id_text = field_validator("id", mode="before")(_id_as_text)
    _times_text = field_validator("message_time", "reply_time", mode="before")(_time_as_text)
    _encodable = field_validator("id", "title", "content", "reply", "message_time", "reply_time", "type",
                                 "unit")(_no_lone_surrogates)


class AuditBatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    replies: list[ReplyIn] = Field(min_length=1, max_length=BATCH_CAP, description="待核查的答复（按顺序返回结果）",
                                   examples=[[EXAMPLE_REPLY]])


# Every field a request body may hold: an unknown one is refused (a misspelt reply_time would otherwise be dropped
# without a word), and the error suggests the closest of these.
REQUEST_FIELDS = (*TicketIn.model_fields, *(f for f in ReplyIn.model_fields if f not in TicketIn.model_fields),
                  *BatchRequest.model_fields, *AuditBatchRequest.model_fields)


class AuditBatchResponse(BaseModel):
    results: list[Audit] = Field(description="每条答复的核查结果，与请求顺序一致", examples=[[EXAMPLE_AUDIT]])


class Health(BaseModel):
    status: Literal["ok"] = Field("ok", description="服务可用")
    models: list[str] = Field(description="已加载的模型", examples=[["auditor", "classifier"]])


class ModelInfo(BaseModel):
    version: str = Field(description="模型版本（训练日期-内容哈希）")
    created: str | None = Field(None, description="训练日期")
    data: dict[str, Any] = Field(default_factory=dict, description="训练数据")
    split: dict[str, Any] = Field(default_factory=dict, description="评测所用的数据划分")
    metrics: dict[str, Any] = Field(default_factory=dict, description="模型卡中的评测指标（模型未训练过的数据）")

    @classmethod
    def from_card(cls, card: dict[str, Any]) -> ModelInfo:
        # The auditor's card names its training data "training_data"; a fine-tuned encoder's split is one sentence.
        split = card.get("split", {})
        return cls(version=card.get("version", "unversioned"), created=card.get("created"),
                   data=card.get("data") or card.get("training_data", {}),
                   split=split if isinstance(split, dict) else {"held_out": split}, metrics=card.get("metrics", {}))


class Limits(BaseModel):
    max_body_bytes: int = Field(description="请求体上限（字节）")
    max_text_chars: int = Field(description="标题、内容或答复的长度上限（字符）")
    max_batch_size: int = Field(description="批量请求的工单（答复）数上限")


class VersionInfo(BaseModel):
    service: str = Field(description="hotline 软件版本")
    models: dict[str, ModelInfo] = Field(description="各模型的版本、训练数据与指标（来自模型卡）")
    review_threshold: float = Field(description="类别概率低于此值时需人工复核")
    redo_threshold: float = Field(description="退回重办概率不低于此值时答复核查结论为 redo")
    element_thresholds: dict[str, float] = Field(description="各要素概率不低于此值时判为具备（org/time/process/result/contact）")
    limits: Limits


class ErrorDetail(BaseModel):
    field: str | None = Field(None, description="出错的字段，如 content、tickets[2].title、replies[3].reply")
    message: str = Field(description="说明")
    type: str = Field(description="错误类型（pydantic 的 type 或本服务的代码）")


class Error(BaseModel):
    code: str = Field(description="错误代码：invalid_json、invalid_encoding、bad_request、unsupported_media_type、unauthorized、"
                                  "not_found、method_not_allowed、too_large、invalid_field、empty_ticket、empty_reply、"
                                  "no_index、internal_error")
    message: str = Field(description="说明（中文，附原始信息）")
    field: str | None = Field(None, description="出错的字段（若与某个字段有关）")
    details: list[ErrorDetail] = Field(default_factory=list, description="全部校验错误")


class ErrorResponse(BaseModel):
    error: Error


_ERROR = {"model": ErrorResponse}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {**_ERROR, "description": "请求体不是合法的 JSON 或不是 UTF-8"},
    401: {**_ERROR, "description": "缺少或错误的 API 密钥（X-API-Key）"},
    413: {**_ERROR, "description": "请求体、文本或批量超过上限"},
    415: {**_ERROR, "description": "请求体不是 JSON（Content-Type 须为 application/json）"},
    422: {**_ERROR, "description": "字段缺失、为空或类型错误"},
}
