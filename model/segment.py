"""jieba's dictionary segmentation without its HMM, computed in one pass: the same words, about twice as fast.

jieba (``cut(..., HMM=False)``) builds a DAG of the dictionary words starting at each character, then picks the route
with the highest sum of log word frequencies, right to left. :class:`DictionarySegmenter` does the same arithmetic in
the same order with the DAG folded into the dynamic programme and one dictionary lookup per step; it gives jieba's
exact output (tests compare them on the samples and on random text) in about half the time, and tokenising is the
slowest step of classification.
"""

from __future__ import annotations

import string
from math import log

import jieba

_MISSING = object()
_NEGATIVE_INFINITY = float("-inf")
_ASCII_ALNUM = frozenset(string.ascii_letters + string.digits)  # jieba's re_eng: runs of these stay one word


class DictionarySegmenter:
    """Segments text like ``jieba.Tokenizer.lcut(text, HMM=False)`` with that tokenizer's dictionary."""

    __slots__ = ("_log_probability", "_unknown")

    def __init__(self, tokenizer: jieba.Tokenizer):
        """Take over `tokenizer`'s dictionary (converted in place, to hold one copy in memory: do not use the
        tokenizer afterwards)."""
        tokenizer.check_initialized()
        log_total = log(tokenizer.total)
        table = tokenizer.FREQ
        tokenizer.FREQ = {}
        # every key of jieba's prefix dictionary: a word's log probability, or None for a prefix that is no word
        for key, count in table.items():
            table[key] = log(count) - log_total if count else None
        self._log_probability = table
        self._unknown = log(1) - log_total  # a character that starts no word counts as frequency 1

    def cut(self, text: str) -> list[str]:
        words: list[str] = []
        for block in jieba.re_han_default.split(text):
            if not block:
                continue
            if jieba.re_han_default.match(block):
                words.extend(self._cut_block(block))
                continue
            for piece in jieba.re_skip_default.split(block):
                if jieba.re_skip_default.match(piece):
                    words.append(piece)
                else:
                    words.extend(piece)
        return words

    def _cut_block(self, block: str) -> list[str]:
        n = len(block)
        log_probability = self._log_probability
        best = [0.0] * (n + 1)  # best[k]: score of the best route through block[k:]
        word_end = [0] * n      # the last index of the word that route starts with
        for k in range(n - 1, -1, -1):
            score, end = _NEGATIVE_INFINITY, -1
            i, fragment = k, block[k]
            while True:
                value = log_probability.get(fragment, _MISSING)
                if value is _MISSING:
                    break
                if value is not None:
                    candidate = value + best[i + 1]
                    if candidate >= score:  # jieba's max over (score, end): ties go to the longer word
                        score, end = candidate, i
                i += 1
                if i >= n:
                    break
                fragment = block[k:i + 1]
            if end < 0:
                score, end = self._unknown + best[k + 1], k
            best[k], word_end[k] = score, end
        words: list[str] = []
        letters = ""
        x = 0
        while x < n:
            y = word_end[x] + 1
            word = block[x:y]
            if word in _ASCII_ALNUM:
                letters += word
            else:
                if letters:
                    words.append(letters)
                    letters = ""
                words.append(word)
            x = y
        if letters:
            words.append(letters)
        return words
