"""Registering trainees, enrolling them, completing and dropping, certificates."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import AuditEntry
from programs.models import CertificateType, Occupation, SkillLevel, TrainingClass
from programs.tests.factories import TrainingClassFactory
from trainees.models import Certificate, Enrolment, TargetGroup, Trainee
from trainees.services import (
    certificate_register,
    enrolment_complete,
    enrolment_create,
    enrolment_drop,
    trainee_register,
)
from trainees.tests.factories import EnrolmentFactory, TraineeFactory
from trainees.tests.rosters import make_id, registry_counts

ID_1 = make_id(seq="011")


def data(**overrides):
    return {"name": "张三", "id_number": ID_1, "mobile": "13812341234", **overrides}


# --- trainee_register -------------------------------------------------------------------


def test_register_normalises_and_derives_birth_date_and_sex(operator_a, unit_a):
    # Given a full-width ID with a lower-case x, typed with spaces
    trainee = trainee_register(
        data=data(id_number="１１０１０５ １９４９１２３１００２ｘ", mobile="+86 139-1234-5678",
                  education="高中", target_groups=["退役军人", "两后生"]),
        actor=operator_a,
    )
    # Then the stored number is ASCII, birth date and sex come from it, the unit is the operator's
    assert trainee.id_number == "11010519491231002X"
    assert trainee.birth_date == datetime.date(1949, 12, 31) and trainee.sex == Trainee.Sex.FEMALE
    assert trainee.mobile == "13912345678"
    assert trainee.education == Trainee.Education.SENIOR
    assert trainee.registered_by_unit == unit_a
    assert sorted(trainee.target_groups.values_list("name", flat=True)) == ["两后生", "退役军人"]


def test_fifteen_digit_number_is_upgraded(bureau_staff):
    trainee = trainee_register(data=data(id_number="110105491231002"), actor=bureau_staff)
    assert trainee.id_number == "11010519491231002X"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id_number", ID_1[:17] + ("0" if ID_1[17] != "0" else "1"), "身份证号码校验位不正确"),
        ("id_number", make_id(birth="19900231"), "2月31日不存在"),
        ("id_number", make_id(birth="20990101"), "出生日期晚于今天"),
        ("id_number", make_id(area="990222"), "省级行政区划代码“99”不存在"),
        ("mobile", "12345", "手机号码应为11位"),
        ("name", "张", "姓名应为2至30个字"),
        ("education", "博士后", "文化程度“博士后”无法识别"),
        ("target_groups", ["外星人"], "人员类别“外星人”不存在"),
    ],
)
def test_bad_input_is_refused_with_the_field_named(bureau_staff, field, value, message):
    before = registry_counts()
    with pytest.raises(ValidationError) as caught:
        trainee_register(data=data(**{field: value}), actor=bureau_staff)
    assert message in "；".join(caught.value.message_dict[field])
    assert registry_counts() == before


def test_same_id_with_another_name_is_refused_naming_both(bureau_staff):
    trainee_register(data=data(), actor=bureau_staff)
    with pytest.raises(ValidationError) as caught:
        trainee_register(data=data(name="李四"), actor=bureau_staff)
    message = caught.value.message_dict["name"][0]
    assert "已登记为“张三”，与填写的姓名“李四”不一致" in message and "不能登记为不同的人" in message
    assert Trainee.objects.get().name == "张三"


def test_existing_identical_person_is_updated_not_duplicated(bureau_staff):
    first = trainee_register(data=data(residence_address="古南街道", target_groups=["退役军人"]), actor=bureau_staff)
    again = trainee_register(
        data=data(mobile="13999998888", residence_address="", target_groups=["两后生"]), actor=bureau_staff
    )
    assert again.pk == first.pk and Trainee.objects.count() == 1
    again.refresh_from_db()
    assert again.mobile == "13999998888"
    assert again.residence_address == "古南街道"
    assert sorted(again.target_groups.values_list("name", flat=True)) == ["两后生", "退役军人"]


def test_registering_identical_data_twice_adds_no_history(bureau_staff):
    trainee = trainee_register(data=data(target_groups=["退役军人"]), actor=bureau_staff)
    count = trainee.history.count()
    trainee_register(data=data(target_groups=["退役军人"]), actor=bureau_staff)
    assert trainee.history.count() == count


def test_read_only_roles_and_other_units_cannot_register(auditor, finance, operator_a, unit_b):
    with pytest.raises(PermissionDenied, match="审计人员只能查看数据，不能登记学员"):
        trainee_register(data=data(), actor=auditor)
    with pytest.raises(PermissionDenied, match="没有登记学员的权限"):
        trainee_register(data=data(), actor=finance)
    with pytest.raises(PermissionDenied, match="只能以本单位（区教委）的名义登记学员"):
        trainee_register(data=data(), actor=operator_a, unit=unit_b)
    assert Trainee.objects.count() == 0


# --- enrolment_create -------------------------------------------------------------------


def test_enrolment_and_unique_trainee_per_class(operator_a, class_a1):
    trainee = TraineeFactory()
    enrolment = enrolment_create(trainee=trainee, training_class=class_a1, actor=operator_a)
    assert enrolment.status == Enrolment.Status.ENROLLED and enrolment.created_by == operator_a
    with pytest.raises(ValidationError, match="已在培训班“.*”的花名册中，不需要重复报名"):
        enrolment_create(trainee=trainee, training_class=class_a1, actor=operator_a)
    assert Enrolment.objects.count() == 1


def test_capacity_is_enforced_and_dropped_places_are_free(bureau_staff, unit_a, school_1):
    small = TrainingClassFactory(unit=unit_a, institution=school_1, capacity=2)
    EnrolmentFactory(training_class=small, status=Enrolment.Status.ENROLLED, completion_date=None)
    EnrolmentFactory(training_class=small, status=Enrolment.Status.DROPPED, completion_date=None)
    enrolment_create(trainee=TraineeFactory(), training_class=small, actor=bureau_staff)
    with pytest.raises(ValidationError, match="计划人数2人已报满，不能再报名"):
        enrolment_create(trainee=TraineeFactory(), training_class=small, actor=bureau_staff)
    assert small.enrolments.exclude(status=Enrolment.Status.DROPPED).count() == 2


def test_overlapping_classes_flag_both_enrolments(bureau_staff, class_a1, class_b1, class_a2):
    trainee = TraineeFactory()
    in_a1 = enrolment_create(trainee=trainee, training_class=class_a1, actor=bureau_staff)
    in_a2 = enrolment_create(trainee=trainee, training_class=class_a2, actor=bureau_staff)
    assert not in_a1.overlaps_other_class and not in_a2.overlaps_other_class
    # When enrolled in B1, whose dates overlap A1
    in_b1 = enrolment_create(trainee=trainee, training_class=class_b1, actor=bureau_staff)
    in_a1.refresh_from_db()
    in_a2.refresh_from_db()
    assert in_b1.overlaps_other_class and in_a1.overlaps_other_class
    assert not in_a2.overlaps_other_class


def test_enrolment_outside_scope_or_cancelled_is_refused(operator_a, class_b1, class_a1, auditor):
    trainee = TraineeFactory()
    with pytest.raises(PermissionDenied, match="不在您的管理范围内"):
        enrolment_create(trainee=trainee, training_class=class_b1, actor=operator_a)
    with pytest.raises(PermissionDenied, match="审计人员只能查看数据"):
        enrolment_create(trainee=trainee, training_class=class_a1, actor=auditor)
    TrainingClass.objects.filter(pk=class_a1.pk).update(status=TrainingClass.Status.CANCELLED)
    with pytest.raises(ValidationError, match="已撤销"):
        enrolment_create(trainee=trainee, training_class=class_a1, actor=operator_a)
    assert Enrolment.objects.count() == 0


# --- enrolment_complete / enrolment_drop ------------------------------------------------


def test_complete_records_the_transition(operator_a, class_a1):
    enrolment = EnrolmentFactory(training_class=class_a1, status=Enrolment.Status.ENROLLED, completion_date=None)
    done = enrolment_complete(enrolment=enrolment, completion_date=class_a1.end_date, actor=operator_a, reason="考核合格")
    assert done.status == Enrolment.Status.COMPLETED and done.completion_date == class_a1.end_date
    record = done.history.first()
    assert record.history_change_reason == "考核合格" and record.status == "completed"
    entry = AuditEntry.objects.get(action=AuditEntry.Action.TRANSITION)
    assert entry.actor == operator_a and entry.detail["from"] == "enrolled" and entry.detail["to"] == "completed"
    with pytest.raises(ValidationError, match="当前状态为“已结业”，不能改为“已退学”"):
        enrolment_drop(enrolment=done, reason="个人原因", actor=operator_a)


def test_completion_date_is_not_before_the_class_nor_in_the_future(operator_a, class_a1):
    enrolment = EnrolmentFactory(training_class=class_a1, status=Enrolment.Status.ENROLLED, completion_date=None)
    with pytest.raises(ValidationError, match="早于开班日期"):
        enrolment_complete(enrolment=enrolment, completion_date=datetime.date(2019, 1, 1), actor=operator_a)
    with pytest.raises(ValidationError, match="晚于今天"):
        enrolment_complete(enrolment=enrolment, completion_date=datetime.date(2999, 1, 1), actor=operator_a)


def test_drop_needs_a_reason_and_scope(operator_a, operator_b, class_a1):
    enrolment = EnrolmentFactory(training_class=class_a1, status=Enrolment.Status.ENROLLED, completion_date=None)
    with pytest.raises(ValidationError, match="请填写退学原因"):
        enrolment_drop(enrolment=enrolment, reason=" ", actor=operator_a)
    with pytest.raises(PermissionDenied, match="不在您的管理范围内"):
        enrolment_drop(enrolment=enrolment, reason="外出务工", actor=operator_b)
    dropped = enrolment_drop(enrolment=enrolment, reason="外出务工", actor=operator_a)
    assert dropped.status == Enrolment.Status.DROPPED


# --- certificate_register ---------------------------------------------------------------


def certificate(**overrides):
    values = {
        "certificate_type": CertificateType.objects.get(code="skill-level"),
        "occupation": Occupation.objects.get(name="电焊"),
        "level": SkillLevel.objects.get(code="level-5"),
        "number": "S2019000001",
        "issuing_body": "重庆市职业技能鉴定指导中心",
        "issued_on": datetime.date(2019, 4, 10),
    }
    return {**values, **overrides}


def test_certificate_number_is_unique_per_type(operator_a, class_a1):
    enrolment = EnrolmentFactory(training_class=class_a1)
    first = certificate_register(trainee=enrolment.trainee, enrolment=enrolment, actor=operator_a,
                                 **certificate(number=" s2019000001 "))
    assert first.number == "S2019000001" and first.enrolment == enrolment
    other = TraineeFactory(registered_by_unit=class_a1.unit, name="李小四")
    with pytest.raises(ValidationError) as caught:
        certificate_register(trainee=other, actor=operator_a, **certificate())
    assert "编号S2019000001已登记（持证人" in caught.value.message_dict["number"][0]
    # The same number under another certificate type is a different certificate
    qualification = CertificateType.objects.exclude(code="skill-level").first()
    certificate_register(trainee=other, actor=operator_a, **certificate(certificate_type=qualification))
    assert Certificate.objects.count() == 2


def test_certificate_enrolment_must_be_the_trainees(operator_a, class_a1):
    enrolment = EnrolmentFactory(training_class=class_a1)
    stranger = TraineeFactory(registered_by_unit=class_a1.unit)
    with pytest.raises(ValidationError, match="所选参训记录不是该学员的"):
        certificate_register(trainee=stranger, enrolment=enrolment, actor=operator_a, **certificate())


def test_certificate_for_trainee_out_of_scope_is_refused(operator_b, class_a1, auditor):
    enrolment = EnrolmentFactory(training_class=class_a1)
    with pytest.raises(PermissionDenied, match="不在您的管理范围内"):
        certificate_register(trainee=enrolment.trainee, actor=operator_b, **certificate())
    with pytest.raises(PermissionDenied, match="审计人员只能查看数据"):
        certificate_register(trainee=enrolment.trainee, actor=auditor, **certificate())
    assert Certificate.objects.count() == 0


def test_target_group_flags_are_seeded(db):
    flags = {g.name: (g.free_training, g.living_allowance) for g in TargetGroup.objects.all()}
    assert flags["建档立卡贫困劳动力"] == (True, True)
    assert flags["高校毕业生"] == (False, False)
