"""Bulk inserts without model instances (COPY on PostgreSQL, INSERT … VALUES elsewhere)."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from programs.models import Unit
from trainees.bulk import bulk_insert, filter_in, prepared
from trainees.models import Trainee
from trainees.tests.rosters import make_id

AWKWARD = ['他说"你好"，再见', "a,b;c", "第一行\n第二行", "C:\\路径\\文件", "", "\t制表", "'单引号", "NULL", "\\N"]


def test_values_round_trip_exactly(db):
    # Given rows whose text holds quotes, commas, newlines, backslashes, empty strings and "NULL"
    now = timezone.now()
    unit = Unit.objects.get(name="区教委")
    rows = [
        (make_id(seq=f"{n:03d}"), "张三", "M", prepared(Trainee, "birth_date", datetime.date(1990, 1, 1)),
         f"1381234{n:04d}", text, text)
        for n, text in enumerate(AWKWARD)
    ]
    columns = ["id_number", "name", "sex", "birth_date", "mobile", "household_address", "residence_address"]
    # When inserted
    pks = bulk_insert(Trainee, columns, rows, constants={"created_at": now, "updated_at": now,
                                                         "registered_by_unit_id": unit.pk}, returning_pk=True)
    # Then every value reads back as written, defaults filled in, keys in the order of the rows
    stored = {t.pk: t for t in Trainee.objects.all()}
    assert [stored[pk].household_address for pk in pks] == AWKWARD
    first = stored[pks[0]]
    assert first.birth_date == datetime.date(1990, 1, 1) and first.registered_by_unit == unit
    assert first.household_type == "" and first.receives_monthly_pension is False
    assert first.created_at == now


def test_null_in_a_nullable_column(db):
    now = timezone.now()
    [pk] = bulk_insert(
        Trainee, ["id_number", "name", "sex", "birth_date", "mobile", "registered_by_unit_id"],
        [(make_id(seq="099"), "李四", "F", prepared(Trainee, "birth_date", datetime.date(1991, 2, 3)), "13900000000", None)],
        constants={"created_at": now, "updated_at": now}, returning_pk=True,
    )
    assert Trainee.objects.get(pk=pk).registered_by_unit is None


def test_a_column_without_default_must_be_given(db):
    with pytest.raises(ValueError, match="trainees.Trainee.created_at has no default"):
        bulk_insert(Trainee, ["id_number", "name", "sex", "birth_date", "mobile"], [("1", "2", "M", "2000-01-01", "3")])
    assert Trainee.objects.count() == 0


def test_duplicate_key_is_an_integrity_error(db):
    now = timezone.now()
    row = (make_id(seq="098"), "王五", "M", prepared(Trainee, "birth_date", datetime.date(1990, 1, 1)), "13900000001")
    columns = ["id_number", "name", "sex", "birth_date", "mobile"]
    bulk_insert(Trainee, columns, [row], constants={"created_at": now, "updated_at": now})
    with pytest.raises(IntegrityError):
        with transaction.atomic():
            bulk_insert(Trainee, columns, [row], constants={"created_at": now, "updated_at": now})
    assert Trainee.objects.count() == 1


def test_filter_in_finds_every_value(db):
    from trainees.tests.factories import TraineeFactory

    made = [TraineeFactory() for _ in range(5)]
    wanted = [t.id_number for t in made[:3]] + ["11010519491231002X"]
    found = {t.id_number for queryset in filter_in(Trainee.objects.all(), "id_number", wanted, db_type="text")
             for t in queryset}
    assert found == set(wanted[:3])
    assert list(filter_in(Trainee.objects.all(), "pk", [], db_type="bigint")) == []
