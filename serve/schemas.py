"""Request and response schemas of the HTTP service; results reuse the CLI's objects (model/results.py)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

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
    "category_scores": [{"label": "城乡建设", "score": 0.6146}, {"label": "商贸旅游", "score": 0.2337},
                        {"label": "交通运输", "score": 0.0487}],
    "type": "投诉", "type_scores": [{"label": "投诉", "score": 0.9936}, {"label": "举报", "score": 0.0027},
                                  {"label": "求助", "score": 0.001}],
    "routing": [{"unit": "区住房和城乡建设局", "score": 0.547, "basis": "关键词「物业」→住房保障与房地产；类别「城乡建设」"},
                {"unit": "区市场监督管理局", "score": 0.1672, "basis": "类别「商贸旅游」"},
                {"unit": "区文化旅游体育局", "score": 0.043, "basis": "类别「商贸旅游」"}],
    "needs_review": True, "model_version": "2026.11.23-5d2e734dbc", "error": None,
}


class TicketIn(Ticket):
    """一条待分类的工单：标题与诉求内容至少一项非空。"""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_TICKET]})

    @field_validator("id", "title", "content")
    @classmethod
    def _encodable(cls, value: str | None) -> str | None:
        # JSON may carry escaped lone surrogates (\ud800); they cannot be written back as UTF-8.
        if value is not None and any("\ud800" <= ch <= "\udfff" for ch in value):
            raise ValueError("含有无法编码的 Unicode 代理字符 (lone surrogate)")
        return value


class BatchRequest(BaseModel):
    tickets: list[TicketIn] = Field(min_length=1, description="待分类工单（按顺序返回结果）",
                                    examples=[[EXAMPLE_TICKET]])


class BatchResponse(BaseModel):
    results: list[Classification] = Field(description="每条工单的分类结果，与请求顺序一致",
                                          examples=[[EXAMPLE_RESULT]])


class Health(BaseModel):
    status: Literal["ok"] = Field("ok", description="服务可用")
    models: list[str] = Field(description="已加载的模型", examples=[["classifier"]])


class ModelInfo(BaseModel):
    version: str = Field(description="模型版本（训练日期-内容哈希）")
    created: str | None = Field(None, description="训练日期")
    data: dict[str, Any] = Field(default_factory=dict, description="训练数据")
    split: dict[str, Any] = Field(default_factory=dict, description="评测所用的数据划分")
    metrics: dict[str, Any] = Field(default_factory=dict, description="模型卡中的评测指标（模型未训练过的数据）")

    @classmethod
    def from_card(cls, card: dict[str, Any]) -> ModelInfo:
        return cls(version=card.get("version", "unversioned"), created=card.get("created"),
                   data=card.get("data", {}), split=card.get("split", {}), metrics=card.get("metrics", {}))


class Limits(BaseModel):
    max_body_bytes: int = Field(description="请求体上限（字节）")
    max_text_chars: int = Field(description="标题或内容的长度上限（字符）")
    max_batch_size: int = Field(description="批量请求的工单数上限")


class VersionInfo(BaseModel):
    service: str = Field(description="hotline 软件版本")
    models: dict[str, ModelInfo] = Field(description="各模型的版本、训练数据与指标（来自模型卡）")
    review_threshold: float = Field(description="类别概率低于此值时需人工复核")
    limits: Limits


class ErrorDetail(BaseModel):
    field: str | None = Field(None, description="出错的字段，如 content、tickets[2].title")
    message: str = Field(description="说明")
    type: str = Field(description="错误类型（pydantic 的 type 或本服务的代码）")


class Error(BaseModel):
    code: str = Field(description="错误代码：invalid_json、invalid_encoding、bad_request、unsupported_media_type、unauthorized、"
                                  "not_found、method_not_allowed、too_large、invalid_field、empty_ticket、internal_error")
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
