"""The electronic training archive as an Excel workbook, through the shared report writer
(spreadsheets.workbooks: title row, export time, text never evaluated as a formula)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from spreadsheets.workbooks import Column, ReportSheet, ReportWorkbook, sheet_title

from .masking import mask_id_number, mask_mobile
from .selectors import TraineeArchive

MASKED_NOTE = "截至导出时的全部记录（身份证号码、手机号码已按规定脱敏显示）"
NONE_ROW = "（无）"


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


def _unique_sheet_name(title: str, used: set[str]) -> str:
    """A valid sheet name (spreadsheets.workbooks.sheet_title) not used yet in this workbook."""
    base = sheet_title(title or "附加信息")[:28]
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base[:26]}{n}", n + 1
    used.add(candidate)
    return candidate


def _table(
    book: ReportWorkbook, *, title: str, name: str, headers: Sequence[str], rows: Sequence[Sequence[Any]],
    widths: Sequence[float] = (), exported_at,
) -> ReportSheet:
    columns = [
        Column(f"c{index}", header, width=widths[index] if index < len(widths) else 16)
        for index, header in enumerate(headers)
    ]
    sheet = book.sheet(title=title, period=MASKED_NOTE, columns=columns, name=name, exported_at=exported_at)
    for row in rows:
        sheet.append({f"c{index}": value for index, value in enumerate(row)})
    if not rows:
        sheet.append({"c0": NONE_ROW})
    return sheet


def archive_workbook(archive: TraineeArchive) -> bytes:
    """职业培训电子档案 (三（四）) of one trainee: identity (masked), classes, certificates, upper apps' sections.

    One sheet per part, each with the shared title row (the trainee's name and the part), the
    line with the export time, the column headers, then the rows.
    """
    content = archive_rows(archive)
    name = archive.trainee.name
    exported_at = timezone.localtime()
    book = ReportWorkbook()
    used: set[str] = set()
    _table(
        book, title=f"职业培训电子档案：{name}", name=_unique_sheet_name("基本信息", used),
        headers=["项目", "内容"], rows=content["identity"], widths=(16, 60), exported_at=exported_at,
    )
    _table(
        book, title=f"参训记录：{name}", name=_unique_sheet_name("参训记录", used), headers=ENROLMENT_COLUMNS,
        rows=content["enrolments"], widths=(16, 30, 30, 30, 16, 12, 12, 8, 12, 28), exported_at=exported_at,
    )
    _table(
        book, title=f"证书：{name}", name=_unique_sheet_name("证书", used), headers=CERTIFICATE_COLUMNS,
        rows=content["certificates"], widths=(20, 16, 14, 24, 30, 12, 16), exported_at=exported_at,
    )
    for section in archive.sections:
        _table(
            book, title=f"{section.title}：{name}", name=_unique_sheet_name(section.title, used),
            headers=section.columns, rows=section.rows, exported_at=exported_at,
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
