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


def test_unit_submits_q1_bureau_approves_and_dashboard_shows_the_percent(page, browser, live_server, screenshot_dir):
    import datetime

    from programs.models import TrainingType
    from reports import services
    from reports.tests.factories import completed_enrolments, plan_2019

    unit = Unit.objects.get(name="区教委")
    UserFactory(username="jw_operator", role=Role.UNIT_OPERATOR, unit=unit)
    UserFactory(username="reviewer", role=Role.BUREAU_STAFF)
    # the 2019–2021 plan lies in the past: its deadlines are lifted so returns can still be entered
    services.plan_deadlines_set(plan=plan_2019(), actor=UserFactory(role=Role.BUREAU_ADMIN), lifted=True)
    completed_enrolments(unit, datetime.date(2019, 3, 20), 3)
    employment = TrainingType.objects.get(code="employment-skills").pk

    # the unit operator opens the Q1 2019 return, pre-filled from the 3 real-name completions
    log_in(page, live_server, "jw_operator")
    page.goto(f"{live_server.url}/returns/")
    page.select_option("#new-return select[name=year]", "2019")
    page.select_option("#new-return select[name=quarter]", "1")
    page.click("#new-return button[type=submit]")
    assert page.locator("#real-name-figure").inner_text() == "3"
    assert page.input_value("#id_person_times") == "3"
    page.fill("#id_person_times", "50")
    page.fill("#id_completions", "50")
    page.fill("#id_group_other", "50")
    page.fill(f"#id_type_{employment}", "50")
    page.fill("#id_explanation", "47人在市级培训平台登记，实名制信息补录中。")
    page.click("#save-and-submit")
    assert page.locator("#return-status").inner_text() == "已报送待审核"
    assert "统计季报已报送，等待区人力社保局审核" in page.locator(".messages").inner_text()

    # bureau staff approve it from the review queue
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    staff_page = context.new_page()
    staff_page.set_default_timeout(15000)
    log_in(staff_page, live_server, "reviewer")
    staff_page.goto(f"{live_server.url}/returns/?status=submitted")
    staff_page.click("#return-table tr[data-return] >> text=查看")
    staff_page.click("#approve-form button[type=submit]")
    assert staff_page.locator("#return-status").inner_text() == "已审核通过"

    # the dashboard shows 50 / 500 = 10.00% for 区教委 and draws the charts
    staff_page.goto(f"{live_server.url}/?year=2019")
    row = staff_page.locator('#progress-table tr[data-progress-unit="区教委"]')
    assert row.locator("td.percent").inner_text() == "10.00%"
    assert row.locator("td").nth(2).inner_text() == "50"
    for chart in ("#chart-units", "#chart-cumulative"):
        staff_page.wait_for_selector(f"{chart}[data-drawn='1'] canvas")
        box = staff_page.locator(f"{chart} canvas").first.bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 100
    staff_page.screenshot(path=screenshot_dir / "dashboard-progress-after-approval.png", full_page=True)
    context.close()
