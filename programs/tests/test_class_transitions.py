"""The class workflow: planned → in_progress → finished; planned / in_progress → cancelled."""

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from accounts.models import AuditEntry
from programs.models import TrainingClass, TrainingClassTransition
from programs.services import training_class_cancel, training_class_finish, training_class_start
from programs.tests.factories import TrainingClassFactory

S = TrainingClass.Status

SERVICES = {
    "start": lambda tc, actor: training_class_start(training_class=tc, actor=actor),
    "finish": lambda tc, actor: training_class_finish(training_class=tc, actor=actor),
    "cancel": lambda tc, actor: training_class_cancel(training_class=tc, actor=actor, reason="报名人数不足，停办"),
}


def make_class(programme, status):
    return TrainingClassFactory(unit=programme.unit, programme=programme, status=status)


@pytest.mark.parametrize(
    "action, before, after, reason",
    [
        ("start", S.PLANNED, S.IN_PROGRESS, ""),
        ("finish", S.IN_PROGRESS, S.FINISHED, ""),
        ("cancel", S.PLANNED, S.CANCELLED, "报名人数不足，停办"),
        ("cancel", S.IN_PROGRESS, S.CANCELLED, "报名人数不足，停办"),
    ],
)
def test_legal_transitions_write_a_transition_row_and_an_audit_row(operator_a, programme_a, action, before, after, reason):
    training_class = make_class(programme_a, before)
    SERVICES[action](training_class, operator_a)
    training_class.refresh_from_db()
    assert training_class.status == after
    row = TrainingClassTransition.objects.get(training_class=training_class)
    assert (row.from_status, row.to_status, row.reason, row.actor) == (before, after, reason, operator_a)
    audit = AuditEntry.objects.get(action=AuditEntry.Action.TRANSITION)
    assert audit.object_id == str(training_class.pk) and audit.actor == operator_a
    assert audit.detail == {"from": before, "to": after, "reason": reason}


@pytest.mark.parametrize(
    "action, status, message",
    [
        ("start", S.IN_PROGRESS, "当前状态为“培训中”，不能开班；只有“筹备中”的培训班可以开班。"),
        ("start", S.FINISHED, "当前状态为“已结业”，不能开班；只有“筹备中”的培训班可以开班。"),
        ("start", S.CANCELLED, "当前状态为“已撤销”，不能开班；只有“筹备中”的培训班可以开班。"),
        ("finish", S.PLANNED, "当前状态为“筹备中”，不能结业；只有“培训中”的培训班可以结业。"),
        ("finish", S.FINISHED, "当前状态为“已结业”，不能结业；只有“培训中”的培训班可以结业。"),
        ("finish", S.CANCELLED, "当前状态为“已撤销”，不能结业；只有“培训中”的培训班可以结业。"),
        ("cancel", S.FINISHED, "当前状态为“已结业”，不能撤销；只有“筹备中”、“培训中”的培训班可以撤销。"),
        ("cancel", S.CANCELLED, "当前状态为“已撤销”，不能撤销；只有“筹备中”、“培训中”的培训班可以撤销。"),
    ],
)
def test_illegal_transitions_are_refused_and_change_nothing(bureau_staff, programme_a, action, status, message):
    training_class = make_class(programme_a, status)
    with pytest.raises(ValidationError) as caught:
        SERVICES[action](training_class, bureau_staff)
    assert caught.value.messages == [f"培训班“{training_class}”{message}"]
    assert TrainingClass.objects.get(pk=training_class.pk).status == status
    assert not TrainingClassTransition.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.TRANSITION).exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_cancelling_needs_a_reason(bureau_staff, programme_a, reason):
    training_class = make_class(programme_a, S.PLANNED)
    with pytest.raises(ValidationError) as caught:
        training_class_cancel(training_class=training_class, reason=reason, actor=bureau_staff)
    assert caught.value.message_dict == {"reason": ["撤销培训班须填写撤销原因。"]}
    assert TrainingClass.objects.get(pk=training_class.pk).status == S.PLANNED


def test_the_whole_life_of_a_class_is_on_record(inst_operator_1, classes):
    a1 = classes["a1"]
    training_class_start(training_class=a1, actor=inst_operator_1)
    training_class_finish(training_class=a1, actor=inst_operator_1)
    assert list(a1.transitions.values_list("from_status", "to_status")) == [
        (S.PLANNED, S.IN_PROGRESS), (S.IN_PROGRESS, S.FINISHED)
    ]


def test_transition_rows_cannot_be_rewritten(bureau_staff, classes):
    training_class_start(training_class=classes["a1"], actor=bureau_staff)
    with pytest.raises(DatabaseError, match="培训班状态变更记录只能追加"):
        with transaction.atomic():
            TrainingClassTransition.objects.update(reason="改写")
    assert TrainingClassTransition.objects.get().reason == ""


def test_the_database_keeps_a_status_from_being_reached_twice(bureau_staff, classes):
    training_class_start(training_class=classes["a1"], actor=bureau_staff)
    first = TrainingClassTransition.objects.get()
    with pytest.raises(DatabaseError):
        with transaction.atomic():
            TrainingClassTransition.objects.create(
                training_class=classes["a1"], from_status=S.PLANNED, to_status=S.IN_PROGRESS, actor=bureau_staff
            )
    assert list(TrainingClassTransition.objects.all()) == [first]


# --- through the pages ---


def test_pages_move_a_class_through_its_states(client_for, operator_a, classes):
    client = client_for(operator_a)
    a1 = classes["a1"]
    response = client.post(f"/classes/{a1.pk}/start/", follow=True)
    assert "培训班已开班，状态为“培训中”。" in response.content.decode()
    assert TrainingClass.objects.get(pk=a1.pk).status == S.IN_PROGRESS
    response = client.post(f"/classes/{a1.pk}/start/", follow=True)
    assert "不能开班；只有“筹备中”的培训班可以开班。" in response.content.decode()
    response = client.post(f"/classes/{a1.pk}/cancel/", {"reason": ""}, follow=True)
    assert "撤销培训班须填写撤销原因。" in response.content.decode()
    assert TrainingClass.objects.get(pk=a1.pk).status == S.IN_PROGRESS
    response = client.post(f"/classes/{a1.pk}/cancel/", {"reason": "疫情停课"}, follow=True)
    html = response.content.decode()
    assert "培训班已撤销。" in html and "疫情停课" in html
    assert TrainingClass.objects.get(pk=a1.pk).status == S.CANCELLED


def test_pages_finish_a_running_class(client_for, inst_operator_2, programme_a, school_2):
    running = TrainingClassFactory(unit=programme_a.unit, programme=programme_a, institution=school_2, status=S.IN_PROGRESS)
    html = client_for(inst_operator_2).post(f"/classes/{running.pk}/finish/", follow=True).content.decode()
    assert "培训班已结业。" in html
    assert TrainingClass.objects.get(pk=running.pk).status == S.FINISHED


def test_transition_pages_need_post(client_for, bureau_staff, classes):
    assert client_for(bureau_staff).get(f"/classes/{classes['a1'].pk}/start/").status_code == 405
    assert TrainingClass.objects.get(pk=classes["a1"].pk).status == S.PLANNED


@pytest.mark.parametrize("action", ["start", "finish", "cancel"])
def test_transition_pages_of_other_scopes_answer_404(client_for, operator_b, inst_operator_2, classes, action):
    for user in (operator_b, inst_operator_2):
        response = client_for(user).post(f"/classes/{classes['a1'].pk}/{action}/", {"reason": "x"})
        assert response.status_code == 404 and "页面不存在" in response.content.decode()
    assert TrainingClass.objects.get(pk=classes["a1"].pk).status == S.PLANNED


@pytest.mark.parametrize("action", ["start", "finish", "cancel"])
def test_auditor_cannot_move_classes_on_the_pages(client_for, auditor, classes, action):
    response = client_for(auditor).post(f"/classes/{classes['a1'].pk}/{action}/", {"reason": "x"})
    assert response.status_code == 403 and "无权访问" in response.content.decode()
    assert TrainingClass.objects.get(pk=classes["a1"].pk).status == S.PLANNED


# --- through the API ---


def test_api_transitions(api_for, operator_a, classes):
    client = api_for(operator_a)
    a1 = classes["a1"]
    started = client.post(f"/api/v1/classes/{a1.pk}/start/")
    assert started.status_code == 200 and started.json()["status"] == "in_progress"
    again = client.post(f"/api/v1/classes/{a1.pk}/start/")
    assert again.status_code == 400
    assert again.json() == {"non_field_errors": [f"培训班“{a1}”当前状态为“培训中”，不能开班；只有“筹备中”的培训班可以开班。"]}
    finished = client.post(f"/api/v1/classes/{a1.pk}/finish/")
    assert finished.json()["status_display"] == "已结业"
    late = client.post(f"/api/v1/classes/{a1.pk}/cancel/", {"reason": "迟到的撤销"}, format="json")
    assert late.status_code == 400 and "不能撤销" in late.json()["non_field_errors"][0]


def test_api_cancel_needs_a_reason(api_for, bureau_staff, classes):
    client = api_for(bureau_staff)
    a2 = classes["a2"]
    missing = client.post(f"/api/v1/classes/{a2.pk}/cancel/", {}, format="json")
    assert missing.status_code == 400 and missing.json() == {"reason": ["撤销培训班须填写撤销原因。"]}
    done = client.post(f"/api/v1/classes/{a2.pk}/cancel/", {"reason": "机构场地不达标"}, format="json")
    assert done.json()["status"] == "cancelled"
    assert TrainingClassTransition.objects.get(training_class=a2).reason == "机构场地不达标"


@pytest.mark.parametrize("action", ["start", "finish", "cancel"])
def test_api_transitions_of_other_scopes_answer_404_and_auditors_403(api_for, operator_b, inst_operator_2, auditor, classes, action):
    a1 = classes["a1"]
    for user in (operator_b, inst_operator_2):
        assert api_for(user).post(f"/api/v1/classes/{a1.pk}/{action}/", {"reason": "x"}, format="json").status_code == 404
    refused = api_for(auditor).post(f"/api/v1/classes/{a1.pk}/{action}/", {"reason": "x"}, format="json")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "您的账号只能查看培训班，不能开设、修改或变更培训班状态。"}
    assert TrainingClass.objects.get(pk=a1.pk).status == S.PLANNED and not TrainingClassTransition.objects.exists()
