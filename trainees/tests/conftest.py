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


@pytest.fixture
def world(class_a1, class_a2, class_b1, class_b2, unit_a, unit_b):
    """Six trainees: one per class, and one registered by each unit without a class; each with a certificate."""
    from trainees.tests.factories import CertificateFactory, EnrolmentFactory, TraineeFactory

    people = {}
    for key, training_class in (("a1", class_a1), ("a2", class_a2), ("b1", class_b1), ("b2", class_b2)):
        trainee = TraineeFactory(name=f"学员{key.upper()}甲", mobile=f"1391234{len(people):04d}")
        enrolment = EnrolmentFactory(trainee=trainee, training_class=training_class)
        CertificateFactory(enrolment=enrolment, number=f"CERT-{key}")
        people[key] = trainee
    people["reg_a"] = TraineeFactory(name="登记甲", registered_by_unit=unit_a, mobile="13912348888")
    people["reg_b"] = TraineeFactory(name="登记乙", registered_by_unit=unit_b, mobile="13912349999")
    return people


# Which of the world's trainees each standing user sees.
VISIBLE = {
    "bureau_admin": {"a1", "a2", "b1", "b2", "reg_a", "reg_b"},
    "bureau_staff": {"a1", "a2", "b1", "b2", "reg_a", "reg_b"},
    "auditor": {"a1", "a2", "b1", "b2", "reg_a", "reg_b"},
    "finance": {"a1", "a2", "b1", "b2", "reg_a", "reg_b"},
    "operator_a": {"a1", "a2", "reg_a"},
    "operator_b": {"b1", "b2", "reg_b"},
    "school_op_1": {"a1", "b1"},
    "school_op_2": {"a2", "b2"},
    "no_role_user": set(),
}
VISIBLE_CLASSES = {
    "bureau_admin": {"a1", "a2", "b1", "b2"},
    "bureau_staff": {"a1", "a2", "b1", "b2"},
    "auditor": {"a1", "a2", "b1", "b2"},
    "finance": {"a1", "a2", "b1", "b2"},
    "operator_a": {"a1", "a2"},
    "operator_b": {"b1", "b2"},
    "school_op_1": {"a1", "b1"},
    "school_op_2": {"a2", "b2"},
    "no_role_user": set(),
}


@pytest.fixture(params=list(VISIBLE))
def someone(request):
    """Each standing user in turn, with the set of world trainees and classes they should see."""
    user = request.getfixturevalue(request.param)
    return user, VISIBLE[request.param], VISIBLE_CLASSES[request.param]


@pytest.fixture
def classes(class_a1, class_a2, class_b1, class_b2):
    return {"a1": class_a1, "a2": class_a2, "b1": class_b1, "b2": class_b2}
