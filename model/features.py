"""Sparse TF-IDF features over characters and words, vectorised with numpy and stored as plain arrays.

Character n-grams are keyed by their code points packed into one int64 (21 bits a character), so a vocabulary is
a sorted int64 array and lookup is one `searchsorted` over the whole batch. Word n-grams use a string vocabulary.
Every block follows scikit-learn's fit/transform protocol and round-trips through ``state()`` / ``from_state()``
(JSON-able config + numpy arrays), so no model file ever needs pickle.
"""

from __future__ import annotations

import copy
import inspect
from collections import Counter
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp

from model.text import PreparedText

_BITS = 21  # every Unicode code point fits in 21 bits; three of them fit in an int64
_WORD_JOINER = "\u0001"


def _tfidf_matrix(rows: np.ndarray, cols: np.ndarray, n_rows: int, idf: np.ndarray, sublinear: bool) -> sp.csr_matrix:
    """Count (row, col) pairs, weight them by (sublinear) tf × idf and L2-normalise each row."""
    ones = np.ones(len(cols), dtype=np.float32)
    matrix = sp.coo_matrix((ones, (rows, cols)), shape=(n_rows, len(idf))).tocsr()  # sums repeated pairs
    if sublinear:
        np.log(matrix.data, out=matrix.data)
        matrix.data += 1.0
    matrix.data *= idf[matrix.indices]
    return l2_normalise_rows(matrix)


def l2_normalise_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Scale each row of a CSR matrix to unit length, in place (empty rows stay empty). Written out because
    sklearn's `normalize` validates its arguments for about 0.3 ms a call: a third of scoring one ticket."""
    lengths = np.diff(matrix.indptr)
    squares = np.bincount(np.repeat(np.arange(matrix.shape[0]), lengths), weights=matrix.data.astype(np.float64) ** 2,
                          minlength=matrix.shape[0])
    norms = np.sqrt(squares)
    norms[norms == 0] = 1.0
    matrix.data /= np.repeat(norms, lengths).astype(matrix.data.dtype)
    return matrix


class Transformer:
    """What scikit-learn's `clone`, `Pipeline` and cross-validation need of a feature block — constructor parameters
    as `get_params`, `fit_transform`, tags — without importing scikit-learn here: `sklearn.base` pulls in scipy.stats
    and pandas, about 130 MB and a second of start-up in every process that only scores."""

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        names = [n for n in inspect.signature(type(self).__init__).parameters if n != "self"]
        return {name: getattr(self, name) for name in names}

    def set_params(self, **params: Any) -> Transformer:
        for name, value in params.items():
            setattr(self, name, value)
        return self

    def __sklearn_clone__(self) -> Transformer:
        return type(self)(**copy.deepcopy(self.get_params()))

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import Tags, TargetTags, TransformerTags  # only ever asked for by scikit-learn itself

        return Tags(estimator_type=None, target_tags=TargetTags(required=False),
                    transformer_tags=TransformerTags())

    def fit_transform(self, docs: Sequence[PreparedText], y: Any = None) -> sp.csr_matrix:
        return self.fit(docs, y).transform(docs)


class KeyIndex:
    """An open-addressing hash table from int64 n-gram keys to their vocabulary positions, probed for a whole batch
    at once with numpy (about twice as fast as `searchsorted` over a large vocabulary)."""

    _MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing

    def __init__(self, keys: np.ndarray):
        self.bits = max(4, int(np.ceil(np.log2(max(len(keys), 1)))) + 2)  # load factor ≤ 1/2
        size = 1 << self.bits
        self.slots = np.full(size, -1, dtype=np.int64)  # keys are ≥ 1, so -1 marks an empty slot
        self.positions = np.zeros(size, dtype=np.int64)
        slot = self._hash(keys)
        waiting = np.arange(len(keys))
        while len(waiting):
            free = self.slots[slot[waiting]] == -1
            candidates = waiting[free]
            taken, first = np.unique(slot[candidates], return_index=True)  # one key per free slot per round
            self.slots[taken] = keys[candidates[first]]
            self.positions[taken] = candidates[first]
            placed = np.zeros(len(keys), dtype=bool)
            placed[candidates[first]] = True
            waiting = waiting[~placed[waiting]]
            slot[waiting] = (slot[waiting] + 1) & (size - 1)

    def _hash(self, keys: np.ndarray) -> np.ndarray:
        return ((keys.astype(np.uint64) * self._MULTIPLIER) >> np.uint64(64 - self.bits)).astype(np.int64)

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """Vocabulary position of each key, -1 where it is not in the vocabulary."""
        found = np.full(len(keys), -1, dtype=np.int64)
        slot = self._hash(keys)
        pending = np.arange(len(keys))
        mask = len(self.slots) - 1
        while len(pending):
            stored = self.slots[slot[pending]]
            hit = stored == keys[pending]
            found[pending[hit]] = self.positions[slot[pending[hit]]]
            pending = pending[~hit & (stored != -1)]
            slot[pending] = (slot[pending] + 1) & mask
        return found


def _idf(document_frequency: np.ndarray, n_documents: int) -> np.ndarray:
    """scikit-learn's smoothed idf."""
    return (np.log((1 + n_documents) / (1 + document_frequency)) + 1).astype(np.float32)


def _select(df: np.ndarray, min_df: int, max_features: int | None) -> np.ndarray:
    """Indices of the features kept: df ≥ min_df, then the most frequent `max_features` (ties by index)."""
    kept = np.flatnonzero(df >= min_df)
    if max_features is not None and len(kept) > max_features:
        order = np.argsort(-df[kept], kind="stable")[:max_features]
        kept = np.sort(kept[order])
    return kept


class CharNgramTfidf(Transformer):
    """TF-IDF over character n-grams (n ≤ 3) of one text field of :class:`PreparedText`."""

    kind: ClassVar[str] = "char"

    def __init__(self, field: str = "text", ngram_range: tuple[int, int] = (1, 3), min_df: int = 1,
                 max_features: int | None = None, sublinear_tf: bool = True):
        self.field = field
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.sublinear_tf = sublinear_tf

    def _keys(self, docs: Sequence[PreparedText]) -> tuple[np.ndarray, np.ndarray]:
        """All n-gram keys of the batch and the document each comes from."""
        low, high = self.ngram_range
        if not 1 <= low <= high <= 3:
            raise ValueError(f"ngram_range must lie within (1, 3), got {self.ngram_range}")
        joined = "\x00".join(getattr(d, self.field) for d in docs)
        points = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        doc_of = np.cumsum(points == 0)
        keys, owners = [], []
        for n in range(low, high + 1):
            if len(points) < n:
                continue
            key = np.zeros(len(points) - n + 1, dtype=np.int64)
            valid = np.ones(len(key), dtype=bool)
            for offset in range(n):
                part = points[offset:len(points) - n + 1 + offset]
                key = (key << _BITS) | part
                valid &= part != 0
            keys.append(key[valid])
            owners.append(doc_of[: len(key)][valid])
        if not keys:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return np.concatenate(keys), np.concatenate(owners)

    def fit(self, docs: Sequence[PreparedText], y: Any = None) -> CharNgramTfidf:
        keys, owners = self._keys(docs)
        order = np.lexsort((owners, keys))  # each (key, document) pair once: far faster than np.unique(axis=0)
        keys, owners = keys[order], owners[order]
        first = np.ones(len(keys), dtype=bool)
        first[1:] = (keys[1:] != keys[:-1]) | (owners[1:] != owners[:-1])
        vocabulary, df = np.unique(keys[first], return_counts=True)
        kept = _select(df, self.min_df, self.max_features)
        self.vocabulary_ = vocabulary[kept]
        self.idf_ = _idf(df[kept], len(docs))
        self._index = None
        self._shared_lookup = None
        return self

    def transform(self, docs: Sequence[PreparedText], shared: dict | None = None) -> sp.csr_matrix:
        """`shared`: a dict reused across blocks and models for the same docs, so n-grams are cut once."""
        cache_key = (self.field, tuple(self.ngram_range))
        if shared is not None and cache_key in shared:
            keys, owners = shared[cache_key]
        else:
            keys, owners = self._keys(docs)
            if shared is not None:
                shared[cache_key] = keys, owners
        linked = getattr(self, "_shared_lookup", None)
        if linked is not None and shared is not None:
            position = linked.positions(self, keys, shared)
        else:
            if getattr(self, "_index", None) is None:
                self._index = KeyIndex(self.vocabulary_)
            position = self._index.lookup(keys)
        found = position >= 0
        return _tfidf_matrix(owners[found], position[found], len(docs), self.idf_, self.sublinear_tf)

    def state(self) -> tuple[dict, dict[str, np.ndarray]]:
        config = {"kind": self.kind, **self.get_params()}
        return config, {"vocabulary": self.vocabulary_, "idf": self.idf_}

    @classmethod
    def from_state(cls, config: dict, arrays: dict[str, np.ndarray]) -> CharNgramTfidf:
        params = {k: v for k, v in config.items() if k not in ("kind", "terms")}
        params["ngram_range"] = tuple(params["ngram_range"])
        block = cls(**params)
        block.vocabulary_ = arrays["vocabulary"].astype(np.int64)
        block.idf_ = arrays["idf"].astype(np.float32)
        return block


class SharedLookup:
    """One hash table over the union of the vocabularies of char blocks that read the same n-grams (same field and
    range): a batch's n-grams are probed once, and each block maps the union's positions to its own columns. A speed-up
    only: every block's matrix is the one it would compute alone."""

    def __init__(self, blocks: Sequence[CharNgramTfidf]):
        self.union = np.unique(np.concatenate([block.vocabulary_ for block in blocks]))
        self._index: KeyIndex | None = None  # built on first use, like a block's own
        self.columns = {}
        for block in blocks:
            column = np.full(len(self.union) + 1, -1, dtype=np.int64)  # the last entry answers "not found" (-1)
            column[np.searchsorted(self.union, block.vocabulary_)] = np.arange(len(block.vocabulary_))
            self.columns[id(block)] = column
            block._shared_lookup = self

    def positions(self, block: CharNgramTfidf, keys: np.ndarray, shared: dict) -> np.ndarray:
        """The block's column of each key (-1: not in its vocabulary); the union is probed once per `shared`."""
        cache_key = ("shared_lookup", id(self))
        if cache_key not in shared:
            if self._index is None:
                self._index = KeyIndex(self.union)
            shared[cache_key] = self._index.lookup(keys)
        return self.columns[id(block)][shared[cache_key]]


def share_lookups(blocks: Sequence[Any]) -> None:
    """Link the char blocks among `blocks` that read the same n-grams to one :class:`SharedLookup` per group."""
    groups: dict[tuple, list[CharNgramTfidf]] = {}
    for block in blocks:
        if isinstance(block, CharNgramTfidf):
            groups.setdefault((block.field, tuple(block.ngram_range)), []).append(block)
    for group in groups.values():
        if len(group) > 1:
            SharedLookup(group)


class WordNgramTfidf(Transformer):
    """TF-IDF over word n-grams (n ≤ 2) of the jieba tokens of :class:`PreparedText`."""

    kind: ClassVar[str] = "word"

    def __init__(self, ngram_range: tuple[int, int] = (1, 1), min_df: int = 1, max_features: int | None = None,
                 sublinear_tf: bool = True):
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.sublinear_tf = sublinear_tf

    def _grams(self, tokens: Sequence[str]) -> list[str]:
        low, high = self.ngram_range
        if not 1 <= low <= high <= 2:
            raise ValueError(f"ngram_range must lie within (1, 2), got {self.ngram_range}")
        grams = list(tokens) if low == 1 else []
        if high == 2:
            grams += [a + _WORD_JOINER + b for a, b in zip(tokens, tokens[1:])]
        return grams

    def fit(self, docs: Sequence[PreparedText], y: Any = None) -> WordNgramTfidf:
        df: Counter[str] = Counter()
        for doc in docs:
            df.update(set(self._grams(doc.tokens)))
        terms = sorted(df)
        counts = np.array([df[t] for t in terms], dtype=np.int64)
        kept = _select(counts, self.min_df, self.max_features)
        self.terms_ = [terms[i] for i in kept]
        self.idf_ = _idf(counts[kept], len(docs))
        self._index = {t: i for i, t in enumerate(self.terms_)}
        return self

    def transform(self, docs: Sequence[PreparedText]) -> sp.csr_matrix:
        index = self._index
        rows: list[int] = []
        cols: list[int] = []
        for row, doc in enumerate(docs):
            hits = [i for i in map(index.get, self._grams(doc.tokens)) if i is not None]
            cols += hits
            rows += [row] * len(hits)
        return _tfidf_matrix(np.array(rows, np.int64), np.array(cols, np.int64), len(docs), self.idf_,
                             self.sublinear_tf)

    def state(self) -> tuple[dict, dict[str, np.ndarray]]:
        config = {"kind": self.kind, **self.get_params(), "terms": self.terms_}
        return config, {"idf": self.idf_}

    @classmethod
    def from_state(cls, config: dict, arrays: dict[str, np.ndarray]) -> WordNgramTfidf:
        params = {k: v for k, v in config.items() if k not in ("kind", "terms")}
        params["ngram_range"] = tuple(params["ngram_range"])
        block = cls(**params)
        block.terms_ = list(config["terms"])
        block.idf_ = arrays["idf"].astype(np.float32)
        block._index = {t: i for i, t in enumerate(block.terms_)}
        return block


class CueFeatures(Transformer):
    """Binary cue-word features: each word of a lexicon found in the title, the opening, the closing, or anywhere.

    Plus question marks (title/content) and title openings by a label's leading cue words. The lexicon
    (label → words) is part of the block's configuration, so a model carries the cues it was trained with.
    The closing (the last `closing` characters) is where a message usually states its request (请查处/请问/建议).
    """

    kind: ClassVar[str] = "cue"
    OPENING = 200  # characters of the content that count as its opening
    LEADING = 3  # the first words of each label's list are also tried as title openings
    PLACES = 4  # title, opening, closing, anywhere

    def __init__(self, lexicon: dict[str, list[str]] | None = None, closing: int = 0):
        self.lexicon = lexicon
        self.closing = closing

    def fit(self, docs: Sequence[PreparedText], y: Any = None) -> CueFeatures:
        self.words_ = [w for words in (self.lexicon or {}).values() for w in words]
        self.openers_ = [tuple(words[: self.LEADING]) for words in (self.lexicon or {}).values()]
        size = self.PLACES * len(self.words_) + 3 + len(self.openers_)
        self.idf_ = np.ones(size, dtype=np.float32)  # one weight a feature
        return self

    def _row(self, doc: PreparedText) -> list[int]:
        title = doc.title
        content = doc.text[len(title) + 1:] if title else doc.text
        opening = content[: self.OPENING]
        closing = content[-self.closing:] if self.closing else ""
        hits = []
        for i, word in enumerate(self.words_):
            if word not in doc.text:  # one search rules most words out
                continue
            at = self.PLACES * i
            if word in title:
                hits.append(at)
            if word in content:
                hits.append(at + 3)
                if word in opening:
                    hits.append(at + 1)
                if word in closing:
                    hits.append(at + 2)
        base = self.PLACES * len(self.words_)
        if title.endswith(("?", "吗")):
            hits.append(base)
        if content.rstrip("。!").endswith("?"):
            hits.append(base + 1)
        if "?" in content:
            hits.append(base + 2)
        hits += [base + 3 + j for j, openers in enumerate(self.openers_) if title.startswith(openers)]
        return hits

    def transform(self, docs: Sequence[PreparedText]) -> sp.csr_matrix:
        rows, cols = [], []
        for row, doc in enumerate(docs):
            hits = self._row(doc)
            cols += hits
            rows += [row] * len(hits)
        values = np.ones(len(cols), dtype=np.float32)
        return sp.csr_matrix((values, (rows, cols)), shape=(len(docs), len(self.idf_)), dtype=np.float32)

    def state(self) -> tuple[dict, dict[str, np.ndarray]]:
        return {"kind": self.kind, "lexicon": self.lexicon, "closing": self.closing}, {}

    @classmethod
    def from_state(cls, config: dict, arrays: dict[str, np.ndarray]) -> CueFeatures:
        return cls(config["lexicon"], config.get("closing", 0)).fit([])


BLOCK_KINDS: dict[str, type[CharNgramTfidf] | type[WordNgramTfidf] | type[CueFeatures]] = {
    CharNgramTfidf.kind: CharNgramTfidf,
    WordNgramTfidf.kind: WordNgramTfidf,
    CueFeatures.kind: CueFeatures,
}


class TextFeatures(Transformer):
    """Named, weighted feature blocks stacked side by side (a FeatureUnion that saves as arrays)."""

    def __init__(self, blocks: Sequence[tuple[str, Any, float]]):
        self.blocks = blocks

    def fit(self, docs: Sequence[PreparedText], y: Any = None) -> TextFeatures:
        for _, block, _ in self.blocks:
            block.fit(docs)
        return self

    def transform(self, docs: Sequence[PreparedText], shared: dict | None = None) -> sp.csr_matrix:
        parts = [(block.transform(docs, shared) if isinstance(block, CharNgramTfidf) else block.transform(docs))
                 * np.float32(weight) for _, block, weight in self.blocks]
        return sp.hstack(parts, format="csr", dtype=np.float32)

    @property
    def n_features(self) -> int:
        return sum(len(block.idf_) for _, block, _ in self.blocks)

    @property
    def reads_words(self) -> bool:
        """Whether a block reads the jieba tokens (the others read characters only)."""
        return any(isinstance(block, WordNgramTfidf) for _, block, _ in self.blocks)

    def state(self) -> tuple[list[dict], dict[str, np.ndarray]]:
        configs, arrays = [], {}
        for name, block, weight in self.blocks:
            config, block_arrays = block.state()
            configs.append({"name": name, "weight": weight, **config})
            arrays.update({f"{name}.{key}": value for key, value in block_arrays.items()})
        return configs, arrays

    @classmethod
    def from_state(cls, configs: list[dict], arrays: dict[str, np.ndarray]) -> TextFeatures:
        blocks = []
        for config in configs:
            name, weight = config["name"], config["weight"]
            block_config = {k: v for k, v in config.items() if k not in ("name", "weight")}
            block_arrays = {key.split(".", 1)[1]: value for key, value in arrays.items() if key.startswith(f"{name}.")}
            blocks.append((name, BLOCK_KINDS[config["kind"]].from_state(block_config, block_arrays), weight))
        return cls(blocks)
