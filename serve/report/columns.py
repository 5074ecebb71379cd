"""The columns a report reads: office headers through COLUMN_ALIASES, plus the user's own mapping
(`--columns 答复内容=reply,处理部门=unit` or a TOML/JSON file of header = canonical name pairs); and the columns its
scored tickets carry (every input column, unnamed ones included)."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path

from openpyxl.utils import get_column_letter

from training.exports import ColumnError, InputError, describe_headers, header_key, resolve_columns

REQUIRED = ("content",)
OPTIONAL = ("id", "title", "reply", "message_time", "reply_time", "unit", "label", "type",
            "completed", "on_time", "satisfied")
OUTCOMES = ("completed", "on_time", "satisfied")  # the office's own 是否办结 / 是否按期办结 / 满意度
NO_UNIT = "（未注明）"

# Values of the office's outcome columns; anything else (未评价, 未回访, empty) is left out of the rate.
_YES = {"是", "已办结", "办结", "已完成", "完成", "按期", "按期办结", "满意", "非常满意", "基本满意", "比较满意",
        "1", "true", "yes", "y", "√"}
_NO = {"否", "未办结", "办理中", "未完成", "超期", "逾期", "不满意", "非常不满意", "0", "false", "no", "n", "×"}


def outcome(value: str) -> bool | None:
    """是/否-style cell → True/False; None when the cell says neither."""
    key = header_key(value)
    return True if key in _YES else False if key in _NO else None


def parse_mapping(option: str | None) -> dict[str, str]:
    """`header=name,header=name` or a .toml/.json file of such pairs → {file header: canonical name}."""
    if not option:
        return {}
    path = Path(option)
    if path.suffix.lower() in (".toml", ".json"):
        try:
            text = path.read_text(encoding="utf-8")
            pairs = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
        except (OSError, ValueError) as error:
            raise InputError(f"cannot read the column mapping {path}: {error}") from error
        pairs = pairs.get("columns", pairs) if isinstance(pairs, dict) else None
        if not isinstance(pairs, dict) or not all(isinstance(v, str) for v in pairs.values()):
            raise InputError(f"{path}: the column mapping must be a table of header = canonical name")
    else:
        pairs = {}
        for item in filter(None, (part.strip() for part in option.split(","))):
            header, sep, name = item.partition("=")
            if not sep or not header.strip() or not name.strip():
                raise InputError(f"--columns: '{item}' is not header=name")
            pairs[header.strip()] = name.strip()
    known = [*REQUIRED, *OPTIONAL]
    unknown = sorted(set(pairs.values()) - set(known))
    if unknown:
        raise InputError(f"--columns: unknown column name(s) {', '.join(unknown)}; use {', '.join(known)}")
    return pairs


def resolve(header: Sequence[str], mapping: dict[str, str]) -> dict[str, int]:
    """Canonical name → position in the file's header: the user's mapping first, then the usual aliases."""
    by_key = {header_key(h): i for i, h in reversed(list(enumerate(header)))}
    missing = [h for h in mapping if header_key(h) not in by_key]
    if missing:
        raise ColumnError(f"--columns names header(s) not in the file: {', '.join(missing)}. "
                          f"Found: {describe_headers(header)}.")
    position = {name: by_key[header_key(h)] for h, name in mapping.items()}
    rest = [h for i, h in enumerate(header) if i not in position.values()]
    found = resolve_columns(rest, [c for c in REQUIRED if c not in position],
                            [c for c in OPTIONAL if c not in position])
    position.update({name: by_key[header_key(column)] for name, column in found.items()})
    return position


def describe(position: dict[str, int], header: Sequence[str]) -> dict[str, str]:
    """Canonical name → the file's header, in a fixed order (for the report's notes)."""
    return {name: header[position[name]] for name in (*REQUIRED, *OPTIONAL) if name in position}



def carried_header(header: Sequence[str], rows: Iterable[list[str] | None]) -> list[str]:
    """The names of the input columns the scored tickets carry: the header, widened to the widest of `rows` (a 备注
    column typed right of the last header name is carried too), a blank name replaced by its column's letter (列F)."""
    width = max([len(header), *(_filled_width(cells) for cells in rows if cells)])
    names = [*header, *[""] * (width - len(header))]
    return [name if name.strip() else f"列{get_column_letter(i + 1)}" for i, name in enumerate(names)]


def _filled_width(cells: Sequence[str]) -> int:
    """The number of cells up to the last filled one (an .xlsx row ends in formatted blank cells)."""
    return max((i + 1 for i, cell in enumerate(cells) if cell.strip()), default=0)
