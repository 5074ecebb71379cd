"""An index of past tickets for finding repeat complaints (重复投诉): a new message in, the earlier messages about
the same matter out, with scores and evidence (shared places, shared key terms).

Each past ticket is kept as a few masked fields (id, title, time, unit, the places it names) and a sparse character
n-gram TF-IDF vector of its title and the opening of its content, the n-grams inside place names weighing double.
The vocabulary and idf are fitted once, on the first batch, and then frozen: adding tickets only appends rows
(n-grams outside the vocabulary are hashed into extra columns, see :mod:`model.similar_vectors`). The score is the
cosine of two vectors, computed for a batch of queries as one sparse product with an inverted index of the past
tickets (plus the rows added since it was built, searched directly).

Optionally (``semantic``) the index also keeps an e5 embedding of each ticket, and the score becomes the mean of the
TF-IDF cosine and the rescaled e5 cosine: it finds more reworded repeats, at the cost of an encoder (about 800 MB of
memory, tens of milliseconds per query and per added ticket on a CPU).

On disk (JSON + .npz read with ``allow_pickle=False``; nothing is ever unpickled)::

    index.json               manifest: format, settings, version, creation date, the shards in order
    vocabulary.json / .npz   the vectoriser: n-gram keys and idf
    shard-000001.json / .npz one batch of tickets: their fields / their vectors (CSR arrays) and embeddings

``save`` writes only what was added since the last save, as a new shard, then replaces the manifest; past
``MAX_SHARDS`` shards it merges every shard after the first into one.

Several processes may share one index directory (service workers, a nightly ``hotline index add``): ``add_and_save``
takes the directory's write lock (``.lock``, an advisory ``flock``), first loads what the others saved, then adds
and saves, so every process sees the same tickets in the same order; ``refresh`` (one ``stat`` when nothing
changed) brings a reader up to date. A plain ``save`` refuses to overwrite tickets another process saved meanwhile.
"""

from __future__ import annotations

import hashlib
import json
import os
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from model.artifacts import ModelFileError, load_component, save_component
from model.features import l2_normalise_rows
from model.results import Ticket
from model.similar_evidence import places, shared_places, shared_terms
from model.similar_results import Match, PastTicket
from model.similar_vectors import OpenVocabularyTfidf
from model.text import PII_PLACEHOLDER, PreparedText, Tokenizer, combine, default_tokenizer, mask_pii, normalise

if TYPE_CHECKING:
    from model.encoder import TextEncoder

FORMAT = "hotline-similar-index/1"
MANIFEST = "index.json"
LOCK = ".lock"
VOCABULARY = "vocabulary"
MAX_SHARDS = 64
TAIL_ROWS = 2048  # rows added since the inverted index was built that are searched directly before it is rebuilt
QUERY_CHUNK = 256  # queries scored at a time when the dense e5 scores are involved
# Thresholds chosen on the shared data (README, "Repeat complaints"): TF-IDF alone, and TF-IDF with e5.
LEXICAL_THRESHOLD = 0.45
SEMANTIC_THRESHOLD = 0.55


class IndexRebuilt(ModelFileError):
    """The index directory now holds another index (built anew): load it again."""


@dataclass(frozen=True)
class IndexSettings:
    """How tickets become vectors, and the default threshold; fixed when an index is built."""

    ngram_range: tuple[int, int] = (2, 3)
    max_chars: int = 200  # title + this much of the combined text: the opening states the place and the problem
    threshold: float = LEXICAL_THRESHOLD
    place_weight: float = 1.0  # extra weight of the n-grams inside place names (see TicketIndex.vectors)
    semantic: bool = False  # keep e5 embeddings and mix their cosine into the score
    semantic_max_length: int = 128  # e5 tokens per ticket (about the first 150 characters)
    semantic_floor: float = 0.85  # e5 cosines of unrelated messages sit near this: rescaled (c - floor) / (1 - floor)

    @classmethod
    def from_json(cls, data: dict) -> IndexSettings:
        return cls(**{**data, "ngram_range": tuple(data["ngram_range"])})


class TicketIndex:
    """Past tickets, searchable for repeats; ``add`` appends, ``search`` ranks, ``save``/``load`` persist."""

    def __init__(self, vectoriser: OpenVocabularyTfidf, settings: IndexSettings, version: str, created: str,
                 encoder: TextEncoder | None = None):
        if settings.semantic and encoder is None:
            raise ValueError("a semantic index needs an encoder (model.encoder.TextEncoder)")
        self.vectoriser, self.settings, self.version, self.created = vectoriser, settings, version, created
        self.encoder = encoder
        self.tokenizer: Tokenizer | None = None
        self.records: list[dict] = []  # id, title, message_time, unit, places
        self._position: dict[str, int] = {}
        self._blocks: list[sp.csr_matrix] = []
        self._embeddings: list[np.ndarray] = []  # one array per block (semantic indexes only); float16 on disk
        self._starts: list[int] = []  # row of the index where each block starts
        self._inverted: sp.csr_matrix | None = None  # vocabulary × rows: postings of the first `_inverted_rows`
        self._inverted_rows = 0
        self._tail: sp.csr_matrix | None = None
        self._directory: Path | None = None
        self._saved_rows = 0
        self._shards: list[dict] = []
        self._stamp: tuple[int, int, int] | None = None  # the manifest file as last read or written (inode, size, mtime)

    # -- building -------------------------------------------------------------------------------------------------

    @classmethod
    def build(cls, tickets: Sequence[PastTicket], settings: IndexSettings | None = None,
              encoder: TextEncoder | None = None) -> TicketIndex:
        """Fit the vocabulary on `tickets` (those with text) and add them all; with an encoder, a semantic index
        (its threshold SEMANTIC_THRESHOLD unless `settings` says otherwise)."""
        settings = settings or (IndexSettings(semantic=True, threshold=SEMANTIC_THRESHOLD) if encoder
                                else IndexSettings())
        if encoder is not None and not settings.semantic:
            settings = replace(settings, semantic=True)
        docs = [doc for doc in (prepare_for_index(t, settings.max_chars) for t in tickets) if doc.text]
        if not docs:
            raise ValueError("no ticket with a title or content to build the index from")
        vectoriser = OpenVocabularyTfidf(ngram_range=settings.ngram_range).fit(docs)
        digest = hashlib.sha256(json.dumps(asdict(settings)).encode())
        digest.update(vectoriser.vocabulary_.tobytes())
        digest.update(vectoriser.idf_.tobytes())
        created = date.today().isoformat()
        index = cls(vectoriser, settings, f"{created}-{digest.hexdigest()[:10]}", created, encoder)
        index.add(tickets)
        return index

    def __len__(self) -> int:
        return len(self.records)

    def __contains__(self, ticket_id: object) -> bool:
        return ticket_id in self._position

    @property
    def card(self) -> dict:
        """What /version shows about the index."""
        return {"version": self.version, "created": self.created,
                "data": {"tickets": len(self), "semantic": self.settings.semantic},
                "split": {}, "metrics": {"threshold": self.settings.threshold}}

    def add(self, tickets: Sequence[PastTicket]) -> int:
        """Append tickets not yet in the index (by id); returns how many were added.

        Raises ValueError for a ticket without an id or with neither title nor content: callers report those."""
        new: dict[str, PastTicket] = {}
        for ticket in tickets:
            if not ticket.id:
                raise ValueError("a ticket added to the index needs an id")
            if ticket.id not in self._position:
                new.setdefault(ticket.id, ticket)
        docs = [prepare_for_index(t, self.settings.max_chars) for t in new.values()]
        if any(not doc.text for doc in docs):
            raise ValueError("a ticket added to the index needs a title or content")
        if not new:
            return 0
        names = [places(doc.text) for doc in docs]
        self._starts.append(len(self.records))
        self._blocks.append(self.vectors(docs, names))
        if self.settings.semantic:
            self._embeddings.append(self._embed(docs))
        for ticket, doc, found in zip(new.values(), docs, names):
            self._position[ticket.id] = len(self.records)
            self.records.append({"id": ticket.id, "title": doc.title,  # masked, as every stored field
                                 "message_time": mask_pii(ticket.message_time) if ticket.message_time else None,
                                 "unit": mask_pii(ticket.unit) if ticket.unit else None, "places": found})
        self._tail = None
        return len(new)

    # -- searching ------------------------------------------------------------------------------------------------

    def search(self, tickets: Sequence[Ticket], k: int = 5, threshold: float | None = None) -> list[list[Match]]:
        """For each ticket, up to `k` earlier tickets scoring at least `threshold` (default: the index's), best
        first; the ticket itself (same id) is never its own match."""
        threshold = self.settings.threshold if threshold is None else threshold
        docs = [prepare_for_index(t, self.settings.max_chars) for t in tickets]
        results = []
        for start in range(0, len(docs), QUERY_CHUNK):
            scores = self.scores(docs[start:start + QUERY_CHUNK])
            for row, ticket in enumerate(tickets[start:start + QUERY_CHUNK]):
                columns, values = _row(scores, row)
                keep = values >= threshold
                own = self._position.get(ticket.id) if ticket.id else None
                if own is not None:
                    keep &= columns != own
                columns, values = columns[keep], np.minimum(values[keep], 1.0)
                best = np.lexsort((columns, -values))[:k]  # ties: the earlier ticket first
                results.append(self._matches(docs[start + row], columns[best], values[best]))
        return results

    def scores(self, docs: Sequence[PreparedText]) -> sp.csr_matrix | np.ndarray:
        """The score of each prepared query against every indexed ticket (queries × index): the sparse TF-IDF
        cosines, or for a semantic index a dense array of the mixed scores."""
        queries = self.vectors(docs, [places(doc.text) for doc in docs])
        self._refresh()
        parts = []
        if self._inverted is not None:
            parts.append(queries @ self._inverted)
        if self._tail is not None:
            parts.append(queries @ self._tail.T)
        lexical = sp.hstack(parts, format="csr") if parts else sp.csr_matrix((len(docs), 0), dtype=np.float32)
        if not self.settings.semantic or not len(self):
            return lexical
        stored = np.vstack(self._embeddings) if len(self._embeddings) > 1 else self._embeddings[0]
        self._embeddings = [stored]
        cosine = self._embed(docs) @ stored.T
        floor = self.settings.semantic_floor
        return (lexical.toarray() + np.clip((cosine - floor) / (1 - floor), 0, 1)) / 2

    def vectors(self, docs: Sequence[PreparedText], names: Sequence[list[str]]) -> sp.csr_matrix:
        """Unit-length rows of the text's n-grams, those inside its place names weighing 1 + `place_weight` times as
        much (a rare estate's or river's name then counts more; a common one, such as A市, still little)."""
        matrix = self.vectoriser.transform(docs)
        if self.settings.place_weight:
            inside = self.vectoriser.transform([PreparedText("", "。".join(found), ()) for found in names])
            inside.data[:] = self.settings.place_weight
            matrix = l2_normalise_rows((matrix + matrix.multiply(inside)).tocsr())
        return matrix

    def _embed(self, docs: Sequence[PreparedText]) -> np.ndarray:
        return self.encoder.embed([doc.text for doc in docs], kind="query",
                                  max_length=self.settings.semantic_max_length)

    def _refresh(self) -> None:
        """Rebuild the inverted index when the directly searched tail grows past its limit; stack the tail."""
        tail_rows = len(self) - self._inverted_rows
        if tail_rows > max(TAIL_ROWS, self._inverted_rows // 4):
            matrix = sp.vstack(self._blocks, format="csr") if len(self._blocks) > 1 else self._blocks[0]
            self._blocks, self._starts = [matrix], [0]
            if self._embeddings:
                self._embeddings = [np.vstack(self._embeddings)]
            self._inverted, self._inverted_rows, self._tail = matrix.T.tocsr(), len(self), None
        elif tail_rows and self._tail is None:
            self._tail = self._rows(self._inverted_rows, len(self))
        elif not tail_rows:
            self._tail = None

    def _rows(self, start: int, end: int) -> sp.csr_matrix:
        first = bisect_right(self._starts, start) - 1
        parts = [block for block, at in zip(self._blocks[first:], self._starts[first:]) if at < end]
        matrix = sp.vstack(parts, format="csr") if len(parts) > 1 else parts[0]
        offset = self._starts[first]
        return matrix[start - offset:end - offset]

    def _matches(self, doc: PreparedText, positions: np.ndarray, scores: np.ndarray) -> list[Match]:
        if not len(positions):
            return []
        self.tokenizer = self.tokenizer or default_tokenizer()
        words, query_places = self.tokenizer.cut(doc.text), places(doc.text)
        matches = []
        for position, score in zip(positions.tolist(), scores.tolist()):
            record = self.records[position]
            common = shared_places(query_places, record["places"])
            block = bisect_right(self._starts, position) - 1
            row = self._blocks[block][position - self._starts[block]]
            terms = shared_terms(words, row.indices, self.vectoriser, common, doc.title + record["title"])
            matches.append(Match(id=record["id"], score=round(score, 4), title=record["title"],
                                 message_time=record["message_time"], unit=record["unit"], places=common,
                                 terms=terms))
        return matches

    # -- on disk --------------------------------------------------------------------------------------------------

    def save(self, directory: str | Path) -> None:
        """Write the index to `directory`: when it was saved (or loaded) there, only the tickets added since, as a new
        shard (past MAX_SHARDS shards, those after the first merged into one); otherwise all of it."""
        directory = Path(directory)
        appending = self._directory == directory.resolve() and (directory / MANIFEST).is_file()
        if appending and _stamp(directory / MANIFEST) != self._stamp:
            raise ModelFileError(f"another process saved tickets to {directory} since this index read it: add with "
                                 f"add_and_save (or refresh before adding) so that none is lost")
        stale: list[Path] = []
        if appending and len(self._shards) < MAX_SHARDS:
            if self._saved_rows < len(self):
                self._shards.append(self._write_shard(directory, self._saved_rows, len(self)))
        elif appending:  # too many shards: the ones after the first (usually the build) become one
            stale = [directory / f"{shard['name']}{suffix}" for shard in self._shards[1:] for suffix in (".json", ".npz")]
            self._shards = [self._shards[0], self._write_shard(directory, self._shards[0]["rows"], len(self))]
        else:
            directory.mkdir(parents=True, exist_ok=True)
            config, arrays = self.vectoriser.state()
            save_component(directory, VOCABULARY, config, arrays)
            self._shards = [self._write_shard(directory, 0, len(self))] if len(self) else []
            kept = {f"{shard['name']}{suffix}" for shard in self._shards for suffix in (".json", ".npz")}
            stale = [path for path in directory.glob("shard-*") if path.name not in kept]
        self._write_manifest(directory)
        for path in stale:  # only once the new manifest no longer names them
            path.unlink()
        self._directory, self._saved_rows = directory.resolve(), len(self)
        self._stamp = _stamp(directory / MANIFEST)

    def add_and_save(self, tickets: Sequence[PastTicket]) -> int:
        """Add tickets and save them to the directory the index was loaded from or saved to, safely beside other
        processes using it: under the directory's write lock, after loading what they saved. Returns how many
        were added."""
        if self._directory is None:
            raise ValueError("the index has no directory yet: save it once first")
        with _locked(self._directory, exclusive=True):
            self.refresh(locked=True)
            added = self.add(tickets)
            if added:
                self.save(self._directory)
        return added

    def refresh(self, locked: bool = False) -> int:
        """Load the tickets other processes saved to this index's directory since it was read; returns how many.
        One ``stat`` when nothing changed. Tickets added here and not saved yet must be saved first."""
        if self._directory is None:
            return 0
        path = self._directory / MANIFEST
        if _stamp(path) == self._stamp:
            return 0
        if self._saved_rows < len(self):
            raise ModelFileError("this index has unsaved tickets: save them before loading other processes' ones")
        with nullcontext() if locked else _locked(self._directory, exclusive=False):
            stamp, manifest = _stamp(path), read_manifest(self._directory)
            if manifest["version"] != self.version:
                raise IndexRebuilt(f"the index in {self._directory} was rebuilt (version {manifest['version']}, "
                                     f"this one {self.version}): load it again")
            before = len(self)
            first = 0
            for shard in manifest["shards"]:
                if first + shard["rows"] > before:
                    config, arrays = load_component(self._directory, shard["name"])
                    self._append_shard(self._directory / shard["name"], shard["rows"], config, arrays,
                                       skip=max(0, before - first))
                first += shard["rows"]
            self._shards, self._saved_rows, self._stamp = manifest["shards"], len(self), stamp
        return len(self) - before

    def _write_shard(self, directory: Path, start: int, end: int) -> dict:
        serial = max((int(shard["name"].split("-")[1]) for shard in self._shards), default=0) + 1
        while (directory / f"shard-{serial:06d}.json").exists():
            serial += 1
        name = f"shard-{serial:06d}"
        rows = self._rows(start, end)
        arrays = {"indptr": rows.indptr.astype(np.int64), "indices": rows.indices.astype(np.int32),
                  "data": rows.data.astype(np.float32)}
        if self.settings.semantic:
            arrays["embeddings"] = np.vstack(self._embeddings)[start:end].astype(np.float16)
        save_component(directory, name, {"tickets": self.records[start:end]}, arrays)
        return {"name": name, "rows": end - start}

    def _write_manifest(self, directory: Path) -> None:
        manifest = {"format": FORMAT, "version": self.version, "created": self.created,
                    "settings": asdict(self.settings), "tickets": len(self), "shards": self._shards}
        temporary = directory / f".{MANIFEST}.tmp"
        temporary.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(temporary, directory / MANIFEST)

    @classmethod
    def open(cls, directory: str | Path, encoder_dir: str | Path | None = None) -> TicketIndex:
        """:meth:`load`, with the e5 encoder a semantic index needs loaded from `encoder_dir` (default:
        :func:`model.encoder.default_encoder_dir`); raises EncoderNotFound when it is not there."""
        encoder = None
        if read_manifest(Path(directory))["settings"].get("semantic"):
            from model.encoder import TextEncoder

            encoder = TextEncoder.load(encoder_dir)
        return cls.load(directory, encoder)

    @classmethod
    def load(cls, directory: str | Path, encoder: TextEncoder | None = None) -> TicketIndex:
        """An index saved by :meth:`save`; a semantic one needs the encoder it was built with."""
        directory = Path(directory)
        manifest = read_manifest(directory)
        try:
            settings = IndexSettings.from_json(manifest["settings"])
            vectoriser = OpenVocabularyTfidf.from_state(*load_component(directory, VOCABULARY))
            index = cls(vectoriser, settings, manifest["version"], manifest["created"], encoder)
            for shard in manifest["shards"]:
                config, arrays = load_component(directory, shard["name"])
                index._append_shard(directory / shard["name"], shard["rows"], config, arrays)
        except (KeyError, TypeError, ValueError) as error:
            raise ModelFileError(f"cannot read the index in {directory}: {error}") from error
        index._directory, index._saved_rows, index._shards = directory.resolve(), len(index), manifest["shards"]
        index._stamp = _stamp(directory / MANIFEST)
        return index

    def _append_shard(self, path: Path, rows: int, config: dict, arrays: dict[str, np.ndarray], skip: int = 0) -> None:
        """Append a saved shard's tickets, from its `skip`-th on, to the index in memory."""
        if len(config["tickets"]) != rows or len(arrays["indptr"]) != rows + 1:
            raise ModelFileError(f"{path}: {len(config['tickets'])} tickets, the manifest says {rows}")
        block = sp.csr_matrix((arrays["data"], arrays["indices"], arrays["indptr"]),
                              shape=(rows, self.vectoriser.n_features))[skip:]
        self._starts.append(len(self.records))
        self._blocks.append(block)
        if self.settings.semantic:
            self._embeddings.append(arrays["embeddings"][skip:].astype(np.float32))
        for record in config["tickets"][skip:]:
            self._position.setdefault(record["id"], len(self.records))
            self.records.append(record)
        self._tail = None


def _stamp(path: Path) -> tuple[int, int, int] | None:
    """What tells one version of the manifest from the next (it is replaced, never edited in place)."""
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_ino, status.st_size, status.st_mtime_ns


@contextmanager
def _locked(directory: Path, exclusive: bool) -> Iterator[None]:
    """The index directory's advisory lock: exclusive to write, shared to read. A reader of a directory it cannot
    write to goes without (nobody can write there either, or not as this user); so do systems without ``flock``."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no locking
        yield
        return
    try:
        handle = open(directory / LOCK, "a+b")
    except OSError as error:
        if exclusive:
            raise ModelFileError(f"cannot lock the index in {directory} to write to it: {error}") from error
        yield
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def read_manifest(directory: Path) -> dict:
    """The index's manifest; raises ModelFileError when `directory` is not an index."""
    path = directory / MANIFEST
    if not path.is_file():
        raise ModelFileError(f"{directory} is not a similar-ticket index: {MANIFEST} is missing")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ModelFileError(f"cannot read {path}: {error}") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ModelFileError(f"{path} is not a similar-ticket index of format {FORMAT}")
    return manifest


def _row(scores: sp.csr_matrix | np.ndarray, row: int) -> tuple[np.ndarray, np.ndarray]:
    """Columns and values of one query's scores (the non-zero ones of a sparse matrix)."""
    if sp.issparse(scores):
        start, end = scores.indptr[row], scores.indptr[row + 1]
        return scores.indices[start:end], scores.data[start:end]
    return np.arange(scores.shape[1]), scores[row]


def prepare_for_index(ticket: Ticket, max_chars: int) -> PreparedText:
    """Normalised, masked title (shown with matches) and the text vectorised: the title and the opening of the content,
    without the masking placeholders (〔手机号〕 in both is no sign of the same matter)."""
    title = mask_pii(normalise(ticket.title))
    text = PII_PLACEHOLDER.sub("，", combine(title, mask_pii(normalise(ticket.content))))
    return PreparedText(title=title, text=text[:max_chars], tokens=())
