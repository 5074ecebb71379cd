"""Training arguments as dataclasses: every knob of a training run, with the defaults that built the shipped model."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from model.auditor import DEFAULT_AUDITOR_DIR
from model.classifier import DEFAULT_MODEL_DIR
from model.text import TOKENISE_LIMIT
from training.data import SHARED_DATA
from training.type_data import TYPE_CUES


@dataclass(frozen=True)
class BlockSpec:
    """One TF-IDF feature block: characters of a field, or jieba words."""

    name: str
    kind: str  # "char", "word" or "cue"
    ngram_range: tuple[int, int] = (1, 1)
    field: str = "text"
    min_df: int = 1
    max_features: int | None = None
    weight: float = 1.0
    lexicon: dict[str, list[str]] | None = None  # cue blocks: label → cue words
    closing: int = 0  # cue blocks: characters at the end of the content that count as its closing
    corpus: bool = False  # char blocks: n-grams and idf counted over the unlabelled corpus too (corpus_vocabulary.py)


@dataclass
class LabelModelArguments:
    """Features and estimator of one label model."""

    blocks: list[BlockSpec]
    estimator: str = "svc"  # "nbsvm" (NB-scaled LinearSVC), "svc" (LinearSVC) or "logreg" (LogisticRegression)
    C: float = 0.5
    alpha: float = 0.1  # NBSVM's smoothing of the log-count ratios
    class_weight: str | None = None
    calibration_folds: int = 5


def default_category_model() -> LabelModelArguments:
    """Chosen by grouped 5-fold CV on category/train.csv (README: 0.932 vs 0.909 for char TF-IDF + LinearSVC)."""
    return LabelModelArguments(
        blocks=[
            BlockSpec("chars", "char", (1, 3), min_df=5),
            BlockSpec("words", "word", (1, 1), min_df=1),
            BlockSpec("title", "char", (1, 3), field="title", min_df=1),
        ],
        estimator="nbsvm",
        C=0.5,
        alpha=0.1,
        class_weight="balanced",
    )


def default_type_model() -> LabelModelArguments:
    """Chosen on silver CV and the gold dev set (README has the table; docs/research/request-type.md the runs)."""
    return LabelModelArguments(
        blocks=[BlockSpec("chars", "char", (1, 3), min_df=3, weight=0.7),
                BlockSpec("common", "char", (1, 3), max_features=5000, weight=0.7, corpus=True),
                BlockSpec("cues", "cue", weight=0.1, lexicon=TYPE_CUES)],
        estimator="svc",
        C=1.0,
        class_weight="balanced",
    )


@dataclass
class ClassifierTrainingArguments:
    """A `hotline train classifier` run."""

    data_dir: Path = SHARED_DATA
    category_data: Path | None = None  # an office's own labelled tickets instead of data_dir/category/train.csv
    category_sheet: str | None = None  # the sheet of category_data when it is an .xlsx (name or number)
    output_dir: Path = DEFAULT_MODEL_DIR
    seed: int = 0
    tokenise_limit: int = TOKENISE_LIMIT  # characters given to jieba per ticket: speed against a little accuracy
    category: LabelModelArguments = field(default_factory=default_category_model)
    request_type: LabelModelArguments = field(default_factory=default_type_model)


def _element_c() -> dict[str, float]:
    return {"org": 1.0, "time": 4.0, "process": 4.0, "result": 1.0, "contact": 4.0}


@dataclass
class AuditorTrainingArguments:
    """A `hotline train auditor` run. Defaults: the prototype's choices on silver CV (docs/research/reply-auditor.md)."""

    data_dir: Path = SHARED_DATA
    train_data: Path | None = None  # an office's own labelled replies instead of data_dir/replies/audit_silver.csv
    train_sheet: str | None = None  # the sheet of train_data when it is an .xlsx (name or number)
    output_dir: Path = DEFAULT_AUDITOR_DIR
    request_type_from: Path | None = None  # classifier directory whose request-type model is read (default: shipped)
    seed: int = 0
    folds: int = 5  # out-of-fold element probabilities train the second stage
    ngram_range: tuple[int, int] = (1, 3)
    min_df: int = 2
    max_features: int | None = 40000
    element_C: dict[str, float] = field(default_factory=_element_c)
    stage_two_C: float = 1.0
    redo_threshold: float | None = None  # None: the lowest threshold within 0.005 of the best out-of-fold F1
    tune_element_thresholds: bool = True  # element present at the F1-best out-of-fold threshold (else at 0.5)


@dataclass
class EncoderTrainingArguments:
    """A `hotline train encoder` run: fine-tuning the transformer encoder with a classification head."""

    task: str = "type"  # "type" (type_silver → type_gold_dev) or "category" (grouped 80/20 split of category data)
    encoder_dir: Path | None = None  # default: model.encoder.default_encoder_dir() (the converted e5-small)
    data_dir: Path = SHARED_DATA
    output_dir: Path = Path("models/encoder")
    epochs: int = 4
    batch_size: int = 16
    max_length: int = 128
    learning_rate: float = 8e-5
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    seed: int = 0
    device: str | None = None  # None: "cuda" when a GPU is there, else "cpu"
    # type: how `--type-encoder` mixes it into the TF-IDF request type — the encoder's share, and the temperature
    # that recalibrates the mix; both from 5-fold CV on type_silver (docs/research/encoder.md)
    mix_weight: float = 0.5
    mix_temperature: float = 0.67
