"""Writes to accounts: creating an account and changing its role (三员分立 rules)."""

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from programs.models import Institution, Unit

from .audit import audit_record
from .models import AuditEntry, User
from .roles import INSTITUTION_BOUND_ROLES, IT_ROLES, STAFF_ROLES, UNIT_BOUND_ROLES, Role, roles_of


def role_binding_check(*, roles: set[Role], unit: Unit | None, institution: Institution | None = None) -> None:
    """Refuse role combinations that break scoping or the separation of IT duties."""
    it_roles = roles & IT_ROLES
    if it_roles and len(roles) > 1:
        raise ValidationError("系统管理员、安全管理员、安全审计员三个角色必须由不同账号分别担任，且不能兼任业务角色。")
    if roles & UNIT_BOUND_ROLES and roles & INSTITUTION_BOUND_ROLES:
        raise ValidationError("单位经办人和机构经办人不能由同一账号兼任。")
    if roles & UNIT_BOUND_ROLES and unit is None:
        raise ValidationError("单位经办人必须绑定所属单位，请指定单位。")
    if unit is not None and not roles & UNIT_BOUND_ROLES:
        raise ValidationError("只有单位经办人可以绑定单位；其他角色请不要指定单位。")
    if roles & INSTITUTION_BOUND_ROLES and institution is None:
        raise ValidationError("机构经办人必须绑定所属培训机构，请指定机构。")
    if institution is not None and not roles & INSTITUTION_BOUND_ROLES:
        raise ValidationError("只有机构经办人可以绑定培训机构；其他角色请不要指定机构。")


@transaction.atomic
def account_create(
    *,
    username: str,
    role: Role,
    password: str,
    unit: Unit | None = None,
    institution: Institution | None = None,
    full_name: str = "",
    email: str = "",
    must_change_password: bool = False,
    actor: User | None = None,
) -> User:
    """Create an active account with one role; any refusal creates nothing."""
    username = username.strip()
    if not username:
        raise ValidationError("用户名不能为空。")
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(f"用户名“{username}”已存在，请换一个。")
    role_binding_check(roles={role}, unit=unit, institution=institution)
    user = User(
        username=username,
        full_name=full_name,
        email=email,
        unit=unit,
        institution=institution,
        is_staff=role in STAFF_ROLES,
        must_change_password=must_change_password,
    )
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    user.groups.set([Group.objects.get(name=role.label)])
    audit_record(
        action=AuditEntry.Action.ACCOUNT_CREATED,
        actor=actor,
        obj=user,
        detail={
            "role": role.value,
            "unit": unit.name if unit else None,
            "institution": institution.name if institution else None,
        },
    )
    return user


@transaction.atomic
def account_set_roles(
    *, user: User, roles: set[Role], unit: Unit | None, actor: User, institution: Institution | None = None
) -> User:
    """Change an account's roles; only a security admin, and never on their own account."""
    if not actor.has_perm("accounts.assign_roles"):
        raise PermissionDenied("只有安全管理员可以分配角色。")
    if actor.pk == user.pk:
        raise PermissionDenied("不能修改自己账号的角色。")
    role_binding_check(roles=roles, unit=unit, institution=institution)
    user = User.objects.select_for_update().get(pk=user.pk)
    before = sorted(role.value for role in roles_of(user))
    user.unit = unit
    user.institution = institution
    user.is_staff = bool(roles & STAFF_ROLES)
    user.save(update_fields=["unit", "institution", "is_staff"])
    user.groups.set(Group.objects.filter(name__in=[role.label for role in roles]))
    audit_record(
        action=AuditEntry.Action.ACCOUNT_CHANGED,
        actor=actor,
        obj=user,
        detail={
            "roles_before": before,
            "roles_after": sorted(r.value for r in roles),
            "unit": unit.name if unit else None,
            "institution": institution.name if institution else None,
        },
    )
    return user


@transaction.atomic
def account_password_changed(*, user: User, request=None) -> None:
    """Record a password change and lift the one-time-password flag."""
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
    audit_record(action=AuditEntry.Action.PASSWORD_CHANGED, actor=user, request=request, obj=user)


def sessions_purge_expired() -> int:
    """Delete expired sessions so a timed-out session can never be replayed."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
