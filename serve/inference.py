"""Model scoring off the event loop: one thread per model scores the requests waiting for it together.

A call costs a few milliseconds of fixed overhead (sparse matrix set-up) however many tickets it scores, so requests
that arrive while the model is busy are merged into the next call, up to `max_batch` items (a larger batch request
is scored whole). The thread works alone, so the model never runs twice at once and the event loop stays free. When a
merged call fails, its requests are scored again one by one, so only the callers whose own items fail get the error.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import Future
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


@dataclass
class _Job(Generic[Item, Result]):
    items: Sequence[Item]
    future: Future = field(default_factory=Future)


class InferenceQueue(Generic[Item, Result]):
    """`await queue.run(items)` → `score(items)`, with concurrent callers' items scored in one call."""

    def __init__(self, score: Callable[[list[Item]], list[Result]], max_batch: int, name: str = "inference"):
        self._score = score
        self._max_batch = max_batch
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._work, name=name, daemon=True)
        self._thread.start()

    async def run(self, items: Sequence[Item]) -> list[Result]:
        job: _Job[Item, Result] = _Job(items)
        self._jobs.put(job)
        return await asyncio.wrap_future(job.future)

    def close(self) -> None:
        """Finish the jobs already queued, then stop the thread."""
        self._jobs.put(None)
        self._thread.join()

    def _next_batch(self) -> list[_Job] | None:
        first = self._jobs.get()
        if first is None:
            return None
        batch, size = [first], len(first.items)
        while size < self._max_batch:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                break
            if job is None:
                self._jobs.put(None)  # stop after this batch
                break
            batch.append(job)
            size += len(job.items)
        return batch

    def _work(self) -> None:
        while (batch := self._next_batch()) is not None:
            live = [job for job in batch if job.future.set_running_or_notify_cancel()]  # callers gone: skip
            if not live:
                continue
            try:
                results = self._score([item for job in live for item in job.items])
            except Exception as error:  # noqa: BLE001 - any failure goes to the waiting callers, not lost
                if len(live) == 1:
                    live[0].future.set_exception(error)
                else:  # one caller's bad item must not fail the others merged with it: score each job alone
                    for job in live:
                        self._score_alone(job)
                continue
            start = 0
            for job in live:
                job.future.set_result(results[start:start + len(job.items)])
                start += len(job.items)

    def _score_alone(self, job: _Job) -> None:
        try:
            job.future.set_result(self._score(list(job.items)))
        except Exception as error:  # noqa: BLE001
            job.future.set_exception(error)


@asynccontextmanager
async def served_model(models: dict[str, Any], name: str, model: Any, score: Callable[[list[Item]], list[Result]],
                       max_batch: int, warm_up: Sequence[Item] = ()) -> AsyncIterator[InferenceQueue[Item, Result]]:
    """A model's scoring queue for the app's lifetime: warmed up, registered in `models` under `name` (which puts it in
    /health and /version), closed at shutdown."""
    scorer: InferenceQueue[Item, Result] = InferenceQueue(score, max_batch, name=name)
    try:
        if warm_up:
            await scorer.run(list(warm_up))  # e.g. jieba's dictionary loads now rather than on the first request
        models[name] = model
        yield scorer
    finally:
        scorer.close()
