"""`create_account ... --role institution_operator --institution NAME`: binding an operator to an institution."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import AuditEntry, User
from accounts.roles import Role, roles_of
from programs.selectors import training_class_list

GOOD = "Qijiang2019skills"


@pytest.fixture
def password_env(monkeypatch):
    monkeypatch.setenv("ACCOUNT_PASSWORD", GOOD)


def run(*args: str) -> str:
    out = StringIO()
    call_command("create_account", *args, stdout=out)
    return out.getvalue()


def test_creates_an_institution_operator_bound_to_their_institution(password_env, school_1, classes):
    output = run("yucai", "--role", "institution_operator", "--institution", "綦江区育才职业培训学校")
    assert "已创建账号 yucai（机构经办人）" in output
    user = User.objects.get(username="yucai")
    assert user.institution == school_1 and user.unit is None and not user.is_staff
    assert roles_of(user) == {Role.INSTITUTION_OPERATOR}
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ACCOUNT_CREATED)
    assert entry.detail == {"role": "institution_operator", "unit": None, "institution": "綦江区育才职业培训学校"}
    # the new account sees its institution's classes and nothing else
    assert set(training_class_list(user=user).values_list("code", flat=True)) == {"JW-001", "NY-001"}


def test_accepts_the_chinese_role_name_and_trims_the_institution_name(password_env, school_2):
    run("lantian", "--role", "机构经办人", "--institution", "  綦江区蓝天职业技能培训中心 ")
    assert User.objects.get(username="lantian").institution == school_2


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["x1", "--role", "institution_operator", "--institution", "不存在的培训学校"],
            "未找到培训机构“不存在的培训学校”。请使用机构目录中的全称",
        ),
        (["x2", "--role", "institution_operator"], "机构经办人必须绑定所属培训机构，请指定机构。"),
        (
            ["x3", "--role", "auditor", "--institution", "綦江区育才职业培训学校"],
            "只有机构经办人可以绑定培训机构；其他角色请不要指定机构。",
        ),
        (
            ["x4", "--role", "unit_operator", "--unit", "区教委", "--institution", "綦江区育才职业培训学校"],
            "只有机构经办人可以绑定培训机构",
        ),
        (
            ["x5", "--role", "institution_operator", "--unit", "区教委", "--institution", "綦江区育才职业培训学校"],
            "只有单位经办人可以绑定单位",
        ),
    ],
)
def test_refusals_say_what_to_fix_and_create_nothing(password_env, school_1, args, message):
    before = User.objects.count()
    with pytest.raises(CommandError) as caught:
        run(*args)
    assert message in str(caught.value)
    assert User.objects.count() == before
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.ACCOUNT_CREATED).exists()
