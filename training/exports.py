"""Reading office exports (.csv/.xlsx/.jsonl) with Chinese or English headers, row by row.

Tables are read in chunks so a large export never has to fit in memory; headers are mapped to canonical names
through :data:`COLUMN_ALIASES`, and a missing column raises :class:`ColumnError` naming what was found. Only the
standard library and openpyxl: the service and the batch commands read files without pandas or numpy.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import itertools
import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import datetime, time
from pathlib import Path

from model.text import mask_pii

COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "工单编号", "留言编号", "工单号", "编号", "序号"),
    "title": ("title", "标题", "留言主题", "主题", "诉求标题", "工单标题"),
    "content": ("content", "诉求内容", "留言详情", "留言内容", "内容", "诉求描述", "来电内容", "工单内容", "text"),
    "label": ("label", "category", "一级分类", "一级标签", "类别", "诉求分类"),
    "type": ("type", "诉求类型", "性质", "工单类型"),
    "reply": ("reply", "答复意见", "回复内容", "答复内容", "回复意见", "办理意见", "处理意见", "答复"),
    "message_time": ("message_time", "留言时间", "来信时间", "受理时间", "来电时间", "创建时间"),
    "reply_time": ("reply_time", "答复时间", "回复时间", "办结时间"),
    "unit": ("unit", "承办单位", "办理单位", "责任单位", "答复单位", "处理单位"),
    "content_source": ("content_source",),
    # The offices' own outcome columns, read by `hotline report` for 办结率, 按期办结率 and 满意率.
    "completed": ("completed", "是否办结", "办结状态", "办理状态"),
    "on_time": ("on_time", "是否按期办结", "是否按期", "按期办结"),
    "satisfied": ("satisfied", "是否满意", "满意度", "满意度评价", "评价结果", "回访结果"),
}
READABLE_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".jsonl")  # .xlsm: a workbook with macros, read as data only
# Office exports often put a title line or two ("A市12345热线工单导出（2024年5月）") above the header: the header is
# looked for among this many rows (see _find_header).
HEADER_SEARCH_ROWS = 10
DISPLACING_NAMES = 3  # known names a later row needs to be taken as the header over an earlier header-like row
CSV_FIELD_LIMIT = 64 * 1024 * 1024  # characters in one cell (the csv module's default, 131,072, rejects the file)
Record = tuple[int, list[str] | None]  # (row number in the file, its cells; None when the row cannot be read)


class InputError(ValueError):
    """The input file cannot be read as a table of tickets."""


class ColumnError(InputError):
    """Required columns are missing; the message names the columns found and the ones expected."""


HEADER_SHOWN_CHARS = 20  # a header cell quoted in a message is cut to this: without a header row, it is a ticket


def describe_headers(found: Sequence[object]) -> str:
    """The header cells for an error message: masked and cut, since a file without a header row offers its first
    ticket (phone and ID numbers included) as the header, and these messages end up in cron mails and CI logs."""
    cells = [mask_pii(str(cell)) for cell in found]
    return ", ".join(c if len(c) <= HEADER_SHOWN_CHARS else c[:HEADER_SHOWN_CHARS] + "…" for c in cells) or "no columns"


def header_key(name: object) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(name))).lower()


def resolve_columns(found: Sequence[object], required: Sequence[str], optional: Sequence[str] = ()) -> dict[str, str]:
    """Map canonical names to the file's own headers; raise ColumnError when a required one is absent."""
    by_key = {header_key(name): str(name) for name in found}
    mapping: dict[str, str] = {}
    for canonical in [*required, *optional]:
        for alias in COLUMN_ALIASES.get(canonical, (canonical,)):
            if header_key(alias) in by_key:
                mapping[canonical] = by_key[header_key(alias)]
                break
    counts = Counter(header_key(name) for name in found)
    repeated = sorted({header for header in mapping.values() if counts[header_key(header)] > 1})
    if repeated:
        raise ColumnError(f"the header(s) {', '.join(repeated)} name more than one column, so which one to read is "
                          f"unclear: rename or delete the extra column(s). Found: {describe_headers(found)}.")
    missing = [name for name in required if name not in mapping]
    if missing:
        expected = "; ".join(f"{name} (or {'/'.join(COLUMN_ALIASES.get(name, (name,))[1:4])})" for name in required)
        raise ColumnError(
            f"missing column(s): {', '.join(missing)}. Found: {describe_headers(found)}. "
            f"Expected: {expected}."
        )
    return mapping


_KNOWN_HEADERS = frozenset(header_key(alias) for aliases in COLUMN_ALIASES.values() for alias in aliases)


def _known_count(cells: Sequence[str], known: frozenset[str]) -> int:
    return sum(header_key(c) in known for c in cells if c)


def _looks_like_header(cells: Sequence[str], known: frozenset[str]) -> bool:
    """Two known column names, or one among two or more filled cells (a title line is one merged cell)."""
    hits = _known_count(cells, known)
    return hits >= 2 or (hits >= 1 and sum(bool(c.strip()) for c in cells) >= 2)


def _find_header(rows: Iterator[tuple[int, list[str]]],
                 known: frozenset[str]) -> tuple[list[str] | None, list[tuple[int, list[str]]]]:
    """The header among the first HEADER_SEARCH_ROWS rows: the first that looks like one, unless a later one names
    more known columns and at least DISPLACING_NAMES of them (a query line such as 受理时间 | 2024-05-01 至 … | 办理状态
    above the header names two; a ticket whose cells read 标题, 内容 under a header naming one does not displace it);
    else the first row. Also the rows read after it (to be yielded first). A second header row under a group heading
    (办理情况 over 承办单位 / 答复内容) is merged into it."""
    seen = list(itertools.islice(rows, HEADER_SEARCH_ROWS))
    if not seen:
        return None, []
    counts = {index: _known_count(cells, known) for index, (_, cells) in enumerate(seen)
              if _looks_like_header(cells, known)}
    if not counts:
        return seen[0][1], seen[1:]
    first = min(counts)
    best = max(counts, key=lambda index: (counts[index], -index))
    index = best if counts[best] >= DISPLACING_NAMES and counts[best] > counts[first] else first
    header, after = seen[index][1], seen[index + 1:]
    if after and (merged := _merged_header(header, after[0][1], known)) is not None:
        return merged, after[1:]
    return header, after


def _merged_header(header: Sequence[str], below: Sequence[str], known: frozenset[str]) -> list[str] | None:
    """`header` completed with the column names of the row under it, when that row is a second header row: every
    filled cell a known name or the cell above repeated, and at least one known name under a blank or unknown cell."""
    pairs = list(itertools.zip_longest(header, below, fillvalue=""))
    filled = [(upper, lower) for upper, lower in pairs if lower.strip()]

    def names_the_column(upper: str, lower: str) -> bool:
        return header_key(lower) in known and header_key(upper) not in known

    if not any(names_the_column(upper, lower) for upper, lower in filled):
        return None
    if not all(header_key(lower) in known or lower.strip() == upper.strip() for upper, lower in filled):
        return None
    return [lower if lower.strip() and names_the_column(upper, lower) else upper for upper, lower in pairs]


def _delimiter(head: str, known: frozenset[str]) -> str:
    """The delimiter that splits one of the opening lines into a header (comma, then tab, then semicolon); without
    one, whichever the first line has most of."""
    for delimiter in (",", "\t", ";"):
        try:
            if any(_looks_like_header(row, known) for row in csv.reader(io.StringIO(head), delimiter=delimiter)):
                return delimiter
        except csv.Error:
            continue
    first_line = head.split("\n", 1)[0]
    return max((",", "\t", ";"), key=lambda d: (first_line.count(d), d == ","))


# A totals line (合计 / 合计：5件 / 共计5条) or a footer line (制表人：… / 导出时间：…) under the tickets.
_TOTALS = {"合计", "总计", "小计"}
_FOOTER = re.compile(r"(?:合计|总计|小计|共计)[:：]?\s*\d+\s*[条件项单个]?$|(?:制表|填表|审核|统计|导出|打印)(?:人|时间|日期|单位)?[:：]")
FOOTER_MAX_CELLS = 3  # a footer line fills a cell or three


def _not_a_ticket(cells: Sequence[str], header: Sequence[str]) -> bool:
    """A wholly blank row, the header repeated (exports pasted together month by month: every filled cell is its
    column's name), a totals line (合计 …) or a footer line (制表人：…)."""
    filled = [c.strip() for c in cells if c.strip()]
    if not filled:
        return True
    if filled[0] in _TOTALS or (_FOOTER.match(filled[0]) and len(filled) <= FOOTER_MAX_CELLS):
        return True
    same = [c.strip() == h.strip() for c, h in zip(cells, header) if c.strip()]
    return len(same) >= 2 and all(same)


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime) and value.time() == time(0):  # a date cell: Excel stores dates as midnight
        return value.date().isoformat()
    return str(value)


def _text_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM), UTF-16 with its BOM (Excel's "Unicode text"), or GB18030 for the GBK files Excel
    writes on Chinese Windows."""
    with path.open("rb") as handle:
        head = handle.read(65536)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    whole = len(head) < 65536
    for encoding in ("utf-8-sig", "gb18030"):
        try:  # incrementally: a character cut by the 64 KiB boundary is not an error
            codecs.getincrementaldecoder(encoding)().decode(head, final=whole)
            return encoding
        except UnicodeDecodeError:
            continue
    return "utf-8-sig"  # reading fails with a clear message naming the byte


_ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "gb18030": "GBK", "utf-16": "UTF-16",
                   "utf-16-le": "UTF-16", "utf-16-be": "UTF-16"}


def _undecodable_place(path: Path, encoding: str) -> str:
    """Where the first byte that `encoding` cannot decode is, as a text editor shows it: "line L (byte B)". The
    decoder's own offset counts from the block it was given, so the file is decoded again line by line."""
    decoder = codecs.getincrementaldecoder(encoding)()
    line, offset = 1, 0
    with path.open("rb") as handle:
        for raw in handle:
            try:
                decoder.decode(raw)
            except UnicodeDecodeError as error:
                return f"line {line} (byte {offset + max(error.start, 0)} of the file) cannot be decoded"
            line += 1
            offset += len(raw)
    return "its last bytes cannot be decoded"


def _chunks(header: list[str], rows: Iterator[tuple[int, list[str]]],
            chunk_size: int) -> Iterator[tuple[list[str], list[Record]]]:
    """Group the data rows after the header; rows that are not tickets are skipped (their numbers still count)."""
    chunk: list[Record] = []
    for number, cells in rows:
        if _not_a_ticket(cells, header):
            continue
        chunk.append((number, cells))
        if len(chunk) == chunk_size:
            yield header, chunk
            chunk = []
    yield header, chunk


SWALLOWED_ROWS = 2  # lines inside one cell that read as rows of the file before the cell counts as swallowing them
_ID_KEYS = frozenset(header_key(alias) for alias in COLUMN_ALIASES["id"])


def _shape(text: str) -> str:
    """The outline of an id: runs of digits as 9, of Latin letters as a, anything else as itself (T0012 → a9)."""
    return re.sub(r"(.)\1+", r"\1", re.sub(r"[A-Za-z]", "a", re.sub(r"\d", "9", text)))


def _unclosed_quotes_refused(rows: Iterator[tuple[int, list[str]]], header: Sequence[str], delimiter: str,
                             path: Path) -> Iterator[tuple[int, list[str]]]:
    """The rows, unless a cell opens with a quote that is not closed where the cell ends (我要投诉"… written without
    doubling the quote): the csv reader then reads the following lines into that one cell, rows and all, and they
    would be lost without a word. Such a cell holds lines that split into as many cells as the header has and, where
    the file has an id column, start (at that column) with an id shaped like the row's own; without an id column,
    only a cell that runs to the end of the file, its last line break included, is taken for one (a letter whose
    lines hold sums like 8,713,200 splits into as many cells)."""
    id_column = next((i for i, name in enumerate(header) if header_key(name) in _ID_KEYS), None)
    pending: tuple[int, list[str]] | None = None
    for row in itertools.chain(rows, [None]):
        if pending is not None:
            _refuse_swallowing(pending, header, delimiter, id_column, path, last=row is None)
            yield pending
        pending = row


def _refuse_swallowing(row: tuple[int, list[str]], header: Sequence[str], delimiter: str, id_column: int | None,
                       path: Path, last: bool) -> None:
    number, cells = row
    width = len(header)
    own_id = cells[id_column].strip() if id_column is not None and id_column < len(cells) else ""
    for column, cell in enumerate(cells):
        if "\n" not in cell or width < 2 or not (own_id or (last and cell.endswith("\n"))):
            continue
        lines = [line for line in cell.split("\n")[1:] if line.strip()]
        fields = [next(csv.reader([line], delimiter=delimiter), []) for line in lines]
        rowlike = sum(len(f) >= width and (not own_id or (_shape(f[id_column].strip()) == _shape(own_id) and
                                                          abs(len(f[id_column].strip()) - len(own_id)) <= 3))
                      for f in fields)
        if rowlike >= SWALLOWED_ROWS:
            name = header[column] if column < len(header) else f"column {column + 1}"
            raise InputError(
                f"{path.name}: row {number}, column {name!r}: the cell opens with a quote that is never closed, so "
                f"the {len(lines)} lines after it were read into that one cell ({rowlike} of them look like rows). "
                f"In a CSV a quote inside a cell is written twice (\"\"); fix it and run again")


def _csv_chunks(path: Path, chunk_size: int, known: frozenset[str]) -> Iterator[tuple[list[str], list[Record]]]:
    csv.field_size_limit(CSV_FIELD_LIMIT)
    with path.open("r", encoding=_text_encoding(path), newline="") as handle:
        head = "".join(handle.readline() for _ in range(HEADER_SEARCH_ROWS))
        handle.seek(0)
        delimiter = _delimiter(head, known)
        rows = enumerate(csv.reader(handle, delimiter=delimiter), start=1)  # numbered as Excel does
        header, after = _find_header(rows, known)
        if header is None:
            raise InputError(f"{path.name} is empty: no header row")
        checked = _unclosed_quotes_refused(itertools.chain(after, rows), header, delimiter, path)
        yield from _chunks(header, checked, chunk_size)


def _xlsx_chunks(path: Path, chunk_size: int, known: frozenset[str],
                 sheet: str | None = None) -> Iterator[tuple[list[str], list[Record]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise InputError(f"{path.name} is not a readable Excel file ({type(error).__name__}: {error})") from error
    try:
        if sheet is None:
            rows, header, after = _data_sheet(workbook, known)
        else:
            rows = _sheet_rows(_chosen_sheet(workbook, sheet, path))
            header, after = _find_header(rows, known)
        if header is None:
            raise InputError(f"{path.name} is empty: " + ("no sheet has a header row" if sheet is None
                                                          else f"sheet {sheet!r} has no rows"))
        yield from _chunks(header, itertools.chain(after, rows), chunk_size)
    finally:
        workbook.close()


def _chosen_sheet(workbook, sheet: str, path: Path):
    """The sheet named `sheet`, or the n-th one when `sheet` is a number that names none (1 is the first)."""
    names = workbook.sheetnames
    if sheet in names:
        return workbook[sheet]
    if sheet.strip().isdigit() and 1 <= int(sheet) <= len(names):
        return workbook.worksheets[int(sheet) - 1]
    raise InputError(f"{path.name} has no sheet {sheet!r}; its sheets: {', '.join(names)} (or 1–{len(names)})")


_MERGE_REF = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]+)(\d+):[A-Z]+(\d+)"')


def _vertical_merges(sheet) -> set[tuple[int, int, int]]:
    """Cells merged down several rows (承办单位 written once for a unit's block of tickets), as (column index, top row,
    bottom row). Read-only sheets do not parse merges, so the list at the end of the sheet's XML is scanned; a sheet
    that cannot be scanned is read without them."""
    from openpyxl.utils import column_index_from_string

    refs: set[tuple[bytes, bytes, bytes]] = set()
    try:
        with sheet._get_source() as source:
            tail = b""
            while block := source.read(1 << 20):
                text = tail + block
                refs.update(_MERGE_REF.findall(text))
                tail = text[-256:]  # a tag cut by the block boundary is whole in the next window
    except (AttributeError, OSError, KeyError, ValueError):
        return set()
    return {(column_index_from_string(col.decode()) - 1, int(top), int(bottom))
            for col, top, bottom in refs if int(bottom) > int(top)}


_ZERO_PADDED = re.compile(r"0{2,}")  # a number format such as 00000: Excel shows 123 as 00123


def _sheet_cell(cell) -> str:
    """A cell's text as Excel shows it where that matters for an id: a whole number in a zero-padded format keeps
    its zeros (123 formatted 00000 reads 00123)."""
    value = cell.value
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer() and value >= 0:
        fmt = getattr(cell, "number_format", None) or ""
        if _ZERO_PADDED.fullmatch(fmt):
            return str(int(value)).zfill(len(fmt))
    return _cell(value)


def _sheet_rows(sheet) -> Iterator[tuple[int, list[str]]]:
    """The sheet's rows as text cells, numbered as the sheet shows them (read-only sheets yield empty rows too), with
    vertically merged cells filled down as Excel shows them."""
    try:
        merges = _vertical_merges(sheet)
    except Exception as error:  # the sheet's XML itself is broken
        raise InputError(f"sheet {sheet.title!r} cannot be read ({type(error).__name__})") from None
    if hasattr(sheet, "reset_dimensions"):  # read-only: some exporters write a wrong <dimension>, which would cut rows
        sheet.reset_dimensions()
    tops: dict[int, list[int]] = {}
    below: dict[int, list[tuple[int, int]]] = {}
    for column, top, bottom in merges:
        tops.setdefault(top, []).append(column)
        for row in range(top + 1, bottom + 1):
            below.setdefault(row, []).append((column, top))
    kept: dict[tuple[int, int], str] = {}
    cells_of_rows = sheet.iter_rows()
    number = 0
    while True:
        try:
            row = next(cells_of_rows, None)
        except Exception as error:  # broken XML, a bad CRC, a cell that is not what its type says; the message may
            # quote the cell (a phone number), so only the kind of error is named
            raise InputError(f"sheet {sheet.title!r} cannot be read after row {number} ({type(error).__name__}): "
                             f"the file is damaged; open it in Excel and save it again") from None
        if row is None:
            return
        number += 1
        cells = [_sheet_cell(cell) for cell in row]
        for column in tops.get(number, ()):
            kept[(number, column)] = cells[column] if column < len(cells) else ""
        for column, top in below.get(number, ()):
            cells.extend([""] * (column + 1 - len(cells)))
            if not cells[column]:
                cells[column] = kept.get((top, column), "")
        yield number, cells


def _data_sheet(workbook, known: frozenset[str]
                ) -> tuple[Iterator[tuple[int, list[str]]], list[str] | None, list[tuple[int, list[str]]]]:
    """The rows of the sheet whose header names the most known columns, the first of equals (a cover sheet, a
    table of contents with 序号/内容 or an empty first sheet is passed over), else of the first sheet: (row
    iterator, header, rows read after the header)."""
    first = best = None
    best_count = 0
    for sheet in workbook.worksheets:
        rows = _sheet_rows(sheet)
        header, after = _find_header(rows, known)
        first = first or (rows, header, after)
        if header is not None and _looks_like_header(header, known) and _known_count(header, known) > best_count:
            best, best_count = (rows, header, after), _known_count(header, known)
    return best or first


def _jsonl_objects(path: Path) -> Iterator[tuple[int, dict | None]]:
    """(line number, object) for each non-blank line; None for a line that is not a JSON object."""
    with path.open("r", encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                record = None
            yield number, record if isinstance(record, dict) else None


def _json_cell(value: object) -> str:
    """A JSON value as the text of a cell: true/false and nested objects or lists as JSON, not as Python writes them."""
    if isinstance(value, bool | dict | list):
        return json.dumps(value, ensure_ascii=False)
    return _cell(value)


def _jsonl_chunks(path: Path, chunk_size: int, known: frozenset[str]) -> Iterator[tuple[list[str], list[Record]]]:
    """JSON lines: the header is every key any object has, in the order first seen (serialisers leave out empty
    fields, so the first ticket may lack a reply or a time that later ones have); a broken line becomes a row of
    None. The file is read twice: once for the keys, once for the rows."""
    keys: dict[str, None] = {}
    for _, record in _jsonl_objects(path):
        keys.update(dict.fromkeys(record or ()))
    if not keys:
        raise InputError(f"{path.name} is empty" if next(_jsonl_objects(path), None) is None
                         else f"{path.name}: no line is a JSON object")
    header = list(keys)
    chunk: list[Record] = []
    for number, record in _jsonl_objects(path):
        chunk.append((number, [_json_cell(record.get(k)) for k in header] if record is not None else None))
        if len(chunk) == chunk_size:
            yield header, chunk
            chunk = []
    yield header, chunk


def iter_records(path: str | Path, chunk_size: int = 1000, extra_headers: Sequence[str] = (),
                 sheet: str | None = None) -> Iterator[tuple[list[str], list[Record]]]:
    """Yield (header, records) chunks of the file as it is: each record is (row number, cells), its cells None
    when the row cannot be read. Row numbers are those a spreadsheet shows (title lines above the header and rows
    that are not tickets are skipped but counted); in JSONL, line numbers (blank lines skipped). `extra_headers`:
    column names the caller maps itself (`--columns`), recognised as header names next to COLUMN_ALIASES. `sheet`:
    the .xlsx sheet to read, by name or number (default: the sheet whose header names the most known columns)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path} does not exist or is not a file")
    readers = {".csv": _csv_chunks, ".xlsx": _xlsx_chunks, ".xlsm": _xlsx_chunks, ".jsonl": _jsonl_chunks}
    reader = readers.get(path.suffix.lower())
    if reader is None:
        raise InputError(f"{path.name}: unsupported file type; use one of {', '.join(READABLE_SUFFIXES)}")
    known = _KNOWN_HEADERS | {header_key(h) for h in extra_headers}
    if sheet is not None:
        if reader is not _xlsx_chunks:
            raise InputError(f"{path.name}: a sheet can only be chosen in an .xlsx (or .xlsm) file")
        reader = functools.partial(_xlsx_chunks, sheet=sheet)
    try:
        yield from reader(path, chunk_size, known)
    except UnicodeDecodeError as error:
        raise InputError(f"{path.name} is not {_ENCODING_NAMES.get(error.encoding, error.encoding)} text: "
                         f"{_undecodable_place(path, error.encoding)} ({error.reason})") from None
    except csv.Error as error:
        raise InputError(f"{path.name} is not valid CSV: {error}") from error


def iter_table(path: str | Path, required: Sequence[str], optional: Sequence[str] = (),
               chunk_size: int = 1000, sheet: str | None = None) -> Iterator[list[dict[str, str] | None]]:
    """Yield chunks of rows as dicts of canonical columns; an unreadable row is yielded as None."""
    mapping: dict[str, str] | None = None
    for header, records in iter_records(path, chunk_size, sheet=sheet):
        if mapping is None:
            mapping = resolve_columns(header, required, optional)
            position = {name: header.index(column) for name, column in mapping.items()}
        yield [
            {name: (record[i] if i < len(record) else "") for name, i in position.items()}
            if record is not None else None
            for _, record in records
        ]
