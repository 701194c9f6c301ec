import secrets
import string

from django.core.management.base import BaseCommand

from accounts.models import User
from accounts.roles import Role
from accounts.services import account_create

ALPHABET = string.ascii_letters + string.digits


def one_time_password() -> str:
    while True:
        password = "".join(secrets.choice(ALPHABET) for _ in range(14))
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


class Command(BaseCommand):
    help = "数据库中还没有任何账号时，创建局管理员账号 admin 并打印其一次性密码。"

    def handle(self, *args, **options):
        if User.objects.exists():
            self.stdout.write(
                "已有账号。新增账号：python manage.py create_account 用户名 --role 角色 [--unit 单位名称]"
            )
            return
        password = one_time_password()
        account_create(
            username="admin", role=Role.BUREAU_ADMIN, password=password, full_name="局管理员", must_change_password=True
        )
        self.stdout.write(
            self.style.SUCCESS(
                "\n已创建局管理员账号：用户名 admin，一次性密码 "
                f"{password}\n首次登录后须设置新密码。此密码只显示这一次。\n"
            )
        )
