"""Subsidy exports (claims and payments, the special ledger, the notice list of a claim) and the
subsidy sheets of the 季报/年报: each workbook opened with openpyxl and checked against the
database, for every scope, with hostile text and for masking."""

from __future__ import annotations

import datetime
import io
import random
import re
from decimal import Decimal

import pytest
from django.db.models import F, Sum
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AuditEntry
from programs.tests.factories import InstitutionFactory, TrainingClassFactory
from spreadsheets.workbooks import needs_literal
from subsidies import exports
from subsidies.models import (
    ClaimLine, ClaimTransition, FundSource, LedgerEntry, Payment, SubsidyClaim, SubsidyType,
)
from trainees.masking import mask_id_number, mask_name
from trainees.models import Enrolment, Trainee
from trainees.tests.factories import adult_id_number

from .exporting import (
    assert_no_personal_data, dec, export, formula_cells, notes, records, refused, texts,
)

CLAIM_KEYS = [c.key for c in exports.CLAIM_COLUMNS]
PAYMENT_KEYS = [c.key for c in exports.PAYMENT_COLUMNS]
LEDGER_KEYS = [c.key for c in exports.LEDGER_COLUMNS]
SOURCE_KEYS = [c.key for c in exports.SOURCE_COLUMNS]
NOTICE_KEYS = [c.key for c in exports.NOTICE_COLUMNS]


def day(value: datetime.date) -> datetime.datetime:
    """How openpyxl reads a date cell back."""
    return datetime.datetime.combine(value, datetime.time())


def type_keys() -> list[str]:
    names = ["claims", "persons", "approved", "paid", "recovered", "net"]
    return ["order", "name", *[f"now_{k}" for k in names], *[f"before_{k}" for k in names],
            "change_approved", "change_net"]


def source_keys() -> list[str]:
    names = ["paid", "recovered", "net"]
    return ["order", "name", *[f"now_{k}" for k in names], *[f"before_{k}" for k in names], "change_net"]


def ledger_type_keys() -> list[str]:
    return ["n", "subsidy_type", *[f"source_{s.pk}" for s in FundSource.objects.all()], "paid_out", "recovered", "net",
            "net_to_date"]


@pytest.fixture
def users(money, operator_a, operator_b, finance, auditor, bureau_staff, bureau_admin):
    return {
        "operator_a": operator_a, "operator_b": operator_b, "institution_x": money.institution_x_operator,
        "institution_y": money.institution_y_operator, "finance": finance, "auditor": auditor,
        "bureau_staff": bureau_staff, "bureau_admin": bureau_admin,
    }


# Claims and payments ---------------------------------------------------------------------------


def test_claims_workbook_matches_the_database_with_totals(money, auditor, client_for):
    # given the money world: two paid claims (one with 500 recovered), one on notice, one payable
    wb = export(client_for(auditor), "subsidy_claims")

    assert wb.sheetnames == ["补贴申领", "支付明细"]
    ws = wb["补贴申领"]
    assert ws["A1"].value == "补贴申领及支付情况" and ws["A2"].value.startswith("统计期间：全部    导出时间：")
    assert [ws.cell(3, c).value for c in (1, 2, 13, 14)] == ["序号", "申领编号", "补贴金额（元）", "支付情况（元）"]
    assert [ws.cell(4, c).value for c in range(14, 19)] == ["一次性支付", "预拨", "结算", "追回", "实付净额"]
    assert ws.freeze_panes == "A5"
    rows, totals = records(ws, CLAIM_KEYS)
    claims = list(SubsidyClaim.objects.order_by("created_at", "id"))
    assert [row["number"] for row in rows] == [claim.number for claim in claims] and len(rows) == 4
    for row, claim in zip(rows, claims):
        payments = list(Payment.objects.filter(claim=claim).order_by("paid_on", "id"))
        recovered = LedgerEntry.objects.filter(claim=claim, kind="reversal").aggregate(t=Sum("amount"))["t"] or 0
        by_stage = {stage: sum((p.amount for p in payments if p.stage == stage), Decimal(0)) for stage in Payment.Stage}
        assert (row["subsidy_type"], row["status"], row["unit"], row["institution"], row["class_code"]) == (
            claim.get_subsidy_type_display(), claim.get_status_display(), claim.training_class.unit.name,
            claim.training_class.institution.name, claim.training_class.code,
        )
        assert (row["line_count"], row["eligible_count"], dec(row["total"])) == (
            claim.line_count, claim.eligible_count, claim.total
        )
        assert [dec(row[k]) for k in ("paid_full", "paid_advance", "paid_settlement", "recovered", "net_paid")] == [
            by_stage["full"], by_stage["advance"], by_stage["settlement"], recovered,
            sum(by_stage.values()) - recovered,
        ]
        assert (row["vouchers"] or "") == "、".join(p.voucher_number for p in payments)
        assert (row["fund_sources"] or "") == "、".join(p.fund_source.name for p in payments)
        assert row["notice_from"] == day(claim.notice_published_on) and row["notice_to"] == day(claim.notice_ends_on)
    paid_a = rows[[r["number"] for r in rows].index(money.paid_a.number)]
    assert [dec(paid_a[k]) for k in ("total", "paid_full", "recovered", "net_paid")] == [
        Decimal("3000.00"), Decimal("3000.00"), Decimal("500.00"), Decimal("2500.00")
    ]
    assert (paid_a["fund_sources"], paid_a["vouchers"], paid_a["paid_on"]) == ("失业保险基金结余", "PZ2019-0001", "2019-02-15")
    # the totals row is computed from the rows and equals the database's sums
    assert totals["n"] == "合计"
    assert (totals["line_count"], totals["eligible_count"]) == (12, 12)
    assert dec(totals["total"]) == SubsidyClaim.objects.aggregate(t=Sum("total"))["t"] == Decimal("12000.00")
    assert dec(totals["paid_full"]) == Payment.objects.aggregate(t=Sum("amount"))["t"] == Decimal("6000.00")
    assert dec(totals["recovered"]) == Decimal("500.00") and dec(totals["net_paid"]) == Decimal("5500.00")
    assert ws.cell(5, 13).number_format == "#,##0.00" and ws.cell(5, 11).number_format == "#,##0"
    assert "实付净额合计 5,500.00 元" in notes(ws)[0]

    payments_ws = wb["支付明细"]
    rows, totals = records(payments_ws, PAYMENT_KEYS)
    payments = list(Payment.objects.select_related("claim", "fund_source").order_by("paid_on", "id"))
    assert [(r["number"], r["stage"], dec(r["amount"]), r["fund_source"], r["voucher"], r["paid_on"]) for r in rows] == [
        (p.claim.number, p.get_stage_display(), p.amount, p.fund_source.name, p.voucher_number, day(p.paid_on))
        for p in payments
    ]
    assert dec(totals["amount"]) == Decimal("6000.00")
    audit = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT, actor=auditor).get()
    assert audit.detail["kind"] == "subsidy_claims" and audit.detail["rows"] == 6


def test_claims_of_a_period_are_those_submitted_or_paid_in_it(money, auditor, client_for):
    client = client_for(auditor)
    # given every claim was submitted today and paid_a was paid 2019-02-15, paid_b 2018-03-20
    wb = export(client, "subsidy_claims", {"date_from": "2019-01-01", "date_to": "2019-12-31"})
    rows, totals = records(wb["补贴申领"], CLAIM_KEYS)
    assert [r["number"] for r in rows] == [money.paid_a.number] and dec(totals["net_paid"]) == Decimal("2500.00")
    assert [r["voucher"] for r in records(wb["支付明细"], PAYMENT_KEYS)[0]] == ["PZ2019-0001"]
    assert wb["补贴申领"]["A2"].value.startswith("统计期间：2019-01-01至2019-12-31")

    today = datetime.date.today().isoformat()
    wb = export(client, "subsidy_claims", {"date_from": today, "status": "payable"})
    assert [r["number"] for r in records(wb["补贴申领"], CLAIM_KEYS)[0]] == [money.payable_b.number]
    assert records(wb["支付明细"], PAYMENT_KEYS)[0] == []  # no payment dated today

    status, html = refused(client, "subsidy_claims", {"date_from": "2019-12-31", "date_to": "2019-01-01"})
    assert status == 200 and "结束日期不能早于开始日期。" in html


SCOPES = {
    "operator_a": {"paid_a", "noticed_a"},
    "operator_b": {"paid_b", "payable_b"},
    "institution_x": {"paid_a"},
    "institution_y": {"paid_b", "noticed_a", "payable_b"},
    "finance": {"paid_a", "paid_b", "payable_b"},
    "auditor": {"paid_a", "paid_b", "noticed_a", "payable_b"},
    "bureau_staff": {"paid_a", "paid_b", "noticed_a", "payable_b"},
}


@pytest.mark.parametrize("who", list(SCOPES))
def test_claims_export_holds_exactly_the_requesters_scope(money, users, client_for, who):
    wb = export(client_for(users[who]), "subsidy_claims")

    rows, totals = records(wb["补贴申领"], CLAIM_KEYS)
    expected = [getattr(money, name) for name in SCOPES[who]]
    assert sorted(r["number"] for r in rows) == sorted(c.number for c in expected)
    assert dec(totals["total"]) == sum((c.total for c in expected), Decimal(0))
    vouchers = [r["voucher"] for r in records(wb["支付明细"], PAYMENT_KEYS)[0]]
    assert sorted(vouchers) == sorted(Payment.objects.filter(claim__in=expected).values_list("voucher_number", flat=True))
    if who == "operator_a":
        assert {r["unit"] for r in rows} == {"区教委"}
    if who == "operator_b":
        assert {r["unit"] for r in rows} == {"区农业农村委"}


def test_a_unit_operator_cannot_pick_another_unit(money, operator_a, unit_b, client_for):
    status, html = refused(client_for(operator_a), "subsidy_claims", {"unit": unit_b.pk})
    assert status == 200 and "所选单位不存在或不在您的查看范围内，请重新选择。" in html


def test_bureau_filters_claims_by_unit(money, bureau_staff, unit_b, client_for):
    wb = export(client_for(bureau_staff), "subsidy_claims", {"unit": unit_b.pk})
    assert sorted(r["number"] for r in records(wb["补贴申领"], CLAIM_KEYS)[0]) == sorted(
        [money.paid_b.number, money.payable_b.number]
    )
    assert "区农业农村委" in wb["补贴申领"]["A2"].value


# The special ledger ----------------------------------------------------------------------------


def test_ledger_workbook_matches_the_database_with_balances_and_checks(money, auditor, client_for):
    wb = export(client_for(auditor), "subsidy_ledger")

    assert wb.sheetnames == ["专账明细", "余额(按资金来源)", "支出(按补贴类型)"]
    rows, totals = records(wb["专账明细"], LEDGER_KEYS)
    entries = list(LedgerEntry.objects.select_related("fund_source", "claim").order_by("created_at", "id"))
    assert [
        (r["entry_id"], r["entry_date"], r["fund_source"], r["kind"], dec(r["amount"]), dec(r["balance_after"]),
         r["claim"] or "", r["voucher"], r["reverses"], r["memo"])
        for r in rows
    ] == [
        (e.pk, day(e.entry_date), e.fund_source.name, e.get_kind_display(), e.amount, e.balance_after,
         e.claim.number if e.claim_id else "", e.voucher_number, e.reverses_id, e.memo)
        for e in entries
    ]
    recovery = rows[[r["entry_id"] for r in rows].index(money.recovery.pk)]
    assert (recovery["kind"], dec(recovery["amount"]), recovery["claim"], recovery["memo"]) == (
        "冲正/追回", Decimal("500.00"), money.paid_a.number, "追回：一名学员证书存疑，追回"
    )
    assert dec(totals["amount"]) == LedgerEntry.objects.aggregate(t=Sum("amount"))["t"] == Decimal("144500.00")

    ws = wb["余额(按资金来源)"]
    assert [ws.cell(4, c).value for c in range(4, 9)] == ["拨入", "补贴支出", "追回", "拨入冲正", "本期净额"]
    rows, totals = records(ws, SOURCE_KEYS)
    assert [r["source"] for r in rows] == list(FundSource.objects.values_list("name", flat=True))
    for row in rows:
        source = FundSource.objects.get(name=row["source"])
        ledger_sum = LedgerEntry.objects.filter(fund_source=source).aggregate(t=Sum("amount"))["t"] or Decimal(0)
        assert dec(row["closing"]) == dec(row["ledger_total"]) == dec(row["balance"]) == ledger_sum == source.balance
        assert row["check"] == "一致"
    by_name = {r["source"]: r for r in rows}
    assert [dec(by_name["失业保险基金结余"][k]) for k in ("opening", "allocated", "paid_out", "recovered", "closing")] == [
        Decimal(0), Decimal("50000.00"), Decimal("3000.00"), Decimal("500.00"), Decimal("47500.00")
    ]
    assert dec(by_name["就业补助资金"]["closing"]) == Decimal("97000.00")
    assert [dec(totals[k]) for k in ("allocated", "paid_out", "recovered", "movement", "closing", "balance")] == [
        Decimal("150000.00"), Decimal("6000.00"), Decimal("500.00"), Decimal("144500.00"), Decimal("144500.00"),
        sum(FundSource.objects.values_list("balance", flat=True), Decimal(0)),
    ]
    assert "核对结果：全部一致" in notes(ws)[0]

    rows, totals = records(wb["支出(按补贴类型)"], ledger_type_keys())
    assert [r["subsidy_type"] for r in rows] == [label for _, label in SubsidyType.choices]
    training = rows[0]
    assert [dec(training[f"source_{s.pk}"]) for s in (money.employment, money.unemployment)] == [
        Decimal("3000.00"), Decimal("2500.00")
    ]
    assert [dec(training[k]) for k in ("paid_out", "recovered", "net", "net_to_date")] == [
        Decimal("6000.00"), Decimal("500.00"), Decimal("5500.00"), Decimal("5500.00")
    ]
    assert dec(totals["net"]) == -LedgerEntry.objects.exclude(subsidy_type="").aggregate(t=Sum("amount"))["t"]
    assert "本期净支出合计 5,500.00 元" in notes(wb["支出(按补贴类型)"])[0]
    assert notes(wb["支出(按补贴类型)"])[0].count("一致") == 1


def test_ledger_of_a_period_opens_with_the_balance_before_it(money, finance, client_for):
    wb = export(client_for(finance), "subsidy_ledger", {"date_from": "2019-01-01", "date_to": "2019-12-31"})

    rows, totals = records(wb["专账明细"], LEDGER_KEYS)
    assert [r["entry_date"].year for r in rows] == [2019, 2019, 2019]
    assert dec(totals["amount"]) == Decimal("47500.00")
    sources = {r["source"]: r for r in records(wb["余额(按资金来源)"], SOURCE_KEYS)[0]}
    employment = sources["就业补助资金"]
    # 2018: +100,000 allocated, −3,000 paid: the 2019 ledger opens with 97,000 and nothing moves in it
    assert [dec(employment[k]) for k in ("opening", "movement", "closing", "ledger_total", "balance")] == [
        Decimal("97000.00"), Decimal(0), Decimal("97000.00"), Decimal("97000.00"), Decimal("97000.00")
    ]
    assert employment["check"] == "一致"
    training = records(wb["支出(按补贴类型)"], ledger_type_keys())[0][0]
    assert dec(training["net"]) == Decimal("2500.00") and dec(training["net_to_date"]) == Decimal("5500.00")

    wb = export(client_for(finance), "subsidy_ledger", {"fund_source": money.employment.pk})
    assert {r["fund_source"] for r in records(wb["专账明细"], LEDGER_KEYS)[0]} == {"就业补助资金"}
    assert [r["source"] for r in records(wb["余额(按资金来源)"], SOURCE_KEYS)[0]] == ["就业补助资金"]


def test_ledger_check_shows_a_balance_that_does_not_match_the_entries(money, auditor, client_for):
    # given a stored balance that no longer equals the sum of its ledger entries
    FundSource.objects.filter(pk=money.employment.pk).update(balance=F("balance") - 1)

    wb = export(client_for(auditor), "subsidy_ledger")

    sources = {r["source"]: r for r in records(wb["余额(按资金来源)"], SOURCE_KEYS)[0]}
    assert sources["就业补助资金"]["check"] == "不一致" and sources["失业保险基金结余"]["check"] == "一致"
    assert dec(sources["就业补助资金"]["ledger_total"]) - dec(sources["就业补助资金"]["balance"]) == Decimal("1.00")
    assert "有不一致，请立即核查" in notes(wb["余额(按资金来源)"])[0]


@pytest.mark.parametrize("who", ["operator_a", "operator_b", "institution_x", "institution_y"])
def test_operators_cannot_export_the_ledger(money, users, client_for, who):
    client = client_for(users[who])
    status, html = refused(client, "subsidy_ledger")
    assert status == 403 and "您的账号不能导出专账收支及余额。" in html
    kinds = [k["key"] for k in client.get(reverse("api_export_kinds")).json()]
    assert "subsidy_ledger" not in kinds and {"subsidy_claims", "subsidy_notice"} <= set(kinds)
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


@pytest.mark.parametrize("who", ["finance", "auditor", "bureau_staff", "bureau_admin"])
def test_bureau_finance_and_auditors_export_the_whole_ledger(money, users, client_for, who):
    wb = export(client_for(users[who]), "subsidy_ledger")
    rows, _ = records(wb["专账明细"], LEDGER_KEYS)
    assert sorted(r["entry_id"] for r in rows) == sorted(LedgerEntry.objects.values_list("pk", flat=True))


# The notice list of a claim --------------------------------------------------------------------


def test_notice_list_is_masked_even_for_roles_that_may_reveal(money, bureau_admin, client_for):
    claim = money.noticed_a
    wb = export(client_for(bureau_admin), "subsidy_notice", {"claim": claim.number, "unmasked": "on"})

    ws = wb["公示名单"]
    assert ws["A1"].value == f"职业培训补贴公示名单：{claim.training_class.name}（{claim.training_class.code}）"
    assert ws["A2"].value.startswith(
        f"统计期间：{claim.number}，公示期 {claim.notice_published_on:%Y-%m-%d} 至 {claim.notice_ends_on:%Y-%m-%d}"
    )
    rows, totals = records(ws, NOTICE_KEYS)
    lines = list(ClaimLine.objects.filter(claim=claim, eligible=True, excluded=False).select_related("trainee").order_by("id"))
    assert [(r["name"], r["id_number"], r["occupation"], r["subsidy_type"], dec(r["amount"])) for r in rows] == [
        (mask_name(line.trainee.name), mask_id_number(line.trainee.id_number), "电焊", "职业培训补贴", line.amount)
        for line in lines
    ]
    assert dec(totals["amount"]) == claim.total == Decimal("3000.00")
    assert any("已按公示要求作脱敏处理" in note for note in notes(ws))
    assert_no_personal_data("\n".join(texts(wb)), money.trainees)
    audit = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert audit.detail["kind"] == "subsidy_notice" and "unmasked" not in audit.detail["filters"]
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.REVEAL).exists()


NOTICE_SCOPES = {
    # who: (claims they may export the list of, claims they may not)
    "operator_a": ({"noticed_a", "paid_a"}, {"paid_b", "payable_b"}),
    "operator_b": ({"paid_b", "payable_b"}, {"noticed_a", "paid_a"}),
    "institution_x": ({"paid_a"}, {"noticed_a", "paid_b", "payable_b"}),
    "institution_y": ({"noticed_a", "paid_b", "payable_b"}, {"paid_a"}),
    "finance": ({"paid_a", "paid_b", "payable_b"}, {"noticed_a"}),
}


@pytest.mark.parametrize("who", list(NOTICE_SCOPES))
def test_notice_list_only_of_claims_in_scope(money, users, client_for, who):
    client = client_for(users[who])
    allowed, denied = NOTICE_SCOPES[who]
    for name in allowed:
        claim = getattr(money, name)
        rows, _ = records(export(client, "subsidy_notice", {"claim": claim.number})["公示名单"], NOTICE_KEYS)
        assert len(rows) == claim.eligible_count == 3
    for name in denied:
        number = getattr(money, name).number
        status, html = refused(client, "subsidy_notice", {"claim": number})
        assert status == 200 and f"没有找到编号为 {number} 的申领，或该申领不在您的查看范围内。" in html


def test_notice_list_needs_a_claim_that_was_on_notice(money, auditor, client_for):
    client = client_for(auditor)
    draft = SubsidyClaim.objects.filter(pk=money.payable_b.pk)
    draft.update(status=SubsidyClaim.Status.SUBMITTED)
    status, html = refused(client, "subsidy_notice", {"claim": money.payable_b.number})
    assert "没有公示名单；只能导出公示中或已公示的申领。" in html and "待初审" in html
    status, html = refused(client, "subsidy_notice", {"claim": "BT2019"})
    assert "没有找到编号为 BT2019 的申领" in html
    status, html = refused(client, "subsidy_notice", {"claim": ""})
    assert "请填写申领编号。" in html


@pytest.mark.parametrize("kind", ["subsidy_claims", "subsidy_ledger", "subsidy_notice", "annual_report"])
def test_no_subsidy_export_holds_a_full_id_number_phone_or_name(money, bureau_admin, client_for, kind):
    data = {"subsidy_notice": {"claim": money.paid_a.number}, "annual_report": {"year": 2019}}.get(kind, {})
    wb = export(client_for(bureau_admin), kind, data)
    assert_no_personal_data("\n".join(texts(wb)), money.trainees)


# Sheets of the 季报 / 年报 ------------------------------------------------------------------------


def _subsidy_sheets(client, data):
    wb = export(client, "quarterly_report" if "quarter" in data else "annual_report", data)
    assert wb.sheetnames[-2:] == ["补贴(按补贴类型)", "补贴(按资金来源)"]
    by_type = records(wb["补贴(按补贴类型)"], type_keys())
    by_source = records(wb["补贴(按资金来源)"], source_keys())
    return wb, by_type, by_source


def test_quarterly_report_has_subsidies_by_type_and_fund_source_against_a_year_earlier(money, auditor, client_for):
    wb, (types, type_totals), (sources, source_totals) = _subsidy_sheets(
        client_for(auditor), {"year": 2019, "quarter": 1}
    )

    ws = wb["补贴(按补贴类型)"]
    assert ws["A1"].value == "2019年第1季度职业技能培训补贴季报（按补贴类型）"
    assert [ws.cell(3, c).value for c in (3, 9, 15)] == ["本期（2019年第1季度）", "上年同期（2018年第1季度）", "同比增长"]
    assert [ws.cell(4, c).value for c in range(3, 9)] == [
        "核定笔数（申领）", "核定人数（申领）", "核定金额（申领，元）", "补贴支出（专账，元）", "追回（专账，元）", "净支出（专账，元）"
    ]
    assert "核定金额取自补贴申领" in notes(ws)[0] and "补贴支出、追回取自职业技能提升行动专账" in notes(ws)[0]
    training = types[0]
    assert training["name"] == "职业培训补贴" and len(types) == len(SubsidyType.choices)
    # 2019 Q1: paid_a and payable_b approved (6,000), paid_a paid 3,000; 2018 Q1: paid_b approved and paid 3,000
    assert [training[f"now_{k}"] for k in ("claims", "persons")] == [2, 6]
    assert [dec(training[f"now_{k}"]) for k in ("approved", "paid", "recovered", "net")] == [
        Decimal("6000.00"), Decimal("3000.00"), Decimal(0), Decimal("3000.00")
    ]
    assert [training[f"before_{k}"] for k in ("claims", "persons")] == [1, 3]
    assert [dec(training[f"before_{k}"]) for k in ("approved", "paid", "net")] == [Decimal("3000.00")] * 3
    assert (training["change_approved"], training["change_net"]) == (1, 0)
    assert ws.cell(5, 15).number_format == "0.00%"
    assert [dec(type_totals[k]) for k in ("now_approved", "now_net", "before_net")] == [
        Decimal("6000.00"), Decimal("3000.00"), Decimal("3000.00")
    ]
    assert type_totals["change_approved"] == 1

    by_name = {r["name"]: r for r in sources}
    assert list(by_name) == list(FundSource.objects.values_list("name", flat=True))
    assert dec(by_name["失业保险基金结余"]["now_paid"]) == Decimal("3000.00")
    assert dec(by_name["就业补助资金"]["before_paid"]) == Decimal("3000.00") and by_name["就业补助资金"]["change_net"] == -1
    assert dec(source_totals["now_net"]) == dec(type_totals["now_net"])
    assert "核定金额不分资金来源" in notes(wb["补贴(按资金来源)"])[0]


def test_annual_report_nets_recoveries_and_counts_the_years_approvals(money, bureau_staff, client_for):
    _, (types, totals), (sources, _) = _subsidy_sheets(client_for(bureau_staff), {"year": 2019})

    training = types[0]
    assert training["now_claims"] == 3 and dec(training["now_approved"]) == Decimal("9000.00")
    assert [dec(training[f"now_{k}"]) for k in ("paid", "recovered", "net")] == [
        Decimal("3000.00"), Decimal("500.00"), Decimal("2500.00")
    ]
    # what the ledger holds for 2019 payouts and recoveries of claims
    ledger_2019 = LedgerEntry.objects.filter(entry_date__year=2019).exclude(subsidy_type="").aggregate(t=Sum("amount"))["t"]
    assert dec(totals["now_net"]) == -ledger_2019
    assert dec({r["name"]: r for r in sources}["失业保险基金结余"]["now_recovered"]) == Decimal("500.00")


@pytest.mark.parametrize("who,approved_now,paid_now,approved_before", [
    ("operator_a", "3000.00", "3000.00", "0.00"),  # paid_a only
    ("operator_b", "3000.00", "0.00", "3000.00"),  # payable_b now; paid_b a year earlier
    ("finance", "6000.00", "3000.00", "3000.00"),  # the payable and paid claims only
])
def test_report_sheets_hold_the_requesters_scope(money, users, client_for, who, approved_now, paid_now,
                                                 approved_before):
    _, (types, _), (sources, source_totals) = _subsidy_sheets(client_for(users[who]), {"year": 2019, "quarter": 1})

    training = types[0]
    assert [dec(training["now_approved"]), dec(training["now_paid"]), dec(training["before_approved"])] == [
        Decimal(approved_now), Decimal(paid_now), Decimal(approved_before)
    ]
    assert dec(source_totals["now_paid"]) == Decimal(paid_now)


# Formula injection -----------------------------------------------------------------------------


TRIGGERS = ["=", "+", "-", "@", "\t", "\r", "=cmd|' /C calc'!A0", '=HYPERLINK("http://evil.example","点击")',
            "+1+1", "-2+3", "@SUM(A1:A2)", "=1+1", "=IMPORTXML(A1,\"//a\")", "-", "+"]


def hostile_strings(n: int, seed: int = 2019) -> list[str]:
    rng = random.Random(seed)
    alphabet = "张王李赵=+-@()!|'\"A1:;, 0123456789"
    return [rng.choice(TRIGGERS) + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(n)]


@pytest.fixture
def hostile(money, finance, unit_a):
    """1,000 hostile strings as claim notes, payees, reasons, vouchers, ledger memos, institution and class
    names, and as names and addresses of 1,000 trainees on a claim's notice list."""
    texts_ = hostile_strings(1000)
    institutions = [InstitutionFactory(name=f"{text}#{n}") for n, text in enumerate(texts_[:5])]
    classes = [
        TrainingClassFactory(unit=unit_a, programme=money.a.klass.programme, institution=institution, name=texts_[5 + n])
        for n, institution in enumerate(institutions)
    ]
    claims = SubsidyClaim.objects.bulk_create([
        SubsidyClaim(subsidy_type="training", training_class=classes[n % 5], created_by=money.a.applicant,
                     payee_name=text[:200], status=SubsidyClaim.Status.PAID, total=Decimal("1.00"), note=text)
        for n, text in enumerate(texts_)
    ])
    ClaimTransition.objects.bulk_create([
        ClaimTransition(claim=claim, seq=1, action="return", from_status="submitted", to_status="draft",
                        actor=money.a.reviewer, reason=texts_[-n - 1])
        for n, claim in enumerate(claims)
    ])
    payments = Payment.objects.bulk_create([
        Payment(claim=claim, stage="full", amount=Decimal("1.00"), fund_source=money.employment,
                voucher_number=texts_[n][:50], paid_on=datetime.date(2019, 4, 1), recorded_by=finance)
        for n, claim in enumerate(claims)
    ])
    balance = FundSource.objects.get(pk=money.employment.pk).balance
    entries = []
    for n, (claim, payment) in enumerate(zip(claims, payments)):
        balance -= Decimal("1.00")
        entries.append(LedgerEntry(
            fund_source=money.employment, kind="payout", amount=Decimal("-1.00"), balance_after=balance,
            subsidy_type="training", claim=claim, payment=payment, voucher_number=texts_[n][:50],
            entry_date=datetime.date(2019, 4, 1), memo=texts_[-n - 1][:200], created_by=finance,
        ))
    LedgerEntry.objects.bulk_create(entries)
    FundSource.objects.filter(pk=money.employment.pk).update(balance=balance)

    notice = money.noticed_a
    trainees = Trainee.objects.bulk_create([
        Trainee(id_number=adult_id_number(), name=text[:30], sex="M", birth_date=datetime.date(1990, 1, 1),
                mobile=f"137{n:08d}", household_address=text, residence_address=texts_[-n - 1])
        for n, text in enumerate(texts_)
    ])
    enrolments = Enrolment.objects.bulk_create([
        Enrolment(trainee=t, training_class=notice.training_class, status=Enrolment.Status.COMPLETED,
                  completion_date=notice.training_class.end_date)
        for t in trainees
    ])
    ClaimLine.objects.bulk_create([
        ClaimLine(claim=notice, enrolment=e, trainee=e.trainee, unit_amount=Decimal("1000.00"),
                  amount=Decimal("1000.00"), eligible=True)
        for e in enrolments
    ])
    SubsidyClaim.objects.filter(pk=notice.pk).update(
        total=F("total") + Decimal("1000000.00"), line_count=F("line_count") + 1000,
        eligible_count=F("eligible_count") + 1000,
    )
    return texts_, trainees


HOSTILE_KINDS = {
    "subsidy_claims": {}, "subsidy_ledger": {}, "subsidy_notice": None,
    "quarterly_report": {"year": 2019, "quarter": 2}, "annual_report": {"year": 2019},
}


def test_every_subsidy_kind_is_covered():
    assert {kind["key"] for kind in exports.EXPORT_KINDS} <= set(HOSTILE_KINDS)


@pytest.mark.parametrize("kind", list(HOSTILE_KINDS))
def test_no_cell_of_any_subsidy_export_is_a_formula(hostile, money, auditor, client_for, kind):
    strings, trainees = hostile
    data = HOSTILE_KINDS[kind] if HOSTILE_KINDS[kind] is not None else {"claim": money.noticed_a.number}

    wb = export(client_for(auditor), kind, data)

    assert formula_cells(wb) == []
    found = set(texts(wb))
    # a leading tab or carriage return may be normalised by the XML reader; everything else round-trips
    expected = {text for text in strings if not text.startswith(("\t", "\r"))}
    if kind == "subsidy_claims":
        assert expected <= found  # claim notes (and the reasons of the other column)
        assert {f"{text}#{n}" for n, text in enumerate(strings[:5]) if not text.startswith(("\t", "\r"))} <= found
    elif kind == "subsidy_ledger":
        assert {text[:200] for text in expected} <= found  # memos
    elif kind == "subsidy_notice":
        rows, totals = records(wb["公示名单"], NOTICE_KEYS)
        assert len(rows) == 1003 and dec(totals["amount"]) == Decimal("1003000.00")
        assert sum(needs_literal(row["name"] or "") for row in rows) > 600  # masked 张*三, still hostile, still text
        # hostile names of one character cannot be masked; ID numbers and phones always are
        assert_no_personal_data("\n".join(found), trainees, names=False)
    else:
        assert any(sheet.startswith("补贴") for sheet in wb.sheetnames)


# Through the API, in the background ------------------------------------------------------------


def test_background_ledger_export_reads_its_stored_filters(money, auditor, client_for, settings, tmp_path,
                                                           django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(auditor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/exports/",
            {"kind": "subsidy_ledger", "filters": {"date_from": "2019-01-01", "fund_source": money.unemployment.pk}},
            content_type="application/json",
        )
    assert response.status_code == 201
    body = response.json()
    assert body["filters"] == {"date_from": "2019-01-01", "fund_source": money.unemployment.pk}
    assert body["title"] == "专账收支及余额（2019-01-01起，失业保险基金结余）"
    detail = client.get(f"/api/v1/exports/{body['id']}/").json()
    assert detail["status"] == "done", detail["error"]
    file_response = client.get(detail["file_url"])
    wb = load_workbook(io.BytesIO(b"".join(file_response.streaming_content)))
    rows, totals = records(wb["专账明细"], LEDGER_KEYS)
    assert [dec(r["amount"]) for r in rows] == [Decimal("50000.00"), Decimal("-3000.00"), Decimal("500.00")]
    assert dec(totals["amount"]) == FundSource.objects.get(pk=money.unemployment.pk).balance == Decimal("47500.00")
    assert client_for(money.institution_x_operator).get(f"/api/v1/exports/{body['id']}/").status_code == 404


# The export pages ------------------------------------------------------------------------------


@pytest.mark.parametrize("who,kinds", [
    ("institution_x", ["subsidy_claims", "subsidy_notice"]),
    ("operator_a", ["subsidy_claims", "subsidy_notice"]),
    ("finance", ["subsidy_claims", "subsidy_ledger", "subsidy_notice"]),
    ("auditor", ["subsidy_claims", "subsidy_ledger", "subsidy_notice"]),
])
def test_export_page_lists_the_subsidy_kinds_each_role_may_use(money, users, client_for, unit_a, unit_b, who, kinds):
    client = client_for(users[who])
    listing = client.get(reverse("export_list")).content.decode()
    for key in ("subsidy_claims", "subsidy_ledger", "subsidy_notice"):
        assert (reverse("export_new", args=[key]) in listing) == (key in kinds)
    form = client.get(reverse("export_new", args=["subsidy_claims"])).content.decode()
    assert "申领提交或支付日期自" in form and 'type="date"' in form
    units = re.findall(r'<option value="(\d+)"', form.split('name="unit"')[1].split("</select>")[0])
    expected = {"institution_x": set(), "operator_a": {unit_a.pk}}.get(who)
    if expected is not None:
        assert {int(pk) for pk in units} == expected
    else:
        assert {unit_a.pk, unit_b.pk} <= {int(pk) for pk in units}
    notice_form = client.get(reverse("export_new", args=["subsidy_notice"])).content.decode()
    assert "申领编号" in notice_form and "unmasked" not in notice_form
