"""In Debian's Chromium: an auditor downloads the quarterly report; the public page without logging in."""

import datetime

import pytest
from openpyxl import load_workbook

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from programs.models import Unit
from reports import public, services
from reports.models import QuarterlyReturn
from reports.tests.factories import completed_enrolments, make_return, plan_2019
from reports.tests.test_browser import log_in

pytestmark = pytest.mark.browser


def test_auditor_downloads_the_quarterly_report(page, live_server, screenshot_dir, tmp_path):
    unit = Unit.objects.get(name="区教委")
    make_return(unit, 2019, 1, 250, status=QuarterlyReturn.Status.APPROVED)
    completed_enrolments(unit, datetime.date(2019, 3, 20), 3)
    UserFactory(username="shenji", role=Role.AUDITOR)

    log_in(page, live_server, "shenji")
    page.click("nav.mainnav >> text=导出")
    page.click("#export-kinds >> text=统计季报")
    page.select_option("#id_year", "2019")
    page.select_option("#id_quarter", "1")
    page.screenshot(path=screenshot_dir / "export-quarterly-form.png", full_page=True)
    with page.expect_download() as download_info:
        page.click("#export-submit")
    download = download_info.value
    assert download.suggested_filename.startswith("统计季报(2019年第1季度)_") and download.suggested_filename.endswith(".xlsx")
    path = tmp_path / "report.xlsx"
    download.save_as(path)

    wb = load_workbook(path)
    ws = wb["按责任单位"]
    row = next(r for r in ws.iter_rows(min_row=5, values_only=True) if r[1] == "区教委")
    assert row[6:8] == (250, 3)
    assert next(r for r in ws.iter_rows(min_row=5, values_only=True) if r[0] == "合计")[6] == 250


def test_public_page_renders_without_login(page, live_server, screenshot_dir, monkeypatch):
    # this app's own sections; the reserved slots stay empty without a contributing app (subsidies fills them)
    monkeypatch.setattr(public, "contributed_modules", lambda: [])
    make_return(Unit.objects.get(name="区妇联"), 2019, 2, 80, status=QuarterlyReturn.Status.APPROVED)
    services.progress_rollup(plan=plan_2019())

    page.goto(f"{live_server.url}/accounts/login/")
    page.click("#public-link")
    assert page.url.endswith("/public/")
    assert page.locator("h1").inner_text() == "綦江区职业技能提升行动公开信息"
    targets = page.locator("#public-years tbody td.target").all_inner_texts()
    assert targets == ["11400", "14300", "17000"]
    assert page.locator("#public-years-total td.target").inner_text() == "42700"
    fulian = page.locator('#public-units tr[data-public-unit="区妇联"] td').all_inner_texts()
    assert fulian[:5] == ["17", "区妇联", "100", "80", "80.00%"]
    assert page.locator("#public-fund_usage").inner_text().endswith("暂未公布。")
    assert "sessionid" not in [c["name"] for c in page.context.cookies()]
    page.screenshot(path=screenshot_dir / "public-page.png", full_page=True)
