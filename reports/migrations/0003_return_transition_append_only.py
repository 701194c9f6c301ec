from django.db import migrations

from qijiang_training.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_exportfile")]
    operations = [append_only("reports_returntransition", message="季报流转记录只能追加，不能修改或删除")]
