"""The test world of the catalog and class tests: two institutions with an operator each, and an API client."""

import datetime

import pytest
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from programs.models import TrainingClass
from programs.tests.factories import InstitutionFactory, ProgrammeFactory, TrainingClassFactory


@pytest.fixture
def api_for(db):
    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def school_1(db):
    return InstitutionFactory(name="綦江区育才职业培训学校")


@pytest.fixture
def school_2(db):
    return InstitutionFactory(name="綦江区蓝天职业技能培训中心")


@pytest.fixture
def inst_operator_1(school_1):
    return UserFactory(username="school_op_1", role=Role.INSTITUTION_OPERATOR, institution=school_1)


@pytest.fixture
def inst_operator_2(school_2):
    return UserFactory(username="school_op_2", role=Role.INSTITUTION_OPERATOR, institution=school_2)


@pytest.fixture
def programme_a(unit_a):
    """A 2019–2021 catalog programme of 区教委 (operator_a's unit)."""
    return ProgrammeFactory(unit=unit_a)


@pytest.fixture
def programme_b(unit_b):
    """A 2019–2021 catalog programme of 区农业农村委 (operator_b's unit)."""
    return ProgrammeFactory(unit=unit_b)


@pytest.fixture
def classes(programme_a, programme_b, school_1, school_2):
    """a1: 区教委 × school 1, a2: 区教委 × school 2, b1: 区农业农村委 × school 1; all planned."""
    planned = TrainingClass.Status.PLANNED
    return {
        "a1": TrainingClassFactory(code="JW-001", name="区教委电焊一班", unit=programme_a.unit, programme=programme_a,
                                   institution=school_1, status=planned),
        "a2": TrainingClassFactory(code="JW-002", name="区教委电焊二班", unit=programme_a.unit, programme=programme_a,
                                   institution=school_2, status=planned),
        "b1": TrainingClassFactory(code="NY-001", name="农业农村委电焊班", unit=programme_b.unit, programme=programme_b,
                                   institution=school_1, status=planned),
    }


def class_values(programme, institution=None, **overrides) -> dict:
    values = {
        "code": "QJ2020-0100",
        "name": "电焊初级工培训班",
        "programme": programme,
        "start_date": datetime.date(2020, 4, 1),
        "end_date": datetime.date(2020, 4, 30),
        "capacity": 40,
        "is_project_based": False,
    }
    if institution is not None:
        values["institution"] = institution
    values.update(overrides)
    return values
