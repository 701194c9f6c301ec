"""Provisioning accounts from the command line."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import AuditEntry, User
from accounts.roles import Role, roles_of

GOOD = "Qijiang2019skills"


@pytest.fixture
def password_env(monkeypatch):
    monkeypatch.setenv("ACCOUNT_PASSWORD", GOOD)


def run(*args: str) -> str:
    out = StringIO()
    call_command("create_account", *args, stdout=out)
    return out.getvalue()


def test_creates_a_unit_operator_bound_to_their_unit(db, password_env, unit_a):
    assert "已创建账号 op1（单位经办人）" in run("op1", "--role", "unit_operator", "--unit", "区教委")
    user = User.objects.get(username="op1")
    assert user.unit == unit_a and user.check_password(GOOD) and not user.is_staff
    assert roles_of(user) == {Role.UNIT_OPERATOR}
    assert AuditEntry.objects.get(action=AuditEntry.Action.ACCOUNT_CREATED).object_id == str(user.pk)


def test_accepts_the_chinese_role_name(db, password_env):
    run("aud1", "--role", "审计人员")
    user = User.objects.get(username="aud1")
    assert roles_of(user) == {Role.AUDITOR} and user.is_staff


@pytest.mark.parametrize(
    "args, message",
    [
        (["x1", "--role", "superhero"], "未知角色“superhero”。可用的角色：bureau_admin（局管理员）"),
        (["x2", "--role", "unit_operator", "--unit", "区不存在局"], "未找到单位“区不存在局”"),
        (["x3", "--role", "unit_operator"], "单位经办人必须绑定所属单位，请指定单位。"),
        (["x4", "--role", "auditor", "--unit", "区教委"], "只有单位经办人可以绑定单位"),
        (["bureau_staff", "--role", "auditor"], "用户名“bureau_staff”已存在"),
    ],
)
def test_refusals_say_what_to_fix_and_create_nothing(db, password_env, bureau_staff, args, message):
    before = User.objects.count()
    with pytest.raises(CommandError) as caught:
        run(*args)
    assert message in str(caught.value)
    assert User.objects.count() == before
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.ACCOUNT_CREATED).exists()


def test_a_weak_password_is_refused(db, monkeypatch):
    monkeypatch.setenv("ACCOUNT_PASSWORD", "short1")
    with pytest.raises(CommandError, match="密码长度太短，至少需要 10 个字符"):
        run("weak", "--role", "auditor")
    assert not User.objects.filter(username="weak").exists()


def test_password_is_prompted_when_not_in_the_environment(db, monkeypatch):
    monkeypatch.delenv("ACCOUNT_PASSWORD", raising=False)
    answers = iter([GOOD, GOOD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    run("prompted", "--role", "finance")
    assert User.objects.get(username="prompted").check_password(GOOD)


def test_mismatched_prompted_passwords_are_refused(db, monkeypatch):
    monkeypatch.delenv("ACCOUNT_PASSWORD", raising=False)
    answers = iter([GOOD, GOOD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError, match="两次输入的密码不一致"):
        run("prompted", "--role", "finance")
    assert not User.objects.filter(username="prompted").exists()


def test_createsuperuser_noinput_keeps_working(db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "root")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", GOOD)
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "root@example.com")
    call_command("createsuperuser", "--noinput", stdout=StringIO())
    user = User.objects.get(username="root")
    assert user.is_superuser and user.check_password(GOOD)


def test_bootstrap_admin_creates_one_admin_with_a_one_time_password(db):
    out = StringIO()
    call_command("bootstrap_admin", stdout=out)
    text = out.getvalue()
    admin = User.objects.get(username="admin")
    password = text.split("一次性密码 ")[1].split()[0]
    assert admin.check_password(password) and admin.must_change_password
    assert roles_of(admin) == {Role.BUREAU_ADMIN}
    again = StringIO()
    call_command("bootstrap_admin", stdout=again)
    assert "已有账号" in again.getvalue() and User.objects.count() == 1
