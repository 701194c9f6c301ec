from django.db import migrations

from qijiang_training.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [("subsidies", "0001_initial")]
    operations = [
        append_only(
            "subsidies_claimtransition",
            "subsidies_payment",
            "subsidies_ledgerentry",
            message="补贴流转记录、支付记录和专账记录只能追加，不能修改或删除",
        )
    ]
