"""Objects of the repeat-complaint search (重复投诉), shared by the CLI and the HTTP service."""

from __future__ import annotations

from pydantic import BaseModel, Field

from model.results import Ticket


class PastTicket(Ticket):
    """A ticket as the index keeps it: its id is required once it is added; time and unit are optional."""

    message_time: str | None = Field(None, description="留言时间（原样保存，如 2020-06-09 12:00:00）")
    unit: str | None = Field(None, description="承办单位")


class Match(BaseModel):
    """An earlier ticket about the same matter, with why it is thought to be."""

    id: str = Field(description="历史工单编号")
    score: float = Field(description="相似度（0–1），不低于阈值才列出")
    title: str = Field("", description="历史工单标题（已脱敏）")
    message_time: str | None = Field(None, description="历史工单留言时间")
    unit: str | None = Field(None, description="历史工单承办单位")
    places: list[str] = Field(default_factory=list, description="两条工单都提到的地点（区县、镇街、小区、村、路等）")
    terms: list[str] = Field(default_factory=list, description="两条工单共有的关键词句（地点以外），按权重降序")


class SimilarResult(BaseModel):
    """The earlier tickets about the same matter as one ticket, most similar first."""

    id: str | None = Field(None, description="工单编号")
    matches: list[Match] = Field(default_factory=list, description="相似的历史工单，按相似度降序；没有则为空")
    threshold: float = Field(description="列出所需的最低相似度")
    index_size: int = Field(description="检索时索引中的历史工单数")
    error: str | None = Field(None, description="该行无法检索的原因；其余行照常输出")
