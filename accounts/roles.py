"""Roles as Django groups with named permissions.

Business roles see business data within their scope; the three IT roles
(三员分立: system admin, security admin, audit admin) see none of it, and none
of them can both act and erase the trace: the audit trail is append-only for
everybody, roles are assigned only by the security admin, and the audit admin
only reads.
"""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import models

PLAN_MODELS = ("actionplan", "planyear", "outcomeindicator", "unit", "assignment", "cooperation", "quota")
CATALOG_MODELS = (
    "occupation", "skilllevel", "trainingtype", "certificatetype", "institution", "programme", "trainingclass",
)


def _view(app: str, names: tuple[str, ...]) -> list[str]:
    return [f"{app}.view_{name}" for name in names]


def _manage(app: str, names: tuple[str, ...]) -> list[str]:
    return [f"{app}.{verb}_{name}" for name in names for verb in ("view", "add", "change")]


class Role(models.TextChoices):
    BUREAU_ADMIN = "bureau_admin", "局管理员"
    BUREAU_STAFF = "bureau_staff", "局业务人员"
    UNIT_OPERATOR = "unit_operator", "单位经办人"
    INSTITUTION_OPERATOR = "institution_operator", "机构经办人"
    FINANCE = "finance", "财务人员"
    AUDITOR = "auditor", "审计人员"
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "安全审计员"


BUSINESS_ROLES = frozenset(
    {Role.BUREAU_ADMIN, Role.BUREAU_STAFF, Role.UNIT_OPERATOR, Role.INSTITUTION_OPERATOR, Role.FINANCE, Role.AUDITOR}
)
IT_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
UNIT_BOUND_ROLES = frozenset({Role.UNIT_OPERATOR})
INSTITUTION_BOUND_ROLES = frozenset({Role.INSTITUTION_OPERATOR})
# Roles that may open Django admin (what they can do there is still limited by permissions).
STAFF_ROLES = frozenset({Role.BUREAU_ADMIN, Role.AUDITOR, *IT_ROLES})

# Permissions on the plan and the catalogs; every app above accounts adds its own in
# ``<app>/role_permissions.py`` (a dict of the same shape), merged by role_permissions().
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.BUREAU_ADMIN: ["programs.view_all_units", *_manage("programs", PLAN_MODELS + CATALOG_MODELS)],
    Role.BUREAU_STAFF: [
        "programs.view_all_units", *_view("programs", PLAN_MODELS), *_manage("programs", CATALOG_MODELS)
    ],
    Role.UNIT_OPERATOR: [
        "programs.view_own_unit", *_view("programs", PLAN_MODELS + CATALOG_MODELS),
        "programs.add_trainingclass", "programs.change_trainingclass",
    ],
    Role.INSTITUTION_OPERATOR: [
        "programs.view_own_institution", *_view("programs", PLAN_MODELS + CATALOG_MODELS),
        "programs.add_trainingclass", "programs.change_trainingclass",
    ],
    Role.FINANCE: ["programs.view_all_units", *_view("programs", PLAN_MODELS + CATALOG_MODELS)],
    Role.AUDITOR: [
        "programs.view_all_units", *_view("programs", PLAN_MODELS + CATALOG_MODELS), "accounts.view_auditentry"
    ],
    Role.SYSTEM_ADMIN: [
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "authtoken.view_token",
        "authtoken.add_token",
        "authtoken.delete_token",
        *_manage("django_celery_beat", ("periodictask", "intervalschedule", "crontabschedule")),
    ],
    Role.SECURITY_ADMIN: [
        "accounts.view_user",
        "accounts.assign_roles",
        "auth.view_group",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
    ],
    Role.AUDIT_ADMIN: [
        "accounts.view_auditentry",
        "accounts.view_user",
        "axes.view_accesslog",
        "axes.view_accessfailurelog",
    ],
}


def role_from_input(value: str) -> Role | None:
    """Accept a role code (unit_operator) or its Chinese label (单位经办人)."""
    value = value.strip()
    for role in Role:
        if value in (role.value, role.label):
            return role
    return None


def roles_of(user) -> set[Role]:
    if not getattr(user, "is_authenticated", False):
        return set()
    labels = {role.label: role for role in Role}
    return {labels[name] for name in user.groups.values_list("name", flat=True) if name in labels}


def role_permissions() -> dict[str, list[str]]:
    """ROLE_PERMISSIONS merged with every installed app's ``role_permissions.ROLE_PERMISSIONS``."""
    merged = {role: list(codes) for role, codes in ROLE_PERMISSIONS.items()}
    for app_config in global_apps.get_app_configs():
        module_name = f"{app_config.name}.role_permissions"
        if app_config.name == "accounts" or find_spec(app_config.name) is None or find_spec(module_name) is None:
            continue
        for role, codes in import_module(module_name).ROLE_PERMISSIONS.items():
            merged.setdefault(role, []).extend(codes)
    return merged


def role_groups_sync() -> None:
    """Create every role's group and give it exactly the permissions its role lists."""
    for role, codes in role_permissions().items():
        group, _ = Group.objects.get_or_create(name=Role(role).label)
        wanted = []
        for code in codes:
            app_label, codename = code.split(".")
            permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if permission is None:
                raise LookupError(f"权限 {code} 不存在")
            wanted.append(permission)
        if set(group.permissions.all()) != set(wanted):
            group.permissions.set(wanted)


def role_groups_sync_after_migrate(sender, using: str = "default", **kwargs) -> None:
    """post_migrate: permissions of every app must exist before the groups point at them."""
    if sender.label != "accounts":
        return
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    role_groups_sync()
