"""Speed and size of the repeat-complaint index: build, add, save, load and search, at 10k and 100k tickets.

    python bench/similar_speed.py [--queries 500] [--scale 100000] [--semantic]

The 10,845 messages of ../shared/data (category/train.csv, type/fuzhou_12345.csv, replies/replies.csv) are indexed
as they are, but for the queries (messages of the data kept out of the index); the larger index repeats them under
new ids (so n-grams' postings grow as in a larger history; a real 100k history has more distinct place names, so
this is the slow side). Queries are searched with the default k and threshold, evidence included; the batch figure
is all of them in one call. With
``--semantic`` it also times the e5 part on the converted encoder: embedding a query and a ticket, and the dense
product at each size (on random vectors: building a semantic 100k index means embedding 100k tickets, about two
hours here). Prints the figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from model.similar import TicketIndex, prepare_for_index  # noqa: E402
from model.similar_results import PastTicket  # noqa: E402
from model.text import default_tokenizer  # noqa: E402
from training.data import SHARED_DATA, load_shared_csv  # noqa: E402

SOURCES = ("category/train.csv", "type/fuzhou_12345.csv", "replies/replies.csv")


def memory() -> str:
    current = next(int(line.split()[1]) for line in Path("/proc/self/status").read_text().splitlines()
                   if line.startswith("VmRSS:"))
    return f"{current / 1024:.0f} MiB resident, peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"


def load_tickets() -> list[PastTicket]:
    tickets = []
    for source in SOURCES:
        frame = load_shared_csv(source, SHARED_DATA)
        tickets += [PastTicket(id=r.id, title=r.title, content=r.content) for r in frame.itertuples()]
    return tickets


def timed(action):
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def percentiles(seconds: list[float]) -> str:
    ms = np.array(seconds) * 1000
    return f"p50 {np.percentile(ms, 50):.1f} ms, p99 {np.percentile(ms, 99):.1f} ms"


def bench(index: TicketIndex, queries: list[PastTicket], label: str) -> None:
    index.search(queries[:5])  # stacks the tail, builds nothing else lazily afterwards
    single = [timed(lambda q=q: index.search([q]))[1] for q in queries]
    batch, elapsed = timed(lambda: index.search(queries))
    found = sum(bool(m) for m in batch)  # queries are kept out of the index: these are repeats in the data
    docs = [prepare_for_index(q, index.settings.max_chars) for q in queries]
    _, scoring = timed(lambda: index.scores(docs))
    print(f"{label}: one query at a time {percentiles(single)}; {len(queries)} in one call {elapsed:.2f} s "
          f"({len(queries) / elapsed:.0f} queries/s, scores alone {1000 * scoring / len(queries):.2f} ms a query); "
          f"{found} of {len(queries)} queries with a match ≥ {index.settings.threshold}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--semantic", action="store_true")
    args = parser.parse_args()
    tickets = load_tickets()
    rng = np.random.default_rng(0)
    held_out = set(rng.choice(len(tickets), args.queries, replace=False).tolist())
    queries = [t for i, t in enumerate(tickets) if i in held_out]
    tickets = [t for i, t in enumerate(tickets) if i not in held_out]
    default_tokenizer()  # jieba's dictionary, loaded once per process (0.6 s), before any timing
    print(f"{len(tickets)} tickets from {', '.join(SOURCES)} ({len(queries)} more kept out as queries); "
          f"before the index {memory()}")

    index, elapsed = timed(lambda: TicketIndex.build(tickets))
    print(f"build {len(index)}: {elapsed:.1f} s ({len(index) / elapsed:.0f} tickets/s); vocabulary "
          f"{len(index.vectoriser.vocabulary_)} n-grams; {memory()}")
    with tempfile.TemporaryDirectory() as directory:
        _, elapsed = timed(lambda: index.save(directory))
        size = sum(p.stat().st_size for p in Path(directory).iterdir()) / 2**20
        print(f"save: {elapsed:.1f} s, {size:.1f} MiB on disk")
        loaded, elapsed = timed(lambda: TicketIndex.load(directory))
        print(f"load: {elapsed:.2f} s")
        first, adding = [], []
        for n, query in enumerate(queries[:21]):
            _, seconds = timed(lambda: loaded.add([query.model_copy(update={"id": f"bench-{n}"})]))
            _, saving = timed(lambda: loaded.save(directory))
            (first if n == 0 else adding).append(seconds + saving)
        print(f"add one ticket and save it (a new shard): {1000 * first[0]:.0f} ms the first time after loading "
              f"(n-gram lookup table), then {percentiles(adding)}")
    bench(index, queries, f"search, {len(index)} tickets")

    copies = [t.model_copy(update={"id": f"{t.id}-{n}"}) for n in range(1, args.scale // len(tickets) + 1)
              for t in tickets][: args.scale - len(tickets)]
    _, elapsed = timed(lambda: index.add(copies))
    index.search(queries[:1])  # the inverted index is rebuilt once, here
    print(f"add {len(copies)} more in one call: {elapsed:.1f} s; {memory()}")
    bench(index, queries, f"search, {len(index)} tickets")
    print(f"after searching: {memory()}")

    if args.semantic:
        from model.encoder import TextEncoder

        encoder, elapsed = timed(lambda: TextEncoder.load(threads=2))
        texts = [prepare_for_index(q, 200).text for q in queries[:100]]
        one = [timed(lambda t=t: encoder.embed([t], kind="query", max_length=128))[1] for t in texts]
        print(f"e5 (loaded in {elapsed:.1f} s): one query or ticket at max_length 128 {percentiles(one)}")
        for size in (len(tickets), args.scale):
            stored = rng.standard_normal((size, encoder.dim)).astype(np.float32)
            query = rng.standard_normal((1, encoder.dim)).astype(np.float32)
            dense = [timed(lambda: query @ stored.T)[1] for _ in range(50)]
            print(f"e5 cosine against {size} stored embeddings: {percentiles(dense)}; "
                  f"{stored.nbytes / 2**20:.0f} MiB in memory, half on disk (float16)")


if __name__ == "__main__":
    main()
