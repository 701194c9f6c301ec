"""Excel workbooks for reports and exports, written in openpyxl write-only mode.

Memory stays flat however many rows stream through. Every report sheet has a
title row naming the report, a line with the period and the time of export,
Chinese headers (merged above column groups), column widths, number and percent
formats, a frozen header and, where asked, a totals row computed from the rows
written. Text that Excel could evaluate as a formula is written as a literal
string (SECURITY.md: exported text is never evaluated as a formula).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, BinaryIO, Literal
from urllib.parse import quote

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

Kind = Literal["text", "integer", "money", "percent", "date", "datetime"]

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NUMBER_FORMATS: dict[str, str] = {
    "integer": "#,##0",
    "money": "#,##0.00",
    "percent": "0.00%",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm:ss",
}
SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
FILENAME_FORBIDDEN = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')

_TITLE_FONT = Font(bold=True, size=14)
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="EEF1F5")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP = Alignment(vertical="top", wrap_text=True)


@dataclass(frozen=True)
class Column:
    """One column of a report: its key in the row dicts, header, width and format.

    ``total`` is ``"sum"`` to add the column up in the totals row, ``"ratio"``
    with ``ratio_of=(numerator_key, denominator_key)`` to divide two totals
    (percent columns: the total of a percentage is never the sum of percentages),
    or ``"change"`` with ``ratio_of=(current_key, previous_key)`` for the change
    against a previous figure, ``(current - previous) / previous`` (同比增长).
    ``group`` puts a merged header above consecutive columns that share it.
    """

    key: str
    header: str
    width: float = 14
    kind: Kind = "text"
    total: Literal["", "sum", "ratio", "change"] = ""
    ratio_of: tuple[str, str] | None = None
    group: str = ""


def needs_literal(value: str) -> bool:
    """True when Excel (or another spreadsheet) would read the text as a formula."""
    return value.startswith(FORMULA_TRIGGERS)


def sheet_title(name: str) -> str:
    """A valid sheet name: no []:*?/\\ characters, at most 31 characters, never empty."""
    cleaned = SHEET_TITLE_FORBIDDEN.sub("_", unicodedata.normalize("NFKC", name)).strip("' ")
    return (cleaned or "Sheet")[:31]


def export_filename(name: str, *, suffix: str = ".xlsx") -> str:
    """A safe download name that keeps Chinese: no path parts, control characters or leading dots."""
    cleaned = FILENAME_FORBIDDEN.sub("_", unicodedata.normalize("NFKC", name)).strip(" .")
    cleaned = cleaned[:100] or "export"
    return cleaned if cleaned.endswith(suffix) else cleaned + suffix


def content_disposition(filename: str) -> str:
    """RFC 6266 header value with an ASCII fallback and the UTF-8 name."""
    safe = export_filename(filename)
    ascii_name = safe.encode("ascii", "ignore").decode() or "export.xlsx"
    if not ascii_name.endswith(".xlsx"):
        ascii_name = "export.xlsx"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(safe)}"


class ReportSheet:
    """A sheet with title, period line, headers, streamed rows and an optional totals row."""

    def __init__(
        self,
        workbook: Workbook,
        *,
        title: str,
        period: str,
        columns: Sequence[Column],
        exported_at: datetime | None = None,
        name: str | None = None,
    ) -> None:
        self.ws = workbook.create_sheet(sheet_title(name or title))
        self.columns = list(columns)
        self.rows_written = 0
        self._sheet_rows = 0  # every row appended so far, head and notes included
        self._sums: dict[str, Decimal] = {c.key: Decimal(0) for c in self.columns if c.total or c.ratio_of}
        for c in self.columns:
            if c.ratio_of:
                self._sums.setdefault(c.ratio_of[0], Decimal(0))
                self._sums.setdefault(c.ratio_of[1], Decimal(0))
        self._styles: dict[str, str] = {c.key: NUMBER_FORMATS[c.kind] for c in self.columns if c.kind in NUMBER_FORMATS}
        self._write_head(title, period, exported_at or timezone.localtime())

    def _append(self, cells: list[Any]) -> int:
        self.ws.append(cells)
        self._sheet_rows += 1
        return self._sheet_rows

    def _styled(self, value: Any, **style: Any) -> WriteOnlyCell:
        cell = value if isinstance(value, Cell) else WriteOnlyCell(self.ws, value=value)
        for name, setting in style.items():
            setattr(cell, name, setting)
        return cell

    def _write_head(self, title: str, period: str, exported_at: datetime) -> None:
        ws, width = self.ws, len(self.columns)
        last = get_column_letter(width)
        grouped = any(c.group for c in self.columns)
        header_rows = 2 if grouped else 1
        for index, column in enumerate(self.columns, start=1):
            ws.column_dimensions[get_column_letter(index)].width = column.width
        ws.freeze_panes = f"A{3 + header_rows}"
        ws.merged_cells.add(f"A1:{last}1")
        ws.merged_cells.add(f"A2:{last}2")
        self._append([self._styled(self._text(title), font=_TITLE_FONT)])
        if timezone.is_aware(exported_at):
            exported_at = timezone.localtime(exported_at)
        stamp = exported_at.strftime("%Y-%m-%d %H:%M:%S")
        self._append([self._text(f"统计期间：{period}    导出时间：{stamp}")])
        if grouped:
            top, bottom = [], []
            index = 0
            while index < width:
                column = self.columns[index]
                if not column.group:
                    ws.merged_cells.add(f"{get_column_letter(index + 1)}3:{get_column_letter(index + 1)}4")
                    top.append(column.header)
                    bottom.append(None)
                    index += 1
                    continue
                end = index
                while end + 1 < width and self.columns[end + 1].group == column.group:
                    end += 1
                if end > index:
                    ws.merged_cells.add(f"{get_column_letter(index + 1)}3:{get_column_letter(end + 1)}3")
                top.extend([column.group] + [None] * (end - index))
                bottom.extend(c.header for c in self.columns[index : end + 1])
                index = end + 1
            self._append([self._header_cell(v) for v in top])
            self._append([self._header_cell(v) for v in bottom])
        else:
            self._append([self._header_cell(c.header) for c in self.columns])

    def _header_cell(self, value: str | None) -> WriteOnlyCell:
        return self._styled(self._text(value) if value else None, font=_HEADER_FONT, fill=_HEADER_FILL, alignment=_CENTER)

    def _text(self, value: str) -> Any:
        if needs_literal(value):
            cell = WriteOnlyCell(self.ws, value=value)
            cell.data_type = "s"
            cell.quotePrefix = True
            return cell
        return value

    def _cell(self, column: Column, value: Any, font: Font | None = None) -> Any:
        if value is None:
            return self._styled(None, font=font) if font else None
        if isinstance(value, bool):
            value = "是" if value else "否"
        if isinstance(value, str):
            text = self._text(value)
            if font is None:
                return text
            cell = text if isinstance(text, Cell) else WriteOnlyCell(self.ws, value=text)
            cell.font = font
            return cell
        if isinstance(value, datetime) and timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        number_format = self._styles.get(column.key)
        if number_format is None and font is None:
            return value
        cell = WriteOnlyCell(self.ws, value=value)
        if number_format:
            cell.number_format = number_format
        if font:
            cell.font = font
        return cell

    def append(self, row: dict[str, Any]) -> None:
        """Write one data row (a dict keyed by column key) and add it to the totals."""
        for key in self._sums:
            value = row.get(key)
            if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
                self._sums[key] += Decimal(str(value))
        self._append([self._cell(c, row.get(c.key)) for c in self.columns])
        self.rows_written += 1

    def extend(
        self,
        rows: Iterable[dict[str, Any]],
        *,
        on_progress: Callable[[int], None] | None = None,
        every: int = 1000,
    ) -> None:
        """Write many rows; ``on_progress(rows_written)`` is called every ``every`` rows (background exports)."""
        for row in rows:
            self.append(row)
            if on_progress is not None and self.rows_written % every == 0:
                on_progress(self.rows_written)

    def write_note(self, text: str) -> None:
        """A line of explanation below the data, merged across the sheet's width (formula-safe)."""
        row = self._sheet_rows + 1
        if len(self.columns) > 1:
            self.ws.merged_cells.add(f"A{row}:{get_column_letter(len(self.columns))}{row}")
        self._append([self._styled(self._text(text), alignment=_WRAP)])

    def totals(self) -> dict[str, Any]:
        """The totals row's values, computed from the rows written."""
        values: dict[str, Any] = {}
        for c in self.columns:
            if c.total == "sum":
                total = self._sums[c.key]
                values[c.key] = int(total) if c.kind == "integer" else total
            elif c.total == "ratio" and c.ratio_of:
                numerator, denominator = (self._sums[k] for k in c.ratio_of)
                values[c.key] = (numerator / denominator) if denominator else None
            elif c.total == "change" and c.ratio_of:
                current, previous = (self._sums[k] for k in c.ratio_of)
                values[c.key] = ((current - previous) / previous) if previous else None
        return values

    def write_totals(self, label: str = "合计") -> dict[str, Any]:
        """Append the totals row (label in the first column without a total) and return its values."""
        values = self.totals()
        first_plain = next((c.key for c in self.columns if c.key not in values), None)
        cells = {**values, **({first_plain: label} if first_plain else {})}
        self._append([self._cell(c, cells.get(c.key), font=_HEADER_FONT) for c in self.columns])
        return values


class ReportWorkbook:
    """A write-only workbook holding one or more report sheets."""

    def __init__(self) -> None:
        self.workbook = Workbook(write_only=True)

    def sheet(self, **kwargs: Any) -> ReportSheet:
        return ReportSheet(self.workbook, **kwargs)

    def save(self, out: BinaryIO | str) -> None:
        self.workbook.save(out)
