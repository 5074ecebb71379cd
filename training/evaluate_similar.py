"""How well the repeat-complaint search finds earlier messages about the same matter, on the shared data.

    python -m training.evaluate_similar [--sets category fuzhou] [--methods tfidf-places e5] [--json]
    python -m training.evaluate_similar --worksheet --sets fuzhou --methods tfidf-places   # pairs left to judge

Each message of a set is searched for among all the others (leave one out) and its top ``K`` hits are kept, for
each method: ``tfidf`` (the index of model/similar.py without place weighting), ``tfidf-places`` (the index as
shipped: n-grams inside place names count double), ``e5`` (cosine of multilingual-e5-small embeddings of the same
text, max_length 128), ``combined`` (the mean of tfidf-places and the rescaled e5 cosine). A pair counts once, at
the better of its two directions' scores. Figures (training/similar_data.py says how pairs are labelled):

- P@1: over the messages with a rule-labelled repeat, the share whose top hit is about the same matter;
- rule recall at T: over the messages with a rule-labelled repeat, the share with at least one of them among the
  top K at score ≥ T (one earlier repeat is what a dispatcher needs; some messages were sent ten times);
- precision at T: of the pairs at score ≥ T, the share about the same matter. Rule-labelled pairs count as right;
  for the others a uniform sample per set and method (``Method.sample``: of every unlabelled pair above a score,
  seed 0; recorded in the judgements file once judged) is judged by hand, and their share is estimated from it,
  with a 95 % (Wilson) interval;
- pooled recall at T: of all the judged repeats (from every method's sample), the share this method finds at T.

e5 embeddings are cached (``--embeddings``, default ~/.cache/hotline/similar-eval); computing them takes 10–25
minutes for a category set on two cores.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.similar import IndexSettings, TicketIndex, prepare_for_index
from training.similar_data import SETS, EvalSet, load_set, read_judgements

K = 5
E5_MAX_LENGTH = 128
E5_FLOOR = 0.85  # e5 cosines of unrelated hotline messages sit near 0.85-0.9: rescaled (c - floor) / (1 - floor)
DEFAULT_CACHE = Path.home() / ".cache" / "hotline" / "similar-eval"


@dataclass(frozen=True)
class Method:
    place_weight: float | None  # the TF-IDF index's place weight; None: no TF-IDF
    e5: bool
    thresholds: tuple[float, ...]
    sample: tuple[float, int]  # the judged sample: every unlabelled pair at score ≥ this, this many


SHIPPED = IndexSettings().place_weight
METHODS = {
    "tfidf": Method(0.0, False, (0.3, 0.4, 0.45, 0.5, 0.6, 0.7), (0.3, 50)),
    "tfidf-places": Method(SHIPPED, False, (0.3, 0.4, 0.45, 0.5, 0.6, 0.7), (0.3, 50)),
    "e5": Method(None, True, (0.95, 0.96, 0.97, 0.98), (0.95, 30)),
    "combined": Method(SHIPPED, True, (0.4, 0.5, 0.55, 0.6, 0.7, 0.8), (0.5, 30)),
}


@dataclass
class Hits:
    """Each query's top K hits: rows of (query, hit, score), best first within a query."""

    query: np.ndarray
    hit: np.ndarray
    score: np.ndarray


def _texts(eval_set: EvalSet, max_chars: int) -> list[str]:
    return [prepare_for_index(ticket, max_chars).text for ticket in eval_set.tickets]


def embeddings(eval_set: EvalSet, cache: Path, max_chars: int) -> np.ndarray:
    """e5 embeddings of the texts the index sees (title and opening, masked), cached by set name."""
    path = cache / f"{eval_set.name}-{max_chars}-{E5_MAX_LENGTH}.npy"
    if path.is_file():
        stored = np.load(path, allow_pickle=False)
        if len(stored) == len(eval_set.tickets):
            return stored
    from model.encoder import TextEncoder

    print(f"embedding {len(eval_set.tickets)} messages of {eval_set.name} with e5 (cached in {path})", file=sys.stderr)
    vectors = TextEncoder.load(threads=2).embed(_texts(eval_set, max_chars), kind="query", max_length=E5_MAX_LENGTH)
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def search_all(eval_set: EvalSet, methods: list[str], cache: Path, max_chars: int, chunk: int = 512) -> dict[str, Hits]:
    """Per method, every message's top K hits among the others."""
    docs = [prepare_for_index(ticket, max_chars) for ticket in eval_set.tickets]
    lexical = {}
    for weight in {METHODS[m].place_weight for m in methods} - {None}:
        index = TicketIndex.build(eval_set.tickets, IndexSettings(max_chars=max_chars, place_weight=weight))
        lexical[weight] = index.scores(docs)
    vectors = embeddings(eval_set, cache, max_chars) if any(METHODS[m].e5 for m in methods) else None
    found: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {m: [] for m in methods}
    for start in range(0, len(docs), chunk):
        rows = np.arange(start, min(start + chunk, len(docs)))
        semantic = vectors[rows] @ vectors.T if vectors is not None else None
        for name in methods:
            method = METHODS[name]
            lexical_part = np.minimum(lexical[method.place_weight][rows].toarray(), 1.0) \
                if method.place_weight is not None else None
            if lexical_part is not None and method.e5:
                matrix = (lexical_part + np.clip((semantic - E5_FLOOR) / (1 - E5_FLOOR), 0, 1)) / 2
            else:
                matrix = lexical_part if lexical_part is not None else semantic.copy()
            matrix[np.arange(len(rows)), rows] = -np.inf
            top = np.argpartition(-matrix, K, axis=1)[:, :K]
            values = np.take_along_axis(matrix, top, axis=1)
            order = np.argsort(-values, axis=1, kind="stable")
            top, values = np.take_along_axis(top, order, axis=1), np.take_along_axis(values, order, axis=1)
            found[name].append((np.repeat(rows, K), top.ravel(), values.ravel()))
    return {m: Hits(*(np.concatenate(part) for part in zip(*found[m]))) for m in methods}


def _wilson(successes: int, total: int) -> tuple[float, float]:
    p, z = successes / total, 1.96
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return (round(centre - half, 3), round(centre + half, 3))


def _label(eval_set: EvalSet, judgements: dict, a: int, b: int) -> bool | None:
    """True/False where a rule or a judge says whether rows a and b are about the same matter, else None."""
    if eval_set.rule(a, b):
        return True
    ids = sorted((eval_set.tickets[a].id, eval_set.tickets[b].id))
    judged = judgements.get((eval_set.judged_as, *ids))
    return None if judged is None else judged["same"]


def best_pairs(hits: Hits) -> dict[tuple[int, int], float]:
    """Each unordered pair found, at the better of its two directions' scores."""
    best: dict[tuple[int, int], float] = {}
    for q, h, score in zip(hits.query.tolist(), hits.hit.tolist(), hits.score.tolist()):
        pair = (min(q, h), max(q, h))
        best[pair] = max(score, best.get(pair, -1.0))
    return best


def judged_sample(eval_set: EvalSet, best: dict[tuple[int, int], float], method: str,
                  judgements: dict) -> list[tuple[int, int]]:
    """The method's sample: the judged pairs recorded as drawn for it, or, while there are none, a fresh uniform draw
    (seed 0) from the pairs at score ≥ its floor that no rule labels."""
    row_of = {t.id: i for i, t in enumerate(eval_set.tickets)}
    tag = f"{eval_set.name}/{method}"
    stored = [(row_of[a], row_of[b]) for (name, a, b), v in judgements.items()
              if name == eval_set.judged_as and tag in v["samples"] and a in row_of and b in row_of]
    if stored:
        return sorted(tuple(sorted(pair)) for pair in stored)
    floor, size = METHODS[method].sample
    pending = sorted(pair for pair, score in best.items() if score >= floor and not eval_set.rule(*pair))
    return random.Random(0).sample(pending, min(size, len(pending)))


def metrics(eval_set: EvalSet, hits: Hits, judgements: dict, method: str) -> dict:
    """P@1, rule recall, and per threshold the pairs found: by rule, others, precision estimated from the judged
    sample, pooled recall."""
    best = best_pairs(hits)
    sample = judged_sample(eval_set, best, method, judgements)
    positives = _rule_positive_pairs(eval_set)
    with_positive = sorted({a for a, _ in positives})
    first = {q: i for i, q in reversed(list(enumerate(hits.query.tolist())))}
    p_at_1 = [_label(eval_set, judgements, q, int(hits.hit[first[q]])) is True for q in with_positive]
    row_of = {t.id: i for i, t in enumerate(eval_set.tickets)}
    judged_same = {tuple(sorted((row_of[a], row_of[b]))) for (name, a, b), v in judgements.items()
                   if name == eval_set.judged_as and v["same"] and a in row_of and b in row_of}
    judged_same = {pair for pair in judged_same if not eval_set.rule(*pair)}
    labels = {pair: _label(eval_set, judgements, *pair) for pair in sample}
    result = {"queries": len(eval_set.tickets), "queries_with_rule_repeat": len(with_positive),
              "rule_pairs": len(positives) // 2, "sample": len(sample),
              "sample_unjudged": sum(label is None for label in labels.values()),
              "p_at_1": round(float(np.mean(p_at_1)), 4) if p_at_1 else None, "at": {}}
    for t in METHODS[method].thresholds:
        pairs = [pair for pair, score in best.items() if score >= t]
        ruled = sum(bool(eval_set.rule(*pair)) for pair in pairs)
        others = len(pairs) - ruled
        judged = [labels[pair] for pair in sample if best.get(pair, -1.0) >= t]
        found = {(q, h) for q, h, score in zip(hits.query.tolist(), hits.hit.tolist(), hits.score.tolist())
                 if score >= t}
        row = {"pairs": len(pairs), "rule_pairs": ruled, "other_pairs": others, "judged": len(judged),
               "judged_same": sum(label is True for label in judged), "precision": None, "precision_95": None,
               "rule_recall": round(len({a for a, b in found & positives}) / len(with_positive), 4)
               if with_positive else None,
               "pooled_recall": round(sum(best.get(pair, -1.0) >= t for pair in judged_same) / len(judged_same), 4)
               if judged_same else None}
        if pairs and None not in judged and (judged or not others):
            same = row["judged_same"]
            share = same / len(judged) if judged else 0.0
            low, high = _wilson(same, len(judged)) if judged else (0.0, 0.0)
            row["precision"] = round((ruled + share * others) / len(pairs), 4)
            row["precision_95"] = [round((ruled + low * others) / len(pairs), 3),
                                   round((ruled + high * others) / len(pairs), 3)]
        result["at"][str(t)] = row
    return result


def _rule_positive_pairs(eval_set: EvalSet) -> set[tuple[int, int]]:
    """Ordered pairs of rows labelled the same matter by a rule."""
    pairs = {(a, b) for rows in eval_set.rule_groups() for a in rows for b in rows if a != b}
    pairs |= {pair for a, b in eval_set.passage_pairs() for pair in ((a, b), (b, a))}
    return pairs


def worksheet(eval_set: EvalSet, hits: Hits, judgements: dict, method: str) -> list[dict]:
    """The pairs of the method's sample nobody has judged yet, with their texts."""
    best = best_pairs(hits)
    return [{"set": eval_set.judged_as, "sample": f"{eval_set.name}/{method}", "a": eval_set.tickets[a].id,
             "b": eval_set.tickets[b].id, "score": round(best[(a, b)], 3), "text_a": _show(eval_set, a),
             "text_b": _show(eval_set, b)}
            for a, b in judged_sample(eval_set, best, method, judgements) if _label(eval_set, judgements, a, b) is None]


def _show(eval_set: EvalSet, row: int, chars: int = 160) -> str:
    ticket = eval_set.tickets[row]
    label = f"[{eval_set.labels[row]}] " if eval_set.labels[row] else ""
    return f"{label}{ticket.title}｜{prepare_for_index(ticket, 10_000).text[len(ticket.title):][:chars]}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=list(SETS))
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--embeddings", type=Path, default=DEFAULT_CACHE, help="e5 embeddings cache folder")
    parser.add_argument("--max-chars", type=int, default=IndexSettings().max_chars)
    parser.add_argument("--worksheet", action="store_true", help="print the sampled pairs nobody has judged yet")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    judgements = read_judgements()
    report = {}
    for name in args.sets:
        eval_set = load_set(name, args.data_dir)
        for method, hits in search_all(eval_set, args.methods, args.embeddings, args.max_chars).items():
            if args.worksheet:
                for row in worksheet(eval_set, hits, judgements, method):
                    print(json.dumps({"method": method, **row}, ensure_ascii=False))
            else:
                report[f"{name}/{method}"] = metrics(eval_set, hits, judgements, method)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    elif not args.worksheet:
        print_report(report)


def print_report(report: dict[str, dict]) -> None:
    for key, m in report.items():
        print(f"{key}: P@1 {m['p_at_1']} over {m['queries_with_rule_repeat']} messages with a rule-labelled repeat "
              f"({m['rule_pairs']} pairs), {m['queries']} queries; judged sample {m['sample']} pairs"
              + (f" ({m['sample_unjudged']} not judged yet)" if m["sample_unjudged"] else ""))
        for t, row in m["at"].items():
            print(f"  ≥ {t}: {row['pairs']} pairs ({row['rule_pairs']} by rule, {row['other_pairs']} others; sample "
                  f"{row['judged_same']}/{row['judged']} same) precision {row['precision']} {row['precision_95']}, "
                  f"rule recall {row['rule_recall']}, pooled recall {row['pooled_recall']}")


if __name__ == "__main__":
    main()
