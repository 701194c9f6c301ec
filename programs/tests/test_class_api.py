"""/api/v1/classes/: scoped list and detail, create and update through the services, Chinese errors."""

import pytest
from rest_framework.test import APIClient

from accounts.models import AuditEntry
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from programs.models import Institution, TrainingClass
from programs.tests.factories import InstitutionFactory, TrainingClassFactory
from trainees.tests.factories import EnrolmentFactory


def codes(response) -> list[str]:
    return sorted(row["code"] for row in response.json()["results"])


@pytest.mark.parametrize(
    "who, expected",
    [
        ("bureau_staff", ["JW-001", "JW-002", "NY-001"]),
        ("auditor", ["JW-001", "JW-002", "NY-001"]),
        ("operator_a", ["JW-001", "JW-002"]),
        ("operator_b", ["NY-001"]),
        ("inst_operator_1", ["JW-001", "NY-001"]),
        ("inst_operator_2", ["JW-002"]),
        ("no_role_user", []),
    ],
)
def test_list_is_scoped(request, api_for, classes, who, expected):
    assert codes(api_for(request.getfixturevalue(who)).get("/api/v1/classes/")) == expected


@pytest.mark.parametrize(
    "who, hidden",
    [("operator_a", "b1"), ("operator_b", "a1"), ("inst_operator_1", "a2"), ("inst_operator_2", "b1"), ("no_role_user", "a1")],
)
def test_other_scopes_ids_answer_404_on_read_and_write(request, api_for, classes, who, hidden):
    client = api_for(request.getfixturevalue(who))
    pk = classes[hidden].pk
    assert client.get(f"/api/v1/classes/{pk}/").status_code == 404
    assert client.patch(f"/api/v1/classes/{pk}/", {"capacity": 5}, format="json").status_code in (403, 404)
    assert TrainingClass.objects.get(pk=pk).capacity == 50


def test_out_of_scope_patch_is_404_for_operators(api_for, operator_b, inst_operator_2, classes):
    for user in (operator_b, inst_operator_2):
        response = api_for(user).patch(f"/api/v1/classes/{classes['a1'].pk}/", {"capacity": 5}, format="json")
        assert response.status_code == 404


def test_list_filters(api_for, bureau_staff, classes, unit_b, school_2):
    client = api_for(bureau_staff)
    TrainingClass.objects.filter(pk=classes["a2"].pk).update(status=TrainingClass.Status.CANCELLED)
    assert codes(client.get("/api/v1/classes/?status=cancelled")) == ["JW-002"]
    assert codes(client.get(f"/api/v1/classes/?unit={unit_b.pk}")) == ["NY-001"]
    assert codes(client.get(f"/api/v1/classes/?institution={school_2.pk}")) == ["JW-002"]
    assert codes(client.get("/api/v1/classes/?q=电焊二班")) == ["JW-002"]
    assert codes(client.get("/api/v1/classes/?year=2021")) == []
    bad = client.get("/api/v1/classes/?status=bogus")
    assert bad.status_code == 400 and "bogus" in bad.json()["status"][0]


def test_detail_shape_with_enrolment_count(api_for, operator_a, classes):
    EnrolmentFactory.create_batch(3, training_class=classes["a1"])
    data = api_for(operator_a).get(f"/api/v1/classes/{classes['a1'].pk}/").json()
    assert data["code"] == "JW-001" and data["unit_name"] == "区教委"
    assert data["institution_name"] == "綦江区育才职业培训学校"
    assert data["status"] == "planned" and data["status_display"] == "筹备中"
    assert data["enrolment_count"] == 3
    assert data["start_date"] == "2019-03-04"


def payload(programme, institution=None, **overrides) -> dict:
    data = {
        "code": "API-2020-01", "name": "养老护理员培训班", "programme": programme.pk,
        "start_date": "2020-09-01", "end_date": "2020-09-30", "capacity": 35, "is_project_based": True,
    }
    if institution is not None:
        data["institution"] = institution.pk
    data.update(overrides)
    return data


def test_unit_operator_creates_on_own_programme_and_is_refused_on_others(api_for, operator_a, programme_a, programme_b, school_1):
    client = api_for(operator_a)
    created = client.post("/api/v1/classes/", payload(programme_a, school_1), format="json")
    assert created.status_code == 201
    assert created.json()["unit_name"] == "区教委" and created.json()["status"] == "planned"
    refused = client.post("/api/v1/classes/", payload(programme_b, school_1, code="API-2020-02"), format="json")
    assert refused.status_code == 400
    assert refused.json()["programme"][0].startswith("只能在本单位负责的培训项目上开班")
    assert list(TrainingClass.objects.values_list("code", flat=True)) == ["API-2020-01"]


def test_institution_operator_creates_for_own_institution(api_for, inst_operator_2, programme_b, school_1, school_2):
    client = api_for(inst_operator_2)
    created = client.post("/api/v1/classes/", payload(programme_b), format="json")
    assert created.status_code == 201 and created.json()["institution"] == school_2.pk
    other = client.post("/api/v1/classes/", payload(programme_b, school_1, code="API-X"), format="json")
    assert other.json() == {"institution": ["机构经办人只能为本机构（綦江区蓝天职业技能培训中心）开设和管理培训班。"]}


def test_create_validation_errors_are_chinese(api_for, bureau_staff, programme_a, school_1):
    client = api_for(bureau_staff)
    response = client.post("/api/v1/classes/", {"code": "", "capacity": 10}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == ["该字段不能为空。"] and body["programme"] == ["该字段是必填项。"]
    dates = client.post(
        "/api/v1/classes/", payload(programme_a, school_1, start_date="2020-09-30", end_date="2020-09-01", capacity=0),
        format="json",
    )
    assert dates.json()["end_date"] == ["结业日期（2020-09-01）不能早于开班日期（2020-09-30）。"]
    suspended = InstitutionFactory(catalog_status=Institution.CatalogStatus.SUSPENDED)
    blocked = client.post("/api/v1/classes/", payload(programme_a, suspended), format="json")
    assert blocked.json()["institution"] == [f"培训机构“{suspended}”已被暂停，不能开设新的培训班。"]
    assert not TrainingClass.objects.exists()


def test_auditor_and_finance_cannot_write(api_for, auditor, finance, classes, programme_a, school_1):
    for user in (auditor, finance):
        client = api_for(user)
        created = client.post("/api/v1/classes/", payload(programme_a, school_1), format="json")
        assert created.status_code == 403
        assert created.json()["detail"] == "您的账号只能查看培训班，不能开设、修改或变更培训班状态。"
        assert client.patch(f"/api/v1/classes/{classes['a1'].pk}/", {"capacity": 9}, format="json").status_code == 403
    assert not TrainingClass.objects.filter(code="API-2020-01").exists()
    assert TrainingClass.objects.get(pk=classes["a1"].pk).capacity == 50


def test_update_through_the_api(api_for, inst_operator_1, classes):
    a1 = classes["a1"]
    response = api_for(inst_operator_1).patch(f"/api/v1/classes/{a1.pk}/", {"capacity": 60, "status": "finished"}, format="json")
    assert response.status_code == 200
    assert response.json()["capacity"] == 60 and response.json()["status"] == "planned"  # status only moves by transitions
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CATALOG_CHANGE)
    assert entry.detail["changes"] == {"capacity": {"before": 50, "after": 60}}


def test_closed_class_update_is_refused(api_for, bureau_staff, programme_a):
    closed = TrainingClassFactory(unit=programme_a.unit, programme=programme_a, status=TrainingClass.Status.FINISHED)
    response = api_for(bureau_staff).patch(f"/api/v1/classes/{closed.pk}/", {"capacity": 9}, format="json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [f"培训班“{closed}”已结业，不能再修改。"]}


def test_unbound_institution_operator_sees_nothing_and_cannot_create(api_for, classes, programme_a):
    unbound = UserFactory(role=Role.INSTITUTION_OPERATOR)
    client = api_for(unbound)
    assert codes(client.get("/api/v1/classes/")) == []
    response = client.post("/api/v1/classes/", payload(programme_a), format="json")
    assert response.status_code == 403 and "尚未绑定单位或培训机构" in response.json()["detail"]


def test_anonymous_is_refused(db, classes):
    client = APIClient()
    assert client.get("/api/v1/classes/").status_code in (401, 403)
    assert client.post(f"/api/v1/classes/{classes['a1'].pk}/start/").status_code in (401, 403)
    assert TrainingClass.objects.get(pk=classes["a1"].pk).status == "planned"
