"""Helpers for export tests: request an export as a user and open the workbook that comes back."""

import io

from openpyxl import load_workbook

from reports import services


def workbook_of(content: bytes):
    return load_workbook(io.BytesIO(content))


def response_bytes(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def export_now(kind: str, user, data: dict | None = None):
    """A direct export through the service (no HTTP); returns the opened workbook."""
    result = services.export_request(kind=kind, data=data or {}, actor=user, background=False)
    try:
        return workbook_of(result.file.read())
    finally:
        result.file.close()


def row_by(ws, column: int, value, *, start: int = 1) -> list | None:
    for row in ws.iter_rows(min_row=start, values_only=True):
        if row[column - 1] == value:
            return list(row)
    return None


def all_cells(wb):
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    yield ws, cell
