import random
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from faker import Faker

DEFAULT_SEED = 20190415


class Command(BaseCommand):
    help = (
        "向空数据库载入演示数据（固定随机种子，Faker zh_CN，身份证号码均有效）："
        "培训机构、培训班、学员、参训记录、季报和补贴申领，便于查看系统全貌。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="随机种子")

    @transaction.atomic
    def handle(self, *args, seed: int, **options):
        """Each app contributes ``<app>/demo.py: demo_load(*, rng, faker) -> str`` in INSTALLED_APPS order."""
        rng = random.Random(seed)
        faker = Faker("zh_CN")
        faker.seed_instance(seed)
        for app_config in apps.get_app_configs():
            module_name = f"{app_config.name}.demo"
            if "." in app_config.name or find_spec(module_name) is None:
                continue
            summary = import_module(module_name).demo_load(rng=rng, faker=faker)
            self.stdout.write(f"{app_config.verbose_name}：{summary}")
