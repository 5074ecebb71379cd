"""The service on the shipped default model, loaded at start-up from the settings' default."""

import pytest
from fastapi.testclient import TestClient

from model.artifacts import read_card
from model.classifier import DEFAULT_MODEL_DIR
from serve.app import create_app
from serve.schemas import EXAMPLE_RESULT, EXAMPLE_TICKET
from serve.settings import Settings


@pytest.fixture(scope="module")
def default_client():
    with TestClient(create_app(Settings(model_dir=None))) as client:
        yield client


def test_the_documented_example_is_what_the_default_model_answers(default_client):
    response = default_client.post("/classify", json=EXAMPLE_TICKET)
    assert response.json() == EXAMPLE_RESULT  # the example in /docs and the README, s002 of the samples


def test_version_reports_the_shipped_model_card(default_client):
    card = read_card(DEFAULT_MODEL_DIR)
    model = default_client.get("/version").json()["models"]["classifier"]
    assert model["version"] == card["version"]
    assert model["metrics"]["category_cv"]["macro_f1"] == card["metrics"]["category_cv"]["macro_f1"]
    assert "category/train.csv" in model["data"]["category"]
