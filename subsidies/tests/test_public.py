"""The subsidy sections of the public page (/public/, no login): fund usage (四（四） 定期向社会公开资金使用情况)
and the notice lists (公示名单), checked against the ledger and for masking."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.test import Client
from django.utils import timezone

from programs.models import ActionPlan
from subsidies import public, services
from subsidies.models import ClaimLine, FundSource, LedgerEntry, SubsidyClaim, SubsidyType
from trainees.masking import mask_id_number, mask_name

from .exporting import assert_no_personal_data


def public_html() -> str:
    response = Client().get("/public/")
    assert response.status_code == 200
    assert not response.cookies  # no session, no CSRF cookie: nothing ties the page to a visitor
    return response.content.decode()


def yuan_of(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def source_rows(html: str) -> dict[tuple[int, str], tuple[Decimal, Decimal, Decimal]]:
    found = re.findall(
        r'<tr data-fund-year="(\d+)" data-fund-source="([^"]+)"><td>\d+年</td><td>[^<]+</td>'
        r'<td class="num allocated">([^<]+)</td><td class="num paid">([^<]+)</td><td class="num balance">([^<]+)</td>',
        html,
    )
    return {(int(y), s): (yuan_of(a), yuan_of(p), yuan_of(b)) for y, s, a, p, b in found}


def cells(html: str, row_pattern: str) -> list[Decimal]:
    row = re.search(row_pattern + r"(.*?)</tr>", html, re.S).group(1)
    return [yuan_of(v) for v in re.findall(r'<td class="num[^"]*">([^<]+)</td>', row)]


def ledger_sum(**filters) -> Decimal:
    return LedgerEntry.objects.filter(**filters).aggregate(t=Sum("amount"))["t"] or Decimal("0.00")


def test_fund_usage_is_published_without_login_and_matches_the_ledger(money, finance):
    # given, besides the money world, an allocation corrected by 1,000 in 2019
    allocation = LedgerEntry.objects.get(fund_source=money.unemployment, kind="allocation")
    services.ledger_reverse(entry=allocation, amount="1000.00", reason="多拨入", entry_date=datetime.date(2019, 7, 1),
                            actor=finance)

    html = public_html()

    section = re.search(r'<section class="card public-section" id="public-fund_usage">(.*?)</section>', html, re.S)
    assert section and "<h2>资金使用情况</h2>" in section.group(1) and "暂未公布" not in section.group(1)
    rows = source_rows(html)
    years = sorted({year for year, _ in rows})
    assert years == [2018, 2019, 2020, 2021]  # the plan's years and every year with entries
    for (year, name), (allocated, paid, balance) in rows.items():
        source = FundSource.objects.get(name=name)
        assert allocated == ledger_sum(fund_source=source, entry_date__year=year, subsidy_type="")
        assert paid == -ledger_sum(fund_source=source, entry_date__year=year, subsidy_type__gt="")
        assert balance == ledger_sum(fund_source=source, entry_date__lte=datetime.date(year, 12, 31))
    assert rows[(2019, "失业保险基金结余")] == (Decimal("49000.00"), Decimal("2500.00"), Decimal("46500.00"))
    assert rows[(2018, "就业补助资金")] == (Decimal("100000.00"), Decimal("3000.00"), Decimal("97000.00"))
    assert cells(html, r'<tr class="subtotal" data-fund-year-total="2019">') == [
        Decimal("49000.00"), Decimal("2500.00"), Decimal("143500.00")
    ]
    total_balance = sum(FundSource.objects.values_list("balance", flat=True), Decimal(0))
    assert cells(html, r'<tr class="totals" id="public-fund-total">') == [
        Decimal("149000.00"), Decimal("5500.00"), total_balance
    ] and total_balance == ledger_sum()
    assert cells(html, r'<tr data-fund-total-source="失业保险基金结余">') == [
        Decimal("49000.00"), Decimal("2500.00"), FundSource.objects.get(pk=money.unemployment.pk).balance
    ]
    # by subsidy type, per year: payouts net of recoveries
    training = cells(html, r'<tr data-fund-type="training">')
    assert training == [Decimal("3000.00"), Decimal("2500.00"), Decimal(0), Decimal(0), Decimal("5500.00")]
    for value, _ in SubsidyType.choices:
        assert cells(html, rf'<tr data-fund-type="{value}">')[-1] == -ledger_sum(subsidy_type=value)
    assert cells(html, r'<tr class="totals" id="public-fund-types-total">')[-1] == -ledger_sum(subsidy_type__gt="")
    # aggregates only: no voucher, memo or claim number of the ledger
    for text in ("BK2018-001", "PZ2019-0001", "ZH2019-001", "一名学员证书存疑", "多拨入", money.paid_a.number + " "):
        assert text not in section.group(1)


def test_fund_usage_of_an_empty_ledger_shows_the_plan_years_at_zero(db):
    html = public_html()
    assert sorted({year for year, _ in source_rows(html)}) == [2019, 2020, 2021]
    assert set(source_rows(html).values()) == {(Decimal(0), Decimal(0), Decimal(0))}
    assert cells(html, r'<tr class="totals" id="public-fund-total">') == [Decimal(0)] * 3
    assert "目前没有正在公示或近期公示的补贴申领。" in html


def _blocks(html: str) -> dict[int, str]:
    return {int(pk): body for pk, body in re.findall(r'<article class="notice-block" data-claim="(\d+)">(.*?)</article>',
                                                     html, re.S)}


def test_notice_lists_show_claims_on_notice_and_recently_through_it_masked(money):
    today = timezone.localdate()
    # paid_a's notice ended 10 days ago, paid_b's 40 days ago (past the 30 kept), payable_b went back to review
    SubsidyClaim.objects.filter(pk=money.paid_a.pk).update(notice_ends_on=today - datetime.timedelta(days=10))
    SubsidyClaim.objects.filter(pk=money.paid_b.pk).update(notice_ends_on=today - datetime.timedelta(days=40))
    SubsidyClaim.objects.filter(pk=money.payable_b.pk).update(status=SubsidyClaim.Status.SUBMITTED)

    html = public_html()

    blocks = _blocks(html)
    assert set(blocks) == {money.noticed_a.pk, money.paid_a.pk}
    states = dict(re.findall(r'<p class="small strong" data-notice-state="(\d+)">([^<]+)</p>', html))
    assert states == {str(money.noticed_a.pk): "公示中", str(money.paid_a.pk): "公示期满"}
    for claim in (money.noticed_a, money.paid_a):
        lines = ClaimLine.objects.filter(claim=claim, eligible=True, excluded=False).select_related("trainee").order_by("id")
        shown = re.findall(r'<tr><td class="num">\d+</td><td>([^<]*)</td><td class="nowrap">([^<]+)</td>', blocks[claim.pk])
        assert shown == [(mask_name(line.trainee.name), mask_id_number(line.trainee.id_number)) for line in lines]
        assert f"申领编号 {claim.number}" in blocks[claim.pk] and "3,000.00" in blocks[claim.pk]
    assert_no_personal_data(html, money.trainees)


def test_notice_lists_are_limited_to_the_most_recent(money, monkeypatch):
    monkeypatch.setattr(public, "NOTICE_LIMIT", 2)
    html = public_html()
    assert len(_blocks(html)) == 2 and "只列出最近的 2 笔申领。" in html


def test_public_sections_read_in_a_constant_number_of_queries(money, django_assert_max_num_queries):
    assert [section["key"] for section in public.PUBLIC_SECTIONS] == ["fund_usage", "notice_lists"]
    plan = ActionPlan.objects.get()
    with django_assert_max_num_queries(2):  # fund sources, one GROUP BY over the ledger
        usage = public.fund_usage_context(plan)["usage"]
    assert usage.balance == ledger_sum()
    with django_assert_max_num_queries(2):  # the claims, one query for all their lines
        notices = public.notice_lists_context(plan)["notices"]
    assert len(notices) == 4 and sum(len(block.rows) for block, _ in notices) == 12


@pytest.mark.browser
def test_public_page_shows_fund_usage_and_notices_in_a_browser(money, page, live_server, screenshot_dir):
    page.goto(f"{live_server.url}/accounts/login/")
    page.click("#public-link")
    assert page.url.endswith("/public/")
    assert page.locator("#public-fund_usage h2").inner_text() == "资金使用情况"
    total = page.locator("#public-fund-total td").all_inner_texts()
    assert total == ["150,000.00", "5,500.00", "144,500.00"]
    assert page.locator("#public-notice_lists article.notice-block").count() == 4
    assert "sessionid" not in [c["name"] for c in page.context.cookies()]
    page.screenshot(path=screenshot_dir / "public-page-subsidies.png", full_page=True)
