import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from accounts.roles import Role, role_from_input
from accounts.services import account_create
from programs.models import Institution, Unit


class Command(BaseCommand):
    help = (
        "创建账号：create_account 用户名 --role 角色 [--unit 单位名称] [--institution 机构名称]。"
        "密码取自环境变量 ACCOUNT_PASSWORD，未设置时在终端输入。"
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="用户名")
        roles = "、".join(f"{role.value}（{role.label}）" for role in Role)
        parser.add_argument("--role", required=True, help=f"角色：{roles}")
        parser.add_argument("--unit", help="所属单位名称（单位经办人必填），如“区教委”")
        parser.add_argument("--institution", help="所属培训机构名称（机构经办人必填）")
        parser.add_argument("--full-name", default="", help="姓名")
        parser.add_argument("--email", default="", help="电子邮箱")
        parser.add_argument(
            "--must-change-password", action="store_true", help="首次登录时必须修改密码"
        )

    def handle(self, *args, **options):
        with translation.override("zh-hans"):
            user = self._create(options)
        self.stdout.write(self.style.SUCCESS(f"已创建账号 {user.username}（{options['role_label']}）。"))

    def _create(self, options):
        role = role_from_input(options["role"])
        if role is None:
            known = "、".join(f"{r.value}（{r.label}）" for r in Role)
            raise CommandError(f"未知角色“{options['role']}”。可用的角色：{known}。")
        options["role_label"] = role.label
        unit = None
        if options["unit"]:
            unit = Unit.objects.filter(name=options["unit"].strip()).first()
            if unit is None:
                raise CommandError(
                    f"未找到单位“{options['unit']}”。请使用通知附件中的单位名称，例如“区教委”“区人力社保局”。"
                )
        institution = None
        if options["institution"]:
            institution = Institution.objects.filter(name=options["institution"].strip()).first()
            if institution is None:
                raise CommandError(
                    f"未找到培训机构“{options['institution']}”。请使用机构目录中的全称（可在“培训评价机构”目录中查询）。"
                )
        password = os.environ.get("ACCOUNT_PASSWORD") or self._prompt_password()
        try:
            return account_create(
                username=options["username"],
                role=role,
                unit=unit,
                institution=institution,
                password=password,
                full_name=options["full_name"],
                email=options["email"],
                must_change_password=options["must_change_password"],
            )
        except ValidationError as exc:
            raise CommandError("无法创建账号：" + "；".join(exc.messages))

    def _prompt_password(self) -> str:
        try:
            first = getpass.getpass("密码：")
            second = getpass.getpass("再次输入密码：")
        except (EOFError, KeyboardInterrupt):
            raise CommandError("未输入密码。可通过环境变量 ACCOUNT_PASSWORD 提供密码。")
        if first != second:
            raise CommandError("两次输入的密码不一致。")
        return first
