"""Excel exports: the registry of export kinds and the workbooks of the reports app.

Every workbook is written by ``spreadsheets.workbooks`` (openpyxl write-only mode, title row,
period and export time, merged group headers, formats, frozen header, totals computed from the
rows, text never evaluated as a formula). Every row is read through a scoped selector called
with the requesting user, so an export holds exactly the rows its requester may see: a unit
operator's export holds their unit alone. Personal data is masked (``500222********1234``,
``138****1234``) unless the export was asked for unmasked by a role that may reveal it; the
service (``reports.services.export_prepare``) checks that and writes the REVEAL audit entry.

Kinds of this app: the notice's attachment table with achieved person-times (``plan_progress``),
the quarterly and annual reports (``quarterly_report``, ``annual_report``), the trainee roster
(``roster``) and the audit log (``audit_log``).

Extension contract
------------------
Apps above or beside reports contribute without reports importing them, and without them
importing reports (models depend downwards only): an installed app may define a module
``<app>/exports.py``. :func:`contributed_modules` finds it with ``importlib.util.find_spec``
and imports it with ``importlib.import_module``, as ``accounts.context_processors`` does for
``<app>/navigation.py``. The module may hold:

``EXPORT_KINDS: list[dict]`` — one dict per kind, with the fields of :class:`ExportKind`:

    ``key``          unique slug used in URLs and in the API's ``kind``, e.g. ``"subsidy_ledger"``
    ``title``        Chinese name for the export page and file names, e.g. ``"专账收支及余额"``
    ``permission``   permission the requester needs besides ``reports.export_data``,
                     e.g. ``"subsidies.view_ledgerentry"``
    ``form``         a ``django.forms.Form`` subclass constructed as ``form(data, user=user)``;
                     its ``cleaned_data`` is stored as the export's JSON filters (model
                     instances become their pk, dates ISO strings; empty values are dropped)
    ``count``        ``count(*, user, filters) -> int``: the rows the writer will write, read
                     through the app's scoped selectors; above EXPORT_BACKGROUND_THRESHOLD the
                     export runs in the background
    ``write``        ``write(book, *, user, filters, on_progress) -> int``: adds one or more
                     sheets to ``book`` (a ``spreadsheets.workbooks.ReportWorkbook``) with
                     ``book.sheet(title=..., period=..., columns=[Column(...)])``, reads only
                     through scoped selectors with ``user``, passes ``on_progress`` to
                     ``ReportSheet.extend`` (or calls ``on_progress(rows_written)`` itself every
                     thousand rows or so) and returns the rows written
    ``describe``     optional ``describe(filters) -> str``, what the export covers
                     (``"2019年第1季度"``); it goes into the title and the file name
    ``description``  optional one-line Chinese explanation for the export page
    ``order``        optional int, smaller first (this app's kinds use 10–50)
    ``reveal_permission``  optional permission needed when ``filters["unmasked"]`` is true
                     (the form then has a BooleanField ``unmasked``); such an export is
                     refused without it and recorded as REVEAL as well as EXPORT

``REPORT_SHEETS: list`` — functions ``sheet(book, *, user, period, previous) -> int`` that add
sheets to the quarterly and annual reports after this app's own ones (subsidies by type and by
fund source). ``period`` and ``previous`` (the same period a year earlier) have ``year``,
``quarter`` (``None`` for a year), ``start`` and ``end`` (dates) and ``label`` (``"2019年"``).

Subsidies plugs in its claims and payments, its ledger with balances by fund source and the
public notice list of a claim by adding such dicts in ``subsidies/exports.py``: the pages, the
API, background running, expiry and auditing then apply to them unchanged.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from importlib import import_module
from importlib.util import find_spec
from types import ModuleType
from typing import Any

from django import forms
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone

from accounts.models import AuditEntry
from programs import selectors as plan_selectors
from programs.models import ActionPlan, CertificateType, Occupation, TrainingClass, TrainingType, Unit
from spreadsheets.workbooks import Column, ReportWorkbook
from trainees.masking import mask_id_number, mask_mobile
from trainees.models import Enrolment, Trainee

from . import selectors
from .forms import (
    AnnualReportExportForm, AuditLogFilterForm, PlanProgressExportForm, QuarterlyReportExportForm, RosterExportForm,
)
from .selectors import Period

EXPORT_PERMISSION = "reports.export_data"
REVEAL_PERMISSION = "trainees.reveal_personal_data"
ITERATOR_CHUNK = 2000
PROGRESS_EVERY = 1000  # rows between two progress updates of a background export

Progress = Callable[[int], None]


@dataclass(frozen=True)
class ExportKind:
    """One kind of export: who may ask for it, its filters, how many rows, how to write it."""

    key: str
    title: str
    permission: str
    form: type[forms.Form]
    count: Callable[..., int]
    write: Callable[..., int]
    describe: Callable[[dict], str] | None = None
    description: str = ""
    order: int = 100
    reveal_permission: str = ""

    def available_to(self, user) -> bool:
        return bool(
            user and user.is_authenticated and user.is_active
            and user.has_perm(EXPORT_PERMISSION) and user.has_perm(self.permission)
        )

    def label(self, filters: dict) -> str:
        detail = self.describe(filters) if self.describe else ""
        return f"{self.title}（{detail}）" if detail else self.title


def contributed_modules() -> list[ModuleType]:
    """Every installed app's ``exports`` module (this app's own kinds live here, in exporters.py)."""
    modules = []
    for app_config in apps.get_app_configs():
        name = f"{app_config.name}.exports"
        if "." in app_config.name or find_spec(app_config.name) is None or find_spec(name) is None:
            continue
        modules.append(import_module(name))
    return modules


def _as_kind(entry: ExportKind | dict) -> ExportKind:
    return entry if isinstance(entry, ExportKind) else ExportKind(**entry)


def export_kinds() -> dict[str, ExportKind]:
    """The registry: this app's kinds and every contributed one, by key, in display order."""
    kinds = list(EXPORT_KINDS)
    for module in contributed_modules():
        kinds.extend(_as_kind(entry) for entry in getattr(module, "EXPORT_KINDS", ()))
    registry: dict[str, ExportKind] = {}
    for kind in sorted(kinds, key=lambda k: (k.order, k.key)):
        if kind.key in registry:
            raise ImproperlyConfigured(f"导出类型 {kind.key} 重复登记")
        registry[kind.key] = kind
    return registry


def export_kinds_for(user) -> list[ExportKind]:
    return [kind for kind in export_kinds().values() if kind.available_to(user)]


def report_sheets() -> list[Callable[..., int]]:
    """Extra sheets other apps add to the quarterly and annual reports."""
    sheets: list[Callable[..., int]] = []
    for module in contributed_modules():
        sheets.extend(getattr(module, "REPORT_SHEETS", ()))
    return sheets


def stored_filters(cleaned: dict[str, Any]) -> dict[str, Any]:
    """A form's cleaned values as JSON: model instances by pk, dates as ISO text, empty values dropped."""
    stored: dict[str, Any] = {}
    for name, value in cleaned.items():
        if value is None or value == "":
            continue
        if isinstance(value, models.Model):
            value = value.pk
        elif isinstance(value, (datetime.date, datetime.datetime)):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        stored[name] = value
    return stored


def _percent(part: int, whole: int | None) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"))


def _change(current: int, previous: int) -> Decimal | None:
    if not previous:
        return None
    return (Decimal(current - previous) / Decimal(previous)).quantize(Decimal("0.0001"))


def _plan(filters: dict) -> ActionPlan:
    plan = plan_selectors.plan_get(pk=filters.get("plan"))
    if plan is None:
        raise ValidationError("所选行动计划不存在，请重新选择。")
    return plan


# The attachment table with achieved person-times ----------------------------------------------


def plan_progress_count(*, user, filters: dict) -> int:
    return plan_selectors.assignment_list(user=user, plan=_plan(filters)).count()


def plan_progress_describe(filters: dict) -> str:
    plan = _plan(filters)
    return f"{plan.start_year}—{plan.end_year}年"


def plan_progress_write(book: ReportWorkbook, *, user, filters: dict, on_progress: Progress | None = None) -> int:
    """The notice's attachment table (序号, 责任单位, 配合单位, 工作职责, yearly 指导计划), each year
    extended with the approved person-times of the year (UnitProgress at the fourth quarter,
    which holds the year's cumulative figure) and the percent achieved, and a totals row."""
    plan = _plan(filters)
    table = plan_selectors.plan_table(user=user, plan=plan)
    progress = list(selectors.progress_list(user=user, plan=plan, quarter=4))
    achieved = {(row.unit_id, row.year): row.approved_person_times for row in progress}
    computed_at = max((row.computed_at for row in progress), default=None)
    span = f"{plan.start_year}—{plan.end_year}年合计"
    columns = [
        Column("order", "序号", width=6, kind="integer"),
        Column("unit", "责任单位", width=16),
        Column("cooperating", "配合单位", width=26),
        Column("duties", "工作职责", width=60),
    ]
    for year in [*table.years, "all"]:
        group = span if year == "all" else f"{year}年"
        columns += [
            Column(f"quota_{year}", "指导计划", width=10, kind="integer", total="sum", group=group),
            Column(f"achieved_{year}", "完成", width=10, kind="integer", total="sum", group=group),
            Column(f"percent_{year}", "完成率", width=10, kind="percent", total="ratio",
                   ratio_of=(f"achieved_{year}", f"quota_{year}"), group=group),
        ]
    sheet = book.sheet(
        title=f"{plan.name}工作分工及指导计划完成情况表", name="指导计划完成情况",
        period=f"{plan.start_year}—{plan.end_year}年（{plan.document_number}附件）", columns=columns,
    )
    for row in table.rows:
        unit_id = row.assignment.unit_id
        values: dict[str, Any] = {
            "order": row.assignment.order,
            "unit": row.assignment.unit.name,
            "cooperating": "、".join(unit.name for unit in row.cooperating_units),
            "duties": row.assignment.duties,
        }
        for year in table.years:
            quota, done = row.quotas.get(year, 0), achieved.get((unit_id, year), 0)
            values.update({f"quota_{year}": quota, f"achieved_{year}": done, f"percent_{year}": _percent(done, quota)})
        all_quota = sum(values[f"quota_{year}"] for year in table.years)
        all_done = sum(values[f"achieved_{year}"] for year in table.years)
        values.update(quota_all=all_quota, achieved_all=all_done, percent_all=_percent(all_done, all_quota))
        sheet.append(values)
    sheet.write_totals()
    stamp = timezone.localtime(computed_at).strftime("%Y-%m-%d %H:%M") if computed_at else "尚未统计"
    sheet.write_note(
        "说明：“完成”为各责任单位报送并经区人力社保局审核通过的统计季报人次（全年累计，统计时间 "
        f"{stamp}）；完成率＝完成÷指导计划；合计行由表中各行相加得出。"
    )
    return sheet.rows_written


# Quarterly and annual reports (统计季报、年报) ----------------------------------------------------


FIGURES_NOTE = (
    "说明：“审核通过人次（季报）”为各责任单位报送并经区人力社保局审核通过的统计季报人次；"
    "“实名制结业人次”为实名制培训记录中结业日期在统计期间内的参训人次（同一人参训两次计两人次）；"
    "“取得证书人次（实名制）”为这些培训班学员在统计期间内取得证书的人次。同比增长＝（本期－上年同期）÷上年同期。"
)


def _period(filters: dict) -> Period:
    try:
        return Period(int(filters["year"]), int(filters["quarter"]) if filters.get("quarter") else None)
    except (KeyError, TypeError, ValueError):
        raise ValidationError("请选择统计年度（季报还需选择季度）。") from None


def periodic_count(*, user, filters: dict) -> int:
    """One row per responsible unit in the main sheet; the breakdowns are as small."""
    return selectors.responsible_units(user=user, plan=_plan(filters)).count()


def periodic_describe(filters: dict) -> str:
    return _period(filters).label


def _two_periods(label: str, previous: Period, names: list[tuple[str, str]], width: float = 14) -> list[Column]:
    """本期 / 上年同期 / 同比增长 column groups for the measures in ``names`` (key, header)."""
    columns = [Column(f"now_{key}", header, width=width, kind="integer", total="sum", group=f"本期（{label}）")
               for key, header in names]
    columns += [Column(f"before_{key}", header, width=width, kind="integer", total="sum",
                       group=f"上年同期（{previous.label}）") for key, header in names]
    columns += [Column(f"change_{key}", header, width=width, kind="percent", total="change",
                       ratio_of=(f"now_{key}", f"before_{key}"), group="同比增长") for key, header in names]
    return columns


def _measures(now: dict, before: dict, names: list[tuple[str, str]], key_of: Any) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, _ in names:
        current, previous = now[key].get(key_of, 0) or 0, before[key].get(key_of, 0) or 0
        values.update({f"now_{key}": current, f"before_{key}": previous, f"change_{key}": _change(current, previous)})
    return values


def _unit_sheet(book, *, user, plan, period, previous, now, before) -> int:
    names = [("approved", "审核通过人次（季报）"), ("real_name", "实名制结业人次")]
    columns = [
        Column("order", "序号", width=6, kind="integer"),
        Column("unit", "责任单位", width=18),
        Column("quota", f"{period.year}年指导计划", width=12, kind="integer", total="sum"),
        Column("share", "审核通过人次占年度指导计划", width=14, kind="percent", total="ratio",
               ratio_of=("now_approved", "quota")),
        Column("now_certificates_declared", "取得证书人次（季报）", width=14, kind="integer", total="sum"),
        Column("now_certificates", "取得证书人次（实名制）", width=14, kind="integer", total="sum"),
        *_two_periods(period.label, previous, names),
    ]
    sheet = book.sheet(title=f"{period.label}职业技能培训统计{'季报' if period.quarter else '年报'}（按责任单位）",
                       name="按责任单位", period=f"{period.label}（上年同期：{previous.label}）", columns=columns)
    quotas = selectors.year_quotas(user=user, plan=plan, year=period.year)
    order = dict(plan.assignments.values_list("unit_id", "order"))
    now_by = {"approved": now.approved_by_unit, "real_name": now.real_name_by_unit}
    before_by = {"approved": before.approved_by_unit, "real_name": before.real_name_by_unit}
    for unit in selectors.responsible_units(user=user, plan=plan):
        sheet.append({
            "order": order.get(unit.pk), "unit": unit.name, "quota": quotas.get(unit.pk, 0),
            "share": _percent(now.approved_by_unit.get(unit.pk, 0), quotas.get(unit.pk, 0)),
            "now_certificates_declared": now.certificates_declared_by_unit.get(unit.pk, 0) or 0,
            "now_certificates": now.certificates_by_unit.get(unit.pk, 0),
            **_measures(now_by, before_by, names, unit.pk),
        })
    sheet.write_totals()
    sheet.write_note(FIGURES_NOTE)
    return sheet.rows_written


def _breakdown_sheet(book, *, title: str, name: str, header: str, period, previous,
                     items: Iterable[tuple[Any, str]], now_by: dict, before_by: dict,
                     names: list[tuple[str, str]], note: str, skip_empty: bool = False) -> int:
    columns = [Column("order", "序号", width=6, kind="integer"), Column("name", header, width=22),
               *_two_periods(period.label, previous, names)]
    sheet = book.sheet(title=f"{period.label}{title}", name=name,
                       period=f"{period.label}（上年同期：{previous.label}）", columns=columns)
    position = 0
    for key, label in items:
        values = _measures(now_by, before_by, names, key)
        if skip_empty and not any(values[f"now_{k}"] or values[f"before_{k}"] for k, _ in names):
            continue
        position += 1
        sheet.append({"order": position, "name": label, **values})
    sheet.write_totals()
    sheet.write_note(note)
    return sheet.rows_written


def periodic_write(book: ReportWorkbook, *, user, filters: dict, on_progress: Progress | None = None) -> int:
    """季报 / 年报: person-times by unit, target group, training type and occupation, certificates,
    each against the same period a year earlier, one sheet per breakdown, then contributed sheets."""
    plan, period = _plan(filters), _period(filters)
    previous = period.a_year_earlier()
    now = selectors.period_figures(user=user, period=period, plan=plan)
    before = selectors.period_figures(user=user, period=previous)
    what = "季报" if period.quarter else "年报"
    rows = _unit_sheet(book, user=user, plan=plan, period=period, previous=previous, now=now, before=before)
    both = [("approved", "审核通过人次（季报）"), ("real_name", "实名制结业人次")]
    groups = [(group.pk, group.name) for group in selectors.top_target_groups()] + [(None, "其他人员")]
    rows += _breakdown_sheet(
        book, title=f"职业技能培训统计{what}（按人员类别）", name="按人员类别", header="人员类别",
        period=period, previous=previous, items=groups, names=both,
        now_by={"approved": now.approved_by_group, "real_name": now.real_name_by_group},
        before_by={"approved": before.approved_by_group, "real_name": before.real_name_by_group},
        note=FIGURES_NOTE + "实名制人次中，同一人属于多个人员类别时按通知所列顺序计入第一个类别；“其他人员”不属于任何重点群体。",
    )
    types = TrainingType.objects.order_by("position", "name").values_list("pk", "name")
    rows += _breakdown_sheet(
        book, title=f"职业技能培训统计{what}（按培训类型）", name="按培训类型", header="培训类型",
        period=period, previous=previous, items=types, names=both,
        now_by={"approved": now.approved_by_type, "real_name": now.real_name_by_type},
        before_by={"approved": before.approved_by_type, "real_name": before.real_name_by_type}, note=FIGURES_NOTE,
    )
    occupation_names = [("real_name", "实名制结业人次"), ("certificates", "取得证书人次（实名制）")]
    occupations = Occupation.objects.order_by("name").values_list("pk", "name")
    rows += _breakdown_sheet(
        book, title=f"职业技能培训统计{what}（按职业工种）", name="按职业工种", header="职业（工种）",
        period=period, previous=previous, items=occupations, names=occupation_names, skip_empty=True,
        now_by={"real_name": now.real_name_by_occupation, "certificates": now.certificates_by_occupation},
        before_by={"real_name": before.real_name_by_occupation, "certificates": before.certificates_by_occupation},
        note=FIGURES_NOTE + "统计季报不按职业（工种）分列，本表只有实名制数据；只列出本期或上年同期有记录的职业（工种）。",
    )
    certificate_types = CertificateType.objects.order_by("position", "name").values_list("pk", "name")
    rows += _breakdown_sheet(
        book, title=f"取得证书情况{what}（按证书类型）", name="取得证书", header="证书类型",
        period=period, previous=previous, items=certificate_types, names=[("certificates", "取得证书人次（实名制）")],
        now_by={"certificates": now.certificates_by_type}, before_by={"certificates": before.certificates_by_type},
        note="说明：按实名制记录统计，取得证书人次为统计期间内发证、且与本系统培训班参训记录关联的证书数。",
    )
    for sheet in report_sheets():
        rows += sheet(book, user=user, period=period, previous=previous)
    return rows


# Trainee roster ---------------------------------------------------------------------------------


ROSTER_COLUMNS = [
    Column("n", "序号", width=8, kind="integer"),
    Column("class_code", "班级编号", width=16),
    Column("class_name", "培训班", width=26),
    Column("unit", "责任单位", width=16),
    Column("institution", "培训机构", width=26),
    Column("occupation", "职业（工种）", width=14),
    Column("level", "等级", width=12),
    Column("start", "开班日期", width=12, kind="date"),
    Column("end", "结业日期", width=12, kind="date"),
    Column("name", "姓名", width=10),
    Column("sex", "性别", width=6),
    Column("id_number", "身份证号码", width=22),
    Column("mobile", "手机号码", width=15),
    Column("household_address", "户籍地址", width=30),
    Column("residence_address", "常住地址", width=30),
    Column("status", "参训状态", width=10),
    Column("completion_date", "学员结业日期", width=12, kind="date"),
]
_SEX = dict(Trainee.Sex.choices)
_ENROLMENT_STATUS = dict(Enrolment.Status.choices)


def roster_count(*, user, filters: dict) -> int:
    return selectors.roster_list(user=user, filters=filters).count()


def roster_describe(filters: dict) -> str:
    parts = []
    if filters.get("unit"):
        parts.append(Unit.objects.filter(pk=filters["unit"]).values_list("name", flat=True).first() or "")
    if filters.get("training_class"):
        parts.append(TrainingClass.objects.filter(pk=filters["training_class"]).values_list("code", flat=True).first() or "")
    if filters.get("date_from") or filters.get("date_to"):
        parts.append(f"{filters.get('date_from', '')}至{filters.get('date_to', '')}")
    if filters.get("unmasked"):
        parts.append("含完整个人信息")
    return "，".join(part for part in parts if part)


def roster_rows(queryset, *, unmasked: bool) -> Iterator[dict[str, Any]]:
    """Rows of the roster from a server-side cursor; ID numbers and phones masked unless ``unmasked``."""
    mask_id = (lambda value: value) if unmasked else mask_id_number
    mask_phone = (lambda value: value) if unmasked else mask_mobile
    for n, (_, code, class_name, unit, institution, occupation, level, start, end, name, sex, id_number, mobile,
            household, residence, status, completed) in enumerate(
        queryset.values_list(*selectors.ROSTER_FIELDS).iterator(chunk_size=ITERATOR_CHUNK), start=1
    ):
        yield {
            "n": n, "class_code": code, "class_name": class_name, "unit": unit, "institution": institution,
            "occupation": occupation, "level": level, "start": start, "end": end, "name": name,
            "sex": _SEX.get(sex, sex), "id_number": mask_id(id_number), "mobile": mask_phone(mobile),
            "household_address": household, "residence_address": residence,
            "status": _ENROLMENT_STATUS.get(status, status), "completion_date": completed,
        }


def roster_write(book: ReportWorkbook, *, user, filters: dict, on_progress: Progress | None = None) -> int:
    unmasked = bool(filters.get("unmasked"))
    if unmasked and not user.has_perm(REVEAL_PERMISSION):
        raise PermissionDenied("您的账号不能导出完整的身份证号码和手机号码。")
    described = roster_describe(filters)
    sheet = book.sheet(title="职业技能培训学员花名册", name="学员花名册", period=described or "全部", columns=ROSTER_COLUMNS)
    sheet.extend(roster_rows(selectors.roster_list(user=user, filters=filters), unmasked=unmasked),
                 on_progress=on_progress, every=PROGRESS_EVERY)
    sheet.write_note(
        f"共 {sheet.rows_written} 人次。"
        + ("本表含完整身份证号码和手机号码，导出已记入审计日志，请妥善保管。" if unmasked
           else "身份证号码和手机号码已按规定隐去部分数字。")
    )
    return sheet.rows_written


# Audit log ---------------------------------------------------------------------------------------


AUDIT_COLUMNS = [
    Column("created_at", "时间", width=20, kind="datetime"),
    Column("username", "操作人账号", width=16),
    Column("action", "操作", width=16),
    Column("result", "结果", width=8),
    Column("object_type", "对象类型", width=24),
    Column("object_id", "对象编号", width=10),
    Column("object_repr", "对象", width=36),
    Column("source_ip", "来源地址", width=16),
    Column("detail", "详情", width=60),
]
_ACTIONS = dict(AuditEntry.Action.choices)
_RESULTS = dict(AuditEntry.Result.choices)


def audit_count(*, user, filters: dict) -> int:
    return selectors.audit_entry_list(user=user, filters=filters).count()


def audit_describe(filters: dict) -> str:
    parts = [filters.get("username", ""), _ACTIONS.get(filters.get("action", ""), ""),
             _RESULTS.get(filters.get("result", ""), ""), filters.get("object_type", ""), filters.get("object_id", "")]
    if filters.get("date_from") or filters.get("date_to"):
        parts.append(f"{filters.get('date_from', '')}至{filters.get('date_to', '')}")
    return "，".join(part for part in parts if part)


def audit_rows(queryset) -> Iterator[dict[str, Any]]:
    fields = ("created_at", "actor_username", "action", "result", "object_type", "object_id", "object_repr",
              "source_ip", "detail")
    for created_at, username, action, result, object_type, object_id, object_repr, source_ip, detail in (
        queryset.values_list(*fields).iterator(chunk_size=ITERATOR_CHUNK)
    ):
        yield {
            "created_at": created_at, "username": username, "action": _ACTIONS.get(action, action),
            "result": _RESULTS.get(result, result), "object_type": object_type, "object_id": object_id,
            "object_repr": object_repr, "source_ip": source_ip or "",
            "detail": json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else "",
        }


def audit_write(book: ReportWorkbook, *, user, filters: dict, on_progress: Progress | None = None) -> int:
    sheet = book.sheet(title="审计日志", name="审计日志", period=audit_describe(filters) or "全部", columns=AUDIT_COLUMNS)
    sheet.extend(audit_rows(selectors.audit_entry_list(user=user, filters=filters)), on_progress=on_progress,
                 every=PROGRESS_EVERY)
    sheet.write_note(f"共 {sheet.rows_written} 条。审计日志只能追加，不能修改或删除。")
    return sheet.rows_written


EXPORT_KINDS: list[ExportKind] = [
    ExportKind(
        key="plan_progress", title="工作分工及指导计划完成情况表", permission=selectors.VIEW_PROGRESS,
        form=PlanProgressExportForm, count=plan_progress_count, write=plan_progress_write,
        describe=plan_progress_describe, order=10,
        description="通知附件表（序号、责任单位、配合单位、工作职责、各年度指导计划），逐年增加完成人次和完成率，含合计行。",
    ),
    ExportKind(
        key="quarterly_report", title="统计季报", permission=selectors.VIEW_PROGRESS,
        form=QuarterlyReportExportForm, count=periodic_count, write=periodic_write, describe=periodic_describe,
        order=20,
        description="按责任单位、人员类别、培训类型、职业（工种）统计的培训人次和取得证书人次，与上年同期比较。",
    ),
    ExportKind(
        key="annual_report", title="统计年报", permission=selectors.VIEW_PROGRESS,
        form=AnnualReportExportForm, count=periodic_count, write=periodic_write, describe=periodic_describe,
        order=30, description="全年的培训人次和取得证书人次，分表同季报，与上年比较。",
    ),
    ExportKind(
        key="roster", title="学员花名册", permission="trainees.view_enrolment",
        form=RosterExportForm, count=roster_count, write=roster_write, describe=roster_describe, order=40,
        reveal_permission=REVEAL_PERMISSION,
        description="按单位、培训班或培训期间导出参训学员名单；身份证号码和手机号码默认隐去部分数字。",
    ),
    ExportKind(
        key="audit_log", title="审计日志", permission=selectors.AUDIT_VIEW,
        form=AuditLogFilterForm, count=audit_count, write=audit_write, describe=audit_describe, order=50,
        description="按操作人、操作、对象、日期和结果筛选的审计日志。",
    ),
]
