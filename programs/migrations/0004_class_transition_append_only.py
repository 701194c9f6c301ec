from django.db import migrations

from qijiang_training.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [("programs", "0003_catalog_rules_class_transitions")]
    operations = [
        append_only("programs_trainingclasstransition", message="培训班状态变更记录只能追加，不能修改或删除")
    ]
