"""Text preparation for hotline tickets: normalise, combine title and content, mask personal data, tokenise.

Everything a model sees goes through :func:`prepare`, so training and inference cannot drift apart.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import jieba

from model.segment import DictionarySegmenter

# Personal data, most specific first: an 18-digit ID number would otherwise be taken for a bank card.
# `\d` also matches full-width digits, so raw text can be masked before NFKC.
_PII_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # Written whole or in groups (430102 19900101 1234, 430102-19900101-1234).
    ("〔身份证号〕", re.compile(r"(?<!\d)[1-9]\d{5}[-\s]?(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])[-\s]?\d{3}[\dXxＸｘ](?!\d)")),
    # First-generation (15-digit) ID numbers: area code, YYMMDD, a 3-digit sequence.
    ("〔身份证号〕", re.compile(r"(?<!\d)[1-9]\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?!\d)")),
    ("〔银行卡号〕", re.compile(r"(?<!\d)\d{16,19}(?!\d)")),
    # 13812345678, 138-1234-5678, 138 1234 5678, 138.1234.5678, +86 138…, 0086 138…
    ("〔手机号〕", re.compile(r"(?<!\d)(?:(?:\+|00)?86[-\s]?)?1[3-9]\d(?:[-\s.]?\d{4}){2}(?!\d)")),
    # 0731-88888888, 0731 8888 8888, 0731-8888-8888, (0731)88888888, （0731）88888888 after NFKC
    ("〔电话〕", re.compile(r"(?<!\d)(?:0\d{2,3}|\(0\d{2,3}\))[-\s.]?\d{3,4}[-\s.]?\d{4}(?!\d)")),
)
_EMAIL_PLACEHOLDER = "〔邮箱〕"
# The placeholders themselves, for models that compare texts: two tickets are not alike for both holding a phone number.
PII_PLACEHOLDER = re.compile("|".join(re.escape(p) for p in {*(p for p, _ in _PII_PATTERNS), _EMAIL_PLACEHOLDER}))
_LONG_NUMBER = re.compile(r"\d{3}[-\s.)]?\d{4}")
# An address's local part starts where the previous character cannot belong to it and is at most 64 characters
# (RFC 5321): so each "@" is looked at once, and a long run of letters before one costs nothing (no quadratic scan).
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_FULL_WIDTH = re.compile(r"[\uff01-\uff5e]")
_WHITESPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\ufeff]")
# Characters NFKC leaves alone and that are neither whitespace nor control: most replies need no work at all.
_NEEDS_NORMALISING = re.compile(r"[^\u0021-\u007e\u4e00-\u9fff\u3001-\u3003\u300a-\u3011\u201c\u201d\u2018\u2019\u2014]")
_NEEDS_NORMALISING_RUN = re.compile(_NEEDS_NORMALISING.pattern + "+")
_SPACED_HAN = re.compile(r"[\u4e00-\u9fff] +[\u4e00-\u9fff]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_PUNCT_ONLY = re.compile(r"^[\W_]+$")
_SPLIT_PLACE = re.compile(r"\b([A-Z]\d{0,2}) (市|区|县|镇|乡)")
TITLE_SEPARATOR = "。"
# Words come from the first `tokenise_limit` characters (tokenising is the slowest step); characters use the whole text.
# A model records the limit it was trained with (model card, text.tokenise_limit); this is the default.
TOKENISE_LIMIT = 1000

# Anonymised place names in the public data (A市, A3区, B12县, 西地省 …) stay single tokens.
_PLACE_LETTERS = "ABCDEFGHIJKLMN"
_PLACE_SUFFIXES = ("市", "区", "县", "镇", "乡", "街道", "社区", "村")


def mask_pii(text: str) -> str:
    """Replace phone, ID-card, bank-card numbers and e-mail addresses with placeholders (full-width too)."""
    if _FULL_WIDTH.search(text):
        text = unicodedata.normalize("NFKC", text)
    if _LONG_NUMBER.search(text):  # every number pattern has 3 digits and 4 more, one separator at most between
        for placeholder, pattern in _PII_PATTERNS:
            text = pattern.sub(placeholder, text)
    if "@" in text:  # most tickets have no @
        text = _EMAIL.sub(_EMAIL_PLACEHOLDER, text)
    return text


def normalise(text: str | None) -> str:
    """NFKC (full-width → half-width), drop control characters and every whitespace run."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", str(text))
    return _WHITESPACE.sub("", _CONTROL.sub("", text))


def normalise_with_offsets(text: str | None) -> tuple[str, list[int] | None]:
    """:func:`normalise` character by character, with the raw index of every output character (None when the
    text comes out unchanged), so evidence found in normalised text can be shown in the original."""
    if not text:
        return "", None
    text = str(text)
    if not _NEEDS_NORMALISING.search(text):
        return text, None
    out: list[str] = []
    offsets: list[int] = []
    done = 0
    for run in _NEEDS_NORMALISING_RUN.finditer(text):  # the characters between runs come out as they are
        out.append(text[done:run.start()])
        offsets.extend(range(done, run.start()))
        for index in range(run.start(), run.end()):
            normalised = _normalise_char(text[index])
            out.append(normalised)
            offsets.extend([index] * len(normalised))
        done = run.end()
    out.append(text[done:])
    offsets.extend(range(done, len(text)))
    return "".join(out), offsets


@lru_cache(maxsize=4096)
def _normalise_char(char: str) -> str:
    return _WHITESPACE.sub("", _CONTROL.sub("", unicodedata.normalize("NFKC", char)))


def looks_segmented(text: str | None) -> bool:
    """True for text that only survives as space-joined words (the data's `segmented` rows)."""
    if not text:
        return False
    spaced = len(_SPACED_HAN.findall(text))
    return spaced >= 3 and spaced >= 0.15 * len(_HAN.findall(text))


@dataclass(frozen=True, slots=True)
class PreparedText:
    """A ticket ready for the models: normalised, masked title and body, and its words."""

    title: str
    text: str  # title + separator + content, whitespace-free
    tokens: tuple[str, ...]


def combine(title: str, content: str) -> str:
    """Join normalised title and content the way the models were trained."""
    if title and content:
        return f"{title}{TITLE_SEPARATOR}{content}"
    return title or content


def domain_jieba() -> jieba.Tokenizer:
    """jieba with the hotline domain dictionary and the anonymised place names."""
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    dictionary = resources.files("model.resources").joinpath("domain_dict.txt")
    with dictionary.open("r", encoding="utf-8") as handle:
        tokenizer.load_userdict(handle)
    for letter in _PLACE_LETTERS:
        for number in ("", *map(str, range(1, 16))):
            for suffix in _PLACE_SUFFIXES:
                tokenizer.add_word(f"{letter}{number}{suffix}", freq=1000)
    return tokenizer


class Tokenizer:
    """jieba's segmentation (dictionary only, HMM off) with the domain dictionary; one instance per process is enough."""

    def __init__(self) -> None:
        self._segmenter = DictionarySegmenter(domain_jieba())  # jieba's own tables are not kept

    def cut(self, text: str) -> list[str]:
        """Words of `text`, punctuation dropped (HMM off: deterministic and faster)."""
        return [w for w in self._segmenter.cut(text) if w.isalnum() or not _PUNCT_ONLY.match(w)]


@lru_cache(maxsize=1)
def default_tokenizer() -> Tokenizer:
    jieba.setLogLevel(60)
    return Tokenizer()


def prepare(title: str | None, content: str | None, tokenizer: Tokenizer | None = None,
            tokenise_limit: int = TOKENISE_LIMIT, words: bool = True) -> PreparedText:
    """Normalise, combine and mask one ticket, and tokenise it (or reuse its given segmentation); with
    ``words=False`` the tokens are left empty, for models that read characters only (tokenising is the slow step)."""
    content = unicodedata.normalize("NFKC", str(content)) if content else ""
    clean_title = mask_pii(normalise(title))
    clean_content = mask_pii(normalise(content))
    text = combine(clean_title, clean_content)
    if not words:
        return PreparedText(title=clean_title, text=text, tokens=())
    tokenizer = tokenizer or default_tokenizer()
    if looks_segmented(content):
        spaced = _SPLIT_PLACE.sub(r"\1\2", mask_pii(content))
        words = [w for w in spaced.split() if not _PUNCT_ONLY.match(w)]
        tokens = tokenizer.cut(clean_title) + words[: tokenise_limit // 2]  # two characters a word on average
    else:
        tokens = tokenizer.cut(text[:tokenise_limit])
    return PreparedText(title=clean_title, text=text, tokens=tuple(tokens))
