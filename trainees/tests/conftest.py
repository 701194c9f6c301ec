"""The registry's test world: two units, two institutions, their classes and operators."""

import datetime

import pytest

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from programs.tests.factories import InstitutionFactory, TrainingClassFactory


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Failed uploads and exports go to a per-test media directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def school_1(db):
    return InstitutionFactory(name="綦江区第一职业培训学校")


@pytest.fixture
def school_2(db):
    return InstitutionFactory(name="綦江区第二职业培训学校")


@pytest.fixture
def class_a1(unit_a, school_1):
    """区教委's class run by school 1, March 2019."""
    return TrainingClassFactory(
        code="QJ-A1", unit=unit_a, institution=school_1, capacity=50,
        start_date=datetime.date(2019, 3, 4), end_date=datetime.date(2019, 3, 29),
    )


@pytest.fixture
def class_a2(unit_a, school_2):
    """区教委's class run by school 2, May 2019 (no overlap with A1)."""
    return TrainingClassFactory(
        code="QJ-A2", unit=unit_a, institution=school_2, capacity=50,
        start_date=datetime.date(2019, 5, 6), end_date=datetime.date(2019, 5, 31),
    )


@pytest.fixture
def class_b1(unit_b, school_1):
    """区农业农村委's class run by school 1, overlapping A1 (March 2019)."""
    return TrainingClassFactory(
        code="QJ-B1", unit=unit_b, institution=school_1, capacity=50,
        start_date=datetime.date(2019, 3, 18), end_date=datetime.date(2019, 4, 12),
    )


@pytest.fixture
def class_b2(unit_b, school_2):
    """区农业农村委's class run by school 2, June 2019."""
    return TrainingClassFactory(
        code="QJ-B2", unit=unit_b, institution=school_2, capacity=50,
        start_date=datetime.date(2019, 6, 3), end_date=datetime.date(2019, 6, 28),
    )


@pytest.fixture
def school_op_1(school_1):
    return UserFactory(username="school_op_1", role=Role.INSTITUTION_OPERATOR, institution=school_1)


@pytest.fixture
def school_op_2(school_2):
    return UserFactory(username="school_op_2", role=Role.INSTITUTION_OPERATOR, institution=school_2)
