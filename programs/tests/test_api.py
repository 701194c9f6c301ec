"""/api/v1/plans/ and /api/v1/units/: shapes, scoping and authentication."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from programs.models import Quota


@pytest.fixture
def api_for():
    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


def test_plans_list_years_targets_and_indicators(api_for, bureau_staff):
    data = api_for(bureau_staff).get("/api/v1/plans/").json()
    assert len(data) == 1
    plan = data[0]
    assert plan["years"] == [2019, 2020, 2021]
    assert plan["yearly_targets"] == [
        {"year": 2019, "target": 11400}, {"year": 2020, "target": 14300}, {"year": 2021, "target": 17000}
    ]
    assert plan["total_target"] == 42700
    assert [(i["code"], i["target_percent"]) for i in plan["indicators"]] == [
        ("skilled-share", "24.00"), ("high-skilled-share", "29.00")
    ]
    assert plan["quota_mismatches"] == []


def test_plan_reports_quota_mismatch(api_for, bureau_staff):
    Quota.objects.filter(unit__name="区妇联", year=2021).update(target=200)
    plan = api_for(bureau_staff).get("/api/v1/plans/").json()[0]
    assert plan["quota_mismatches"][0]["year"] == 2021
    assert plan["quota_mismatches"][0]["quota_sum"] == 16900


def test_units_list_for_bureau_is_the_attachment_table(api_for, auditor):
    units = api_for(auditor).get("/api/v1/units/").json()
    assert [u["order"] for u in units] == list(range(1, 19))
    first = units[0]
    assert first["name"] == "区人力社保局"
    assert first["cooperating_units"] == ["领导小组成员单位", "各街镇"]
    assert first["quotas"] == [{"year": 2019, "target": 6700}, {"year": 2020, "target": 7000}, {"year": 2021, "target": 7500}]
    assert first["duties"].startswith("统筹协调全区大规模开展职业技能培训工作")
    assert sum(q["target"] for u in units for q in u["quotas"]) == 42700


def test_unit_operator_lists_only_their_unit(api_for, operator_a, unit_a):
    units = api_for(operator_a).get("/api/v1/units/").json()
    assert [(u["id"], u["name"]) for u in units] == [(unit_a.pk, "区教委")]


def test_unit_detail_in_and_out_of_scope(api_for, operator_a, operator_b, unit_a, unit_b):
    own = api_for(operator_a).get(f"/api/v1/units/{unit_a.pk}/")
    assert own.json()["quotas"] == [{"year": 2019, "target": 500}, {"year": 2020, "target": 600}, {"year": 2021, "target": 700}]
    other = api_for(operator_a).get(f"/api/v1/units/{unit_b.pk}/")
    assert other.status_code == 404
    assert "全面建立新型职业农民制度" not in other.content.decode()
    assert api_for(operator_b).get(f"/api/v1/units/{unit_b.pk}/").json()["name"] == "区农业农村委"


@pytest.mark.parametrize("role", [None, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
def test_accounts_without_business_role_get_nothing(api_for, unit_a, role):
    user = UserFactory(role=role) if role else UserFactory()
    client = api_for(user)
    assert client.get("/api/v1/units/").json() == []
    assert client.get(f"/api/v1/units/{unit_a.pk}/").status_code == 404


def test_anonymous_requests_are_refused(db, unit_a):
    client = APIClient()
    for url in ["/api/v1/plans/", "/api/v1/units/", f"/api/v1/units/{unit_a.pk}/"]:
        response = client.get(url)
        assert response.status_code in (401, 403)
        assert "results" not in response.json() and "name" not in response.json()


def test_token_authentication_for_scripts(db, operator_b):
    token = Token.objects.create(user=operator_b)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert [u["name"] for u in client.get("/api/v1/units/").json()] == ["区农业农村委"]
    client.credentials(HTTP_AUTHORIZATION="Token wrong")
    assert client.get("/api/v1/units/").status_code == 401


def test_unknown_plan_is_404(api_for, bureau_staff):
    assert api_for(bureau_staff).get("/api/v1/units/?plan=999999").status_code == 404


def test_openapi_schema_and_local_docs(client_for, bureau_staff):
    client = client_for(bureau_staff)
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/units/{id}/" in schema and "/api/v1/plans/" in schema
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "cdn" not in docs.lower() and "https://" not in docs
