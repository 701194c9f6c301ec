"""结业, 退学 and certificates: the services, the class roster page, the certificate form, the API.

Every refusal leaves every registry row and the audit trail as they were.
"""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import AuditEntry
from programs.models import CertificateType, Occupation, SkillLevel
from programs.tests.factories import ProgrammeFactory, TrainingClassFactory
from trainees import services
from trainees.models import Certificate, Enrolment
from trainees.tests.factories import EnrolmentFactory, TraineeFactory
from trainees.tests.rosters import registry_counts

TODAY = timezone.localdate()


def snapshot() -> dict:
    """Everything an outcome or a certificate could change."""
    return {
        "counts": registry_counts(),
        "enrolments": sorted(Enrolment.objects.values_list("pk", "status", "completion_date", "overlaps_other_class")),
        "certificates": sorted(Certificate.objects.values_list("pk", "number")),
        # (signing a test client in writes a login entry; only what the registry writes counts here)
        "audit": AuditEntry.objects.exclude(action=AuditEntry.Action.LOGIN).count(),
    }


def enrolled(training_class, name: str, **kwargs) -> Enrolment:
    return EnrolmentFactory(training_class=training_class, trainee=TraineeFactory(name=name, **kwargs),
                            status=Enrolment.Status.ENROLLED, completion_date=None)


@pytest.fixture
def roster(class_a1):
    """Three trainees in 区教委's class A1 (4–29 March 2019), still in training."""
    return [enrolled(class_a1, name) for name in ("张小一", "李小二", "王小三")]


def statuses(enrolments) -> list[str]:
    return [Enrolment.objects.get(pk=e.pk).status for e in enrolments]


# --- services -----------------------------------------------------------------------------


def test_bulk_completion_completes_everyone_and_audits_each(operator_a, roster, class_a1):
    done = services.enrolment_bulk_complete(enrolments=roster, completion_date=class_a1.end_date, actor=operator_a)
    assert [e.status for e in done] == ["completed"] * 3
    assert set(Enrolment.objects.values_list("completion_date", flat=True)) == {class_a1.end_date}
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.TRANSITION, actor=operator_a)
    assert sorted(entries.values_list("object_id", flat=True)) == sorted(str(e.pk) for e in roster)
    entry = entries.first()
    assert entry.detail["from"] == "enrolled" and entry.detail["to"] == "completed"
    assert entry.detail["completion_date"] == "2019-03-29" and entry.detail["training_class"] == "QJ-A1"


def test_bulk_completion_is_all_or_nothing(operator_a, roster, class_a1):
    # Given one of the three has already dropped out
    services.enrolment_drop(enrolment=roster[1], reason="外出务工", actor=operator_a)
    before = snapshot()
    # When all three are to be completed
    with pytest.raises(ValidationError) as caught:
        services.enrolment_bulk_complete(enrolments=roster, completion_date=class_a1.end_date, actor=operator_a)
    # Then the refusal names the trainee and the reason, and nobody was completed
    messages = caught.value.messages
    assert messages[0] == "以下1名学员不能办理结业，本次未办理任何学员："
    masked = roster[1].trainee.id_number_masked
    assert messages[1] == f"李小二（{masked}）：参训记录当前状态为“已退学”，不能改为“已结业”。"
    assert snapshot() == before


@pytest.mark.parametrize(("day", "message"), [
    (None, "请填写结业日期。"),
    (TODAY + datetime.timedelta(days=1), "晚于今天，请在结业后再登记。"),
    (datetime.date(2019, 3, 3), "结业日期2019-03-03早于开班日期2019-03-04，请核对。"),
])
def test_completion_date_rules(operator_a, roster, day, message):
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        services.enrolment_complete(enrolment=roster[0], completion_date=day, actor=operator_a)
    assert message in caught.value.messages[0]
    with pytest.raises(ValidationError):
        services.enrolment_bulk_complete(enrolments=roster, completion_date=day, actor=operator_a)
    assert snapshot() == before


def test_completion_on_the_start_day_and_today_is_allowed(operator_a, unit_a, school_1):
    running = TrainingClassFactory(unit=unit_a, institution=school_1, start_date=TODAY - datetime.timedelta(days=3),
                                   end_date=TODAY + datetime.timedelta(days=20))
    first, second = enrolled(running, "赵一"), enrolled(running, "钱二")
    assert services.enrolment_complete(enrolment=first, completion_date=running.start_date, actor=operator_a).status == "completed"
    assert services.enrolment_complete(enrolment=second, completion_date=TODAY, actor=operator_a).completion_date == TODAY


def test_bulk_drop_needs_one_reason_and_drops_all(operator_a, roster):
    before = snapshot()
    with pytest.raises(ValidationError, match="请填写退学原因。"):
        services.enrolment_bulk_drop(enrolments=roster, reason="  ", actor=operator_a)
    with pytest.raises(ValidationError, match="最多200个字"):
        services.enrolment_bulk_drop(enrolments=roster, reason="因" * 201, actor=operator_a)
    with pytest.raises(ValidationError, match="请先勾选要办理退学的学员。"):
        services.enrolment_bulk_drop(enrolments=[], reason="外出务工", actor=operator_a)
    assert snapshot() == before
    services.enrolment_bulk_drop(enrolments=roster, reason="培训班调整", actor=operator_a)
    assert statuses(roster) == ["dropped"] * 3
    assert Enrolment.objects.get(pk=roster[0].pk).history.first().history_change_reason == "培训班调整"


@pytest.mark.parametrize(("reader", "message"), [
    ("auditor", "审计人员只能查看数据，不能变更参训状态。"),
    ("finance", "您的账号没有变更参训状态的权限。"),
    ("operator_b", "该参训记录不在您的管理范围内。"),
    ("school_op_2", "该参训记录不在您的管理范围内。"),
])
def test_outcomes_refused_to_readers_and_other_scopes(request, roster, class_a1, reader, message):
    user = request.getfixturevalue(reader)
    before = snapshot()
    calls = [
        lambda: services.enrolment_complete(enrolment=roster[0], completion_date=class_a1.end_date, actor=user),
        lambda: services.enrolment_drop(enrolment=roster[0], reason="外出务工", actor=user),
        lambda: services.enrolment_bulk_complete(enrolments=roster, completion_date=class_a1.end_date, actor=user),
        lambda: services.enrolment_bulk_drop(enrolments=roster, reason="外出务工", actor=user),
        # the permission is checked before the input, so a reader learns nothing from the rules
        lambda: services.enrolment_complete(enrolment=roster[0], completion_date=None, actor=user),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied) as caught:
            call()
        assert message in str(caught.value)
    assert snapshot() == before


def test_institution_operator_handles_own_classes_only(school_op_1, school_op_2, roster, class_a1):
    services.enrolment_complete(enrolment=roster[0], completion_date=class_a1.end_date, actor=school_op_1)
    with pytest.raises(PermissionDenied):
        services.enrolment_drop(enrolment=roster[1], reason="外出务工", actor=school_op_2)
    assert statuses(roster) == ["completed", "enrolled", "enrolled"]


# --- certificate_register -----------------------------------------------------------------


@pytest.fixture
def care_class(unit_a, school_1):
    """A class whose programme awards a 职业资格证书 in 养老护理 at 中级工（四级）."""
    programme = ProgrammeFactory(
        unit=unit_a, occupation=Occupation.objects.get(name="养老护理"), level=SkillLevel.objects.get(code="level-4"),
        certificate_type=CertificateType.objects.get(code="qualification"),
    )
    return TrainingClassFactory(code="QJ-CARE", unit=unit_a, institution=school_1, programme=programme,
                                start_date=datetime.date(2019, 9, 2), end_date=datetime.date(2019, 10, 31))


def test_certificate_defaults_to_the_class_programme_and_is_audited(operator_a, care_class):
    enrolment = enrolled(care_class, "孙养护")
    certificate = services.certificate_register(
        trainee=enrolment.trainee, enrolment=enrolment, number="ZG2019-0001", issuing_body="重庆市职业技能鉴定指导中心",
        issued_on=datetime.date(2019, 11, 15), actor=operator_a,
    )
    assert (certificate.certificate_type.code, certificate.occupation.name, certificate.level.code) == (
        "qualification", "养老护理", "level-4")
    entry = AuditEntry.objects.get(object_type="trainees.certificate", object_id=str(certificate.pk))
    assert entry.actor == operator_a and entry.result == AuditEntry.Result.SUCCESS
    assert entry.action == AuditEntry.Action.REGISTRATION
    assert entry.detail["what"] == "证书登记" and entry.detail["number"] == "ZG2019-0001"
    assert entry.detail["training_class"] == "QJ-CARE" and entry.detail["certificate_type"] == "职业资格证书"
    # Given values replace the defaults
    other = services.certificate_register(
        trainee=enrolment.trainee, enrolment=enrolment, number="T1", issuing_body="綦江区第一职业培训学校",
        issued_on=datetime.date(2019, 11, 1), actor=operator_a,
        certificate_type=CertificateType.objects.get(code="training-completion"),
    )
    assert other.certificate_type.code == "training-completion" and other.occupation.name == "养老护理"


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"issued_on": datetime.date(2019, 9, 1)}, "issued_on",
     "发证日期2019-09-01早于培训班“养老护理中级工（四级）培训班（QJ-CARE）”的开班日期2019-09-02，请核对。"),
    ({"issued_on": TODAY + datetime.timedelta(days=1)}, "issued_on", "晚于今天，请核对。"),
    ({"issued_on": None}, "issued_on", "请填写发证日期。"),
    ({"number": "  "}, "number", "请填写证书编号。"),
    ({"number": "N" * 51}, "number", "证书编号过长（51位），最多50位，请核对。"),
    ({"issuing_body": ""}, "issuing_body", "请填写发证机构。"),
])
def test_certificate_input_rules(operator_a, care_class, values, field, message):
    enrolment = enrolled(care_class, "周检验")
    before = snapshot()
    arguments = {"number": "ZG2019-0002", "issuing_body": "重庆市职业技能鉴定指导中心",
                 "issued_on": datetime.date(2019, 11, 15), **values}
    with pytest.raises(ValidationError) as caught:
        services.certificate_register(trainee=enrolment.trainee, enrolment=enrolment, actor=operator_a, **arguments)
    assert message in caught.value.message_dict[field][0]
    assert snapshot() == before


def test_certificate_without_a_class_needs_type_occupation_and_level(operator_a, unit_a):
    trainee = TraineeFactory(registered_by_unit=unit_a)
    with pytest.raises(ValidationError) as caught:
        services.certificate_register(trainee=trainee, number="X1", issuing_body="某机构",
                                      issued_on=datetime.date(2019, 5, 1), actor=operator_a)
    assert caught.value.message_dict == {
        "certificate_type": ["请选择证书类型。"], "occupation": ["请选择职业（工种）。"], "level": ["请选择等级。"],
    }
    assert Certificate.objects.count() == 0


def test_certificate_for_a_dropped_enrolment_is_refused(operator_a, care_class):
    enrolment = enrolled(care_class, "吴退学")
    services.enrolment_drop(enrolment=enrolment, reason="外出务工", actor=operator_a)
    with pytest.raises(ValidationError) as caught:
        services.certificate_register(trainee=enrolment.trainee, enrolment=enrolment, number="ZG1", issuing_body="中心",
                                      issued_on=datetime.date(2019, 11, 15), actor=operator_a)
    assert "已从培训班“养老护理中级工（四级）培训班（QJ-CARE）”退学" in caught.value.message_dict["enrolment"][0]
    assert Certificate.objects.count() == 0


# --- the class roster page ----------------------------------------------------------------


def roster_url(training_class) -> str:
    return f"/classes/{training_class.pk}/roster/"


def outcomes_url(training_class) -> str:
    return f"/classes/{training_class.pk}/roster/outcomes/"


def test_roster_offers_outcomes_to_those_who_may_change(roster, class_a1, operator_a, school_op_1, bureau_staff,
                                                        client_for):
    for user in (operator_a, school_op_1, bureau_staff):
        html = client_for(user).get(roster_url(class_a1)).content.decode()
        assert f'action="{outcomes_url(class_a1)}"' in html
        # the completion date defaults to the class's end date
        assert 'name="completion_date" value="2019-03-29"' in html
        for enrolment in roster:
            assert f'name="enrolments" value="{enrolment.pk}"' in html
            assert f'name="complete_one" value="{enrolment.pk}"' in html
            assert f'name="drop_one" value="{enrolment.pk}"' in html
            assert f"/trainees/{enrolment.trainee_id}/certificates/new/?enrolment={enrolment.pk}&amp;back=roster" in html
        # Enter in a text box submits nothing
        assert '<button type="submit" disabled hidden' in html
        assert 'js/trainees.js' in html


@pytest.mark.parametrize("reader", ["auditor", "finance"])
def test_roster_offers_no_actions_to_readers(request, roster, class_a1, client_for, reader):
    client = client_for(request.getfixturevalue(reader))
    html = client.get(roster_url(class_a1)).content.decode()
    assert "roster-outcomes" not in html and "complete_one" not in html and "登记证书" not in html
    before = snapshot()
    response = client.post(outcomes_url(class_a1), {"complete_one": roster[0].pk, "completion_date": "2019-03-29"})
    assert response.status_code == 403
    assert snapshot() == before


def test_no_checkbox_for_rows_already_completed_or_dropped(roster, class_a1, operator_a, client_for):
    services.enrolment_drop(enrolment=roster[0], reason="外出务工", actor=operator_a)
    services.enrolment_complete(enrolment=roster[1], completion_date=class_a1.end_date, actor=operator_a)
    html = client_for(operator_a).get(roster_url(class_a1)).content.decode()
    assert f'value="{roster[0].pk}"' not in html and f'value="{roster[1].pk}"' not in html
    assert f'name="enrolments" value="{roster[2].pk}"' in html
    assert "2019-03-29" in html  # the completion date column


def test_row_completion(roster, class_a1, operator_a, client_for):
    client = client_for(operator_a)
    response = client.post(outcomes_url(class_a1), {
        "complete_one": roster[0].pk, "completion_date": "2019-03-28", "reason": "", "enrolments": [roster[1].pk],
    })
    assert response.status_code == 302 and response["Location"] == roster_url(class_a1)
    # Only that row was completed, on the date given (the ticked box is for the bulk buttons)
    assert statuses(roster) == ["completed", "enrolled", "enrolled"]
    assert Enrolment.objects.get(pk=roster[0].pk).completion_date == datetime.date(2019, 3, 28)
    html = client.get(response["Location"]).content.decode()
    assert "已为张小一共1名学员办理结业。" in html


def test_bulk_drop_from_the_page(roster, class_a1, operator_a, client_for):
    client = client_for(operator_a)
    response = client.post(outcomes_url(class_a1), {
        "action": "drop", "reason": "企业生产任务重", "enrolments": [roster[0].pk, roster[2].pk],
        "completion_date": "2019-03-29",
    })
    assert response.status_code == 302
    assert statuses(roster) == ["dropped", "enrolled", "dropped"]
    assert "已为张小一、王小三共2名学员办理退学。" in client.get(roster_url(class_a1)).content.decode()
    assert "已报名 <strong id=\"taken\">1</strong> 人" in client.get(roster_url(class_a1)).content.decode()


@pytest.mark.parametrize(("data", "message"), [
    ({"action": "complete", "completion_date": "2019-03-01"}, "结业日期2019-03-01早于开班日期2019-03-04，请核对。"),
    ({"action": "complete", "completion_date": ""}, "请填写结业日期。"),
    ({"action": "complete", "completion_date": "2019-02-30"}, "结业日期格式不正确"),
    ({"action": "drop", "reason": ""}, "请填写退学原因。"),
    ({"action": "drop", "reason": "因" * 201}, "退学原因最多200个字，请精简。"),
    ({"drop_one": "ROW0", "reason": " "}, "请填写退学原因。"),
    ({"completion_date": "2019-03-29"}, "请选择要办理的操作：结业或退学。"),
])
def test_page_refusals_say_what_to_fix_and_change_nothing(roster, class_a1, operator_a, client_for, data, message):
    data = {key: (roster[0].pk if value == "ROW0" else value) for key, value in data.items()}
    if "action" in data:
        data["enrolments"] = [e.pk for e in roster]
    before = snapshot()
    response = client_for(operator_a).post(outcomes_url(class_a1), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="outcome-errors"' in html and message in html
    assert snapshot() == before
    if "enrolments" in data and "格式" not in message:
        # the ticked boxes stay ticked for the next try
        assert f'value="{roster[0].pk}" class="pick" aria-label="选择张小一" checked' in html


def test_nothing_ticked(roster, class_a1, operator_a, client_for):
    html = client_for(operator_a).post(outcomes_url(class_a1), {"action": "complete", "completion_date": "2019-03-29"}).content.decode()
    assert "请先勾选要办理结业的学员。" in html
    assert statuses(roster) == ["enrolled"] * 3


def test_page_bulk_is_all_or_nothing(roster, class_a1, operator_a, client_for):
    services.enrolment_drop(enrolment=roster[2], reason="外出务工", actor=operator_a)
    # a row dropped since the page was opened is still ticked in the submitted form
    before = snapshot()
    html = client_for(operator_a).post(outcomes_url(class_a1), {
        "action": "complete", "completion_date": "2019-03-29", "enrolments": [e.pk for e in roster],
    }).content.decode()
    assert "以下1名学员不能办理结业，本次未办理任何学员：" in html
    assert "王小三" in html and "当前状态为“已退学”，不能改为“已结业”" in html
    assert snapshot() == before


def test_ids_from_another_class_are_not_choices(roster, class_a1, class_b1, bureau_staff, client_for):
    elsewhere = enrolled(class_b1, "外班学员")
    before = snapshot()
    html = client_for(bureau_staff).post(outcomes_url(class_a1), {
        "action": "drop", "reason": "外出务工", "enrolments": [roster[0].pk, elsewhere.pk],
    }).content.decode()
    assert "所选学员不在本班花名册中，或不在您的管理范围内，请刷新页面后重试。" in html
    response = client_for(bureau_staff).post(outcomes_url(class_a1), {"complete_one": elsewhere.pk,
                                                                       "completion_date": "2019-03-29"})
    assert "所选学员不在本班花名册中" in response.content.decode()
    assert snapshot() == before


def test_other_units_class_is_404(roster, class_a1, operator_b, school_op_2, client_for):
    before = snapshot()
    for user in (operator_b, school_op_2):
        response = client_for(user).post(outcomes_url(class_a1), {"complete_one": roster[0].pk,
                                                                  "completion_date": "2019-03-29"})
        assert response.status_code == 404
    assert snapshot() == before


def test_outcomes_must_be_posted(class_a1, operator_a, client_for):
    assert client_for(operator_a).get(outcomes_url(class_a1)).status_code == 405


# --- the certificate form -----------------------------------------------------------------


def certificate_url(trainee, **params) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"/trainees/{trainee.pk}/certificates/new/" + (f"?{query}" if query else "")


def test_certificate_form_from_a_roster_row(care_class, school_op_1, client_for):
    enrolment = enrolled(care_class, "孙养护")
    client = client_for(school_op_1)
    url = certificate_url(enrolment.trainee, enrolment=enrolment.pk, back="roster")
    page = client.get(url)
    form = page.context["form"]
    # The class's programme fills type, occupation and level
    assert form["enrolment"].value() == enrolment.pk
    assert form["certificate_type"].value() == CertificateType.objects.get(code="qualification").pk
    assert form["occupation"].value() == Occupation.objects.get(name="养老护理").pk
    assert form["level"].value() == SkillLevel.objects.get(code="level-4").pk
    html = page.content.decode()
    assert enrolment.trainee.id_number_masked in html and enrolment.trainee.id_number not in html
    assert "返回花名册" in html
    # When it is filled in and sent
    response = client.post(url, {
        "enrolment": enrolment.pk, "certificate_type": form["certificate_type"].value(),
        "occupation": form["occupation"].value(), "level": form["level"].value(),
        "number": "zg 2019 0001", "issuing_body": "重庆市职业技能鉴定指导中心", "issued_on": "2019-11-15",
    })
    # Then it is saved and the user is back on the roster
    assert response.status_code == 302 and response["Location"] == roster_url(care_class)
    certificate = Certificate.objects.get()
    assert certificate.number == "ZG20190001" and certificate.enrolment == enrolment
    assert "已为孙养护登记职业资格证书，编号ZG20190001。" in client.get(roster_url(care_class)).content.decode()


def test_certificate_form_from_the_archive(world, operator_a, client_for):
    trainee = world["reg_a"]
    client = client_for(operator_a)
    archive = client.get(f"/trainees/{trainee.pk}/").content.decode()
    assert f'href="/trainees/{trainee.pk}/certificates/new/"' in archive
    before = snapshot()
    # Without a class, type, occupation and level must be chosen
    response = client.post(certificate_url(trainee), {"number": "A1", "issuing_body": "机构", "issued_on": "2019-05-01"})
    html = response.content.decode()
    assert response.status_code == 200
    for message in ("请选择证书类型。", "请选择职业（工种）。", "请选择等级。"):
        assert message in html
    assert snapshot() == before
    response = client.post(certificate_url(trainee), {
        "certificate_type": CertificateType.objects.get(code="special-operation").pk,
        "occupation": Occupation.objects.get(name="电焊").pk, "level": SkillLevel.objects.get(code="special").pk,
        "number": "T5002221", "issuing_body": "重庆市应急管理局", "issued_on": "2019-05-01",
    })
    assert response.status_code == 302 and response["Location"] == f"/trainees/{trainee.pk}/"
    assert "T5002221" in client.get(response["Location"]).content.decode()


def test_certificate_form_errors_on_their_fields(care_class, operator_a, client_for):
    enrolment = enrolled(care_class, "郑发证")
    before = snapshot()
    html = client_for(operator_a).post(certificate_url(enrolment.trainee), {
        "enrolment": enrolment.pk, "number": "ZG9", "issuing_body": "中心", "issued_on": "2019-08-30",
    }).content.decode()
    assert "发证日期2019-08-30早于培训班“养老护理中级工（四级）培训班（QJ-CARE）”的开班日期2019-09-02，请核对。" in html
    assert snapshot() == before


def test_certificate_form_scope_and_roles(world, classes, operator_a, operator_b, auditor, finance, school_op_2,
                                          client_for):
    trainee = world["a1"]
    enrolment = trainee.enrolments.get()
    for user in (operator_b,):
        assert client_for(user).get(certificate_url(trainee)).status_code == 404
        assert client_for(user).post(certificate_url(trainee), {"number": "X"}).status_code == 404
    for user in (auditor, finance):
        assert client_for(user).get(certificate_url(trainee)).status_code == 403
        archive = client_for(user).get(f"/trainees/{trainee.pk}/").content.decode()
        assert "certificates/new" not in archive
    # An institution operator who sees the trainee through another class cannot pick this class
    EnrolmentFactory(trainee=trainee, training_class=classes["a2"])
    school_2 = client_for(school_op_2)
    page = school_2.get(certificate_url(trainee, enrolment=enrolment.pk))
    assert page.status_code == 200 and page.context["form"]["enrolment"].value() is None
    before = snapshot()
    html = school_2.post(certificate_url(trainee), {
        "enrolment": enrolment.pk, "number": "ZZ1", "issuing_body": "中心", "issued_on": "2019-05-01",
    }).content.decode()
    assert "所选培训班不是该学员在您管理范围内的参训记录，请重新选择。" in html
    assert snapshot() == before


# --- the API ------------------------------------------------------------------------------


def api_post(client, path: str, data: dict):
    return client.post(path, json.dumps(data), content_type="application/json")


def test_api_complete_and_drop(roster, class_a1, school_op_1, client_for):
    client = client_for(school_op_1)
    response = api_post(client, f"/api/v1/enrolments/{roster[0].pk}/complete/", {"completion_date": "2019-03-29"})
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "completed" and data["status_display"] == "已结业"
    assert data["completion_date"] == "2019-03-29" and data["training_class"]["code"] == "QJ-A1"
    assert data["trainee"] == {"id": roster[0].trainee_id, "name": "张小一",
                               "id_number_masked": roster[0].trainee.id_number_masked}
    response = api_post(client, f"/api/v1/enrolments/{roster[1].pk}/drop/", {"reason": "外出务工"})
    assert response.status_code == 200 and response.json()["status"] == "dropped"
    assert statuses(roster) == ["completed", "dropped", "enrolled"]
    assert AuditEntry.objects.filter(action=AuditEntry.Action.TRANSITION, actor=school_op_1).count() == 2


@pytest.mark.parametrize(("path", "data", "key", "message"), [
    ("complete", {}, "completion_date", "请填写结业日期（completion_date，格式YYYY-MM-DD）。"),
    ("complete", {"completion_date": "29/03/2019"}, "completion_date", "结业日期格式不正确，应为YYYY-MM-DD"),
    ("complete", {"completion_date": "2019-03-01"}, "non_field_errors", "结业日期2019-03-01早于开班日期2019-03-04，请核对。"),
    ("complete", {"completion_date": "2999-01-01"}, "non_field_errors", "结业日期2999-01-01晚于今天，请在结业后再登记。"),
    ("drop", {}, "reason", "请填写退学原因（reason）。"),
    ("drop", {"reason": ""}, "reason", "请填写退学原因（reason）。"),
])
def test_api_outcome_refusals(roster, operator_a, client_for, path, data, key, message):
    before = snapshot()
    response = api_post(client_for(operator_a), f"/api/v1/enrolments/{roster[0].pk}/{path}/", data)
    assert response.status_code == 400
    assert message in response.json()[key][0]
    assert snapshot() == before


def test_api_illegal_transition(roster, operator_a, client_for, class_a1):
    client = client_for(operator_a)
    api_post(client, f"/api/v1/enrolments/{roster[0].pk}/drop/", {"reason": "外出务工"})
    before = snapshot()
    response = api_post(client, f"/api/v1/enrolments/{roster[0].pk}/complete/", {"completion_date": "2019-03-29"})
    assert response.status_code == 400
    assert response.json()["non_field_errors"] == ["参训记录当前状态为“已退学”，不能改为“已结业”。"]
    assert snapshot() == before


@pytest.fixture
def enrolled_in(classes):
    """One trainee still in training in each of the four classes."""
    return {key: enrolled(training_class, f"在训{key.upper()}") for key, training_class in classes.items()}


WRITERS = {"bureau_admin", "bureau_staff", "operator_a", "operator_b", "school_op_1", "school_op_2"}


def test_api_outcomes_scope_for_everyone(world, someone, enrolled_in, client_for):
    user, _, visible_classes = someone
    client = client_for(user)
    for key, enrolment in enrolled_in.items():
        before = snapshot()
        response = api_post(client, f"/api/v1/enrolments/{enrolment.pk}/drop/", {"reason": "外出务工"})
        if user.username not in WRITERS:
            assert response.status_code == 403, key
            assert snapshot() == before
        elif key not in visible_classes:
            assert response.status_code == 404, key
            assert snapshot() == before
        else:
            assert response.status_code == 200, key
            assert Enrolment.objects.get(pk=enrolment.pk).status == "dropped"


@pytest.mark.parametrize(("reader", "message"), [
    ("auditor", "审计人员只能查看数据，不能办理结业。"),
    ("finance", "您的账号没有办理结业的权限。"),
])
def test_api_readers_get_a_chinese_refusal(request, roster, client_for, reader, message):
    response = api_post(client_for(request.getfixturevalue(reader)), f"/api/v1/enrolments/{roster[0].pk}/complete/",
                        {"completion_date": "2019-03-29"})
    assert response.status_code == 403 and message in response.json()["detail"]


def certificate_body(person, **overrides) -> dict:
    return {"trainee": person.pk, "number": "ZG2019-0009", "issuing_body": "重庆市职业技能鉴定指导中心",
            "issued_on": "2019-11-15", **overrides}


def test_api_certificate(care_class, operator_a, client_for):
    enrolment = enrolled(care_class, "孙养护")
    response = api_post(client_for(operator_a), "/api/v1/certificates/",
                        certificate_body(enrolment.trainee, enrolment=enrolment.pk))
    assert response.status_code == 201
    data = response.json()
    assert data["certificate_type"] == "职业资格证书" and data["occupation"] == "养老护理"
    assert data["level"] == "中级工（四级）" and data["number"] == "ZG2019-0009"
    assert data["trainee"] == enrolment.trainee_id and data["enrolment"] == enrolment.pk
    assert AuditEntry.objects.filter(object_type="trainees.certificate", object_id=str(data["id"])).count() == 1


@pytest.mark.parametrize(("overrides", "key", "message"), [
    ({"issued_on": "2019-08-01"}, "issued_on", "早于培训班“养老护理中级工（四级）培训班（QJ-CARE）”的开班日期2019-09-02"),
    ({"issued_on": "15/11/2019"}, "issued_on", "发证日期格式不正确，应为YYYY-MM-DD"),
    ({"number": ""}, "number", "请填写证书编号。"),
    ({"certificate_type": 99999}, "certificate_type", "证书类型编号“99999”不存在，请核对。"),
    ({"trainee": "abc"}, "trainee", "学员编号（trainee）应为整数。"),
])
def test_api_certificate_refusals(care_class, operator_a, client_for, overrides, key, message):
    enrolment = enrolled(care_class, "孙养护")
    before = snapshot()
    response = api_post(client_for(operator_a), "/api/v1/certificates/",
                        certificate_body(enrolment.trainee, enrolment=enrolment.pk, **overrides))
    assert response.status_code == 400
    assert message in response.json()[key][0]
    assert snapshot() == before


def test_api_certificate_number_taken(care_class, operator_a, client_for):
    first, second = enrolled(care_class, "孙养护"), enrolled(care_class, "李护理")
    client = client_for(operator_a)
    assert api_post(client, "/api/v1/certificates/", certificate_body(first.trainee, enrolment=first.pk)).status_code == 201
    before = snapshot()
    response = api_post(client, "/api/v1/certificates/", certificate_body(second.trainee, enrolment=second.pk))
    assert response.status_code == 400
    assert response.json()["number"] == [
        "职业资格证书编号ZG2019-0009已登记（持证人孙*护），同一类型的证书编号不能重复，请核对证书编号。"
    ]
    assert snapshot() == before


def test_api_certificate_scope_and_roles(world, classes, operator_b, school_op_2, auditor, finance, client_for):
    trainee = world["a1"]
    enrolment = trainee.enrolments.get()
    EnrolmentFactory(trainee=trainee, training_class=classes["a2"])  # school 2 sees the trainee, not class A1
    before = snapshot()
    # Another unit's trainee, or a class outside the caller's scope: 404
    assert api_post(client_for(operator_b), "/api/v1/certificates/", certificate_body(trainee)).status_code == 404
    response = api_post(client_for(school_op_2), "/api/v1/certificates/",
                        certificate_body(trainee, enrolment=enrolment.pk))
    assert response.status_code == 404
    # Readers: refused, in Chinese
    response = api_post(client_for(auditor), "/api/v1/certificates/", certificate_body(trainee))
    assert response.status_code == 403 and response.json()["detail"] == "审计人员只能查看数据，不能登记证书。"
    response = api_post(client_for(finance), "/api/v1/certificates/", certificate_body(trainee))
    assert response.status_code == 403 and "您的账号没有登记证书的权限" in response.json()["detail"]
    assert snapshot() == before
