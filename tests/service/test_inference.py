"""InferenceQueue: concurrent callers are scored together, each gets its own results, a failure only its own callers."""

import asyncio
import threading

import pytest

from serve.inference import InferenceQueue


class Recorder:
    """Doubles numbers; the first call waits until released, so later callers queue up behind it."""

    def __init__(self):
        self.batches: list[list[int]] = []
        self.busy, self.release = threading.Event(), threading.Event()

    def __call__(self, items):
        self.batches.append(list(items))
        if len(self.batches) == 1:
            self.busy.set()
            assert self.release.wait(10)
        if -1 in items:
            raise ValueError("bad item")
        return [2 * x for x in items]


def test_waiting_callers_are_scored_in_one_call_and_get_their_own_results():
    recorder = Recorder()
    scorer = InferenceQueue(recorder, max_batch=100)

    async def scenario():
        first = asyncio.create_task(scorer.run([1]))
        await asyncio.to_thread(recorder.busy.wait, 10)
        rest = [asyncio.create_task(scorer.run([10 * i, 10 * i + 1])) for i in range(1, 6)]
        await asyncio.sleep(0.05)  # let every task put its job on the queue
        recorder.release.set()
        return await first, await asyncio.gather(*rest)

    first, rest = asyncio.run(scenario())
    scorer.close()
    assert first == [2]
    assert rest == [[20 * i, 20 * i + 2] for i in range(1, 6)]
    assert [len(b) for b in recorder.batches] == [1, 10]


def test_max_batch_bounds_the_merging():
    recorder = Recorder()
    scorer = InferenceQueue(recorder, max_batch=4)

    async def scenario():
        first = asyncio.create_task(scorer.run([0]))
        await asyncio.to_thread(recorder.busy.wait, 10)
        rest = [asyncio.create_task(scorer.run([i, i])) for i in range(1, 5)]
        await asyncio.sleep(0.05)
        recorder.release.set()
        await first
        return await asyncio.gather(*rest)

    assert asyncio.run(scenario()) == [[2 * i, 2 * i] for i in range(1, 5)]
    scorer.close()
    assert [len(b) for b in recorder.batches] == [1, 4, 4]


def test_a_failure_reaches_its_callers_and_the_queue_goes_on():
    recorder = Recorder()
    recorder.release.set()
    scorer = InferenceQueue(recorder, max_batch=8)

    async def scenario():
        with pytest.raises(ValueError, match="bad item"):
            await scorer.run([-1])
        return await scorer.run([3])

    assert asyncio.run(scenario()) == [6]
    scorer.close()


def test_a_failing_caller_merged_with_others_fails_alone():
    recorder = Recorder()
    scorer = InferenceQueue(recorder, max_batch=100)

    async def scenario():
        first = asyncio.create_task(scorer.run([1]))
        await asyncio.to_thread(recorder.busy.wait, 10)
        good, bad, other = (asyncio.create_task(scorer.run(items)) for items in ([3], [-1, 4], [5, 6]))
        await asyncio.sleep(0.05)  # all three wait behind the first call and are merged into one
        recorder.release.set()
        await first
        with pytest.raises(ValueError, match="bad item"):
            await bad
        return await good, await other

    assert asyncio.run(scenario()) == ([6], [10, 12])
    scorer.close()
    assert recorder.batches[1] == [3, -1, 4, 5, 6]  # the merged call failed; then each job on its own
    assert recorder.batches[2:] == [[3], [-1, 4], [5, 6]]
