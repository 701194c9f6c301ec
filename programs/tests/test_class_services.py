"""Opening and changing training classes: the rules of each role, in Chinese, and the audit trail."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import AuditEntry
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from programs.models import Institution, TrainingClass
from programs.services import training_class_create, training_class_update
from programs.tests.conftest import class_values
from programs.tests.factories import InstitutionFactory, ProgrammeFactory, TrainingClassFactory
from trainees.tests.factories import EnrolmentFactory


def errors_of(caught) -> dict:
    return caught.value.message_dict


def test_bureau_staff_opens_a_class_owned_by_the_programmes_unit(bureau_staff, programme_b, school_1):
    training_class = training_class_create(values=class_values(programme_b, school_1), actor=bureau_staff)
    training_class.refresh_from_db()
    assert training_class.unit.name == "区农业农村委"
    assert training_class.status == TrainingClass.Status.PLANNED
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CATALOG_CHANGE)
    assert entry.object_type == "programs.trainingclass" and entry.actor == bureau_staff
    assert entry.detail["operation"] == "create"
    assert entry.detail["changes"]["unit"] == {"before": None, "after": "区农业农村委"}
    assert entry.detail["changes"]["start_date"] == {"before": None, "after": "2020-04-01"}


def test_unit_operator_opens_classes_on_their_own_units_programmes_only(operator_a, programme_a, programme_b, school_1):
    own = training_class_create(values=class_values(programme_a, school_1), actor=operator_a)
    assert own.unit == operator_a.unit
    with pytest.raises(ValidationError) as caught:
        training_class_create(values=class_values(programme_b, school_1, code="X-2"), actor=operator_a)
    assert errors_of(caught)["programme"] == [
        f"只能在本单位负责的培训项目上开班，“{programme_b}”的责任单位是区农业农村委，请选择本单位的培训项目。"
    ]
    assert not TrainingClass.objects.filter(code="X-2").exists()


def test_institution_operator_opens_classes_of_their_institution_on_any_programme(inst_operator_1, programme_a, programme_b, school_1):
    one = training_class_create(values=class_values(programme_a), actor=inst_operator_1)
    two = training_class_create(values=class_values(programme_b, code="QJ-B"), actor=inst_operator_1)
    assert (one.institution, one.unit.name) == (school_1, "区教委")
    assert (two.institution, two.unit.name) == (school_1, "区农业农村委")


def test_institution_operator_cannot_open_a_class_for_another_institution(inst_operator_1, programme_a, school_2):
    with pytest.raises(ValidationError) as caught:
        training_class_create(values=class_values(programme_a, school_2), actor=inst_operator_1)
    assert errors_of(caught)["institution"] == ["机构经办人只能为本机构（綦江区育才职业培训学校）开设和管理培训班。"]
    assert not TrainingClass.objects.exists()


def test_suspended_institution_gets_no_new_classes(bureau_staff, operator_a, programme_a):
    suspended = InstitutionFactory(name="綦江区停业整顿学校", catalog_status=Institution.CatalogStatus.SUSPENDED)
    for actor in (bureau_staff, operator_a):
        with pytest.raises(ValidationError) as caught:
            training_class_create(values=class_values(programme_a, suspended), actor=actor)
        assert errors_of(caught)["institution"] == ["培训机构“綦江区停业整顿学校”已被暂停，不能开设新的培训班。"]
    operator = UserFactory(role=Role.INSTITUTION_OPERATOR, institution=suspended)
    with pytest.raises(ValidationError, match="已被暂停"):
        training_class_create(values=class_values(programme_a), actor=operator)
    assert not TrainingClass.objects.exists()


def test_inactive_programme_gets_no_new_classes(bureau_staff, unit_a, school_1):
    retired = ProgrammeFactory(unit=unit_a, is_active=False)
    with pytest.raises(ValidationError) as caught:
        training_class_create(values=class_values(retired, school_1), actor=bureau_staff)
    assert errors_of(caught)["programme"] == [f"培训项目“{retired}”已不在培训项目目录中，不能开设新的培训班，请选择目录中的培训项目。"]


@pytest.mark.parametrize(
    "start, end, field",
    [
        (datetime.date(2022, 3, 1), datetime.date(2022, 3, 30), "start_date"),
        (datetime.date(2018, 12, 1), datetime.date(2019, 1, 30), "start_date"),
        (datetime.date(2021, 12, 1), datetime.date(2022, 1, 15), "end_date"),
    ],
)
def test_expired_programme_gets_no_classes_outside_its_validity(bureau_staff, programme_a, school_1, start, end, field):
    with pytest.raises(ValidationError) as caught:
        training_class_create(
            values=class_values(programme_a, school_1, start_date=start, end_date=end), actor=bureau_staff
        )
    assert errors_of(caught)[field] == [
        f"培训项目“{programme_a}”的有效期为2019—2021年，开班和结业日期须在有效期内。"
    ]


def test_end_date_before_start_and_zero_capacity_are_refused(bureau_staff, programme_a, school_1):
    values = class_values(
        programme_a, school_1, start_date=datetime.date(2020, 5, 10), end_date=datetime.date(2020, 5, 1), capacity=0
    )
    with pytest.raises(ValidationError) as caught:
        training_class_create(values=values, actor=bureau_staff)
    assert errors_of(caught) == {
        "end_date": ["结业日期（2020-05-01）不能早于开班日期（2020-05-10）。"],
        "capacity": ["计划人数必须大于0。"],
    }


def test_duplicate_code_is_refused(bureau_staff, classes, programme_a, school_1):
    with pytest.raises(ValidationError) as caught:
        training_class_create(values=class_values(programme_a, school_1, code="JW-001"), actor=bureau_staff)
    assert "班级编号" in errors_of(caught)["code"][0]


@pytest.mark.parametrize("who", ["auditor", "finance", "no_role_user"])
def test_read_only_roles_cannot_open_or_change_classes(request, who, classes, programme_a, school_1):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied, match="不能开设、修改或变更培训班状态"):
        training_class_create(values=class_values(programme_a, school_1), actor=actor)
    with pytest.raises(PermissionDenied):
        training_class_update(training_class=classes["a1"], values={"capacity": 10}, actor=actor)
    assert TrainingClass.objects.get(pk=classes["a1"].pk).capacity == 50


def test_unbound_operators_are_refused(programme_a, school_1):
    for role in (Role.UNIT_OPERATOR, Role.INSTITUTION_OPERATOR):
        with pytest.raises(PermissionDenied, match="尚未绑定单位或培训机构"):
            training_class_create(values=class_values(programme_a, school_1), actor=UserFactory(role=role))


def test_edit_records_the_changes_and_moves_the_unit_with_the_programme(bureau_staff, classes, programme_b):
    a1 = classes["a1"]
    training_class_update(training_class=a1, values={"programme": programme_b, "capacity": 30}, actor=bureau_staff)
    a1.refresh_from_db()
    assert a1.unit.name == "区农业农村委" and a1.capacity == 30
    changes = AuditEntry.objects.get(action=AuditEntry.Action.CATALOG_CHANGE).detail["changes"]
    assert changes["capacity"] == {"before": 50, "after": 30}
    assert changes["unit"] == {"before": "区教委", "after": "区农业农村委"}


def test_other_units_and_institutions_classes_are_out_of_reach(classes, operator_a, operator_b, inst_operator_2):
    with pytest.raises(PermissionDenied, match="不在您的管理范围内"):
        training_class_update(training_class=classes["a1"], values={"capacity": 5}, actor=operator_b)
    with pytest.raises(PermissionDenied, match="不在您的管理范围内"):
        training_class_update(training_class=classes["a1"], values={"capacity": 5}, actor=inst_operator_2)
    training_class_update(training_class=classes["a1"], values={"capacity": 45}, actor=operator_a)
    training_class_update(training_class=classes["a2"], values={"capacity": 44}, actor=inst_operator_2)
    assert TrainingClass.objects.get(pk=classes["a1"].pk).capacity == 45
    assert TrainingClass.objects.get(pk=classes["a2"].pk).capacity == 44


def test_unit_operator_cannot_move_a_class_to_another_units_programme(operator_a, classes, programme_b):
    with pytest.raises(ValidationError, match="只能在本单位负责的培训项目上开班"):
        training_class_update(training_class=classes["a1"], values={"programme": programme_b}, actor=operator_a)
    assert TrainingClass.objects.get(pk=classes["a1"].pk).unit.name == "区教委"


def test_institution_operator_cannot_hand_a_class_to_another_institution(inst_operator_1, classes, school_2):
    with pytest.raises(ValidationError, match="机构经办人只能为本机构"):
        training_class_update(training_class=classes["a1"], values={"institution": school_2}, actor=inst_operator_1)


def test_moving_a_class_to_a_suspended_institution_is_refused(bureau_staff, classes):
    suspended = InstitutionFactory(catalog_status=Institution.CatalogStatus.SUSPENDED)
    with pytest.raises(ValidationError, match="已被暂停"):
        training_class_update(training_class=classes["a1"], values={"institution": suspended}, actor=bureau_staff)


def test_a_class_of_a_since_suspended_institution_can_still_be_corrected(bureau_staff, classes, school_1):
    Institution.objects.filter(pk=school_1.pk).update(catalog_status=Institution.CatalogStatus.SUSPENDED)
    training_class_update(training_class=classes["a1"], values={"name": "区教委电焊一班（更正）"}, actor=bureau_staff)
    assert TrainingClass.objects.get(pk=classes["a1"].pk).name == "区教委电焊一班（更正）"


@pytest.mark.parametrize("status", [TrainingClass.Status.FINISHED, TrainingClass.Status.CANCELLED])
def test_finished_or_cancelled_classes_are_not_editable(bureau_staff, programme_a, status):
    closed = TrainingClassFactory(unit=programme_a.unit, programme=programme_a, status=status)
    with pytest.raises(ValidationError) as caught:
        training_class_update(training_class=closed, values={"capacity": 10}, actor=bureau_staff)
    label = TrainingClass.Status(status).label
    assert caught.value.messages == [f"培训班“{closed}”{label}，不能再修改。"]
    assert TrainingClass.objects.get(pk=closed.pk).capacity == 50
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.CATALOG_CHANGE).exists()


def test_capacity_cannot_drop_below_the_enrolled_trainees(bureau_staff, classes):
    EnrolmentFactory.create_batch(3, training_class=classes["a1"])
    with pytest.raises(ValidationError) as caught:
        training_class_update(training_class=classes["a1"], values={"capacity": 2}, actor=bureau_staff)
    assert errors_of(caught)["capacity"] == ["该班已有3名学员在册，计划人数不能少于3。"]
