"""Excel exports of subsidies and the subsidy sheets of the 季报/年报 (contract: reports.exporters).

reports finds this module by its name and reads ``EXPORT_KINDS`` and ``REPORT_SHEETS``; nothing
here imports reports (models depend downwards only). The export page, the API, background
running, expiry and the EXPORT audit entry are reports' and apply to these kinds unchanged.

Every row is read through a scoped selector of this app called with the requesting user, so an
export holds exactly what its requester may see, as the claim pages do (``claim_list``):
institution operators the claims of their own classes, unit operators those of their unit's
classes, finance the claims waiting for or past a payment, bureau and auditors all of them.

Who may export what (besides ``reports.export_data``):

``subsidy_claims`` 补贴申领及支付情况 — ``subsidies.view_subsidyclaim``: every role that sees
    claims, each within its scope. The payments and recoveries (追回) on each claim are the money
    side of the requester's own claims, as the claim page shows them.
``subsidy_ledger`` 专账收支及余额 — ``subsidies.view_ledger``: bureau (admin and staff), finance and
    auditors, as the ledger page. Nobody else: the special ledger (四（三） 分账核算、专款专用) is
    district-wide — allocations, balances and every unit's payouts — so unit and institution
    operators get the payments of their own claims through ``subsidy_claims`` instead.
``subsidy_notice`` 补贴公示名单 — ``subsidies.view_subsidyclaim``, for one claim in the requester's
    scope that is or was on public notice. Names are masked ``张*三`` and ID numbers
    ``500222********1234`` for everybody, roles that may reveal included: the export is the list
    that was published, so it has no ``unmasked`` option and no ``reveal_permission``.

``REPORT_SHEETS`` adds two sheets to the 季报/年报: subsidies by subsidy type and by fund source,
against the same period a year earlier, in the requester's scope. Approved amounts come from the
claims, paid amounts from the special ledger; each sheet says which is which.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from spreadsheets.workbooks import Column

from . import selectors
from .forms import ClaimExportForm, LedgerExportForm, NoticeExportForm
from .models import FundSource, LedgerEntry, Payment, SubsidyClaim, SubsidyType
from .policy import yuan

PROGRESS_EVERY = 1000
ITERATOR_CHUNK = 2000
ZERO = Decimal("0.00")

Progress = Callable[[int], None] | None

_TYPES = dict(SubsidyType.choices)
_STATUSES = dict(SubsidyClaim.Status.choices)
_PHASES = dict(SubsidyClaim.Phase.choices)
_STAGES = dict(Payment.Stage.choices)
_KINDS = dict(LedgerEntry.Kind.choices)


# ---------------------------------------------------------------- filters


def _parsed(filters: dict) -> dict:
    """The stored JSON filters with dates and ids typed again (a background export reads them back)."""
    parsed = dict(filters)
    try:
        for name in ("date_from", "date_to"):
            if parsed.get(name):
                parsed[name] = datetime.date.fromisoformat(str(parsed[name]))
        for name in ("unit", "fund_source", "claim"):
            if parsed.get(name) not in (None, ""):
                parsed[name] = int(parsed[name])
    except (TypeError, ValueError):
        raise ValidationError("导出的筛选条件无效，请在导出页面重新选择。") from None
    return parsed


def _dates_text(filters: dict) -> str:
    start, end = filters.get("date_from"), filters.get("date_to")
    if start and end:
        return f"{start}至{end}"
    if start:
        return f"{start}起"
    if end:
        return f"截至{end}"
    return ""


def _progress_from(on_progress: Progress, offset: int) -> Progress:
    """A later sheet's progress added to the rows the earlier sheets wrote."""
    if on_progress is None:
        return None
    return lambda rows: on_progress(offset + rows)


def _name_of(model, pk) -> str:
    if not pk:
        return ""
    return model.objects.filter(pk=pk).values_list("name", flat=True).first() or ""


# ---------------------------------------------------------------- claims and payments


CLAIM_COLUMNS = [
    Column("n", "序号", width=7, kind="integer"),
    Column("number", "申领编号", width=15),
    Column("subsidy_type", "补贴类型", width=18),
    Column("phase", "申领阶段", width=10),
    Column("class_code", "培训班编号", width=14),
    Column("class_name", "培训班", width=24),
    Column("unit", "责任单位", width=14),
    Column("institution", "培训机构", width=24),
    Column("payee", "收款单位", width=24),
    Column("status", "状态", width=12),
    Column("line_count", "学员人数", width=9, kind="integer", total="sum"),
    Column("eligible_count", "符合条件人数", width=9, kind="integer", total="sum"),
    Column("total", "补贴金额（元）", width=14, kind="money", total="sum"),
    Column("paid_full", "一次性支付", width=13, kind="money", total="sum", group="支付情况（元）"),
    Column("paid_advance", "预拨", width=13, kind="money", total="sum", group="支付情况（元）"),
    Column("paid_settlement", "结算", width=13, kind="money", total="sum", group="支付情况（元）"),
    Column("recovered", "追回", width=13, kind="money", total="sum", group="支付情况（元）"),
    Column("net_paid", "实付净额", width=13, kind="money", total="sum", group="支付情况（元）"),
    Column("fund_sources", "资金来源", width=18),
    Column("vouchers", "凭证号", width=18),
    Column("paid_on", "支付日期", width=14),
    Column("submitted_on", "提交日期", width=12, kind="date"),
    Column("notice_from", "公示开始", width=12, kind="date"),
    Column("notice_to", "公示截止", width=12, kind="date"),
    Column("last_reason", "最近意见/原因", width=30),
    Column("note", "说明", width=30),
]

PAYMENT_COLUMNS = [
    Column("n", "序号", width=7, kind="integer"),
    Column("number", "申领编号", width=15),
    Column("subsidy_type", "补贴类型", width=18),
    Column("class_code", "培训班编号", width=14),
    Column("unit", "责任单位", width=14),
    Column("institution", "培训机构", width=24),
    Column("stage", "支付阶段", width=10),
    Column("amount", "支付金额（元）", width=14, kind="money", total="sum"),
    Column("fund_source", "资金来源", width=18),
    Column("voucher", "凭证号", width=18),
    Column("paid_on", "支付日期", width=12, kind="date"),
]


def claims_count(*, user, filters: dict) -> int:
    filters = _parsed(filters)
    return (
        selectors.claim_period_list(user=user, filters=filters).count()
        + selectors.payment_period_list(user=user, filters=filters).count()
    )


def claims_describe(filters: dict) -> str:
    filters = _parsed(filters)
    parts = [
        _dates_text(filters), _TYPES.get(filters.get("subsidy_type", ""), ""),
        _STATUSES.get(filters.get("status", ""), ""),
    ]
    if filters.get("unit"):
        from programs.models import Unit

        parts.append(_name_of(Unit, filters["unit"]))
    return "，".join(part for part in parts if part)


def _local_date(value: datetime.datetime | None) -> datetime.date | None:
    return timezone.localtime(value).date() if value else None


def claim_rows(queryset) -> Iterator[dict[str, Any]]:
    """One row per claim; payments from the prefetch, recoveries and the last reason annotated."""
    for n, claim in enumerate(queryset.iterator(chunk_size=ITERATOR_CHUNK), start=1):
        klass = claim.training_class
        payments = list(claim.payments.all())
        paid = {stage: sum((p.amount for p in payments if p.stage == stage), ZERO) for stage in _STAGES}
        recovered = claim.recovered or ZERO
        sources = list(dict.fromkeys(p.fund_source.name for p in payments))
        yield {
            "n": n, "number": claim.number, "subsidy_type": _TYPES.get(claim.subsidy_type, claim.subsidy_type),
            "phase": _PHASES.get(claim.phase, claim.phase), "class_code": klass.code, "class_name": klass.name,
            "unit": klass.unit.name, "institution": klass.institution.name, "payee": claim.payee_name,
            "status": _STATUSES.get(claim.status, claim.status), "line_count": claim.line_count,
            "eligible_count": claim.eligible_count, "total": claim.total,
            "paid_full": paid[Payment.Stage.FULL], "paid_advance": paid[Payment.Stage.ADVANCE],
            "paid_settlement": paid[Payment.Stage.SETTLEMENT], "recovered": recovered,
            "net_paid": sum(paid.values(), ZERO) - recovered,
            "fund_sources": "、".join(sources), "vouchers": "、".join(p.voucher_number for p in payments),
            "paid_on": "、".join(f"{p.paid_on:%Y-%m-%d}" for p in payments),
            "submitted_on": _local_date(claim.submitted_at), "notice_from": claim.notice_published_on,
            "notice_to": claim.notice_ends_on, "last_reason": claim.last_reason or "", "note": claim.note,
        }


def payment_rows(queryset) -> Iterator[dict[str, Any]]:
    for n, payment in enumerate(queryset.iterator(chunk_size=ITERATOR_CHUNK), start=1):
        claim = payment.claim
        yield {
            "n": n, "number": claim.number, "subsidy_type": _TYPES.get(claim.subsidy_type, claim.subsidy_type),
            "class_code": claim.training_class.code, "unit": claim.training_class.unit.name,
            "institution": claim.training_class.institution.name, "stage": _STAGES.get(payment.stage, payment.stage),
            "amount": payment.amount, "fund_source": payment.fund_source.name, "voucher": payment.voucher_number,
            "paid_on": payment.paid_on,
        }


def claims_write(book, *, user, filters: dict, on_progress: Progress = None) -> int:
    """补贴申领 (one row per claim submitted or paid in the period, all its payments) and 支付明细
    (the payments dated in the period), each with a totals row computed from its rows."""
    filters = _parsed(filters)
    period = claims_describe(filters) or "全部"
    claims = book.sheet(title="补贴申领及支付情况", name="补贴申领", period=period, columns=CLAIM_COLUMNS)
    claims.extend(claim_rows(selectors.claim_export_list(user=user, filters=filters)), on_progress=on_progress,
                  every=PROGRESS_EVERY)
    claim_totals = claims.write_totals()
    claims.write_note(
        f"共 {claims.rows_written} 笔申领。统计期间内提交（以最近一次提交为准）或有支付的申领；支付情况为该申领的全部支付"
        "（含统计期间以外的），追回为专账中对该申领支出的冲正和结算追回，实付净额＝各阶段支付之和－追回。"
        f"补贴金额合计 {yuan(claim_totals.get('total', ZERO))} 元，实付净额合计 {yuan(claim_totals.get('net_paid', ZERO))} 元。"
    )
    payments = book.sheet(title="补贴支付明细", name="支付明细", period=period, columns=PAYMENT_COLUMNS)
    payments.extend(payment_rows(selectors.payment_period_list(user=user, filters=filters)),
                    on_progress=_progress_from(on_progress, claims.rows_written), every=PROGRESS_EVERY)
    payment_totals = payments.write_totals()
    payments.write_note(
        f"共 {payments.rows_written} 笔支付，合计 {yuan(payment_totals.get('amount', ZERO))} 元。"
        "支付日期在统计期间内的支付（同样的申领范围）；结算时多预拨的资金由专账追回，不在本表。"
    )
    return claims.rows_written + payments.rows_written


# ---------------------------------------------------------------- the special ledger


LEDGER_COLUMNS = [
    Column("n", "序号", width=7, kind="integer"),
    Column("entry_id", "记录编号", width=9, kind="integer"),
    Column("entry_date", "记账日期", width=12, kind="date"),
    Column("fund_source", "资金来源", width=18),
    Column("kind", "类型", width=11),
    Column("subsidy_type", "补贴类型", width=18),
    Column("amount", "金额（元，拨入为正、支出为负）", width=16, kind="money", total="sum"),
    Column("balance_after", "余额（元）", width=16, kind="money"),
    Column("claim", "申领编号", width=15),
    Column("voucher", "凭证号", width=18),
    Column("reverses", "冲正的记录编号", width=10, kind="integer"),
    Column("memo", "摘要", width=36),
    Column("created_at", "登记时间", width=19, kind="datetime"),
]

SOURCE_COLUMNS = [
    Column("n", "序号", width=7, kind="integer"),
    Column("source", "资金来源", width=20),
    Column("opening", "期初余额", width=15, kind="money", total="sum"),
    Column("allocated", "拨入", width=15, kind="money", total="sum", group="本期（元）"),
    Column("paid_out", "补贴支出", width=15, kind="money", total="sum", group="本期（元）"),
    Column("recovered", "追回", width=13, kind="money", total="sum", group="本期（元）"),
    Column("corrections", "拨入冲正", width=13, kind="money", total="sum", group="本期（元）"),
    Column("movement", "本期净额", width=15, kind="money", total="sum", group="本期（元）"),
    Column("closing", "期末余额", width=15, kind="money", total="sum"),
    Column("ledger_total", "全部记录合计", width=15, kind="money", total="sum", group="核对（元）"),
    Column("balance", "账面余额", width=15, kind="money", total="sum", group="核对（元）"),
    Column("last_balance", "最后一笔记录的余额", width=15, kind="money", total="sum", group="核对（元）"),
    Column("check", "核对结果", width=10, group="核对（元）"),
]


def _check_text(agrees: bool) -> str:
    return "一致" if agrees else "不一致"


def ledger_count(*, user, filters: dict) -> int:
    filters = _parsed(filters)
    sources = FundSource.objects.filter(pk=filters["fund_source"]) if filters.get("fund_source") else FundSource.objects
    return selectors.ledger_list(user=user, filters=filters).count() + sources.count() + len(SubsidyType.choices)


def ledger_describe(filters: dict) -> str:
    filters = _parsed(filters)
    parts = [_dates_text(filters), _name_of(FundSource, filters.get("fund_source"))]
    return "，".join(part for part in parts if part)


def ledger_rows(queryset) -> Iterator[dict[str, Any]]:
    for n, entry in enumerate(queryset.iterator(chunk_size=ITERATOR_CHUNK), start=1):
        yield {
            "n": n, "entry_id": entry.pk, "entry_date": entry.entry_date, "fund_source": entry.fund_source.name,
            "kind": _KINDS.get(entry.kind, entry.kind), "subsidy_type": _TYPES.get(entry.subsidy_type, ""),
            "amount": entry.amount, "balance_after": entry.balance_after,
            "claim": entry.claim.number if entry.claim_id else "", "voucher": entry.voucher_number,
            "reverses": entry.reverses_id, "memo": entry.memo, "created_at": entry.created_at,
        }


def ledger_write(book, *, user, filters: dict, on_progress: Progress = None) -> int:
    """专账明细 (entries of the period in the order they were written, with the running balance),
    余额（按资金来源） (opening, movements, closing, and the check against the stated balances) and
    支出（按补贴类型） (payouts net of recoveries by type and fund source), each with totals."""
    filters = _parsed(filters)
    summary = selectors.ledger_period(user=user, filters=filters)
    if summary is None:
        raise ValidationError("您的账号不能查看专账。")
    period = ledger_describe(filters) or "全部"
    entries = book.sheet(title="职业技能提升行动专账明细", name="专账明细", period=period, columns=LEDGER_COLUMNS)
    queryset = selectors.ledger_list(user=user, filters=filters).order_by("created_at", "id")
    entries.extend(ledger_rows(queryset), on_progress=on_progress, every=PROGRESS_EVERY)
    entry_totals = entries.write_totals()
    entry_sum = entry_totals.get("amount", ZERO)
    movement = sum((row.movement for row in summary.sources), ZERO)
    entries.write_note(
        f"共 {entries.rows_written} 条记录，按登记顺序排列；“余额”为写入该记录后资金来源的余额。每一笔拨入、支出、冲正和追回"
        "都是新增的记录，原记录不修改、不删除。金额合计（本期净额）"
        f" {yuan(entry_sum)} 元，与“余额（按资金来源）”表本期净额合计 {yuan(movement)} 元{_check_text(entry_sum == movement)}。"
    )

    balances = book.sheet(title="职业技能提升行动专账余额（按资金来源）", name="余额（按资金来源）", period=period,
                          columns=SOURCE_COLUMNS)
    for n, row in enumerate(summary.sources, start=1):
        balances.append({
            "n": n, "source": row.source.name, "opening": row.opening, "allocated": row.allocated,
            "paid_out": row.paid_out, "recovered": row.recovered, "corrections": row.allocation_corrections,
            "movement": row.movement, "closing": row.closing, "ledger_total": row.ledger_total, "balance": row.balance,
            "last_balance": row.last_balance_after, "check": _check_text(row.agrees),
        })
    totals = balances.write_totals()
    all_agree = all(row.agrees for row in summary.sources)
    balances.write_note(
        "说明：期初余额为记账日期早于统计期间的全部记录之和；期末余额＝期初余额＋本期净额；本期净额＝拨入－补贴支出＋追回＋拨入冲正"
        "（拨入冲正为负数）。核对：每个资金来源全部专账记录之和、最后一笔记录的余额都应等于账面余额（付款时据以核对的余额）。"
        f"核对结果：{'全部一致' if all_agree else '有不一致，请立即核查'}；账面余额合计 {yuan(totals.get('balance', ZERO))} 元，"
        f"全部记录合计 {yuan(totals.get('ledger_total', ZERO))} 元。"
    )

    sources = [row.source for row in summary.sources]
    type_columns = [
        Column("n", "序号", width=7, kind="integer"),
        Column("subsidy_type", "补贴类型", width=22),
        *[Column(f"source_{s.pk}", s.name, width=15, kind="money", total="sum", group="本期净支出（按资金来源，元）")
          for s in sources],
        Column("paid_out", "补贴支出", width=15, kind="money", total="sum", group="本期合计（元）"),
        Column("recovered", "追回", width=13, kind="money", total="sum", group="本期合计（元）"),
        Column("net", "净支出", width=15, kind="money", total="sum", group="本期合计（元）"),
        Column("net_to_date", "截至期末累计净支出（元）", width=16, kind="money", total="sum"),
    ]
    by_type = book.sheet(title="职业技能提升行动专账支出（按补贴类型）", name="支出（按补贴类型）", period=period,
                         columns=type_columns)
    for n, row in enumerate(summary.types, start=1):
        by_type.append({
            "n": n, "subsidy_type": row.label,
            **{f"source_{pk}": amount for pk, amount in row.net_by_source.items()},
            "paid_out": row.paid_out, "recovered": row.recovered, "net": row.net, "net_to_date": row.net_to_date,
        })
    type_totals = by_type.write_totals()
    net = type_totals.get("net", ZERO)
    by_sources = totals.get("paid_out", ZERO) - totals.get("recovered", ZERO)
    by_type.write_note(
        f"说明：净支出＝补贴支出－追回。本期净支出合计 {yuan(net)} 元，与“余额（按资金来源）”表补贴支出减追回 {yuan(by_sources)} 元"
        f"{_check_text(net == by_sources)}。资金拨入不分补贴类型，不在本表。"
    )
    if on_progress is not None:
        on_progress(entries.rows_written + balances.rows_written + by_type.rows_written)
    return entries.rows_written + balances.rows_written + by_type.rows_written


# ---------------------------------------------------------------- the public notice list of a claim


NOTICE_COLUMNS = [
    Column("n", "序号", width=7, kind="integer"),
    Column("name", "姓名", width=10),
    Column("id_number", "身份证号码", width=22),
    Column("occupation", "职业（工种）", width=16),
    Column("level", "等级", width=12),
    Column("subsidy_type", "补贴类型", width=20),
    Column("amount", "补贴金额（元）", width=14, kind="money", total="sum"),
]


def _notice_claim(*, user, filters: dict) -> SubsidyClaim:
    """The claim, read again through the user's scope (a background export runs later)."""
    claim = selectors.claim_list(user=user).filter(pk=filters.get("claim")).first() if filters.get("claim") else None
    if claim is None:
        raise ValidationError("没有找到该申领，或该申领不在您的查看范围内。")
    if claim.status not in selectors.NOTICED_STATUSES:
        raise ValidationError(f"申领 {claim.number} 当前为“{claim.get_status_display()}”，没有公示名单。")
    return claim


def notice_count(*, user, filters: dict) -> int:
    claim = _notice_claim(user=user, filters=_parsed(filters))
    return claim.lines.filter(eligible=True, excluded=False).count()


def notice_describe(filters: dict) -> str:
    filters = _parsed(filters)
    claim = SubsidyClaim.objects.filter(pk=filters.get("claim")).first() if filters.get("claim") else None
    return claim.number if claim else ""


def notice_write(book, *, user, filters: dict, on_progress: Progress = None) -> int:
    """The published list of one claim, from the same masked selector as the notice page."""
    claim = _notice_claim(user=user, filters=_parsed(filters))
    block = selectors.notice_blocks([claim])[0]
    dates = (
        f"公示期 {block.published_on:%Y-%m-%d} 至 {block.ends_on:%Y-%m-%d}" if block.published_on and block.ends_on
        else "公示期未记录"
    )
    sheet = book.sheet(
        title=f"{block.subsidy_type}公示名单：{block.class_name}（{block.class_code}）", name="公示名单",
        period=f"{block.number}，{dates}", columns=NOTICE_COLUMNS,
    )
    sheet.extend(
        ({"n": n, "name": row.name, "id_number": row.id_number, "occupation": row.occupation, "level": row.level,
          "subsidy_type": row.subsidy_type, "amount": row.amount} for n, row in enumerate(block.rows, start=1)),
        on_progress=on_progress, every=PROGRESS_EVERY,
    )
    totals = sheet.write_totals()
    sheet.write_note(
        f"申领编号 {block.number}；培训机构：{block.institution}；责任单位：{block.unit}；培训时间 "
        f"{block.start_date:%Y-%m-%d} 至 {block.end_date:%Y-%m-%d}。共 {sheet.rows_written} 人，补贴金额合计 "
        f"{yuan(totals.get('amount', ZERO))} 元（申领核定金额 {yuan(block.total)} 元）。"
    )
    sheet.write_note("姓名和身份证号码已按公示要求作脱敏处理；公示名单只含脱敏信息，任何账号导出均相同。")
    return sheet.rows_written


# ---------------------------------------------------------------- sheets of the 季报 / 年报


def _money_groups(now_label: str, before_label: str, names: list[tuple[str, str, str]],
                  changes: list[tuple[str, str]]) -> list[Column]:
    """本期 / 上年同期 groups of the measures ``names`` (key, header, kind) and 同比增长 of ``changes``."""
    columns = [Column(f"now_{key}", header, width=14, kind=kind, total="sum", group=now_label)
               for key, header, kind in names]
    columns += [Column(f"before_{key}", header, width=14, kind=kind, total="sum", group=before_label)
                for key, header, kind in names]
    columns += [Column(f"change_{key}", header, width=12, kind="percent", total="change",
                       ratio_of=(f"now_{key}", f"before_{key}"), group="同比增长") for key, header in changes]
    return columns


def _change(current, previous) -> Decimal | None:
    if not previous:
        return None
    return ((Decimal(current) - Decimal(previous)) / Decimal(previous)).quantize(Decimal("0.0001"))


def _measures(now: dict, before: dict, changes: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in now.items():
        values[f"now_{key}"] = value
        values[f"before_{key}"] = before[key]
    for key in changes:
        values[f"change_{key}"] = _change(now[key], before[key])
    return values


REPORT_NOTE = (
    "说明：核定笔数、核定人数、核定金额取自补贴申领——统计期间内经区人力社保局复核通过（以最近一次复核日期为准）且未被退回的申领，"
    "金额为复核时核定的补贴金额；补贴支出、追回取自职业技能提升行动专账——记账日期在统计期间内、属于这些可查看申领的补贴支出和追回记录，"
    "净支出＝补贴支出－追回。同比增长＝（本期－上年同期）÷上年同期。"
)


def _type_figures(money: selectors.PeriodMoney, subsidy_type: str) -> dict[str, Any]:
    paid, recovered = money.paid_by_type.get(subsidy_type, ZERO), money.recovered_by_type.get(subsidy_type, ZERO)
    return {
        "claims": money.approved_claims.get(subsidy_type, 0), "persons": money.approved_persons.get(subsidy_type, 0),
        "approved": money.approved_amount.get(subsidy_type, ZERO), "paid": paid, "recovered": recovered,
        "net": paid - recovered,
    }


def _source_figures(money: selectors.PeriodMoney, source_id: int) -> dict[str, Any]:
    paid, recovered = money.paid_by_source.get(source_id, ZERO), money.recovered_by_source.get(source_id, ZERO)
    return {"paid": paid, "recovered": recovered, "net": paid - recovered}


def subsidy_report_sheets(book, *, user, period, previous) -> int:
    """补贴（按补贴类型） and 补贴（按资金来源） of the period against the same period a year earlier."""
    now = selectors.period_money(user=user, start=period.start, end=period.end)
    before = selectors.period_money(user=user, start=previous.start, end=previous.end)
    what = "季报" if period.quarter else "年报"
    now_label, before_label = f"本期（{period.label}）", f"上年同期（{previous.label}）"
    period_text = f"{period.label}（上年同期：{previous.label}）"

    type_names = [
        ("claims", "核定笔数（申领）", "integer"), ("persons", "核定人数（申领）", "integer"),
        ("approved", "核定金额（申领，元）", "money"), ("paid", "补贴支出（专账，元）", "money"),
        ("recovered", "追回（专账，元）", "money"), ("net", "净支出（专账，元）", "money"),
    ]
    type_changes = [("approved", "核定金额"), ("net", "净支出")]
    by_type = book.sheet(
        title=f"{period.label}职业技能培训补贴{what}（按补贴类型）", name="补贴（按补贴类型）", period=period_text,
        columns=[Column("order", "序号", width=6, kind="integer"), Column("name", "补贴类型", width=22),
                 *_money_groups(now_label, before_label, type_names, type_changes)],
    )
    for order, (value, label) in enumerate(SubsidyType.choices, start=1):
        by_type.append({"order": order, "name": label, **_measures(
            _type_figures(now, value), _type_figures(before, value), [key for key, _ in type_changes])})
    by_type.write_totals()
    by_type.write_note(REPORT_NOTE)

    source_names = [("paid", "补贴支出（专账，元）", "money"), ("recovered", "追回（专账，元）", "money"),
                    ("net", "净支出（专账，元）", "money")]
    by_source = book.sheet(
        title=f"{period.label}职业技能培训补贴{what}（按资金来源）", name="补贴（按资金来源）", period=period_text,
        columns=[Column("order", "序号", width=6, kind="integer"), Column("name", "资金来源", width=22),
                 *_money_groups(now_label, before_label, source_names, [("net", "净支出")])],
    )
    for order, source in enumerate(selectors.fund_source_list(), start=1):
        by_source.append({"order": order, "name": source.name, **_measures(
            _source_figures(now, source.pk), _source_figures(before, source.pk), ["net"])})
    by_source.write_totals()
    by_source.write_note(
        REPORT_NOTE + "资金来源在支付时选定，核定金额不分资金来源，只列专账的补贴支出和追回。"
    )
    return by_type.rows_written + by_source.rows_written


# ---------------------------------------------------------------- the contract


EXPORT_KINDS: list[dict] = [
    {
        "key": "subsidy_claims", "title": "补贴申领及支付情况", "permission": "subsidies.view_subsidyclaim",
        "form": ClaimExportForm, "count": claims_count, "write": claims_write, "describe": claims_describe,
        "order": 60,
        "description": "统计期间内提交或支付的补贴申领：补贴类型、培训班、单位、机构、状态、人数、金额、各阶段支付、追回、"
                       "凭证号、资金来源和日期，另附支付明细，均含合计行。",
    },
    {
        "key": "subsidy_ledger", "title": "专账收支及余额", "permission": "subsidies.view_ledger",
        "form": LedgerExportForm, "count": ledger_count, "write": ledger_write, "describe": ledger_describe,
        "order": 70,
        "description": "职业技能提升行动专账的拨入、支出、冲正和追回记录，各资金来源的期初、期末余额及核对，各类补贴支出，均含合计行。",
    },
    {
        "key": "subsidy_notice", "title": "补贴公示名单", "permission": "subsidies.view_subsidyclaim",
        "form": NoticeExportForm, "count": notice_count, "write": notice_write, "describe": notice_describe,
        "order": 80,
        "description": "一笔已公示申领的公示名单；姓名和身份证号码已脱敏（如 张*三、500222********1234）。",
    },
]

REPORT_SHEETS = [subsidy_report_sheets]
