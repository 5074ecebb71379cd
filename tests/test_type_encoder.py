"""The opt-in request-type encoder (`--type-encoder`): a fine-tuned tiny BERT, made in the test, mixed into the
TF-IDF request type — in the library, the command line and the service."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from model.classifier import TicketClassifier
from model.encoder import TextEncoder
from model.encoder_classifier import EncoderClassifier, EncoderMix
from model.results import Ticket
from serve.app import create_app
from serve.cli import app
from serve.settings import Settings
from tests.conftest import SAMPLES
from tests.test_encoder import build_tiny_encoder
from tests.test_fit_encoder import ARGS, LABELS, TEXTS
from training.fit_encoder import fine_tune

TICKETS = [Ticket(id="a", title="夜间施工噪音", content="小区旁工地夜间施工噪音扰民"),
           Ticket(id="b", title="", content=""),
           Ticket(id="c", title="拖欠工资", content="公司拖欠工资三个月")]


@pytest.fixture(scope="module")
def type_encoder_dir(tmp_path_factory):
    directory = build_tiny_encoder(tmp_path_factory.mktemp("tiny_bert"))
    tuned = fine_tune(TEXTS, LABELS, ARGS, encoder=TextEncoder.load(directory, threads=1))
    output = tmp_path_factory.mktemp("type_encoder")
    tuned.save(output, {"arguments": {"max_length": 32}, "mix_weight": 0.5, "mix_temperature": 0.8, "split": "toy texts",
                        "metrics": {}})
    return output


def test_the_mix_is_a_weighted_average_over_the_linear_models_labels(type_encoder_dir):
    model = EncoderClassifier.load(type_encoder_dir, threads=1)
    labels = ["举报", "投诉", "求助", "咨询"]  # the encoder knows 投诉 and 求助 only
    linear = np.array([[0.1, 0.2, 0.3, 0.4], [0.25, 0.25, 0.25, 0.25]])
    titles, contents = ["夜间施工噪音", "拖欠工资"], ["", ""]
    own = model.predict_proba(["夜间施工噪音", "拖欠工资"])
    np.testing.assert_array_equal(EncoderMix(model, 0.0).mix(linear, labels, titles, contents), linear)
    alone = EncoderMix(model, 1.0).mix(linear, labels, titles, contents)
    np.testing.assert_allclose(alone[:, [1, 2]], own, atol=1e-6)
    assert (alone[:, [0, 3]] == 0).all()
    half = EncoderMix(model, 0.5).mix(linear, labels, titles, contents)
    np.testing.assert_allclose(half, (linear + alone) / 2, atol=1e-6)
    np.testing.assert_allclose(half.sum(axis=1), 1.0, atol=1e-6)
    sharper = EncoderMix(model, 0.5, temperature=0.5).mix(linear, labels, titles, contents)
    np.testing.assert_allclose(sharper.sum(axis=1), 1.0, atol=1e-6)
    assert (sharper.argmax(axis=1) == half.argmax(axis=1)).all() and (sharper.max(axis=1) > half.max(axis=1)).all()
    np.testing.assert_allclose(sharper, half ** 2 / (half ** 2).sum(axis=1, keepdims=True), atol=1e-6)


def test_the_weight_comes_from_the_card_unless_given(type_encoder_dir, tmp_path):
    assert (EncoderMix.load(type_encoder_dir).weight, EncoderMix.load(type_encoder_dir).temperature) == (0.5, 0.8)
    assert EncoderMix.load(type_encoder_dir, weight=0.2).weight == 0.2
    card = json.loads((type_encoder_dir / "model_card.json").read_text(encoding="utf-8"))
    assert card["version"].count("-") == 1  # date-hash, written by save
    unweighted = tmp_path / "unweighted"
    EncoderClassifier.load(type_encoder_dir).save(unweighted, {"arguments": {"max_length": 32}})
    with pytest.raises(ValueError, match="mixing weight"):
        EncoderMix.load(unweighted)


def test_classifier_mixes_the_encoder_into_the_request_type_only(tiny_classifier, type_encoder_dir):
    mix = EncoderMix.load(type_encoder_dir)
    mixed = TicketClassifier(tiny_classifier.category, tiny_classifier.request_type, tiny_classifier.taxonomy,
                             tiny_classifier.card, type_encoder=mix)
    plain, both = tiny_classifier.classify(TICKETS), mixed.classify(TICKETS)
    assert both[1].error and not both[0].error and not both[2].error  # the empty ticket still gets its error
    assert [r.category_scores for r in plain] == [r.category_scores for r in both]
    assert plain[0].type_scores != both[0].type_scores
    assert both[0].model_version == f"{tiny_classifier.version}+type-encoder-{mix.model.version}"


def test_classify_command_and_service_take_the_type_encoder(tiny_model_dir, tiny_auditor, type_encoder_dir,
                                                             tmp_path):
    output = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["classify", str(SAMPLES / "tickets.csv"), "-o", str(output), "--model",
                                      str(tiny_model_dir), "--type-encoder", str(type_encoder_dir)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert rows and all("+type-encoder-" in row["model_version"] for row in rows)
    refused = CliRunner().invoke(app, ["classify", str(SAMPLES / "tickets.csv"), "-o", str(output), "--workers",
                                       "2", "--type-encoder", str(type_encoder_dir)])
    assert refused.exit_code == 2 and "--workers 1" in refused.output
    missing = CliRunner().invoke(app, ["classify", str(SAMPLES / "tickets.csv"), "-o", str(output), "--type-encoder",
                                       str(tmp_path / "nowhere")])
    assert missing.exit_code == 3 and "cannot load the type encoder" in missing.output

    from fastapi.testclient import TestClient

    settings = Settings(model_dir=tiny_model_dir, type_encoder=type_encoder_dir)
    with TestClient(create_app(settings, auditor=tiny_auditor)) as client:
        answer = client.post("/classify", json={"title": "夜间施工噪音", "content": "工地夜间施工噪音扰民"}).json()
        models = client.get("/version").json()["models"]
    assert "+type-encoder-" in answer["model_version"]
    assert answer["model_version"].endswith(models["type_encoder"]["version"])
    assert models["type_encoder"]["split"] == {"held_out": "toy texts"} and "classifier" in models
