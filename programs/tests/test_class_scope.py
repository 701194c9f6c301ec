"""Who sees which training classes."""

import pytest
from django.http import Http404

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from programs.selectors import training_class_get, training_class_list
from programs.tests.factories import InstitutionFactory, TrainingClassFactory


@pytest.fixture
def classes(unit_a, unit_b):
    school_1, school_2 = InstitutionFactory(), InstitutionFactory()
    return {
        "a1": TrainingClassFactory(unit=unit_a, institution=school_1),
        "a2": TrainingClassFactory(unit=unit_a, institution=school_2),
        "b1": TrainingClassFactory(unit=unit_b, institution=school_1),
        "school_1": school_1,
        "school_2": school_2,
    }


def codes(user) -> set[str]:
    return set(training_class_list(user=user).values_list("code", flat=True))


def test_unit_operators_see_their_units_classes(classes, operator_a, operator_b):
    assert codes(operator_a) == {classes["a1"].code, classes["a2"].code}
    assert codes(operator_b) == {classes["b1"].code}
    with pytest.raises(Http404):
        training_class_get(user=operator_a, pk=classes["b1"].pk)


def test_institution_operators_see_their_institutions_classes(classes):
    one = UserFactory(role=Role.INSTITUTION_OPERATOR, institution=classes["school_1"])
    two = UserFactory(role=Role.INSTITUTION_OPERATOR, institution=classes["school_2"])
    assert codes(one) == {classes["a1"].code, classes["b1"].code}
    assert codes(two) == {classes["a2"].code}
    with pytest.raises(Http404):
        training_class_get(user=two, pk=classes["a1"].pk)


def test_bureau_and_auditor_see_all_and_no_role_nothing(classes, bureau_staff, auditor, no_role_user):
    assert len(codes(bureau_staff)) == 3 and len(codes(auditor)) == 3
    assert codes(no_role_user) == set()
    assert codes(UserFactory(role=Role.INSTITUTION_OPERATOR)) == set()
