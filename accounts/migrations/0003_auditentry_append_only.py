from django.db import migrations

from qijiang_training.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]
    operations = [append_only("accounts_auditentry", message="审计日志只能追加，不能修改或删除")]
