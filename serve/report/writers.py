"""The report's files, written as the rows stream by: the scored tickets (.csv, and .xlsx through openpyxl's
write-only mode, so memory stays flat), the errors file, and the small summary tables. CSV files are UTF-8 with a
byte-order mark so that Excel opens the Chinese text correctly."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from model.audit_results import ELEMENT_NAMES
from serve.batch import XLSX_MAX_CHARS, XLSX_MAX_ROWS
from serve.report.scoring import RowResult

CSV_ENCODING = "utf-8-sig"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
RESULT_COLUMNS = (
    "hotline_category", "hotline_category_name", "hotline_category_score", "hotline_type", "hotline_type_score",
    "hotline_routing", "hotline_needs_review", "hotline_verdict", "hotline_redo_risk", "hotline_score",
    "hotline_shallow", "hotline_missing", "hotline_issues", "hotline_relevance", "hotline_working_days",
    "hotline_limit_days", "hotline_overdue", "hotline_error",
)
ERROR_COLUMNS = ("row", "id", "column", "reason")
# A date as the exports reader writes an Excel date cell (and as most exports write them): stored back as a date in
# tickets_scored.xlsx so that it sorts and filters as one. Numbers stay text: an id like 20240501001 would turn into
# 2.02E+10, and one like 00123 would lose its zeros.
_DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}(?::\d{2})?)?")
_DATE_FORMATS = {10: ("%Y-%m-%d", "yyyy-mm-dd"), 16: ("%Y-%m-%d %H:%M", "yyyy-mm-dd hh:mm"),
                 19: ("%Y-%m-%d %H:%M:%S", "yyyy-mm-dd hh:mm:ss")}


def result_cells(result: RowResult) -> list[Any]:
    """The hotline_* cells of one row (None where the row was not classified or audited)."""
    audited = result.verdict is not None
    return [
        result.category, result.category_name, result.category_score, result.type, result.type_score,
        result.routing, result.needs_review, result.verdict, result.redo_risk, result.score, result.shallow,
        "、".join(ELEMENT_NAMES[name] for name in result.missing) if audited else None,
        ",".join(result.issues) if audited else None, result.relevance, result.working_days, result.limit_days,
        result.overdue, "; ".join(reason for _, reason in result.problems) or None,
    ]


def _csv_writer(path: Path):
    handle = path.open("w", encoding=CSV_ENCODING, newline="")
    return handle, csv.writer(handle)


def _csv_cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula (=, +, -, @ first, and not a number) gets a leading apostrophe:
    the files are made to be opened in Excel, and their cells come from citizens."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _is_number(value):
        return "'" + value
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


class ScoredTickets:
    """tickets_scored.csv and tickets_scored.xlsx: the original cells, then the hotline_* columns."""

    def __init__(self, directory: Path, header: Sequence[str]):
        self.width = len(header)
        columns = [*header, *RESULT_COLUMNS]
        self._handle, self._csv = _csv_writer(directory / "tickets_scored.csv")
        self._csv.writerow([_csv_cell(c) for c in columns])
        self.xlsx_path = directory / "tickets_scored.xlsx"
        self._workbook = Workbook(write_only=True)
        self._sheet = self._workbook.create_sheet("tickets")
        self._sheet.append([self._xlsx_cell(c) for c in columns])
        self.xlsx_rows = 1
        self.xlsx_truncated = False

    def write(self, values: list[str] | None, result: RowResult) -> None:
        cells = [*(values or [])[:self.width], *[""] * (self.width - len(values or [])), *result_cells(result)]
        self._csv.writerow([_csv_cell(c) for c in cells])
        if self.xlsx_rows == XLSX_MAX_ROWS:
            self.xlsx_truncated = True
            return
        self._sheet.append([*(self._original_cell(c) for c in cells[:self.width]),
                            *(self._xlsx_cell(c) for c in cells[self.width:])])
        self.xlsx_rows += 1

    def _original_cell(self, value: str) -> Any:
        """An input cell for the workbook: a date as a date cell, anything else as :meth:`_xlsx_cell` writes it."""
        if _DATE_TEXT.fullmatch(value):
            parse, shown = _DATE_FORMATS[len(value)]
            try:
                cell = WriteOnlyCell(self._sheet, datetime.strptime(value, parse))
            except ValueError:  # 2024-02-30: kept as the text it is
                return self._xlsx_cell(value)
            cell.number_format = shown
            return cell
        return self._xlsx_cell(value)

    def _xlsx_cell(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        value = ILLEGAL_CHARACTERS_RE.sub("", value)[:XLSX_MAX_CHARS]
        if value.startswith("="):  # text, never a formula
            cell = WriteOnlyCell(self._sheet, value)
            cell.data_type = "s"
            return cell
        return value or None

    def close(self) -> None:
        self._handle.close()
        self._workbook.save(self.xlsx_path)


class ErrorsFile:
    """errors.csv: one line per problem, with the row number as the input file shows it."""

    def __init__(self, directory: Path):
        self._handle, self._csv = _csv_writer(directory / "errors.csv")
        self._csv.writerow(ERROR_COLUMNS)

    def write(self, number: int, ident: str, result: RowResult) -> None:
        for column, reason in result.problems:
            self._csv.writerow([_csv_cell(c) for c in (number, ident, column, reason)])

    def close(self) -> None:
        self._handle.close()


def write_table(path: Path, rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> None:
    handle, writer = _csv_writer(path)
    with handle:
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_csv_cell(row[c]) for c in columns])


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
