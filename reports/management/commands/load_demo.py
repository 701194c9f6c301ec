import random
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
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
        from programs.models import ActionPlan, Institution, TrainingClass
        from trainees.models import Trainee

        from reports.models import QuarterlyReturn

        if not ActionPlan.objects.exists():
            raise CommandError("数据库中还没有行动计划，请先运行 python manage.py load_reference_data（make run 会自动运行）。")
        existing = {
            "培训机构": Institution.objects.count(), "培训班": TrainingClass.objects.count(),
            "学员": Trainee.objects.count(), "统计季报": QuarterlyReturn.objects.count(),
        }
        if any(existing.values()):
            found = "、".join(f"{label} {n} 条" for label, n in existing.items() if n)
            raise CommandError(
                f"数据库中已有业务数据（{found}），演示数据只能载入空数据库，本次未做任何修改。"
                "如需重新载入，请换一个空数据库（例如删除 var/db.sqlite3 后重新运行 make run）。"
            )
        rng = random.Random(seed)
        faker = Faker("zh_CN")
        faker.seed_instance(seed)
        for app_config in apps.get_app_configs():
            module_name = f"{app_config.name}.demo"
            if "." in app_config.name or find_spec(module_name) is None:
                continue
            summary = import_module(module_name).demo_load(rng=rng, faker=faker)
            self.stdout.write(f"{app_config.verbose_name}：{summary}")
