"""python manage.py import_roster FILE --unit UNIT_NAME [--class CLASS_ID]"""

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from programs.models import TrainingClass, Unit
from trainees.services import roster_import


class Command(BaseCommand):
    help = (
        "从 .xlsx 花名册导入学员（全部成功才写入）：登记或更新学员，指定培训班时同时报名。"
        "成功时打印新登记、更新、报名人数；有任何错误时逐行打印“第N行……”，不写入任何数据，并以非零状态退出。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="花名册 .xlsx 文件")
        parser.add_argument("--unit", required=True, help="登记单位名称，如“区教委”")
        parser.add_argument("--class", dest="class_id", type=int, help="培训班编号（数字 ID）；指定时学员同时报名该班")
        parser.add_argument("--user", help="以该账号的身份导入（检查其权限和范围）；缺省为服务器命令行")

    def handle(self, *args, file: str, unit: str, class_id: int | None, user: str | None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件“{file}”，请检查路径。")
        unit_obj = Unit.objects.filter(name=unit.strip()).first()
        if unit_obj is None:
            raise CommandError(f"单位“{unit}”不存在，请使用通知附件中的单位名称（如“区教委”）。")
        training_class = None
        if class_id is not None:
            training_class = TrainingClass.objects.select_related("unit").filter(pk=class_id).first()
            if training_class is None:
                raise CommandError(f"培训班 {class_id} 不存在，请核对培训班编号。")
        actor = None
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"账号“{user}”不存在或已停用。")
        try:
            with path.open("rb") as handle:
                result = roster_import(
                    fileobj=handle, filename=path.name, actor=actor, unit=unit_obj, training_class=training_class
                )
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError("；".join(messages)) from None
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"花名册有{len(result.errors)}处错误，未导入任何数据。请改正后重新导入。")
        self.stdout.write(
            f"导入完成：新登记学员 {result.created} 人，更新 {result.updated} 人，报名 {result.enrolled} 人。"
        )
