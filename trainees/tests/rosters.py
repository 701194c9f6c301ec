"""Building roster workbooks and counting registry rows, for the registry's tests."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from typing import Any

import openpyxl
from django.apps import apps

from trainees.idnumbers import check_character
from trainees.roster_workbook import OPTIONAL_HEADERS, REQUIRED_HEADERS

_FIRST_BIRTH = date(1960, 1, 1)
HEADERS = list(REQUIRED_HEADERS + OPTIONAL_HEADERS)

REGISTRY_TABLES = (
    "trainees.Trainee",
    "trainees.HistoricalTrainee",
    "trainees.Trainee_target_groups",
    "trainees.HistoricalTrainee_target_groups",
    "trainees.Enrolment",
    "trainees.HistoricalEnrolment",
    "trainees.Certificate",
    "trainees.HistoricalCertificate",
)


def make_id(birth: str = "19900101", seq: str = "001", area: str = "500222") -> str:
    first17 = area + birth + seq
    return first17 + check_character(first17)


def person(name: str = "张三", id_number: Any = None, mobile: Any = "13812341234", **extra: Any) -> list[Any]:
    return [
        name,
        make_id() if id_number is None else id_number,
        mobile,
        extra.get("groups", ""),
        extra.get("household", ""),
        extra.get("residence", ""),
        extra.get("education", ""),
        extra.get("employment", ""),
    ]


def people(count: int, *, start: int = 0, **extra: Any) -> list[list[Any]]:
    """``count`` distinct valid people (ID numbers vary by birth date and sequence)."""
    rows = []
    for i in range(start, start + count):
        birth = (_FIRST_BIRTH + timedelta(days=i % 14000)).strftime("%Y%m%d")
        number = make_id(birth=birth, seq=f"{i // 14000 % 1000:03d}")
        rows.append(person(name=f"学员{_chinese(i)}", id_number=number, mobile=f"139{i:08d}", **extra))
    return rows


def _chinese(n: int) -> str:
    digits = "零一二三四五六七八九"
    return "".join(digits[int(d)] for d in str(n))


def xlsx(
    rows: Iterable[Sequence[Any]],
    *,
    headers: Sequence[Any] | None = HEADERS,
    setup: Callable[[Any], None] | None = None,
) -> io.BytesIO:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "花名册"
    if headers is not None:
        sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    if setup is not None:
        setup(workbook)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


def registry_counts() -> dict[str, int]:
    return {label: apps.get_model(label).objects.count() for label in REGISTRY_TABLES}
