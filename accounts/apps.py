from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "账号与安全"

    def ready(self) -> None:
        from . import login_audit
        from .roles import role_groups_sync_after_migrate

        login_audit.connect()
        post_migrate.connect(role_groups_sync_after_migrate, dispatch_uid="accounts.role_groups_sync")
