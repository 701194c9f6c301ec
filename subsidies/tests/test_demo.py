"""load_demo's subsidy part: claims in every state, payments and ledger rows."""

import random

from django.db.models import Sum
from faker import Faker

from subsidies.demo import demo_load
from subsidies.models import FundSource, LedgerEntry, Payment, SubsidyClaim


def test_demo_on_an_empty_registry_builds_what_it_needs(db):
    faker = Faker("zh_CN")
    faker.seed_instance(1)
    summary = demo_load(rng=random.Random(1), faker=faker)
    statuses = set(SubsidyClaim.objects.values_list("status", flat=True))
    assert statuses == {"draft", "submitted", "unit_reviewed", "approved", "publicized", "payable", "paid", "rejected"}
    assert SubsidyClaim.objects.filter(phase="settlement", status="paid").exists()
    assert Payment.objects.filter(stage="advance").count() == 1 and Payment.objects.filter(stage="settlement").count() == 1
    assert Payment.objects.filter(stage="full").count() == 3
    assert LedgerEntry.objects.filter(kind="reversal").count() == 1
    for source in FundSource.objects.all():
        assert (LedgerEntry.objects.filter(fund_source=source).aggregate(s=Sum("amount"))["s"] or 0) == source.balance
    assert summary.startswith("补贴申领 13 笔")


def test_demo_builds_on_the_registrys_finished_classes(db, unit_a):
    from programs.models import TrainingClass

    from .conftest import finished_class

    existing = [finished_class(unit=unit_a, certificates=4)[0] for _ in range(14)]
    faker = Faker("zh_CN")
    faker.seed_instance(2)
    demo_load(rng=random.Random(2), faker=faker)
    used = set(SubsidyClaim.objects.filter(phase="full").values_list("training_class_id", flat=True))
    assert used <= {k.pk for k in existing} and len(used) == 12
    # Only the in-progress project class is the demo's own.
    assert list(TrainingClass.objects.filter(code__startswith="QJBT-").values_list("code", flat=True)) == ["QJBT-090"]
    assert SubsidyClaim.objects.filter(status="paid").count() == 4
