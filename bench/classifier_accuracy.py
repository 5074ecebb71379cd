"""Held-out accuracy of the category and request-type models against the plain baselines, on the shared data.

    python bench/classifier_accuracy.py            # grouped 5-fold CV + one grouped 80/20 split scored by score.py

1. Category, grouped 5-fold cross-validation of category/train.csv (StratifiedGroupKFold, shuffled, seed 0; rows
   sharing a normalised title stay in one fold): the shipped recipe against char 1-3 TF-IDF + LinearSVC(C=1).
2. Category, one grouped 80/20 split (seed 0): the recipe is trained on the 80 % with `hotline train classifier`,
   the 20 % is classified with `hotline classify`, and ../shared/tools/score.py scores the output — exactly as the
   independent evaluation does.
3. Request type on type/type_gold_dev.csv (never trained on): the shipped model against char TF-IDF + logistic
   regression trained on the silver set.
Prints figures; asserts nothing. Takes a few minutes on 2 cores.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.svm import LinearSVC

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from model.classifier import TicketClassifier  # noqa: E402
from model.text import normalise, prepare  # noqa: E402
from training.args import default_category_model  # noqa: E402
from training.data import SHARED_DATA, group_keys, grouped_split, load_shared_csv  # noqa: E402
from training.fit_classifier import cross_validated_scores  # noqa: E402
from training.type_data import MAIN_TYPES  # noqa: E402

SCORE = SHARED_DATA.parent / "tools" / "score.py"


def per_fold(gold: np.ndarray, predicted: np.ndarray, folds: list[np.ndarray]) -> list[float]:
    return [f1_score(gold[rows], predicted[rows], average="macro") for rows in folds]


def category_cv() -> None:
    data = load_shared_csv("category/train.csv")
    labels = data.label.to_numpy()
    groups = group_keys(data.title, data.content)
    splitter = StratifiedGroupKFold(5, shuffle=True, random_state=0)
    folds = [test for _, test in splitter.split(np.zeros(len(labels)), labels, groups)]

    texts = np.array([normalise(t) + "。" + normalise(c) for t, c in zip(data.title, data.content)])
    baseline = np.empty(len(labels), dtype=object)
    for test in folds:
        train = np.setdiff1d(np.arange(len(labels)), test)
        vectoriser = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
        svm = LinearSVC(C=1.0, random_state=0).fit(vectoriser.fit_transform(texts[train]), labels[train])
        baseline[test] = svm.predict(vectoriser.transform(texts[test]))

    docs = [prepare(t, c) for t, c in zip(data.title, data.content)]
    scores = cross_validated_scores(docs, labels, default_category_model(), seed=0, groups=groups)
    ours = np.unique(labels)[scores.argmax(axis=1)]
    for name, predicted in [("char 1-3 TF-IDF + LinearSVC", baseline), ("hotline default recipe", ours)]:
        figures = per_fold(labels, predicted, folds)
        print(f"category, grouped 5-fold CV, {name}: macro-F1 {np.mean(figures):.4f} ± {np.std(figures):.4f} "
              f"(folds {', '.join(f'{f:.4f}' for f in figures)})")


def category_split_scored() -> None:
    data = load_shared_csv("category/train.csv")
    train, test = grouped_split(group_keys(data.title, data.content), test_size=0.2, seed=0)
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        data.iloc[train].to_csv(work / "train.csv", index=False)
        data.iloc[test].to_csv(work / "held_out.csv", index=False)
        hotline = [sys.executable, "-m", "serve"]
        subprocess.run([*hotline, "train", "classifier", "--data", str(work / "train.csv"), "--output-dir",
                        str(work / "model")], check=True, capture_output=True)
        subprocess.run([*hotline, "classify", str(work / "held_out.csv"), "-o", str(work / "out.jsonl"),
                        "--model", str(work / "model")], check=True, capture_output=True)
        scored = subprocess.run([sys.executable, str(SCORE), "category", str(work / "held_out.csv"),
                                 str(work / "out.jsonl"), "0.93"], capture_output=True, text=True)
    print(f"category, grouped 80/20 split (seed 0; {len(train)} train / {len(test)} held out), "
          f"score.py: {scored.stdout.strip().splitlines()[-1]}")


def request_type() -> None:
    silver = load_shared_csv("type/type_silver.csv")
    gold = load_shared_csv("type/type_gold_dev.csv")
    join = lambda frame: [normalise(t) + "。" + normalise(c) for t, c in zip(frame.title, frame.content)]  # noqa: E731
    vectoriser = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
    baseline = LogisticRegression(class_weight="balanced", max_iter=3000).fit(vectoriser.fit_transform(join(silver)), silver.type)
    predicted = baseline.predict(vectoriser.transform(join(gold)))
    print(f"type, gold dev, char TF-IDF + LogisticRegression (balanced) on silver: macro-F1 "
          f"{f1_score(gold.type, predicted, labels=MAIN_TYPES, average='macro'):.4f}")
    model = TicketClassifier.load().request_type
    ours = model.predict([prepare(t, c) for t, c in zip(gold.title, gold.content)])
    print(f"type, gold dev, shipped model: macro-F1 {f1_score(gold.type, ours, labels=MAIN_TYPES, average='macro'):.4f}")


if __name__ == "__main__":
    if not (SHARED_DATA / "category" / "train.csv").is_file():
        sys.exit(f"shared data not found at {SHARED_DATA}")
    request_type()
    category_cv()
    category_split_scored()
