"""A character n-gram block whose vocabulary and idf also count an unlabelled corpus.

With 800 labelled messages, n-grams kept for being frequent among them are often one topic's words; counted over
every message of the category data (7,410, no labels used), the most frequent n-grams are the language of requests
in general (请求/希望/是否/反映). The block saves as a plain :class:`CharNgramTfidf`, so a model that uses it loads
and scores like any other; the corpus exists only while training.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from model.features import CharNgramTfidf
from model.text import PreparedText


class CorpusCharNgramTfidf(CharNgramTfidf):
    """:class:`CharNgramTfidf` fitted on the training documents plus `corpus`."""

    def __init__(self, field: str = "text", ngram_range: tuple[int, int] = (1, 3), min_df: int = 1,
                 max_features: int | None = None, sublinear_tf: bool = True, corpus: Sequence[PreparedText] = ()):
        super().__init__(field, ngram_range, min_df, max_features, sublinear_tf)
        self.corpus = corpus

    def __sklearn_clone__(self) -> CorpusCharNgramTfidf:
        params = self.get_params()
        return type(self)(**params)  # the corpus is shared, never copied: it is only read

    def fit(self, docs: Sequence[PreparedText], y: Any = None) -> CorpusCharNgramTfidf:
        return super().fit([*docs, *self.corpus], y)

    def state(self) -> tuple[dict, dict]:
        config, arrays = super().state()
        del config["corpus"]
        return config, arrays
