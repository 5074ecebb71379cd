"""Training arguments as dataclasses: every knob of a training run, with the defaults that built the shipped model."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from model.classifier import DEFAULT_MODEL_DIR
from training.data import SHARED_DATA


@dataclass(frozen=True)
class BlockSpec:
    """One TF-IDF feature block: characters of a field, or jieba words."""

    name: str
    kind: str  # "char" or "word"
    ngram_range: tuple[int, int]
    field: str = "text"
    min_df: int = 1
    max_features: int | None = None
    weight: float = 1.0


@dataclass
class LabelModelArguments:
    """Features and estimator of one label model."""

    blocks: list[BlockSpec]
    estimator: str = "svc"  # "svc" (LinearSVC) or "logreg" (LogisticRegression)
    C: float = 0.5
    class_weight: str | None = None
    calibration_folds: int = 5


def default_category_model() -> LabelModelArguments:
    return LabelModelArguments(
        blocks=[
            BlockSpec("chars", "char", (1, 3), min_df=2),
            BlockSpec("words", "word", (1, 2), min_df=2),
            BlockSpec("title", "char", (1, 3), field="title", min_df=1),
        ],
        estimator="svc",
        C=0.5,
    )


def default_type_model() -> LabelModelArguments:
    return LabelModelArguments(
        blocks=[BlockSpec("chars", "char", (1, 3), min_df=2), BlockSpec("title", "char", (1, 3), field="title")],
        estimator="logreg",
        C=10.0,
        class_weight="balanced",
    )


@dataclass
class ClassifierTrainingArguments:
    """A `hotline train classifier` run."""

    data_dir: Path = SHARED_DATA
    category_data: Path | None = None  # an office's own labelled tickets instead of data_dir/category/train.csv
    output_dir: Path = DEFAULT_MODEL_DIR
    seed: int = 0
    test_size: float = 0.2  # grouped held-out share of category/train.csv used for the reported metrics
    refit_on_all: bool = True  # after measuring, refit the shipped model on every labelled row
    category: LabelModelArguments = field(default_factory=default_category_model)
    request_type: LabelModelArguments = field(default_factory=default_type_model)
