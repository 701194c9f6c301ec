from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from programs.plan_files import plan_file_paths, plan_file_read
from programs.services import plan_load


class Command(BaseCommand):
    help = "载入行动计划数据文件（默认载入 programs/data/plans/ 下的全部文件）；重复执行不会产生变化。"

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", type=Path, help="计划数据文件（JSON）")

    def handle(self, *args, files: list[Path], **options):
        paths = files or plan_file_paths()
        if not paths:
            raise CommandError("没有找到计划数据文件。")
        for path in paths:
            try:
                result = plan_load(data=plan_file_read(path))
            except ValidationError as exc:
                raise CommandError(f"{path}：{'；'.join(exc.messages)}")
            self.stdout.write(result.summary())
