"""A char block that counts an unlabelled corpus: its vocabulary, its idf, and a model file without the corpus."""

import numpy as np
import pytest
from sklearn.base import clone

from model.features import CharNgramTfidf, TextFeatures
from model.text import prepare
from training.args import BlockSpec, LabelModelArguments
from training.corpus_vocabulary import CorpusCharNgramTfidf
from training.fit_classifier import build_features, cross_validated_scores

LABELLED = [prepare("物业乱收费", "小区物业每月多收停车费"), prepare("路灯不亮", "门口路灯坏了一个月")]
CORPUS = [prepare("请求解决", f"希望有关部门尽快解决第{i}号楼的问题") for i in range(6)]


def test_the_corpus_decides_the_most_frequent_ngrams_and_the_idf():
    alone = CharNgramTfidf(ngram_range=(2, 2), max_features=3).fit(LABELLED)
    counted = CorpusCharNgramTfidf(ngram_range=(2, 2), max_features=3, corpus=CORPUS).fit(LABELLED)
    def bigrams(doc):
        return {doc.text[i:i + 2] for i in range(len(doc.text) - 1)}

    def words(block):
        return {chr(int(k) >> 21) + chr(int(k) & (2**21 - 1)) for k in block.vocabulary_}

    labelled_grams = set().union(*map(bigrams, LABELLED))
    in_every_corpus_message = set.intersection(*map(bigrams, CORPUS))
    assert len(words(counted)) == 3 and words(counted) <= in_every_corpus_message - labelled_grams
    assert words(alone) <= labelled_grams
    # idf over labelled + corpus documents: a bigram in every corpus message is the least informative there is
    assert counted.idf_.min() == pytest.approx(np.log((1 + 8) / (1 + 6)) + 1, rel=1e-5)


def test_the_saved_block_is_a_plain_char_block_without_the_corpus():
    features = build_features([BlockSpec("common", "char", (1, 3), max_features=50, corpus=True)], CORPUS)
    features.fit(LABELLED)
    configs, arrays = features.state()
    assert configs[0]["kind"] == "char" and "corpus" not in configs[0]
    restored = TextFeatures.from_state(configs, arrays)
    assert type(restored.blocks[0][1]) is CharNgramTfidf
    np.testing.assert_array_equal(restored.transform(LABELLED).toarray(), features.transform(LABELLED).toarray())


def test_a_clone_shares_the_corpus_and_cross_validation_uses_it():
    block = CorpusCharNgramTfidf(max_features=20, corpus=CORPUS)
    assert clone(block).corpus is CORPUS
    docs = LABELLED * 5
    labels = np.array(["住建", "城乡建设"] * 5)
    args = LabelModelArguments(blocks=[BlockSpec("common", "char", (1, 2), max_features=20, corpus=True)],
                               estimator="svc", C=1.0)
    scores = cross_validated_scores(docs, labels, args, corpus=CORPUS)
    assert scores.shape == (10, 2) and np.isfinite(scores).all()


def test_only_char_blocks_count_a_corpus():
    with pytest.raises(ValueError, match="only char blocks"):
        build_features([BlockSpec("words", "word", corpus=True)], CORPUS)
