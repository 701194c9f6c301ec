"""Roles, scoping and the separation of IT duties (三员分立)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from accounts.models import AuditEntry
from accounts.roles import Role, role_permissions, roles_of
from accounts.scoping import scope_to_units
from accounts.services import account_set_roles
from accounts.tests.factories import UserFactory
from programs.models import Quota, Unit


def test_every_role_has_a_group_with_exactly_its_permissions(db):
    from django.contrib.auth.models import Group

    for role, codes in role_permissions().items():
        group = Group.objects.get(name=Role(role).label)
        names = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        assert names == set(codes)


def test_scope_fails_closed(db, unit_a):
    from django.contrib.auth.models import AnonymousUser

    quotas = Quota.objects.all()
    assert scope_to_units(quotas, AnonymousUser(), unit_field="unit_id").count() == 0
    assert scope_to_units(quotas, UserFactory(), unit_field="unit_id").count() == 0
    assert scope_to_units(quotas, UserFactory(role=Role.UNIT_OPERATOR), unit_field="unit_id").count() == 0
    inactive = UserFactory(role=Role.BUREAU_STAFF, is_active=False)
    assert scope_to_units(quotas, inactive, unit_field="unit_id").count() == 0


def test_scope_by_role(db, operator_a, unit_a, auditor):
    quotas = Quota.objects.all()
    assert set(scope_to_units(quotas, operator_a, unit_field="unit_id").values_list("unit", flat=True)) == {unit_a.pk}
    assert scope_to_units(quotas, auditor, unit_field="unit_id").count() == 54
    assert list(scope_to_units(Unit.objects.all(), operator_a, unit_field="pk")) == [unit_a]


@pytest.mark.parametrize("it_role", [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
def test_it_roles_hold_no_business_permission(db, it_role):
    user = UserFactory(role=it_role)
    assert not user.has_perm("programs.view_all_units") and not user.has_perm("programs.view_own_unit")
    assert not any(user.has_perm(f"programs.view_{m}") for m in ["quota", "unit", "assignment"])
    assert not user.has_perm("accounts.delete_auditentry") and not user.has_perm("accounts.change_auditentry")


def test_only_the_security_admin_assigns_roles_and_never_their_own(db, unit_a):
    security = UserFactory(role=Role.SECURITY_ADMIN)
    system = UserFactory(role=Role.SYSTEM_ADMIN)
    target = UserFactory()
    with pytest.raises(PermissionDenied, match="只有安全管理员可以分配角色"):
        account_set_roles(user=target, roles={Role.AUDITOR}, unit=None, actor=system)
    with pytest.raises(PermissionDenied, match="不能修改自己账号的角色"):
        account_set_roles(user=security, roles={Role.BUREAU_ADMIN, Role.SECURITY_ADMIN}, unit=None, actor=security)
    account_set_roles(user=target, roles={Role.UNIT_OPERATOR}, unit=unit_a, actor=security)
    target.refresh_from_db()
    assert roles_of(target) == {Role.UNIT_OPERATOR} and target.unit == unit_a
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ACCOUNT_CHANGED)
    assert entry.actor == security and entry.detail["roles_after"] == ["unit_operator"]


@pytest.mark.parametrize(
    "roles, message",
    [
        ({Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN}, "三个角色必须由不同账号分别担任"),
        ({Role.SECURITY_ADMIN, Role.BUREAU_STAFF}, "不能兼任业务角色"),
    ],
)
def test_it_roles_cannot_be_combined(db, roles, message):
    security = UserFactory(role=Role.SECURITY_ADMIN)
    target = UserFactory()
    with pytest.raises(ValidationError, match=message):
        account_set_roles(user=target, roles=roles, unit=None, actor=security)
    assert roles_of(target) == set()


def test_admin_role_page_is_refused_to_the_system_admin(db, client_for):
    system = UserFactory(role=Role.SYSTEM_ADMIN)
    target = UserFactory()
    assert client_for(system).get(f"/admin/accounts/user/{target.pk}/roles/").status_code == 403


def test_security_admin_assigns_a_role_through_admin(db, client_for, unit_b):
    security = UserFactory(role=Role.SECURITY_ADMIN)
    target = UserFactory()
    client = client_for(security)
    response = client.post(
        f"/admin/accounts/user/{target.pk}/roles/", {"roles": ["unit_operator"], "unit": unit_b.pk}
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert roles_of(target) == {Role.UNIT_OPERATOR} and target.unit == unit_b
    refused = client.post(f"/admin/accounts/user/{target.pk}/roles/", {"roles": ["unit_operator"], "unit": ""})
    assert "单位经办人必须绑定所属单位" in refused.content.decode()
