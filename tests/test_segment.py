"""DictionarySegmenter gives jieba's own words (HMM off), on samples, random text and the shared data."""

import random

import pandas as pd
import pytest

from model.segment import DictionarySegmenter
from model.text import domain_jieba
from tests.conftest import read_samples


@pytest.fixture(scope="module")
def reference():
    return domain_jieba()


@pytest.fixture(scope="module")
def segmenter():
    return DictionarySegmenter(domain_jieba())


def test_same_words_as_jieba_on_the_samples(reference, segmenter):
    texts = [r["title"] + "。" + r["content"] for r in read_samples("tickets.csv")]
    texts += [r["reply"] for r in read_samples("sample_replies.csv")]
    for text in texts:
        assert segmenter.cut(text) == reference.lcut(text, HMM=False)


def test_same_words_as_jieba_on_random_text(reference, segmenter):
    """Han characters, ASCII letters and digits, punctuation, spaces and full-width forms, mixed at random."""
    pool = ("物业费拖欠工资占道经营小区路灯不亮噪音扰民区住建局社区网格员热线的了是我在有人和" "ABCxyz0123456789"
            "，。！？、：；“”（）()-_.%#&+ \n\t" "ＡＢ１２　")
    rng = random.Random(0)
    for _ in range(500):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 60)))
        assert segmenter.cut(text) == reference.lcut(text, HMM=False), text


def test_ties_and_unknown_characters_follow_jieba(reference, segmenter):
    for text in ("", "㐀㐁", "A3区A3区", "aaaa1111", "12345热线", "一一一一一一", "。。。"):
        assert segmenter.cut(text) == reference.lcut(text, HMM=False)


def test_same_words_as_jieba_on_the_shared_data(reference, segmenter, shared_data):
    frame = pd.read_csv(shared_data / "category" / "train.csv", nrows=300)
    for title, content in zip(frame["title"].fillna(""), frame["content"].fillna(""), strict=True):
        text = f"{title}。{content}"
        assert segmenter.cut(text) == reference.lcut(text, HMM=False)
