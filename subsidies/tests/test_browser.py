"""The whole journey of a claim in Debian's Chromium: institution → unit → bureau → public notice → finance."""

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import TEST_PASSWORD, UserFactory
from programs.models import Unit
from programs.tests.factories import InstitutionFactory
from subsidies import services
from subsidies.archive import archive_sections
from subsidies.models import FundSource, SubsidyClaim

from .conftest import finished_class

pytestmark = pytest.mark.browser


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector(".account")


def log_out(page) -> None:
    page.click("button:has-text('退出')")
    page.wait_for_selector("#id_username")


def test_claim_journey_from_submission_to_payment(page, live_server, screenshot_dir):
    unit = Unit.objects.get(name="区教委")
    school = InstitutionFactory(name="綦江区古南职业技能培训学校")
    klass, enrolments = finished_class(unit=unit, institution=school)
    UserFactory(username="school1", role=Role.INSTITUTION_OPERATOR, institution=school)
    UserFactory(username="jiaowei1", role=Role.UNIT_OPERATOR, unit=unit)
    staff = UserFactory(username="staff1", role=Role.BUREAU_STAFF)
    finance = UserFactory(username="caiwu1", role=Role.FINANCE)
    source = FundSource.objects.get(code="employment-subsidy")
    services.ledger_allocate(fund_source=source, amount="50000", entry_date=datetime.date(2019, 1, 10), actor=finance)

    # The institution operator opens a claim for the finished class and submits it.
    log_in(page, live_server, "school1")
    page.click("nav.mainnav >> text=补贴申领")
    page.click("text=新建申领")
    page.select_option("#id_training_class", str(klass.pk))
    page.select_option("#id_subsidy_type", "training")
    page.click("button:has-text('创建并核算')")
    page.wait_for_selector("#claim-summary")
    assert page.locator("#eligible-count").inner_text() == "3"
    assert page.locator("#claim-total").inner_text() == "3,000.00"
    page.screenshot(path=screenshot_dir / "subsidy-claim-draft.png", full_page=True)
    page.click("#btn-submit")
    expect(page.locator("#claim-status")).to_have_text("待初审")
    claim = SubsidyClaim.objects.get()
    log_out(page)

    # The unit does the first review.
    log_in(page, live_server, "jiaowei1")
    page.goto(f"{live_server.url}/subsidies/claims/{claim.pk}/")
    page.fill("#review-comment", "材料齐全，同意上报。")
    page.click("#btn-review")
    expect(page.locator("#claim-status")).to_have_text("待复核")
    log_out(page)

    # The bureau approves and publishes the notice.
    log_in(page, live_server, "staff1")
    page.goto(f"{live_server.url}/subsidies/claims/{claim.pk}/")
    page.click("#btn-approve")
    expect(page.locator("#claim-status")).to_have_text("已复核待公示")
    page.click("#btn-publicize")
    expect(page.locator("#claim-status")).to_have_text("公示中")
    page.click("nav.mainnav >> text=补贴公示")
    table = page.locator(f"article[data-claim='{claim.pk}'] table")
    rows = table.locator("tbody tr")
    assert rows.count() == 3
    names = rows.evaluate_all("rows => rows.map(r => r.cells[1].innerText)")
    ids = rows.evaluate_all("rows => rows.map(r => r.cells[2].innerText)")
    trainees = sorted((e.trainee for e in enrolments), key=lambda t: t.pk)
    for trainee in trainees:
        assert f"{trainee.id_number[:6]}********{trainee.id_number[-4:]}" in ids
    assert all("*" in name for name in names)
    content = page.content()
    assert not any(t.id_number in content or t.name in content for t in trainees)
    page.screenshot(path=screenshot_dir / "subsidy-public-notice.png", full_page=True)
    log_out(page)

    # The notice period passes without objection (the hourly task).
    claim.refresh_from_db()
    assert services.claims_close_due_notices(today=claim.notice_ends_on + datetime.timedelta(days=1)) == 1

    # Finance records the payment.
    log_in(page, live_server, "caiwu1")
    page.goto(f"{live_server.url}/subsidies/claims/{claim.pk}/")
    expect(page.locator("#claim-status")).to_have_text("待支付")
    page.select_option("#id_fund_source", str(source.pk))
    page.fill("#id_voucher_number", "PZ2019-0815")
    page.click("#btn-pay")
    expect(page.locator(".messages")).to_contain_text("已登记支付")
    expect(page.locator("#claim-status")).to_have_text("已支付")
    payments = page.locator("#claim-payments").inner_text()
    assert "3,000.00" in payments and "PZ2019-0815" in payments and "就业补助资金" in payments
    page.screenshot(path=screenshot_dir / "subsidy-claim-paid.png", full_page=True)
    page.click("nav.mainnav >> text=专账")
    balance = page.locator("#balance-table tr[data-source='employment-subsidy'] td").last.inner_text()
    assert balance == "47,000.00"

    # The trainee's archive shows the subsidy (the archive page reads subsidies/archive.py).
    section = archive_sections(trainee=trainees[0], user=staff)[0]
    assert section["rows"][0][5:7] == ["1,000.00", "已支付"]
    source.refresh_from_db()
    assert source.balance == Decimal("47000.00")
    assert re.fullmatch(r"BT\d{10}", claim.number)
