"""The electronic training archive as an Excel workbook (masked, never evaluated as formulas)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

import openpyxl
from django.utils import timezone
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .masking import mask_id_number, mask_mobile
from .selectors import TraineeArchive

_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_BOLD = Font(bold=True)


def text_cell(sheet: Any, value: Any, *, bold: bool = False) -> WriteOnlyCell:
    """A cell stored as text: Excel shows it as typed and never evaluates it (no formula injection)."""
    text = "" if value is None else str(value)
    cell = WriteOnlyCell(sheet)
    cell.value = text
    cell.data_type = "s"
    if text.startswith(_FORMULA_TRIGGERS):
        cell.quotePrefix = True
    if bold:
        cell.font = _BOLD
    return cell


def _append(sheet: Any, values: Iterable[Any], *, bold: bool = False) -> None:
    sheet.append([text_cell(sheet, value, bold=bold) for value in values])


def _table(sheet: Any, columns: Sequence[str], rows: Iterable[Sequence[Any]], widths: Sequence[int] = ()) -> None:
    for index, width in enumerate(widths):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index + 1)].width = width
    _append(sheet, columns, bold=True)
    empty = True
    for row in rows:
        _append(sheet, row)
        empty = False
    if empty:
        _append(sheet, ["（无）"])


def _sheet_title(title: str, used: set[str]) -> str:
    base = _SHEET_TITLE_FORBIDDEN.sub("_", title).strip("'") or "附加信息"
    base = base[:28]
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base[:26]}{n}", n + 1
    used.add(candidate)
    return candidate


def archive_rows(archive: TraineeArchive) -> dict[str, Any]:
    """The archive's content as display strings (the page and the workbook show the same)."""
    trainee = archive.trainee
    identity = [
        ("姓名", trainee.name),
        ("性别", trainee.get_sex_display()),
        ("出生日期", trainee.birth_date.isoformat()),
        ("身份证号码", mask_id_number(trainee.id_number)),
        ("手机号码", mask_mobile(trainee.mobile)),
        ("户口性质", trainee.get_household_type_display()),
        ("户籍地址", trainee.household_address),
        ("常住地址", trainee.residence_address),
        ("文化程度", trainee.get_education_display()),
        ("就业状态", trainee.get_employment_status_display()),
        ("在本区求职就业", "是" if trainee.seeks_work_in_district else "否"),
        ("按月领取养老金", "是（不属于补贴性培训对象）" if trainee.receives_monthly_pension else "否"),
        ("人员类别", "、".join(group.name for group in archive.target_groups) or "未登记"),
        ("登记单位", str(trainee.registered_by_unit or "")),
        ("登记时间", timezone.localtime(trainee.created_at).strftime("%Y-%m-%d")),
    ]
    enrolments = [
        [
            e.training_class.code,
            e.training_class.name,
            str(e.training_class.programme),
            e.training_class.institution.name,
            e.training_class.unit.name,
            e.training_class.start_date.isoformat(),
            e.training_class.end_date.isoformat(),
            e.get_status_display(),
            e.completion_date.isoformat() if e.completion_date else "",
            "与其他培训班时间重叠，请核查" if e.overlaps_other_class else "",
        ]
        for e in archive.enrolments
    ]
    certificates = [
        [
            c.certificate_type.name,
            c.occupation.name,
            c.level.name,
            c.number,
            c.issuing_body,
            c.issued_on.isoformat(),
            c.enrolment.training_class.code if c.enrolment_id else "",
        ]
        for c in archive.certificates
    ]
    return {"identity": identity, "enrolments": enrolments, "certificates": certificates}


ENROLMENT_COLUMNS = ["班级编号", "培训班", "培训项目", "培训机构", "责任单位", "开班日期", "结业日期", "状态", "结业时间", "核查提示"]
CERTIFICATE_COLUMNS = ["证书类型", "职业（工种）", "等级", "证书编号", "发证机构", "发证日期", "对应培训班"]


def archive_workbook(archive: TraineeArchive) -> bytes:
    """职业培训电子档案 (三（四）) of one trainee: identity (masked), classes, certificates, upper apps' sections."""
    content = archive_rows(archive)
    workbook = openpyxl.Workbook(write_only=True)
    used: set[str] = set()

    sheet = workbook.create_sheet(_sheet_title("基本信息", used))
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 60
    _append(sheet, ["职业培训电子档案"], bold=True)
    _append(sheet, ["身份证号码、手机号码已按规定脱敏显示"])
    _append(sheet, [])
    for label, value in content["identity"]:
        sheet.append([text_cell(sheet, label, bold=True), text_cell(sheet, value)])

    sheet = workbook.create_sheet(_sheet_title("参训记录", used))
    _table(sheet, ENROLMENT_COLUMNS, content["enrolments"], (16, 30, 30, 30, 16, 12, 12, 8, 12, 28))
    sheet = workbook.create_sheet(_sheet_title("证书", used))
    _table(sheet, CERTIFICATE_COLUMNS, content["certificates"], (20, 16, 14, 24, 30, 12, 16))
    for section in archive.sections:
        sheet = workbook.create_sheet(_sheet_title(section.title, used))
        _table(sheet, section.columns, section.rows)

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
