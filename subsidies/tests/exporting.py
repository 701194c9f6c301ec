"""Helpers of the subsidy export tests.

Exports are asked for through the export page (reports' URL names; nothing here imports
reports), so the permission checks, the form, the audit entry and the writer all run.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal

from django.urls import reverse
from openpyxl import load_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ID_PATTERN = re.compile(r"\d{17}[\dXx]")
PHONE_PATTERN = re.compile(r"1[3-9]\d{9}")


def export(client, kind: str, data: dict | None = None):
    """The workbook of a direct export (fails with the page's text if none came back)."""
    response = client.post(reverse("export_new", args=[kind]), data or {})
    if response.get("Content-Type") != XLSX:
        raise AssertionError(f"no workbook ({response.status_code}): {response.content.decode()[-2000:]}")
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def refused(client, kind: str, data: dict | None = None) -> tuple[int, str]:
    """Status and page text of an export request that must not produce a file."""
    response = client.post(reverse("export_new", args=[kind]), data or {})
    assert response.get("Content-Type", "").startswith("text/html"), "a workbook came back"
    return response.status_code, response.content.decode()


def records(ws, keys: list[str]) -> tuple[list[dict], dict | None]:
    """Data rows (first cell a row number) and the totals row of a report sheet, as dicts by column key."""
    rows, totals = [], None
    for values in ws.iter_rows(min_row=3, values_only=True):
        if isinstance(values[0], int):
            rows.append(dict(zip(keys, values)))
        elif values[0] == "合计":
            totals = dict(zip(keys, values))
    return rows, totals


def notes(ws) -> list[str]:
    """The explanation lines below the table (after the totals row)."""
    seen_totals, found = False, []
    for (value,) in ws.iter_rows(min_col=1, max_col=1, values_only=True):
        if value == "合计":
            seen_totals = True
        elif seen_totals and isinstance(value, str):
            found.append(value)
    return found


def dec(value) -> Decimal:
    """A money cell as Decimal (openpyxl reads 3000 or 2500.5)."""
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def texts(wb) -> list[str]:
    return [cell.value for ws in wb.worksheets for row in ws.iter_rows() for cell in row if isinstance(cell.value, str)]


def formula_cells(wb) -> list[str]:
    return [f"{ws.title}!{cell.coordinate}" for ws in wb.worksheets for row in ws.iter_rows() for cell in row
            if cell.data_type == "f"]


def assert_no_personal_data(text: str, trainees, *, names: bool = True) -> None:
    """No full ID number, phone or name of any of ``trainees`` in ``text``."""
    assert trainees
    for trainee in trainees:
        assert trainee.id_number not in text, trainee.id_number
        assert trainee.id_number[-8:] not in text
        assert trainee.mobile not in text, trainee.mobile
        assert not names or trainee.name not in text, trainee.name
    assert not ID_PATTERN.search(text) and not PHONE_PATTERN.search(text)
