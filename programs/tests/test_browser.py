"""Catalog and class journeys in Debian's Chromium."""

import pytest

from accounts.roles import Role
from accounts.tests.factories import TEST_PASSWORD, UserFactory
from programs.models import Institution, TrainingClass, Unit
from programs.tests.factories import InstitutionFactory, ProgrammeFactory, credit_code

pytestmark = pytest.mark.browser


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector(".mainnav")


def test_bureau_staff_fixes_a_bad_credit_code_and_sees_the_institution_listed(page, live_server, screenshot_dir):
    UserFactory(username="catalog_staff", role=Role.BUREAU_STAFF)
    good = credit_code(31415)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    log_in(page, live_server, "catalog_staff")
    page.click(".mainnav >> text=目录清单")
    page.click("text=培训评价机构")
    page.click("text=新增培训评价机构")
    page.fill("#id_name", "綦江区古南职业技能培训学校")
    page.fill("#id_credit_code", bad)
    page.check("#id_joined_alliance")
    page.click(".entry-form button[type=submit]")
    error = page.locator("#field-credit_code .field-error")
    assert error.inner_text() == "统一社会信用代码校验位不正确，请逐位核对代码"
    assert not Institution.objects.filter(name="綦江区古南职业技能培训学校").exists()
    page.screenshot(path=screenshot_dir / "catalog-institution-bad-credit-code.png", full_page=True)
    page.fill("#id_credit_code", good)
    page.click(".entry-form button[type=submit]")
    page.wait_for_selector("#catalog-table")
    assert "已保存培训评价机构“綦江区古南职业技能培训学校”。" in page.locator(".messages").inner_text()
    row = page.locator("#catalog-table tr", has_text="綦江区古南职业技能培训学校")
    assert row.locator("td").all_inner_texts()[:3] == ["綦江区古南职业技能培训学校", good, "培训机构"]
    page.screenshot(path=screenshot_dir / "catalog-institution-listed.png", full_page=True)


def test_institution_operator_opens_a_class_and_sees_it_in_their_list(page, live_server, screenshot_dir):
    school = InstitutionFactory(name="綦江区扶欢职业培训学校")
    other = InstitutionFactory(name="綦江区其他培训学校")
    programme = ProgrammeFactory(unit=Unit.objects.get(name="区农业农村委"))
    UserFactory(username="fuhuan", role=Role.INSTITUTION_OPERATOR, institution=school)
    from programs.tests.factories import TrainingClassFactory

    TrainingClassFactory(code="OTHER-1", institution=other, unit=programme.unit, programme=programme)
    log_in(page, live_server, "fuhuan")
    page.click(".mainnav >> text=培训班")
    page.click("text=开设培训班")
    assert "培训机构：綦江区扶欢职业培训学校（本机构）" in page.locator("#fixed-institution").inner_text()
    page.fill("#id_code", "FH2020-01")
    page.fill("#id_name", "扶欢镇电焊培训班")
    page.select_option("#id_programme", str(programme.pk))
    page.fill("#id_start_date", "2020-05-06")
    page.fill("#id_end_date", "2020-05-30")
    page.fill("#id_capacity", "45")
    page.click(".entry-form button[type=submit]")
    page.wait_for_selector("#class-status")
    assert page.locator("#class-status").inner_text() == "筹备中"
    created = TrainingClass.objects.get(code="FH2020-01")
    assert created.institution == school and created.unit.name == "区农业农村委"
    page.click(".mainnav >> text=培训班")
    page.wait_for_selector("#class-table")
    codes = page.locator("#class-table tbody tr").evaluate_all("rows => rows.map(r => r.dataset.code)")
    assert codes == ["FH2020-01"]
    page.screenshot(path=screenshot_dir / "classes-institution-operator.png", full_page=True)
