"""Character n-gram TF-IDF with an open vocabulary, for an index that keeps growing after its vocabulary was fitted.

An n-gram outside the fitted vocabulary is not dropped: it is hashed into one of `buckets` extra columns and weighted
as the rarest fitted n-gram. A new housing estate's name, first seen long after the index was built, then weighs
as much as it should, and scores do not depend on how large the first batch was (on the shared data, a vocabulary
fitted on 70 hand-written tickets ranks repeats as well as one fitted on all 7,410 messages).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from model.features import CharNgramTfidf, KeyIndex, _tfidf_matrix
from model.text import PreparedText

_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing of the packed n-gram keys


class OpenVocabularyTfidf(CharNgramTfidf):
    """:class:`CharNgramTfidf` whose unknown n-grams land in hashed columns after the vocabulary's."""

    kind = "char-open"

    def __init__(self, field: str = "text", ngram_range: tuple[int, int] = (2, 3), min_df: int = 2,
                 max_features: int | None = None, sublinear_tf: bool = True, bucket_bits: int = 20):
        super().__init__(field, ngram_range, min_df, max_features, sublinear_tf)
        self.bucket_bits = bucket_bits

    @property
    def n_features(self) -> int:
        return len(self.vocabulary_) + (1 << self.bucket_bits)

    def columns(self, keys: np.ndarray) -> np.ndarray:
        """The column of each packed n-gram key: its vocabulary position, or its hashed bucket after them."""
        if getattr(self, "_index", None) is None:
            self._index = KeyIndex(self.vocabulary_)
            rarest = self.idf_.max() if len(self.idf_) else np.float32(1.0)
            self.weights_ = np.concatenate([self.idf_, np.full(1 << self.bucket_bits, rarest, np.float32)])
        position = self._index.lookup(keys)
        unknown = position < 0
        hashed = (keys[unknown].astype(np.uint64) * _MULTIPLIER) >> np.uint64(64 - self.bucket_bits)
        position[unknown] = len(self.vocabulary_) + hashed.astype(np.int64)
        return position

    def transform(self, docs: Sequence[PreparedText]) -> sp.csr_matrix:
        keys, owners = self._keys(docs)
        columns = self.columns(keys)
        return _tfidf_matrix(owners, columns, len(docs), self.weights_, self.sublinear_tf).astype(np.float32)
