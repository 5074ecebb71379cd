"""Speed of the reply auditor on the shipped default auditor: batch replies/s (1 and 2 processes) and the latency
of a single audit.

    python bench/audit_speed.py [--n 2000]

Replies come from ../shared/data/replies/replies.csv (speed only), or from data/samples/sample_replies.csv repeated
when the shared data is absent. Batch figures are the best of three runs; the single-audit latency is the median
and the 99th percentile of 300 one-reply calls; then single replies of 20,000 to 160,000 characters. Prints
figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.classify_speed import rss_mib, timed  # noqa: E402
from model.audit_results import ReplyTicket  # noqa: E402
from model.auditor import ReplyAuditor  # noqa: E402
from serve.batch import AUDIT_OPTIONAL, audit_rows, map_chunks  # noqa: E402
from training.data import SHARED_DATA, read_table  # noqa: E402

LONG_REPLY_CHARS = (20_000, 80_000, 160_000)
LONG_REPLY_SENTENCE = "您好，经核实已处理。"  # ten characters, a sentence with evidence


def load_rows(n: int) -> tuple[list[dict[str, str]], str]:
    shared = SHARED_DATA / "replies" / "replies.csv"
    source = shared if shared.is_file() else ROOT / "data" / "samples" / "sample_replies.csv"
    table = read_table(source, required=("id", "title", "content", "reply"), optional=AUDIT_OPTIONAL)
    rows = table.to_dict("records")
    return list(itertools.islice(itertools.cycle(rows), n)), source.name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--chunk-size", type=int, default=256)
    args = parser.parse_args()

    start = time.perf_counter()
    auditor = ReplyAuditor.load()
    load_s = time.perf_counter() - start
    rows, source = load_rows(args.n)
    chunks = [rows[i:i + args.chunk_size] for i in range(0, len(rows), args.chunk_size)]
    mean_chars = sum(len(r["reply"]) for r in rows) / len(rows)
    print(f"auditor {auditor.version}: loaded in {load_s:.2f} s; {len(rows)} replies from {source}, "
          f"{mean_chars:.0f} characters on average")
    process = functools.partial(audit_rows, auditor)
    for workers in (1, 2):
        seconds = timed(lambda w=workers: list(map_chunks(process, chunks, w)))
        print(f"batch, {workers} process(es): {len(rows) / seconds:,.0f} replies/s ({seconds:.2f} s)")
    singles = [ReplyTicket(**{k: v or None if k in ("id", *AUDIT_OPTIONAL) else v for k, v in r.items()})
               for r in rows[:300]]
    latencies = []
    for ticket in singles:
        start = time.perf_counter()
        auditor.audit([ticket])
        latencies.append((time.perf_counter() - start) * 1000)
    latencies.sort()
    print(f"single audit: median {statistics.median(latencies):.1f} ms, p99 {latencies[int(0.99 * len(latencies))]:.1f} ms")
    for chars in LONG_REPLY_CHARS:  # what one pasted-in report costs: the time should grow with the length, no faster
        long_reply = ReplyTicket(title="噪音", content="楼下噪音扰民请处理。", reply=LONG_REPLY_SENTENCE * (chars // 10))
        seconds = timed(lambda r=long_reply: auditor.audit([r]))
        print(f"one reply of {chars:,} characters: {seconds:.2f} s")
    print(f"RSS of this process: {rss_mib():.0f} MiB")


if __name__ == "__main__":
    main()
