"""POST /similar (one ticket → the earlier tickets about the same matter, as `hotline similar` writes) and
POST /similar/add (tickets into the index), on the index of HOTLINE_SIMILAR_INDEX.

The index is loaded once at start-up. Searches and additions go through one InferenceQueue, so they never run at
the same time in a process; an addition is saved to the index directory (a new shard, under the directory's lock)
before it is answered. Each worker process holds its own copy and, before each search or addition, loads the tickets
that other workers (or ``hotline index add``) saved meanwhile; an index rebuilt in place is loaded anew. Without an
index configured, both answer 503 ``no_index``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, field_validator

from model.similar import IndexRebuilt, TicketIndex
from model.similar_results import PastTicket, SimilarResult
from serve.deps import SettingsDep, require_api_key
from serve.errors import ApiError
from serve.inference import InferenceQueue, served_model
from serve.limits import check_batch, check_each, check_ticket
from serve.schemas import (
    BATCH_CAP,
    ERROR_RESPONSES,
    EXAMPLE_TICKET,
    SHORT_FIELD_CHARS,
    ErrorResponse,
    IdText,
    TicketIn,
    TimeText,
    _id_as_text,
    _no_lone_surrogates,
    _time_as_text,
)

EXAMPLE_PAST = {**EXAMPLE_TICKET, "id": "s002", "message_time": "2020-03-02 09:15:00", "unit": "A3区住房和城乡建设局"}
# What an index of data/samples/tickets.csv answers for a reworded repeat of s002 (README, "Repeat complaints").
EXAMPLE_SIMILAR = {
    "id": "w9", "threshold": 0.45, "index_size": 70, "error": None,
    "matches": [{"id": "s002", "score": 0.4557, "title": "A3区金桂园小区物业擅自收取地面停车费", "message_time": None,
                 "unit": None, "places": ["金桂园小区", "A3区"], "terms": ["收取", "地面", "停车费", "车位", "公示"]}],
}


class PastTicketIn(PastTicket):
    """一条加入索引的历史工单：工单编号必填，标题与诉求内容至少一项非空。"""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE_PAST]})
    id: IdText | StrictInt = Field(description="工单编号（文本或整数；索引内唯一，已在索引中的编号不重复加入）")
    message_time: TimeText | StrictFloat | None = Field(None, description="留言时间（原样保存，如 2020-06-09 12:00:00；"
                                                                    "数字按 Excel 日期序号的文本保存）")
    unit: str | None = Field(None, max_length=SHORT_FIELD_CHARS, description="承办单位")
    _id_text = field_validator("id", mode="before")(_id_as_text)
    _time_text = field_validator("message_time", mode="before")(_time_as_text)

    @field_validator("id")
    @classmethod
    def _id_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("编号不能为空白")
        return value
    _encodable = field_validator("id", "title", "content", "message_time", "unit")(_no_lone_surrogates)


class AddRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tickets: list[PastTicketIn] = Field(min_length=1, max_length=BATCH_CAP, description="加入索引的历史工单", examples=[[EXAMPLE_PAST]])


class AddResponse(BaseModel):
    added: int = Field(description="新加入的工单数（编号已在索引中的不计）")
    not_added: int = Field(0, description="未加入的工单数：编号已在索引中，或在本次请求中重复（保留第一条）")
    index_size: int = Field(description="加入后索引中的工单数")


@dataclass
class _Job:
    """One search (a ticket, k, threshold) or one addition (tickets), run by the queue's thread in arrival order."""

    ticket: TicketIn | None = None
    k: int = 5
    threshold: float | None = None
    tickets: list[PastTicketIn] | None = None


class _LiveIndex:
    """The served index kept in step with its directory, where other processes may add tickets or rebuild it."""

    def __init__(self, directory: Path, models: dict):
        self.directory, self.models = directory, models
        self.index = TicketIndex.open(directory)

    def current(self) -> TicketIndex:
        try:
            self.index.refresh()
        except IndexRebuilt:
            self.index = TicketIndex.open(self.directory)
            self.models["similar"] = self.index
        return self.index

    def run(self, jobs: list[_Job]) -> list[SimilarResult | AddResponse | Exception]:
        """Each job on its own: a failing one gives its exception as its result (raised to its caller alone), so
        the queue never runs the batch again — an addition already saved must not be made twice."""
        results: list[SimilarResult | AddResponse | Exception] = []
        for job in jobs:
            try:
                results.append(self._one(job))
            except Exception as error:  # noqa: BLE001 - goes to this job's caller
                results.append(error)
        return results

    def _one(self, job: _Job) -> SimilarResult | AddResponse:
        index = self.current()
        if job.tickets is not None:
            added = index.add_and_save(job.tickets)
            return AddResponse(added=added, not_added=len(job.tickets) - added, index_size=len(index))
        threshold = index.settings.threshold if job.threshold is None else job.threshold
        [matches] = index.search([job.ticket], k=job.k, threshold=threshold)
        return SimilarResult(id=job.ticket.id, matches=matches, threshold=threshold, index_size=len(index))


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    directory = app.state.settings.similar_index
    if directory is None:
        app.state.similar_queue = None
        yield
        return
    live = _LiveIndex(directory, app.state.models)
    async with served_model(app.state.models, "similar", live.index, live.run,
                            app.state.settings.inference_batch) as queue:
        app.state.similar_queue = queue
        yield


async def _queue(request: Request) -> InferenceQueue[_Job, SimilarResult | AddResponse | Exception]:
    queue = request.app.state.similar_queue
    if queue is None:
        raise ApiError(503, "no_index", "未配置重复投诉索引：用 `hotline index build` 建立索引，并以 HOTLINE_SIMILAR_INDEX "
                                        "指定其目录后重启服务")
    return queue


QueueDep = Annotated[InferenceQueue[_Job, SimilarResult | AddResponse | Exception], Depends(_queue)]


async def _answer(queue: InferenceQueue[_Job, SimilarResult | AddResponse | Exception], job: _Job):
    [result] = await queue.run([job])
    if isinstance(result, Exception):
        raise result
    return result
router = APIRouter(tags=["重复投诉 similar"], lifespan=lifespan, dependencies=[Depends(require_api_key)],
                   responses={**ERROR_RESPONSES, 503: {"model": ErrorResponse, "description": "未配置重复投诉索引"}})


@router.post("/similar", response_model=SimilarResult, summary="查找同一事项的历史工单（重复投诉）",
             responses={200: {"content": {"application/json": {"example": EXAMPLE_SIMILAR}}}})
async def similar(ticket: TicketIn, settings: SettingsDep, queue: QueueDep,
                  k: Annotated[int, Query(ge=1, le=50, description="最多列出的历史工单数")] = 5,
                  threshold: Annotated[float | None, Query(ge=0, le=1, description="最低相似度（默认用索引的）")] = None,
                  ) -> SimilarResult:
    """同一地点、同一问题的历史工单，按相似度降序，附两条工单共同提到的地点与关键词；与 `hotline similar` 输出的字段相同。
    工单编号已在索引中时，不会匹配到它自己。"""
    check_ticket(ticket, settings)
    return await _answer(queue, _Job(ticket=ticket, k=k, threshold=threshold))


@router.post("/similar/add", response_model=AddResponse, summary="把历史工单加入索引")
async def similar_add(batch: AddRequest, settings: SettingsDep, queue: QueueDep) -> AddResponse:
    """加入后立即可被检索，并写入索引目录；编号已在索引中的工单保持原样。条数上限见 /version 的 limits.max_batch_size。"""
    check_batch(batch.tickets, settings, "tickets")
    check_each(batch.tickets, lambda ticket, prefix: check_ticket(ticket, settings, prefix), "tickets")
    return await _answer(queue, _Job(tickets=batch.tickets))
