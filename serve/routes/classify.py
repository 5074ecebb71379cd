"""POST /classify and /classify/batch: category, request type, routing and needs_review, as `hotline classify` writes.

The classifier is loaded once at start-up (unless the app was given one) and scored through an InferenceQueue.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request

from model.classifier import TicketClassifier
from model.results import Classification, Ticket
from model.routing import Taxonomy
from serve.deps import SettingsDep, require_api_key
from serve.inference import InferenceQueue, served_model
from serve.limits import check_batch, check_each, check_ticket
from serve.schemas import ERROR_RESPONSES, EXAMPLE_RESULT, BatchRequest, BatchResponse, TicketIn
from serve.settings import Settings

WARM_UP = Ticket(title="服务启动自检", content="小区路灯不亮，请尽快维修。")


def _classifier(app: FastAPI, settings: Settings) -> TicketClassifier:
    """The classifier to serve. A given one (tests, embedding apps) keeps its models and type encoder, but a taxonomy
    file and the review threshold of the settings still apply, as an audit policy does to a given auditor."""
    given = app.state.classifier
    classifier = given or TicketClassifier.load(settings.model_dir, settings.taxonomy, settings.type_encoder)
    taxonomy = Taxonomy.load(settings.taxonomy) if given is not None and settings.taxonomy else classifier.taxonomy
    if settings.review_threshold is not None:
        taxonomy = replace(taxonomy, review_threshold=settings.review_threshold)
    if taxonomy is classifier.taxonomy:
        return classifier
    return TicketClassifier(classifier.category, classifier.request_type, taxonomy, classifier.card,
                            classifier.tokenizer, classifier.type_encoder)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    classifier = _classifier(app, settings)
    async with served_model(app.state.models, "classifier", classifier, classifier.classify,
                            settings.inference_batch, [WARM_UP]) as scorer:
        app.state.classifier, app.state.classify_queue = classifier, scorer
        if getattr(classifier, "type_encoder", None) is not None:  # in /version beside the classifier it mixes into
            app.state.models["type_encoder"] = classifier.type_encoder.model
        yield


async def _scorer(request: Request) -> InferenceQueue[Ticket, Classification]:
    return request.app.state.classify_queue


ScorerDep = Annotated[InferenceQueue[Ticket, Classification], Depends(_scorer)]
router = APIRouter(tags=["分类 classify"], lifespan=lifespan, dependencies=[Depends(require_api_key)],
                   responses=ERROR_RESPONSES)


@router.post("/classify", response_model=Classification, summary="分类一条工单",
             responses={200: {"content": {"application/json": {"example": EXAMPLE_RESULT}}}})
async def classify(ticket: TicketIn, settings: SettingsDep, scorer: ScorerDep) -> Classification:
    """类别、诉求类型（各含 top-k 概率）、建议承办单位及是否需人工复核：与 `hotline classify` 输出的字段相同。"""
    check_ticket(ticket, settings)
    [result] = await scorer.run([ticket])
    return result


@router.post("/classify/batch", response_model=BatchResponse, summary="批量分类工单")
async def classify_batch(batch: BatchRequest, settings: SettingsDep, scorer: ScorerDep) -> BatchResponse:
    """按请求顺序返回每条工单的分类结果；条数上限见 /version 的 limits.max_batch_size。"""
    check_batch(batch.tickets, settings, "tickets")
    check_each(batch.tickets, lambda ticket, prefix: check_ticket(ticket, settings, prefix), "tickets")
    return BatchResponse(results=await scorer.run(batch.tickets))
