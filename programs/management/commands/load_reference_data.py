from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "载入系统自带的参考数据（行动计划、目录清单、人员类别、补贴标准等）；重复执行不会产生变化。"

    def handle(self, *args, **options):
        for app_config in apps.get_app_configs():
            module_name = f"{app_config.name}.seed"
            if "." in app_config.name or find_spec(module_name) is None:
                continue
            try:
                results = import_module(module_name).seed_load()
            except ValidationError as exc:
                raise CommandError(f"{app_config.verbose_name}：{'；'.join(exc.messages)}")
            for result in results:
                self.stdout.write(result.summary())
