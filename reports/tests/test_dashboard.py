"""The dashboard shows the attachment table within the user's scope."""

import re

import pytest
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from programs.models import Quota


def table_units(html: str) -> list[str]:
    return re.findall(r'<tr data-unit="([^"]+)">', html)


def totals_row(html: str) -> list[str]:
    match = re.search(r'<tr class="totals">(.*?)</tr>', html, re.S)
    return re.findall(r'<td class="num">(\d+)</td>', match.group(1)) if match else []


@pytest.mark.parametrize("role", [Role.BUREAU_ADMIN, Role.BUREAU_STAFF, Role.AUDITOR, Role.FINANCE])
def test_bureau_wide_roles_see_all_18_units_in_order_with_totals(client_for, role):
    user = UserFactory(role=role)
    html = client_for(user).get(reverse("dashboard")).content.decode()
    units = table_units(html)
    assert len(units) == 18
    assert units[0] == "区人力社保局" and units[2] == "区教委" and units[-1] == "区市场监管局"
    assert totals_row(html) == ["11400", "14300", "17000", "42700"]
    assert "指导计划与全区目标不一致" not in html


def test_unit_operator_sees_only_their_own_unit(client_for, operator_a):
    html = client_for(operator_a).get(reverse("dashboard")).content.decode()
    assert table_units(html) == ["区教委"]
    assert totals_row(html) == []
    assert "本单位工作分工及指导计划" in html
    assert "依托职业院校" in html and "采取各种方式大力组织建筑工人" not in html


@pytest.mark.parametrize("role", [None, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
def test_accounts_without_a_business_role_see_no_unit(client_for, role):
    user = UserFactory(role=role) if role else UserFactory()
    html = client_for(user).get(reverse("dashboard")).content.decode()
    assert table_units(html) == []
    assert "您的账号没有可查看的单位" in html


def test_unit_operator_without_a_unit_sees_nothing(client_for):
    user = UserFactory(role=Role.UNIT_OPERATOR, unit=None)
    html = client_for(user).get(reverse("dashboard")).content.decode()
    assert table_units(html) == []


def test_quota_mismatch_shows_a_visible_warning(client_for, bureau_staff):
    Quota.objects.filter(unit__name="区教委", year=2020).update(target=650)
    html = client_for(bureau_staff).get(reverse("dashboard")).content.decode()
    assert "指导计划与全区目标不一致" in html
    assert "2020年各责任单位指导计划合计 14350 人次，与全区目标 14300 人次不一致，相差 50 人次。" in html


def test_unit_page_shows_duties_cooperating_units_and_quotas(client_for, bureau_staff, unit_a):
    html = client_for(bureau_staff).get(reverse("unit_detail", args=[unit_a.pk])).content.decode()
    assert "区教委" in html and "依托职业院校" in html
    assert "区人力社保局" in html
    assert re.findall(r'<td class="num[^"]*">(\d+)</td>', html) == ["500", "600", "700", "1800"]


def test_unit_operator_opens_own_unit_page_but_another_unit_is_404(client_for, operator_a, unit_a, unit_b):
    client = client_for(operator_a)
    assert "依托职业院校" in client.get(reverse("unit_detail", args=[unit_a.pk])).content.decode()
    response = client.get(reverse("unit_detail", args=[unit_b.pk]))
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
    assert "全面建立新型职业农民制度" not in response.content.decode()


def test_auditor_opens_any_unit_page(client_for, auditor, unit_b):
    html = client_for(auditor).get(reverse("unit_detail", args=[unit_b.pk])).content.decode()
    assert "全面建立新型职业农民制度" in html


def test_no_role_gets_404_on_unit_page(client_for, no_role_user, unit_a):
    assert client_for(no_role_user).get(reverse("unit_detail", args=[unit_a.pk])).status_code == 404


def test_navigation_depends_on_role(client_for, bureau_admin, operator_a):
    admin_html = client_for(bureau_admin).get(reverse("dashboard")).content.decode()
    operator_html = client_for(operator_a).get(reverse("dashboard")).content.decode()
    assert 'href="/admin/"' in admin_html and "局管理员" in admin_html
    assert 'href="/admin/"' not in operator_html and "单位经办人" in operator_html and "区教委" in operator_html
