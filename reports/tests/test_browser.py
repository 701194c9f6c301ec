"""Each role's first journey, in Debian's Chromium."""

import pytest

from accounts.roles import Role
from accounts.tests.factories import TEST_PASSWORD, UserFactory
from programs.models import Unit

pytestmark = pytest.mark.browser


def log_in(page, live_server, username: str, password: str = TEST_PASSWORD) -> None:
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def test_bureau_staff_sees_the_whole_attachment_table(page, live_server, screenshot_dir):
    UserFactory(username="staff1", role=Role.BUREAU_STAFF)
    log_in(page, live_server, "staff1")
    page.wait_for_selector("#plan-table")
    rows = page.locator("#plan-table tbody tr")
    assert rows.count() == 18
    assert rows.nth(0).locator("td").nth(1).inner_text() == "区人力社保局"
    totals = page.locator("#plan-table tfoot tr.totals td").all_inner_texts()
    assert totals == ["11400", "14300", "17000", "42700"]
    page.screenshot(path=screenshot_dir / "dashboard-bureau-staff.png", full_page=True)
    page.click("text=区妇联")
    assert page.locator("h1").inner_text() == "区妇联"
    assert page.locator(".quota-table td").all_inner_texts() == ["100", "100", "300", "500"]


def test_unit_operator_sees_only_their_unit(page, live_server, screenshot_dir):
    UserFactory(username="jiaowei", role=Role.UNIT_OPERATOR, unit=Unit.objects.get(name="区教委"))
    log_in(page, live_server, "jiaowei")
    page.wait_for_selector("#plan-table")
    units = page.locator("#plan-table tbody tr").evaluate_all("rows => rows.map(r => r.dataset.unit)")
    assert units == ["区教委"]
    assert page.locator("#plan-table tfoot").count() == 0
    assert "本单位工作分工及指导计划" in page.content()
    page.screenshot(path=screenshot_dir / "dashboard-unit-operator.png", full_page=True)


def test_wrong_password_shows_a_chinese_error(page, live_server):
    UserFactory(username="staff2", role=Role.BUREAU_STAFF)
    log_in(page, live_server, "staff2", "not-the-password-9")
    error = page.locator(".errorlist[role=alert]")
    assert error.inner_text().strip() == "请输入一个正确的用户名和密码。注意，两者都区分大小写。"
    assert "/accounts/login/" in page.url
