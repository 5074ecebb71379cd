"""Result objects shared by the CLI, the HTTP service and the reports: each field is defined once, here."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Ticket(BaseModel):
    """One citizen message (工单/留言)."""

    id: str | None = Field(None, description="工单编号/留言编号")
    title: str = Field("", description="标题/留言主题")
    content: str = Field("", description="诉求内容/留言详情")


class LabelScore(BaseModel):
    label: str = Field(description="标签")
    score: float = Field(description="校准后的概率")


class UnitScore(BaseModel):
    unit: str = Field(description="建议承办单位")
    score: float = Field(description="派单得分（各类别概率按单位分配之和）")
    basis: str = Field(description="依据：类别默认单位或命中的关键词")


class Classification(BaseModel):
    """What the dispatch screen needs for one ticket."""

    id: str | None = Field(None, description="工单编号")
    category: str | None = Field(None, description="预测类别（训练数据的一级标签）")
    category_name: str | None = Field(None, description="对应的12345分类名称")
    category_scores: list[LabelScore] = Field(default_factory=list, description="类别 top-k，按概率降序")
    type: str | None = Field(None, description="诉求类型：投诉/举报/求助/咨询/建议/表扬/其他")
    type_scores: list[LabelScore] = Field(default_factory=list, description="诉求类型 top-k")
    routing: list[UnitScore] = Field(default_factory=list, description="建议承办单位，按得分降序")
    needs_review: bool = Field(True, description="置信度低于阈值，需人工复核后再派单")
    model_version: str = Field(description="模型版本")
    error: str | None = Field(None, description="批量文件（hotline classify）中该行无法分类的原因，其余行照常输出；HTTP 接口对有误的请求整体返回 4xx，此处为 null")
