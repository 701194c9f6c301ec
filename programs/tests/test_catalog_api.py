"""/api/v1/ catalogs: read for every business role, written only by bureau roles, errors in Chinese."""

import pytest
from rest_framework.test import APIClient

from accounts.models import AuditEntry
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from programs.models import Institution, Occupation, Programme
from programs.selectors import CATALOGS
from programs.tests.factories import InstitutionFactory, ProgrammeFactory, credit_code

READERS = ["auditor", "finance", "operator_a", "operator_b", "inst_operator_1", "inst_operator_2"]
WRITERS = ["bureau_staff", "bureau_admin"]


@pytest.mark.parametrize("who", WRITERS + READERS)
@pytest.mark.parametrize("slug", list(CATALOGS))
def test_every_business_role_reads_every_catalog(request, api_for, who, slug):
    ProgrammeFactory()
    InstitutionFactory()
    client = api_for(request.getfixturevalue(who))
    data = client.get(f"/api/v1/{slug}/").json()
    model = CATALOGS[slug].model
    assert data["count"] == model.objects.count() > 0
    first = data["results"][0]
    assert client.get(f"/api/v1/{slug}/{first['id']}/").json() == first


@pytest.mark.parametrize("role", [None, Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN])
def test_accounts_without_a_business_role_read_nothing(api_for, role):
    client = api_for(UserFactory(role=role) if role else UserFactory())
    occupation = Occupation.objects.first()
    assert client.get("/api/v1/occupations/").json()["count"] == 0
    assert client.get(f"/api/v1/occupations/{occupation.pk}/").status_code == 404


def test_anonymous_is_refused(db):
    assert APIClient().get("/api/v1/institutions/").status_code in (401, 403)


def test_occupation_shape_and_filters(api_for, operator_a):
    client = api_for(operator_a)
    featured = client.get("/api/v1/occupations/?is_featured=1").json()
    assert featured["count"] == 6
    assert {o["name"] for o in featured["results"]} == {"特色食品加工", "电子商务", "版画制作", "乡村旅游", "农林药种植", "家畜家禽养殖"}
    assert set(featured["results"][0]) == {"id", "code", "name", "is_featured", "is_active"}
    assert [o["name"] for o in client.get("/api/v1/occupations/?q=大数据").json()["results"]] == ["大数据"]


def test_programme_shape(api_for, inst_operator_1, unit_a):
    programme = ProgrammeFactory(unit=unit_a)
    data = api_for(inst_operator_1).get(f"/api/v1/programmes/{programme.pk}/").json()
    assert data["occupation_name"] == "电焊" and data["unit_name"] == "区教委" and data["unit"] == unit_a.pk
    assert (data["valid_from_year"], data["valid_to_year"], data["hours"]) == (2019, 2021, 80)


@pytest.mark.parametrize("who", READERS)
def test_readers_write_attempts_are_refused(request, api_for, who):
    client = api_for(request.getfixturevalue(who))
    school = InstitutionFactory(name="綦江区只读测试学校")
    created = client.post("/api/v1/occupations/", {"name": "无人机驾驶员"}, format="json")
    assert created.status_code == 403
    assert created.json() == {"detail": "只有局管理员和局业务人员可以维护目录清单，您的账号只能查看。"}
    changed = client.patch(f"/api/v1/institutions/{school.pk}/", {"catalog_status": "suspended"}, format="json")
    assert changed.status_code == 403
    assert client.put(f"/api/v1/institutions/{school.pk}/", {"name": "x"}, format="json").status_code == 403
    assert not Occupation.objects.filter(name="无人机驾驶员").exists()
    assert Institution.objects.get(pk=school.pk).catalog_status == "listed"
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.CATALOG_CHANGE).exists()


def test_bureau_staff_writes_through_the_api_and_it_is_recorded(api_for, bureau_staff, unit_b):
    client = api_for(bureau_staff)
    created = client.post("/api/v1/training-types/", {"code": "rural-e-commerce", "name": "农村电商培训", "position": 40}, format="json")
    assert created.status_code == 201 and created.json()["name"] == "农村电商培训"
    programme = ProgrammeFactory()
    changed = client.patch(f"/api/v1/programmes/{programme.pk}/", {"unit": unit_b.pk, "is_active": False}, format="json")
    assert changed.status_code == 200 and changed.json()["unit_name"] == "区农业农村委"
    assert not Programme.objects.get(pk=programme.pk).is_active
    operations = list(
        AuditEntry.objects.filter(action=AuditEntry.Action.CATALOG_CHANGE).order_by("id").values_list("detail", flat=True)
    )
    assert [(d["catalog"], d["operation"]) for d in operations] == [("trainingtype", "create"), ("programme", "update")]
    assert operations[1]["changes"]["is_active"] == {"before": True, "after": False}


def institution_payload(code: str) -> dict:
    return {"name": "綦江区永新职业培训学校", "credit_code": code, "kind": "training", "ownership": "public",
            "catalog_status": "listed", "joined_alliance": False}


def test_api_refuses_a_bad_credit_code_in_chinese(api_for, bureau_staff):
    good = credit_code(5151)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = api_for(bureau_staff).post("/api/v1/institutions/", institution_payload(bad), format="json")
    assert response.status_code == 400
    assert response.json() == {"credit_code": ["统一社会信用代码校验位不正确，请逐位核对代码"]}
    short = api_for(bureau_staff).post("/api/v1/institutions/", institution_payload(good[:10]), format="json")
    assert short.json()["credit_code"] == ["统一社会信用代码应为18位，当前为10位，请按营业执照或登记证书核对"]
    assert not Institution.objects.filter(name="綦江区永新职业培训学校").exists()


def test_api_accepts_a_good_credit_code_normalised(api_for, bureau_staff):
    good = credit_code(5152)
    typed = "".join(chr(ord(c) + 0xFEE0) for c in good[:4]) + good[4:].lower()
    response = api_for(bureau_staff).post("/api/v1/institutions/", institution_payload(typed), format="json")
    assert response.status_code == 201
    assert response.json()["credit_code"] == good and response.json()["kind_display"] == "培训机构"
    assert Institution.objects.get(name="綦江区永新职业培训学校").credit_code == good


def test_api_duplicate_credit_code_is_refused_in_chinese(api_for, bureau_staff):
    existing = InstitutionFactory()
    response = api_for(bureau_staff).post("/api/v1/institutions/", institution_payload(existing.credit_code), format="json")
    assert response.status_code == 400 and "统一社会信用代码" in response.json()["credit_code"][0]


def test_api_programme_rules_in_chinese(api_for, bureau_staff):
    programme = ProgrammeFactory()
    response = api_for(bureau_staff).patch(f"/api/v1/programmes/{programme.pk}/", {"valid_to_year": 2018}, format="json")
    assert response.status_code == 400
    assert response.json() == {"valid_to_year": ["有效期止（2018年）不能早于有效期起（2019年）。"]}


def test_api_catalog_filter_errors_are_reported(api_for, auditor):
    response = api_for(auditor).get("/api/v1/institutions/?catalog_status=closed")
    assert response.status_code == 400 and "closed" in response.json()["catalog_status"][0]
