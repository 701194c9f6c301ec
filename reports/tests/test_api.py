"""/api/v1/returns/… and /api/v1/progress/: scoped reads, workflow endpoints, clear refusals."""

import datetime

import pytest
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from reports import services
from reports.models import QuarterlyReturn, UnitProgress
from reports.tests.factories import completed_enrolments, make_return

Status = QuarterlyReturn.Status


@pytest.fixture
def api_for(db):
    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


BODY = {
    "year": 2019, "quarter": 1, "person_times": 30, "completions": 28, "certificates_issued": 20,
    "explanation": "部分学员在市级平台登记",
    "target_groups": [{"target_group": "rural-migrant", "person_times": 18}, {"target_group": "other", "person_times": 12}],
    "training_types": [{"training_type": "employment-skills", "person_times": 30}],
}


def test_operator_creates_a_return_for_their_own_unit(api_for, operator_a, unit_a, plan):
    response = api_for(operator_a).post("/api/v1/returns/", BODY, format="json")
    assert response.status_code == 201, response.data
    body = response.json()
    assert (body["unit"], body["year"], body["quarter"], body["status"], body["plan"]) == ("区教委", 2019, 1, "draft", plan.pk)
    assert body["target_groups"] == [
        {"target_group": "rural-migrant", "name": "农村转移就业劳动者", "person_times": 18},
        {"target_group": "other", "name": "其他人员", "person_times": 12},
    ]
    assert QuarterlyReturn.objects.get().unit == unit_a


def test_create_without_counts_is_prefilled_from_real_name_records(api_for, operator_a, unit_a):
    completed_enrolments(unit_a, datetime.date(2019, 2, 10), 4)
    body = api_for(operator_a).post("/api/v1/returns/", {"year": 2019, "quarter": 1}, format="json").json()
    assert body["person_times"] == 4
    assert body["training_types"] == [{"training_type": "employment-skills", "name": "就业技能培训", "person_times": 4}]


def test_create_with_breakdowns_that_do_not_add_up_is_400_and_creates_nothing(api_for, operator_a):
    bad = {**BODY, "training_types": [{"training_type": "employment-skills", "person_times": 29}]}
    response = api_for(operator_a).post("/api/v1/returns/", bad, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == ["按培训类型分的人次合计为 29，与培训人次 30 不一致，请核对各培训类型人次。"]
    assert not QuarterlyReturn.objects.exists()


def test_bureau_staff_cannot_create_returns(api_for, bureau_staff):
    response = api_for(bureau_staff).post("/api/v1/returns/", BODY, format="json")
    assert response.status_code == 403
    assert "只有单位经办人可以填报统计季报" in response.json()["detail"]


def test_list_is_scoped(api_for, operator_a, operator_b, bureau_staff, auditor, finance, unit_a, unit_b):
    make_return(unit_a)
    make_return(unit_b)
    assert [r["unit"] for r in api_for(operator_a).get("/api/v1/returns/").json()["results"]] == ["区教委"]
    assert [r["unit"] for r in api_for(operator_b).get("/api/v1/returns/").json()["results"]] == ["区农业农村委"]
    assert len(api_for(bureau_staff).get("/api/v1/returns/").json()["results"]) == 2
    assert len(api_for(auditor).get("/api/v1/returns/").json()["results"]) == 2
    assert api_for(finance).get("/api/v1/returns/").json()["results"] == []


def test_other_units_return_is_404_on_every_endpoint(api_for, operator_b, unit_a):
    quarterly_return = make_return(unit_a, status=Status.DRAFT)
    client = api_for(operator_b)
    assert client.get(f"/api/v1/returns/{quarterly_return.pk}/").status_code == 404
    assert client.patch(f"/api/v1/returns/{quarterly_return.pk}/", {"person_times": 1}, format="json").status_code == 404
    for action in ("submit", "approve", "return", "reopen"):
        assert client.post(f"/api/v1/returns/{quarterly_return.pk}/{action}/", {"reason": "x"}, format="json").status_code == 404
    quarterly_return.refresh_from_db()
    assert quarterly_return.status == Status.DRAFT and quarterly_return.person_times == 100


def test_full_workflow_through_the_api(api_for, operator_a, bureau_staff, unit_a, deadlines_lifted):
    operator, staff = api_for(operator_a), api_for(bureau_staff)
    pk = operator.post("/api/v1/returns/", BODY, format="json").json()["id"]
    patched = operator.patch(
        f"/api/v1/returns/{pk}/",
        {"person_times": 31, "training_types": [{"training_type": "employment-skills", "person_times": 31}],
         "target_groups": [{"target_group": "other", "person_times": 31}]},
        format="json",
    )
    assert patched.status_code == 200 and patched.json()["person_times"] == 31
    submitted = operator.post(f"/api/v1/returns/{pk}/submit/")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert submitted.json()["real_name_person_times"] == 0
    refused = staff.post(f"/api/v1/returns/{pk}/return/", {"reason": ""}, format="json")
    assert refused.status_code == 400 and "请填写退回理由" in refused.json()["detail"][0]
    assert staff.post(f"/api/v1/returns/{pk}/return/", {"reason": "请补充佐证"}, format="json").json()["status"] == "returned"
    assert operator.post(f"/api/v1/returns/{pk}/submit/").json()["status"] == "submitted"
    approved = staff.post(f"/api/v1/returns/{pk}/approve/")
    assert approved.json()["status"] == "approved"
    assert [t["action"] for t in approved.json()["transitions"]] == ["submit", "return", "submit", "approve"]
    locked = operator.patch(f"/api/v1/returns/{pk}/", {"person_times": 1}, format="json")
    assert locked.status_code == 400 and "该季报已审核通过并锁定" in locked.json()["detail"][0]
    again = staff.post(f"/api/v1/returns/{pk}/approve/")
    assert again.status_code == 400 and "该季报已审核通过并锁定" in again.json()["detail"][0]
    reopened = staff.post(f"/api/v1/returns/{pk}/reopen/", {"reason": "数据有误"}, format="json")
    assert reopened.json()["status"] == "returned"


def test_operator_cannot_approve_own_return(api_for, operator_a, unit_a):
    quarterly_return = make_return(unit_a, status=Status.SUBMITTED)
    response = api_for(operator_a).post(f"/api/v1/returns/{quarterly_return.pk}/approve/")
    assert response.status_code == 403
    assert "只有区人力社保局业务人员可以审核统计季报" in response.json()["detail"]
    assert QuarterlyReturn.objects.get().status == Status.SUBMITTED


def test_auditor_reads_but_cannot_act(api_for, auditor, unit_a):
    quarterly_return = make_return(unit_a, status=Status.SUBMITTED)
    client = api_for(auditor)
    assert client.get(f"/api/v1/returns/{quarterly_return.pk}/").json()["status"] == "submitted"
    assert client.post(f"/api/v1/returns/{quarterly_return.pk}/approve/").status_code == 403
    assert client.patch(f"/api/v1/returns/{quarterly_return.pk}/", {"person_times": 1}, format="json").status_code == 403


def test_progress_endpoint_rows_and_totals(api_for, bureau_staff, finance, plan, unit_a):
    make_return(unit_a, 2019, 1, 125, status=Status.APPROVED)
    services.progress_rollup(plan=plan)
    for user in (bureau_staff, finance):
        body = api_for(user).get(f"/api/v1/progress/?plan={plan.pk}&year=2019").json()
        assert (body["plan"], body["year"], body["quarter"]) == (plan.pk, 2019, 4)
        assert len(body["rows"]) == 18
        row = next(r for r in body["rows"] if r["unit"] == "区教委")
        assert {k: row[k] for k in ("unit", "year", "quota", "achieved", "percent", "status")} == {
            "unit": "区教委", "year": 2019, "quota": 500, "achieved": 125, "percent": "25.00", "status": "behind",
        }
        assert body["totals"] == {
            "quota": 11400, "achieved": 125, "percent": "1.10", "target": 11400, "target_percent": "1.10",
        }


def test_progress_endpoint_is_scoped_for_operators(api_for, operator_b, plan, unit_a):
    make_return(unit_a, 2019, 1, 125, status=Status.APPROVED)
    services.progress_rollup(plan=plan)
    body = api_for(operator_b).get(f"/api/v1/progress/?plan={plan.pk}&year=2019").json()
    assert [r["unit"] for r in body["rows"]] == ["区农业农村委"]
    assert body["totals"]["achieved"] == 0 and body["totals"]["target"] is None


def test_progress_endpoint_refuses_a_year_outside_the_plan_and_no_role(api_for, bureau_staff, no_role_user, plan):
    response = api_for(bureau_staff).get(f"/api/v1/progress/?plan={plan.pk}&year=2018")
    assert response.status_code == 400 and "年度必须在 2019—2021 之间" in response.json()["year"][0]
    assert api_for(no_role_user).get(f"/api/v1/progress/?plan={plan.pk}").status_code == 403
    assert UnitProgress.objects.count() == 0


def test_api_requires_authentication(db):
    assert APIClient().get("/api/v1/returns/").status_code in (401, 403)


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
def test_it_roles_see_no_returns(api_for, unit_a, role):
    make_return(unit_a)
    assert api_for(UserFactory(role=role)).get("/api/v1/returns/").json()["results"] == []
