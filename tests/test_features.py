"""The TF-IDF and cue feature blocks: equal to scikit-learn's, pruning, state round trip."""

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from model.features import CharNgramTfidf, TextFeatures, WordNgramTfidf
from model.text import prepare

TEXTS = [("物业乱收费", "A3区金桂园物业每月多收停车费"), ("", "噪音扰民，工地夜间施工"), ("咨询社保", "社保断缴怎么补缴？"),
         ("路灯不亮", "小区门口路灯坏了一个月")]


@pytest.fixture(scope="module")
def docs():
    return [prepare(t, c) for t, c in TEXTS]


def test_char_ngrams_match_scikit_learn(docs):
    ours = CharNgramTfidf(ngram_range=(1, 3)).fit(docs).transform(docs)
    reference = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, lowercase=False)
    theirs = reference.fit_transform([d.text for d in docs])
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(np.sort(ours.data), np.sort(theirs.data), atol=1e-6)
    np.testing.assert_allclose(ours.sum(axis=1).A.ravel(), theirs.sum(axis=1).A.ravel(), atol=1e-5)


def test_word_ngrams_match_scikit_learn(docs):
    ours = WordNgramTfidf(ngram_range=(1, 2)).fit(docs).transform(docs)
    reference = TfidfVectorizer(analyzer=lambda tokens: list(tokens) + [a + "\u0001" + b for a, b in zip(tokens, tokens[1:])],
                                sublinear_tf=True)
    theirs = reference.fit_transform([d.tokens for d in docs])
    assert ours.shape == theirs.shape
    for row in range(ours.shape[0]):  # each document's weights, whatever order the columns are in
        np.testing.assert_allclose(np.sort(ours[row].data), np.sort(theirs[row].data), atol=1e-6)
    np.testing.assert_allclose(np.sort(ours.sum(axis=0).A.ravel()), np.sort(theirs.sum(axis=0).A.ravel()), atol=1e-5)


def test_unseen_text_gives_an_empty_row(docs):
    block = CharNgramTfidf(ngram_range=(2, 3)).fit(docs)
    matrix = block.transform([prepare("", "ＸＹＺ")])
    assert matrix.shape == (1, len(block.idf_)) and matrix.nnz == 0


def test_min_df_and_max_features_prune(docs):
    every = CharNgramTfidf(ngram_range=(1, 1)).fit(docs)
    frequent = CharNgramTfidf(ngram_range=(1, 1), min_df=2).fit(docs)
    capped = CharNgramTfidf(ngram_range=(1, 1), max_features=5).fit(docs)
    assert len(frequent.vocabulary_) < len(every.vocabulary_)
    assert len(capped.vocabulary_) == 5


def test_state_round_trip_and_weights(docs):
    features = TextFeatures([("chars", CharNgramTfidf(), 1.0), ("words", WordNgramTfidf(ngram_range=(1, 2)), 0.5),
                             ("title", CharNgramTfidf(field="title"), 2.0)]).fit(docs)
    config, arrays = features.state()
    assert all(a.dtype != object for a in arrays.values())
    restored = TextFeatures.from_state(config, arrays)
    assert abs(features.transform(docs) - restored.transform(docs)).max() == 0
    title_part = restored.transform(docs)[:, -len(restored.blocks[2][1].idf_):]
    np.testing.assert_allclose(np.sqrt(title_part[0].multiply(title_part[0]).sum()), 2.0, rtol=1e-5)


def test_bad_ngram_range_is_refused(docs):
    with pytest.raises(ValueError, match="ngram_range"):
        CharNgramTfidf(ngram_range=(1, 4)).fit(docs)


def test_key_index_finds_exactly_the_vocabulary():
    from model.features import KeyIndex

    rng = np.random.default_rng(0)
    vocabulary = np.unique(rng.integers(1, 2**62, 5000))
    index = KeyIndex(vocabulary)
    queries = np.concatenate([vocabulary[::3], rng.integers(1, 2**62, 2000), vocabulary[-5:]])
    expected = np.array([np.searchsorted(vocabulary, q) if q in set(vocabulary) else -1 for q in queries.tolist()])
    np.testing.assert_array_equal(index.lookup(queries), expected)
    assert (KeyIndex(np.zeros(0, np.int64)).lookup(queries) == -1).all()


def test_blocks_reading_the_same_ngrams_probe_them_once_with_the_same_result(docs):
    from model.features import SharedLookup, share_lookups

    def blocks():
        return [CharNgramTfidf(min_df=2).fit(docs), CharNgramTfidf(max_features=7).fit(docs),
                CharNgramTfidf(ngram_range=(1, 2)).fit(docs), CharNgramTfidf(field="title").fit(docs)]

    alone, linked = blocks(), blocks()
    share_lookups(linked)
    assert isinstance(linked[0]._shared_lookup, SharedLookup) and linked[0]._shared_lookup is linked[1]._shared_lookup
    assert all(getattr(block, "_shared_lookup", None) is None for block in linked[2:])  # no other block reads these
    queries = [prepare("物业乱收费", "社保断缴，物业每月多收停车费，路灯坏了"), prepare("", "ＸＹＺ")]
    shared: dict = {}
    for own, fast in zip(alone, linked, strict=True):
        assert abs(own.transform(queries) - fast.transform(queries, shared)).max() == 0
    assert sum(1 for key in shared if key[0] == "shared_lookup") == 1
    linked[0].fit(docs[:2])  # refitted: its vocabulary changed, so it looks its n-grams up alone again
    assert linked[0]._shared_lookup is None
