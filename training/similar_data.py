"""Evaluation sets for the repeat-complaint search, built from the shared data, and what is known about their pairs.

Every message of a set is a query against all the others (leave one out). A pair is labelled by a rule when the rule
is safe, and otherwise by hand (``training/resources/similar_judgements.csv``):

- ``title``: the same title, punctuation and spaces aside (category data only: its titles name the matter; the
  Fuzhou work orders have generic ones such as 噪音扰民). These are mostly one message kept as raw, stripped and
  segmented rows, plus messages sent again, sometimes reworded.
- ``passage``: the contents share a verbatim passage of at least ``PASSAGE`` characters (letters, digits and Chinese
  characters only): the same text sent again, often under a new title or to another official.
- judged: one engineer's reading of the two messages: the same matter (same place and same problem) or not. Each
  judged pair records the samples that drew it (``samples``: set/method), so a sample stays what it was drawn as
  when the scores later move a little.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from model.similar_results import PastTicket
from training.data import SHARED_DATA, load_shared_csv

PASSAGE = 30
JUDGEMENTS = Path(__file__).resolve().parent / "resources" / "similar_judgements.csv"
_NOT_TEXT = re.compile(r"[\W_]+")


@dataclass
class EvalSet:
    """Tickets to search among each other, with what the rules need (title keys, passages) and their labels."""

    name: str
    description: str
    judged_as: str  # the name its pairs are judged under (category-content shares category's judgements)
    tickets: list[PastTicket]
    labels: list[str]  # category label, or "" where the set has none
    rule_titles: list[str] | None  # the titles the title rule compares (None: no title rule)

    def __post_init__(self) -> None:
        self._keys = [_key(t) for t in self.rule_titles] if self.rule_titles is not None else []
        self._passages = [_passages(t.content) for t in self.tickets]

    def rule(self, a: int, b: int) -> str | None:
        """Why rows a and b are known to be about the same matter without a judge, or None."""
        if self._keys and self._keys[a] and self._keys[a] == self._keys[b]:
            return "title"
        if self._passages[a] & self._passages[b]:
            return "passage"
        return None

    def rule_groups(self) -> list[list[int]]:
        """Rows sharing a title key (groups of two or more), when the set uses the title rule."""
        groups: dict[str, list[int]] = {}
        for row, key in enumerate(self._keys):
            if key:
                groups.setdefault(key, []).append(row)
        return [rows for rows in groups.values() if len(rows) > 1]

    def passage_pairs(self) -> set[tuple[int, int]]:
        """Rows sharing a verbatim passage (a < b)."""
        owners: dict[str, list[int]] = {}
        for row, passages in enumerate(self._passages):
            for passage in passages:
                owners.setdefault(passage, []).append(row)
        return {(a, b) for rows in owners.values() if len(rows) > 1 for i, a in enumerate(rows) for b in rows[i + 1:]}


def _key(title: str) -> str:
    return _NOT_TEXT.sub("", unicodedata.normalize("NFKC", title or ""))


def _passages(content: str) -> set[str]:
    """The content's passages of PASSAGE characters, taken every PASSAGE // 2: two texts sharing any verbatim run of
    1.5 × PASSAGE characters share one of them (and most sharing PASSAGE do)."""
    text = _key(content)
    step = PASSAGE // 2
    return {text[i:i + PASSAGE] for i in range(0, max(len(text) - PASSAGE + 1, 0), step)} if len(text) >= PASSAGE \
        else set()


def load_set(name: str, data_dir: Path | None = None) -> EvalSet:
    """One of SETS, from the shared data."""
    data_dir = data_dir or SHARED_DATA
    if name in ("category", "category-content"):
        frame = load_shared_csv("category/train.csv", data_dir)
        blind = name == "category-content"
        tickets = [PastTicket(id=r.id, title="" if blind else r.title, content=r.content,
                              message_time=r.message_time or None) for r in frame.itertuples()]
        return EvalSet(name, SETS[name], "category", tickets, frame["label"].tolist(), frame["title"].tolist())
    if name == "fuzhou":
        frame = load_shared_csv("type/fuzhou_12345.csv", data_dir)
        tickets = [PastTicket(id=r.id, title=r.title, content=r.content) for r in frame.itertuples()]
        return EvalSet(name, SETS[name], "fuzhou", tickets, [""] * len(frame), None)
    raise ValueError(f"unknown evaluation set {name!r}; one of {', '.join(SETS)}")


SETS = {
    "category": "category/train.csv, 7,410 messages (7 categories; place names anonymised), title and content",
    "category-content": "the same messages, content only: titles hidden from the search (not from the title rule)",
    "fuzhou": "type/fuzhou_12345.csv, 1,464 real work orders of one city, all about river works and pollution: "
              "the same problem at other places everywhere",
}


def read_judgements(path: Path = JUDGEMENTS) -> dict[tuple[str, str, str], dict]:
    """(set, id, id) with the ids sorted → {"same": bool, "kind": …, "samples": the set/method samples that drew it}."""
    if not path.is_file():  # shipped with the package: without it every precision figure would silently read 0 judged
        raise FileNotFoundError(f"{path} not found: the hand judgements ship in training/resources")
    with path.open(encoding="utf-8") as handle:
        return {(row["set"], *sorted((row["a"], row["b"]))): {"same": row["same"] == "1", "kind": row["kind"],
                                                              "samples": set(row["samples"].split())}
                for row in csv.DictReader(handle)}
