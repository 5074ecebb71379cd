"""The service on the shipped default model and auditor, loaded at start-up from the settings' defaults."""

import pytest
from fastapi.testclient import TestClient

from model.artifacts import read_card
from model.auditor import DEFAULT_AUDITOR_DIR
from model.classifier import DEFAULT_MODEL_DIR
from serve.app import create_app
from serve.schemas import EXAMPLE_AUDIT, EXAMPLE_REPLY, EXAMPLE_RESULT, EXAMPLE_TICKET
from serve.settings import Settings


@pytest.fixture(scope="module")
def default_client():
    with TestClient(create_app(Settings(model_dir=None, auditor_dir=None))) as client:
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


def test_the_documented_audit_example_is_what_the_default_auditor_answers(default_client):
    response = default_client.post("/audit", json=EXAMPLE_REPLY)
    assert response.json() == EXAMPLE_AUDIT  # the example in /docs, r010 of the sample replies


def test_version_reports_the_shipped_auditor_card(default_client):
    card = read_card(DEFAULT_AUDITOR_DIR)
    info = default_client.get("/version").json()
    auditor = info["models"]["auditor"]
    assert auditor["version"] == card["version"] and auditor["data"] == card["training_data"]
    assert auditor["metrics"]["gold_dev"]["verdict"] == card["metrics"]["gold_dev"]["verdict"]
    assert info["redo_threshold"] == card["redo_threshold"]
    assert info["element_thresholds"] == card["element_thresholds"]


def test_the_default_auditor_holds_an_explanation_against_a_complaint_more_than_against_an_inquiry(default_client):
    """The rubric takes an answer as an inquiry's result, while a complaint wants the matter handled."""
    reply = {"title": "小区门口公交站何时恢复", "content": "小区门口的公交站撤了，什么时候恢复？",
             "reply": "您好！经核实，该站点因道路施工临时撤销，施工结束后由公交公司统一安排。感谢您的关注。"}
    risks = {kind: default_client.post("/audit", json={**reply, "id": kind, "type": kind}).json()["redo_risk"]
             for kind in ("咨询", "投诉")}
    assert risks["投诉"] > risks["咨询"]
