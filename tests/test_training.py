"""`hotline train classifier` on an office's own file: model directory, card, reproducibility, the sheet read;
grouped splits."""

import json
from dataclasses import replace

import numpy as np
import pytest
from sklearn.metrics import f1_score
from typer.testing import CliRunner

from model.classifier import TicketClassifier
from model.results import Ticket
from serve.cli import app
from tests.conftest import SAMPLES
from training.data import group_keys, grouped_split
from training.fit_classifier import fit_temperature

runner = CliRunner()


def test_train_on_an_office_file_writes_a_loadable_model_with_a_card(tmp_path):
    out = tmp_path / "model"
    result = runner.invoke(app, ["train", "classifier", "--data", str(SAMPLES / "tickets.csv"),
                                 "--data-dir", str(tmp_path / "no_shared_data"), "--output-dir", str(out)])
    assert result.exit_code == 0, result.output
    card = json.loads((out / "model_card.json").read_text(encoding="utf-8"))
    assert "tickets.csv" in card["data"]["category"] and "type column" in card["data"]["type"]
    assert "n-grams of all 70 messages of tickets.csv (labels unread)" in card["data"]["type"]
    held_out = card["metrics"]["category_cv"]
    assert held_out["n"] == 70 and set(held_out["per_class"]) == set(card["components"]["category"]["labels"])
    assert "cross-validation" in card["split"]["category_cv"] and "type_gold_dev" not in card["metrics"]
    classifier = TicketClassifier.load(out)
    assert classifier.version == card["version"]
    assert len(classifier.category.labels) == 7 and "macro-F1" in result.output


def test_training_on_a_file_with_one_label_fails_with_a_message_not_a_traceback(tmp_path):
    source = tmp_path / "one_label.csv"
    source.write_text("id,title,content,label\n" + "".join(f"{i},工资拖欠{i},老板拖欠工资{i}个月,劳动和社会保障\n"
                                                            for i in range(20)), encoding="utf-8")
    result = runner.invoke(app, ["train", "classifier", "--data", str(source), "--data-dir", str(tmp_path),
                                 "--output-dir", str(tmp_path / "m")])
    assert result.exit_code == 2 and "at least two different labels" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not (tmp_path / "m").exists()


def test_the_tokenise_limit_travels_with_the_model(tmp_path):
    result = runner.invoke(app, ["train", "classifier", "--data", str(SAMPLES / "tickets.csv"), "--data-dir",
                                 str(tmp_path), "--output-dir", str(tmp_path / "m"), "--tokenise-limit", "12"])
    assert result.exit_code == 0, result.output
    classifier = TicketClassifier.load(tmp_path / "m")
    assert classifier.tokenise_limit == 12
    doc = classifier.prepare(Ticket(title="A3区物业乱收费", content="物业公司每月多收停车费两百元，业主意见很大"))
    assert "".join(doc.tokens) == doc.text[:12].replace("。", "") and doc.text.endswith("业主意见很大")


def test_training_is_reproducible(tmp_path):
    versions = []
    for name in ("a", "b"):
        result = runner.invoke(app, ["train", "classifier", "--data", str(SAMPLES / "tickets.csv"), "--data-dir",
                                     str(tmp_path), "--output-dir", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        versions.append(json.loads((tmp_path / name / "model_card.json").read_text(encoding="utf-8"))["version"])
    assert versions[0] == versions[1]


def test_grouped_split_keeps_near_duplicates_together():
    titles = ["物业乱收费", "物业乱收费", "", "", "路灯坏了"]
    night_works = "A3区某工地每天夜间施工到凌晨两点，噪音很大"
    contents = ["A 区 物业", "A区物业收费太高", night_works, night_works + "，还有粉尘", "小区路灯"]
    groups = group_keys(titles, contents)
    assert groups[0] == groups[1] and groups[2] == groups[3] and groups[0] != groups[4]
    for seed in range(5):
        train, test = grouped_split(groups, 0.4, seed)
        assert not set(groups[train]) & set(groups[test])


def test_temperature_scaling_sharpens_or_softens_without_changing_the_argmax():
    rng = np.random.default_rng(0)
    gold = rng.integers(0, 3, 300)
    scores = rng.normal(size=(300, 3))
    scores[np.arange(300), gold] += 3.0  # confident and right: T < 1 sharpens
    assert fit_temperature(scores, gold) < 1.0
    noisy = rng.normal(size=(300, 3)) * 5  # big scores that mean nothing: T > 1 softens
    assert fit_temperature(noisy, gold) > 1.0


def test_nbsvm_folds_its_scaling_into_one_linear_scorer():
    from scipy import sparse

    from training.nbsvm import NBSVMClassifier

    rng = np.random.default_rng(0)
    dense = rng.random((60, 12)) * (rng.random((60, 12)) > 0.6)
    y = np.array(["甲", "乙", "丙"])[rng.integers(0, 3, 60)]
    dense[:, 0] = (y == "甲") * 2.0  # a feature that gives 甲 away
    X = sparse.csr_matrix(dense)
    model = NBSVMClassifier(C=1.0).fit(X, y)
    scores = model.decision_function(X)
    np.testing.assert_allclose(scores, X @ model.coef_.T + model.intercept_)
    assert (model.predict(X)[y == "甲"] == "甲").all()
    assert model.coef_[list(model.classes_).index("甲"), 0] > 0


def test_fit_auditor_reports_out_of_fold_metrics(sample_replies, tiny_classifier):
    from model.audit_asking import AskingReader
    from tests.conftest import TINY_AUDITOR_ARGS
    from training.evaluate_audit import best_threshold
    from training.fit_auditor import fit_auditor

    asking = AskingReader(tiny_classifier.request_type)
    auditor, metrics = fit_auditor(sample_replies, TINY_AUDITOR_ARGS, asking)
    assert metrics["n"] == 40 and 0.2 <= metrics["verdict"]["threshold"] <= 0.8
    assert auditor.redo_threshold == metrics["verdict"]["threshold"]
    assert set(metrics["elements"]) == {"org", "time", "process", "result", "contact"}
    scored = [metrics["verdict"]["f1"]] + [metrics["elements"][e]["f1"] for e in ("org", "time", "process", "result")]
    assert metrics["weakest_f1"] == min(scored)
    for name, element in metrics["elements"].items():  # each element read at its own out-of-fold threshold
        assert 0.2 <= element["threshold"] <= 0.8 and auditor.element_thresholds[name] == element["threshold"]
    fixed, fixed_metrics = fit_auditor(sample_replies, replace(TINY_AUDITOR_ARGS, tune_element_thresholds=False),
                                        asking)
    assert set(fixed.element_thresholds.values()) == {0.5}
    assert fixed_metrics["elements"]["time"]["f1"] <= metrics["elements"]["time"]["f1"]
    gold = np.array([0, 0, 1, 1])
    assert best_threshold(gold, np.array([0.1, 0.3, 0.6, 0.9])) in np.round(np.arange(0.31, 0.61, 0.01), 2)


def test_an_element_threshold_sits_on_a_broad_f1_plateau_not_on_a_lone_spike():
    from training.evaluate_audit import best_threshold

    # ten sound replies far down, one at 0.605; positives from 0.61 up: F1 is 1.0 at 0.61 only (recall falls right
    # after it) and 0.95 all the way from 0.2 to 0.60
    risk = np.array([0.1] * 10 + [0.605] + [0.61 + 0.01 * i for i in range(10)])
    gold = np.array([0] * 11 + [1] * 10)
    assert f1_score(gold, risk >= 0.61) == 1.0 > f1_score(gold, risk >= 0.5)
    assert 0.2 < best_threshold(gold, risk) < 0.6  # on the plateau, not at the spike


def test_the_redo_threshold_is_the_lowest_of_a_flat_f1_band():
    from training.evaluate_audit import best_threshold, recall_leaning_threshold

    gold = np.array([0, 0, 1, 1])
    risk = np.array([0.1, 0.3, 0.6, 0.9])  # F1 is 1.0 for every threshold in (0.30, 0.60]
    assert recall_leaning_threshold(gold, risk) == 0.31 < best_threshold(gold, risk)
    gold, risk = np.array([0, 1, 0, 1, 1]), np.array([0.25, 0.35, 0.5, 0.7, 0.9])
    # F1 0.75 below 0.26, 0.857 from 0.26 to 0.35: a tolerance of 0.11 reaches down to 0.2, one of 0.005 does not
    assert recall_leaning_threshold(gold, risk) == 0.26
    assert recall_leaning_threshold(gold, risk, tolerance=0.11) == 0.2


def test_every_package_resource_folder_is_packaged():
    """An editable install hides a resource folder missing from package-data; a wheel would ship without it."""
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    package_data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-data"]
    for package in ("model", "training", "serve"):
        if (root / package / "resources").is_dir():
            assert any(pattern.startswith("resources/") for pattern in package_data.get(package, [])), package


def _labelled_workbook(path, source, first_rows):
    """An .xlsx whose first sheet holds the first `first_rows` rows of `source` and whose sheet "全部" holds all."""
    import pandas as pd
    from openpyxl import Workbook

    frame = pd.read_csv(source, dtype=str).fillna("")
    workbook = Workbook()
    workbook.active.title = "样例"
    for title, rows in (("样例", frame.head(first_rows)), ("全部", frame)):
        sheet = workbook[title] if title in workbook.sheetnames else workbook.create_sheet(title)
        sheet.append(list(frame.columns))
        for row in rows.itertuples(index=False):
            sheet.append(list(row))
    workbook.save(path)
    return len(frame)


def test_training_and_evaluation_read_the_sheet_given(tmp_path, tiny_model_dir, tiny_auditor_dir):
    tickets = tmp_path / "tickets.xlsx"
    total = _labelled_workbook(tickets, SAMPLES / "tickets.csv", 30)
    out = tmp_path / "model"
    result = runner.invoke(app, ["train", "classifier", "--data", str(tickets), "--sheet", "全部",
                                 "--data-dir", str(tmp_path / "no_shared_data"), "--output-dir", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads((out / "model_card.json").read_text(encoding="utf-8"))["metrics"]["category_cv"]["n"] == total
    for sheet, n in (([], 30), (["--sheet", "2"], total)):
        result = runner.invoke(app, ["evaluate", "classifier", "--data", str(tickets), "--model", str(tiny_model_dir),
                                     "--json", *sheet])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["category"]["n"] == n
    replies = tmp_path / "replies.xlsx"
    total = _labelled_workbook(replies, SAMPLES / "sample_replies.csv", 12)
    result = runner.invoke(app, ["evaluate", "auditor", "--data", str(replies), "--model", str(tiny_auditor_dir),
                                 "--json", "--sheet", "全部"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["replies.xlsx"]["n"] == total


@pytest.mark.parametrize("command", [["train", "classifier"], ["train", "auditor"], ["evaluate", "classifier"],
                                     ["evaluate", "auditor"]])
def test_a_sheet_without_its_file_or_of_a_csv_exits_2(tmp_path, command):
    alone = runner.invoke(app, [*command, "--sheet", "2"])
    assert alone.exit_code == 2 and "--data" in alone.output, alone.output
    source = SAMPLES / ("sample_replies.csv" if command[1] == "auditor" else "tickets.csv")
    of_csv = runner.invoke(app, [*command, "--data", str(source), "--sheet", "2",
                                 *(["--output-dir", str(tmp_path / "m")] if command[0] == "train" else [])])
    assert of_csv.exit_code == 2 and "only be chosen in an .xlsx" in " ".join(of_csv.output.split()), of_csv.output


def test_a_labelled_csv_whose_name_reads_as_a_pattern_is_read_as_named(tmp_path):
    from training.data import load_labelled

    source = tmp_path / "replies[may].csv"
    source.write_text("id,content,label\n1,路灯坏了,城乡建设\n2,工资拖欠,劳动和社会保障\n", encoding="utf-8")
    frame = load_labelled(source, required=["id", "content", "label"])
    assert frame["id"].tolist() == ["1", "2"] and frame["label"].tolist() == ["城乡建设", "劳动和社会保障"]


def test_audit_metrics_decide_the_verdict_as_the_auditor_does():
    import pandas as pd

    from training.evaluate_audit import audit_metrics

    frame = pd.DataFrame({"verdict": ["redo", "pass", "pass", "redo"], "org": 1, "time": 1, "process": 1,
                          "result": [0, 1, 1, 0], "contact": 0})
    risk = np.array([0.1, 0.1, 0.9, 0.9])  # the first has no result: redo whatever its risk
    element_p = np.tile([0.9, 0.9, 0.9, 0.9, 0.1], (4, 1))
    element_p[0, 3] = element_p[3, 3] = 0.2
    thresholds = dict.fromkeys(("org", "time", "process", "result", "contact"), 0.5)
    praise = np.array([False, False, True, False])  # the third praises: it passes
    metrics = audit_metrics(frame, element_p, risk, 0.5, thresholds, praise=praise)
    assert metrics["verdict"]["f1"] == 1.0 and metrics["elements"]["result"]["f1"] == 1.0
    assert audit_metrics(frame, element_p, risk, 0.5, thresholds)["verdict"]["precision"] == round(2 / 3, 4)
