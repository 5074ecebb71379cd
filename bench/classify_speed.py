"""Speed and memory of batch classification on the shipped default model, next to jieba alone.

    python bench/classify_speed.py [--n 4000] [--workers 2] [--type-encoder DIR]

Messages come from ../shared/data/category/train.csv (speed only; no accuracy is measured here), or from
data/samples/tickets.csv repeated when the shared data is absent. Each figure is the best of three runs.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from model.classifier import TicketClassifier  # noqa: E402
from model.results import Ticket  # noqa: E402
from model.text import combine, default_tokenizer, domain_jieba, mask_pii, normalise  # noqa: E402
from serve.batch import classify_rows, map_chunks  # noqa: E402
from training.data import SHARED_DATA, read_table  # noqa: E402


def rss_mib() -> float:
    """Resident memory of this process now (Linux /proc), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_messages(n: int) -> tuple[list[dict[str, str]], str]:
    shared = SHARED_DATA / "category" / "train.csv"
    source = shared if shared.is_file() else ROOT / "data" / "samples" / "tickets.csv"
    rows = read_table(source, required=("id", "title", "content")).to_dict("records")
    return list(itertools.islice(itertools.cycle(rows), n)), str(source)


def timed(action, repeats: int = 3) -> float:
    """Best of `repeats` wall-clock runs (this machine is shared: the minimum is the least disturbed)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4000, help="messages to classify")
    parser.add_argument("--workers", type=int, default=2, help="processes for the batch figure")
    parser.add_argument("--model", type=Path, default=None, help="model directory (default: shipped)")
    parser.add_argument("--type-encoder", type=Path, default=None,
                        help="also time the opt-in request-type encoder (`hotline train encoder` output)")
    args = parser.parse_args()

    rows, source = load_messages(args.n)
    chars = sum(len(r["title"]) + len(r["content"]) for r in rows)
    print(f"messages: {len(rows)} from {source} (mean {chars / len(rows):.0f} characters)")
    base_rss = rss_mib()
    start = time.perf_counter()
    classifier = TicketClassifier.load(args.model)
    load_s = time.perf_counter() - start
    tokenizer_s = timed(default_tokenizer, repeats=1)
    print(f"model load: {load_s:.2f} s (+ jieba dictionary {tokenizer_s:.2f} s); RSS {rss_mib():.0f} MiB "
          f"(+{rss_mib() - base_rss:.0f} MiB for model and jieba)")

    texts = [combine(mask_pii(normalise(r["title"])), mask_pii(normalise(r["content"]))) for r in rows]
    limit = classifier.tokenise_limit
    reference = domain_jieba()
    full_s = timed(lambda: [reference.lcut(t, HMM=False) for t in texts])
    model_s = timed(lambda: [reference.lcut(t[:limit], HMM=False) for t in texts])
    print(f"jieba alone (HMM off, domain dictionary), 1 process: full text {len(rows) / full_s:,.0f} msg/s; "
          f"first {limit} characters (what the model tokenises) {len(rows) / model_s:,.0f} msg/s")
    tokenizer = default_tokenizer()
    ours_full_s = timed(lambda: [tokenizer.cut(t) for t in texts])
    ours_s = timed(lambda: [tokenizer.cut(t[:limit]) for t in texts])
    print(f"hotline's segmenter (same words as jieba, model/segment.py): full text {len(rows) / ours_full_s:,.0f} "
          f"msg/s; first {limit} characters {len(rows) / ours_s:,.0f} msg/s")

    tickets = [Ticket(id=r["id"], title=r["title"], content=r["content"]) for r in rows]
    single_s = timed(lambda: classifier.classify(tickets))
    print(f"classify, 1 process: {len(rows) / single_s:,.0f} msg/s = {single_s / model_s:.2f}× the time of "
          f"jieba on the same text ({single_s / full_s:.2f}× jieba on the full text)")

    chunks = [rows[i:i + 512] for i in range(0, len(rows), 512)]
    batch_s = timed(lambda: list(map_chunks(functools.partial(classify_rows, classifier), chunks, args.workers)))
    print(f"classify, {args.workers} worker processes (hotline classify --workers {args.workers}): "
          f"{len(rows) / batch_s:,.0f} msg/s")
    print(f"RSS of the process holding the default model after classifying: {rss_mib():.0f} MiB")
    if args.type_encoder is not None:
        bench_type_encoder(classifier, args.type_encoder, tickets[:200])


def bench_type_encoder(classifier: TicketClassifier, directory: Path, tickets: list[Ticket]) -> None:
    """The same classification with the fine-tuned request-type encoder mixed in: batch and one ticket at a time."""
    from model.encoder_classifier import EncoderMix

    classifier.type_encoder = EncoderMix.load(directory)
    batch_s = timed(lambda: classifier.classify(tickets), repeats=1)
    one_s = timed(lambda: [classifier.classify([t]) for t in tickets[:20]], repeats=1) / 20
    print(f"with --type-encoder: batch of {len(tickets)}: {len(tickets) / batch_s:,.1f} msg/s "
          f"({batch_s / len(tickets) * 1000:.0f} ms a ticket); one ticket at a time: {one_s * 1000:.0f} ms; "
          f"RSS {rss_mib():.0f} MiB")


if __name__ == "__main__":
    main()
