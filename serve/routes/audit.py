"""POST /audit and /audit/batch: the five elements with evidence, redo risk, relevance, timeliness, score, issues and
suggestions, as `hotline audit` writes.

The auditor is loaded once at start-up (unless the app was given one) and scored through an InferenceQueue.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request

from model.audit_policy import AuditPolicy
from model.audit_results import Audit, ReplyTicket
from model.auditor import ReplyAuditor
from serve.deps import SettingsDep, require_api_key
from serve.inference import InferenceQueue, served_model
from serve.limits import check_batch, check_each, check_reply
from serve.schemas import ERROR_RESPONSES, EXAMPLE_AUDIT, AuditBatchRequest, AuditBatchResponse, ReplyIn
from serve.settings import Settings

WARM_UP = ReplyTicket(title="路灯不亮", content="小区路灯不亮，请尽快维修。", reply="区城管局已于5月3日派人修复路灯。")


def _auditor(app: FastAPI, settings: Settings) -> ReplyAuditor:
    if app.state.auditor is None:
        return ReplyAuditor.load(settings.auditor_dir, settings.audit_policy)
    if settings.audit_policy is None:
        return app.state.auditor
    auditor = copy.copy(app.state.auditor)  # the given auditor keeps its policy
    auditor.policy = AuditPolicy.load(settings.audit_policy)
    return auditor


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    auditor = _auditor(app, settings)
    async with served_model(app.state.models, "auditor", auditor, auditor.audit, settings.inference_batch,
                            [WARM_UP]) as scorer:
        app.state.auditor, app.state.audit_queue = auditor, scorer
        yield


async def _scorer(request: Request) -> InferenceQueue[ReplyTicket, Audit]:
    return request.app.state.audit_queue


ScorerDep = Annotated[InferenceQueue[ReplyTicket, Audit], Depends(_scorer)]
router = APIRouter(tags=["答复核查 audit"], lifespan=lifespan, dependencies=[Depends(require_api_key)],
                   responses=ERROR_RESPONSES)


@router.post("/audit", response_model=Audit, summary="核查一条答复",
             responses={200: {"content": {"application/json": {"example": EXAMPLE_AUDIT}}}})
async def audit(reply: ReplyIn, settings: SettingsDep, scorer: ScorerDep) -> Audit:
    """五要素（各含原文证据的位置）、退回重办风险、是否答非所问、办理时效、得分、问题与补充建议：
    与 `hotline audit` 输出的字段相同。证据的 start/end 是原答复文本中的字符位置（reply[start:end] == text）。"""
    check_reply(reply, settings)
    [result] = await scorer.run([reply])
    return result


@router.post("/audit/batch", response_model=AuditBatchResponse, summary="批量核查答复")
async def audit_batch(batch: AuditBatchRequest, settings: SettingsDep, scorer: ScorerDep) -> AuditBatchResponse:
    """按请求顺序返回每条答复的核查结果；条数上限见 /version 的 limits.max_batch_size。"""
    check_batch(batch.replies, settings, "replies")
    check_each(batch.replies, lambda reply, prefix: check_reply(reply, settings, prefix), "replies")
    return AuditBatchResponse(results=await scorer.run(batch.replies))
