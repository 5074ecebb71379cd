"""TextEncoder on a tiny randomly initialised BERT and a tiny unigram tokenizer built here; nothing is downloaded."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
import torch
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

from model.encoder import ENCODER_DIR_ENV, EncoderNotFound, TextEncoder, default_encoder_dir

SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"]
WORDS = ["▁query", "▁passage", ":", "▁", "小区", "物业", "停车费", "噪音", "工资"]
CHARS = list("小区物业乱收停车费夜间施工噪音扰民公司拖欠工资请问怎么办理，。？") + list("abcdefghijklmnopqrstuvwxyz")
TEXTS = ["小区物业乱收停车费。", "夜间施工噪音扰民", "公司拖欠工资三个月，请问怎么办理？", "", "abc"]


def build_tiny_encoder(directory: Path) -> Path:
    pieces = SPECIALS + WORDS + [c for c in dict.fromkeys(CHARS) if c not in WORDS]
    vocab = [(piece, 0.0 if piece in SPECIALS else -1.0 - 0.01 * i) for i, piece in enumerate(pieces)]
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=3))
    tokenizer.normalizer = normalizers.NFKC()
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace()
    tokenizer.post_processor = processors.TemplateProcessing(single="<s> $A </s>", special_tokens=[("<s>", 0),
                                                                                                    ("</s>", 2)])
    PreTrainedTokenizerFast(tokenizer_object=tokenizer, bos_token="<s>", eos_token="</s>", pad_token="<pad>",
                            unk_token="<unk>", model_max_length=64).save_pretrained(directory)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(pieces), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=64, pad_token_id=1)
    BertModel(config, add_pooling_layer=False).save_pretrained(directory)
    return directory


@pytest.fixture(scope="module")
def tiny_encoder_dir(tmp_path_factory) -> Path:
    return build_tiny_encoder(tmp_path_factory.mktemp("tiny_encoder"))


@pytest.fixture(scope="module")
def encoder(tiny_encoder_dir) -> TextEncoder:
    return TextEncoder.load(tiny_encoder_dir, threads=1)


def manual_embedding(encoder: TextEncoder, ids: list[int]) -> np.ndarray:
    with torch.no_grad():
        hidden = encoder.model(input_ids=torch.tensor([ids])).last_hidden_state[0]
    mean = hidden.mean(dim=0).numpy()
    return mean / np.linalg.norm(mean)


def test_embed_shape_dtype_and_unit_length(encoder):
    vectors = encoder.embed(TEXTS, kind="passage")
    assert vectors.shape == (len(TEXTS), 32) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert encoder.embed([]).shape == (0, 32)
    assert encoder.dim == 32


def test_prefixes_and_mean_pooling(encoder):
    for kind in ("query", "passage"):
        np.testing.assert_allclose(encoder.embed([TEXTS[0]], kind=kind)[0],
                                   manual_embedding(encoder, encoder.tokenizer(f"{kind}: {TEXTS[0]}")["input_ids"]), atol=1e-5)
    assert not np.allclose(encoder.embed([TEXTS[0]], "query"), encoder.embed([TEXTS[0]], "passage"))
    with pytest.raises(ValueError, match="kind"):
        encoder.embed(TEXTS, kind="document")


def test_batches_equal_one_by_one_and_runs_are_deterministic(encoder):
    batched = encoder.embed(TEXTS, batch_size=2)
    single = np.vstack([encoder.embed([text], batch_size=1) for text in TEXTS])
    np.testing.assert_allclose(batched, single, atol=1e-5)
    assert np.array_equal(batched, encoder.embed(TEXTS, batch_size=2))


def test_max_length_truncates(encoder):
    long_text = "小区物业乱收停车费" * 20
    short = encoder.embed([long_text], max_length=8)[0]
    ids = encoder.tokenizer("query: " + long_text, truncation=True, max_length=8)["input_ids"]
    assert len(ids) == 8
    np.testing.assert_allclose(short, manual_embedding(encoder, ids), atol=1e-5)


def test_missing_directory_and_default_location(tmp_path, monkeypatch):
    with pytest.raises(EncoderNotFound, match="training.convert_e5"):
        TextEncoder.load(tmp_path / "absent")
    monkeypatch.setenv(ENCODER_DIR_ENV, str(tmp_path / "cache"))
    assert default_encoder_dir() == tmp_path / "cache"
    with pytest.raises(EncoderNotFound):
        TextEncoder.load()


def test_encoder_module_imports_neither_training_nor_serve():
    source = Path(__file__).resolve().parent.parent / "model" / "encoder.py"
    imported = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & {"training", "serve"}
