"""Fine-tuning on a tiny random BERT built in the test: it learns a separable toy task, saves and loads back."""

from __future__ import annotations

import numpy as np
import pytest

from model.encoder import TextEncoder
from model.encoder_classifier import EncoderClassifier
from tests.test_encoder import build_tiny_encoder
from training.args import EncoderTrainingArguments
from training.fit_encoder import fine_tune

TEXTS = ["小区夜间施工噪音扰民", "夜间噪音扰民", "施工噪音", "公司拖欠工资", "拖欠工资三个月", "请问工资怎么办理"] * 3
LABELS = ["投诉", "投诉", "投诉", "求助", "求助", "求助"] * 3
ARGS = EncoderTrainingArguments(epochs=12, batch_size=6, max_length=32, learning_rate=3e-3, device="cpu")


@pytest.fixture(scope="module")
def tuned(tmp_path_factory) -> EncoderClassifier:
    directory = build_tiny_encoder(tmp_path_factory.mktemp("tiny_bert"))
    return fine_tune(TEXTS, LABELS, ARGS, encoder=TextEncoder.load(directory, threads=1))


def test_fine_tuning_learns_a_separable_task(tuned):
    probabilities = tuned.predict_proba(["夜间施工噪音", "拖欠工资"], max_length=32)
    assert tuned.labels == ["投诉", "求助"]
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert probabilities[0, 0] > 0.5 and probabilities[1, 1] > 0.5


def test_saved_model_loads_with_the_same_probabilities(tuned, tmp_path):
    tuned.save(tmp_path / "tuned", {"arguments": {"max_length": 32}, "metrics": {}})
    loaded = EncoderClassifier.load(tmp_path / "tuned", threads=1)
    assert loaded.labels == tuned.labels and not loaded.training
    np.testing.assert_allclose(loaded.predict_proba(TEXTS[:6]), tuned.predict_proba(TEXTS[:6], max_length=32),
                               atol=1e-5)
    assert loaded.predict_proba([]).shape == (0, 2)


def test_the_same_seed_gives_the_same_model(tmp_path):
    directory = build_tiny_encoder(tmp_path / "bert")
    runs = [fine_tune(TEXTS[:6], LABELS[:6], EncoderTrainingArguments(epochs=2, batch_size=3, max_length=32,
                                                                       device="cpu"),
                      encoder=TextEncoder.load(directory, threads=1)).predict_proba(TEXTS[:6]) for _ in range(2)]
    np.testing.assert_allclose(runs[0], runs[1], atol=1e-6)


def test_train_encoder_command_writes_a_model_with_its_card(tmp_path):
    import json

    import pandas as pd
    from typer.testing import CliRunner

    from serve.cli import app
    from tests.conftest import SAMPLES

    samples = pd.read_csv(SAMPLES / "tickets.csv", dtype=str)
    (tmp_path / "data" / "type").mkdir(parents=True)
    samples.iloc[:50].to_csv(tmp_path / "data" / "type" / "type_silver.csv", index=False)
    samples.iloc[50:].to_csv(tmp_path / "data" / "type" / "type_gold_dev.csv", index=False)
    encoder = build_tiny_encoder(tmp_path / "bert")
    result = CliRunner().invoke(app, ["train", "encoder", "--task", "type", "--encoder", str(encoder),
                                      "--data-dir", str(tmp_path / "data"), "--output-dir", str(tmp_path / "out"),
                                      "--epochs", "1", "--max-length", "32", "--device", "cpu"])
    assert result.exit_code == 0, result.output
    card = json.loads((tmp_path / "out" / "model_card.json").read_text(encoding="utf-8"))
    assert card["task"] == "type" and card["metrics"]["held_out"]["n"] == len(samples) - 50
    assert (card["mix_weight"], card["mix_temperature"]) == (0.5, 0.67)  # what --type-encoder will use
    assert card["metrics"]["held_out_mixed"]["n"] == len(samples) - 50 and card["version"] in result.output
    assert EncoderClassifier.load(tmp_path / "out").labels == sorted(set(samples.type.iloc[:50]))


def test_tune_mix_chooses_the_weight_and_temperature_by_cross_validation(tmp_path):
    import json

    import pandas as pd
    from typer.testing import CliRunner

    from serve.cli import app
    from tests.conftest import SAMPLES

    samples = pd.read_csv(SAMPLES / "tickets.csv", dtype=str)
    data = tmp_path / "data"
    (data / "type").mkdir(parents=True)
    (data / "category").mkdir()
    silver = samples.iloc[:50].assign(confidence=["low" if i % 4 == 0 else "high" for i in range(50)])
    silver.to_csv(data / "type" / "type_silver.csv", index=False)
    samples.iloc[50:].to_csv(data / "type" / "type_gold_dev.csv", index=False)
    samples.rename(columns={"category": "label"}).to_csv(data / "category" / "train.csv", index=False)
    encoder = build_tiny_encoder(tmp_path / "bert")
    result = CliRunner().invoke(app, ["train", "encoder", "--task", "type", "--encoder", str(encoder),
                                      "--data-dir", str(data), "--output-dir", str(tmp_path / "out"),
                                      "--epochs", "1", "--max-length", "32", "--device", "cpu", "--tune-mix", "2"])
    assert result.exit_code == 0, result.output
    card = json.loads((tmp_path / "out" / "model_card.json").read_text(encoding="utf-8"))
    tuning = card["mix_tuning"]
    table = tuning["macro_f1_by_weight"]
    assert [row["weight"] for row in table] == [round(0.1 * i, 1) for i in range(11)]
    best = max(row["macro_f1"] for row in table)
    assert card["mix_weight"] == tuning["weight"] == min(r["weight"] for r in table if r["macro_f1"] == best)
    assert card["mix_temperature"] == tuning["temperature"] > 0 and "50 rows" in tuning["split"]
    assert "mix chosen by 2-fold" in result.output


def test_tune_mix_is_only_for_the_request_type():
    from typer.testing import CliRunner

    from serve.cli import app

    result = CliRunner().invoke(app, ["train", "encoder", "--task", "category", "--tune-mix", "5"])
    assert result.exit_code == 2 and "--task type" in result.output
