"""/api/v1/claims/, transitions, /api/v1/payments/, /api/v1/ledger/, /api/v1/balances/, /api/v1/notices/."""

import datetime
import re

import pytest
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from programs.tests.factories import InstitutionFactory
from subsidies import services
from subsidies.models import FundSource, Payment, SubsidyClaim

from .conftest import finished_class, run_to

TODAY = datetime.date.today().isoformat()
FULL_ID = re.compile(r"\d{17}[\dX]")


@pytest.fixture
def api_for():
    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


def test_claims_list_is_scoped(api_for, claim, world, unit_b, operator_a, operator_b, bureau_staff, auditor, finance, no_role_user):
    other_school = UserFactory(role=Role.INSTITUTION_OPERATOR, institution=InstitutionFactory())
    klass_b, _ = finished_class(unit=unit_b)
    claim_b = services.claim_create(
        training_class=klass_b, subsidy_type="training",
        actor=UserFactory(role=Role.INSTITUTION_OPERATOR, institution=klass_b.institution),
    )
    ids = lambda user: {c["id"] for c in api_for(user).get("/api/v1/claims/").json()["results"]}  # noqa: E731
    assert ids(world.applicant) == {claim.pk}
    assert ids(operator_a) == {claim.pk} and ids(operator_b) == {claim_b.pk}
    assert ids(bureau_staff) == ids(auditor) == {claim.pk, claim_b.pk}
    assert ids(other_school) == ids(no_role_user) == set()
    assert ids(finance) == set()  # drafts are not finance's business
    response = api_for(operator_b).get(f"/api/v1/claims/{claim.pk}/")
    assert response.status_code == 404
    assert api_for(operator_b).get(f"/api/v1/claims/{claim.pk}/lines/").status_code == 404


def test_claim_detail_has_lines_with_masked_ids_and_money_as_strings(api_for, claim, world):
    data = api_for(world.applicant).get(f"/api/v1/claims/{claim.pk}/").json()
    assert data["total"] == "3000.00" and data["status"] == "draft" and data["number"] == claim.number
    assert len(data["lines"]) == 3
    line = data["lines"][0]
    assert line["amount"] == "1000.00" and line["unit_amount"] == "1000.00" and line["eligible"] is True
    assert re.fullmatch(r"\d{6}\*{8}[\dX]{4}", line["id_number"])
    assert not FULL_ID.search(str(data))
    assert [t["action"] for t in data["transitions"]] == ["create"]


def test_creating_a_claim_through_the_api(api_for, world, unit_b):
    response = api_for(world.applicant).post(
        "/api/v1/claims/", {"training_class": world.klass.pk, "subsidy_type": "training"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["eligible_count"] == 3 and response.json()["total"] == "3000.00"
    again = api_for(world.applicant).post(
        "/api/v1/claims/", {"training_class": world.klass.pk, "subsidy_type": "training"}, format="json"
    )
    assert again.status_code == 400 and "该培训班已有一笔职业培训补贴申领" in again.json()["detail"][0]
    klass_b, _ = finished_class(unit=unit_b)
    foreign = api_for(world.applicant).post("/api/v1/claims/", {"training_class": klass_b.pk, "subsidy_type": "training"}, format="json")
    assert foreign.status_code == 404 and SubsidyClaim.objects.count() == 1


def test_one_path_per_transition(api_for, claim, world, bureau_staff, finance, funded):
    client = api_for(world.applicant)
    assert client.post(f"/api/v1/claims/{claim.pk}/submit/").json()["status"] == "submitted"
    refused = api_for(world.applicant).post(f"/api/v1/claims/{claim.pk}/review/")
    assert refused.status_code == 403
    assert api_for(world.reviewer).post(f"/api/v1/claims/{claim.pk}/review/", {"comment": "同意"}).json()["status"] == "unit_reviewed"
    no_reason = api_for(bureau_staff).post(f"/api/v1/claims/{claim.pk}/return/", {}, format="json")
    assert no_reason.status_code == 400 and no_reason.json()["reason"] == ["请填写原因。"]
    assert api_for(bureau_staff).post(f"/api/v1/claims/{claim.pk}/approve/").json()["status"] == "approved"
    wrong = api_for(bureau_staff).post(f"/api/v1/claims/{claim.pk}/approve/")
    assert wrong.status_code == 400 and "不能执行“复核通过”" in wrong.json()["detail"][0]
    data = api_for(bureau_staff).post(f"/api/v1/claims/{claim.pk}/publicize/").json()
    assert data["status"] == "publicized" and data["notice_ends_on"]
    objection = api_for(bureau_staff).post(f"/api/v1/claims/{claim.pk}/objections/", {"content": "未参训"}, format="json")
    assert objection.status_code == 201 and objection.json()["status"] == "pending"
    dismissed = api_for(bureau_staff).post(
        f"/api/v1/claims/{claim.pk}/objections/{objection.json()['id']}/dismiss/", {"decision": "不成立"}, format="json"
    )
    assert dismissed.json()["status"] == "dismissed"
    claim.refresh_from_db()
    services.claim_notice_close(claim=claim, today=claim.notice_ends_on + datetime.timedelta(days=1))
    assert api_for(finance).get(f"/api/v1/claims/{claim.pk}/").json()["status"] == "payable"


def test_the_return_and_reject_paths(api_for, world, claim, unit_a):
    api_for(world.applicant).post(f"/api/v1/claims/{claim.pk}/submit/")
    returned = api_for(world.reviewer).post(f"/api/v1/claims/{claim.pk}/return/", {"reason": "缺签到表"}, format="json").json()
    assert returned["status"] == "draft" and returned["transitions"][-1]["reason"] == "缺签到表"
    api_for(world.applicant).post(f"/api/v1/claims/{claim.pk}/submit/")
    assert api_for(world.reviewer).post(f"/api/v1/claims/{claim.pk}/reject/", {"reason": "虚假"}, format="json").json()["status"] == "rejected"


def test_excluding_a_line_through_the_api(api_for, claim, world):
    line = claim.lines.first()
    data = api_for(world.applicant).post(
        f"/api/v1/claims/{claim.pk}/lines/{line.pk}/exclude/", {"excluded": True, "reason": "未参训"}, format="json"
    ).json()
    assert data["total"] == "2000.00"


def test_payments_need_an_idempotency_key_and_replays_return_the_first(api_for, claim, world, bureau_staff, finance, funded):
    claim = run_to(claim, "payable", world=world, bureau=bureau_staff)
    body = {"claim": claim.pk, "fund_source": funded.pk, "voucher_number": "PZ-77", "paid_on": TODAY}
    client = api_for(finance)
    missing = client.post("/api/v1/payments/", body, format="json")
    assert missing.status_code == 400
    assert missing.json()["detail"] == ["请在请求头 Idempotency-Key 中提供本次支付请求的唯一标识，以免重复支付。"]
    first = client.post("/api/v1/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    assert first.status_code == 201 and first.json()["amount"] == "3000.00" and first.json()["stage"] == "full"
    replay = client.post("/api/v1/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    assert replay.status_code == 200 and replay.json()["id"] == first.json()["id"]
    other_key = client.post("/api/v1/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="def")
    assert other_key.status_code == 400 and "不能执行“登记支付”" in other_key.json()["detail"][0]
    assert Payment.objects.count() == 1
    listed = client.get("/api/v1/payments/").json()["results"]
    assert [p["amount"] for p in listed] == ["3000.00"]


def test_only_finance_pays_and_out_of_scope_claims_are_404(api_for, claim, world, bureau_staff, funded, operator_b):
    claim = run_to(claim, "payable", world=world, bureau=bureau_staff)
    body = {"claim": claim.pk, "fund_source": funded.pk, "voucher_number": "PZ-1", "paid_on": TODAY}
    assert api_for(bureau_staff).post("/api/v1/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="x").status_code == 403
    assert api_for(operator_b).post("/api/v1/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="y").status_code == 404
    assert api_for(operator_b).get("/api/v1/payments/").json()["results"] == []
    assert not Payment.objects.exists()


def test_ledger_and_balances(api_for, funded, finance, bureau_staff, auditor, operator_a, world):
    entries = api_for(auditor).get("/api/v1/ledger/").json()["results"]
    assert [(e["kind"], e["amount"], e["balance_after"]) for e in entries] == [("allocation", "100000.00", "100000.00")]
    balances = api_for(bureau_staff).get("/api/v1/balances/").json()
    source = next(s for s in balances["sources"] if s["code"] == "employment-subsidy")
    assert source["balance"] == "100000.00" and balances["total_balance"] == "100000.00"
    assert {t["subsidy_type"] for t in balances["types"]} >= {"training", "living", "project"}
    for user in (operator_a, world.applicant):
        assert api_for(user).get("/api/v1/balances/").status_code == 403
        assert api_for(user).get("/api/v1/ledger/").json()["results"] == []
    allocation = api_for(finance).post(
        "/api/v1/ledger/allocations/",
        {"fund_source": funded.pk, "amount": "500.00", "entry_date": TODAY, "voucher_number": "BK-2"}, format="json",
    )
    assert allocation.status_code == 201 and allocation.json()["balance_after"] == "100500.00"
    refused = api_for(bureau_staff).post(
        "/api/v1/ledger/allocations/", {"fund_source": funded.pk, "amount": "1", "entry_date": TODAY}, format="json"
    )
    assert refused.status_code == 403
    reversal = api_for(finance).post(
        f"/api/v1/ledger/{allocation.json()['id']}/reverse/", {"amount": "500.00", "reason": "重复拨入", "entry_date": TODAY},
        format="json",
    )
    assert reversal.status_code == 201 and reversal.json()["amount"] == "-500.00"
    assert FundSource.objects.get(pk=funded.pk).balance == 100000


def test_notices_are_masked(api_for, claim, world, bureau_staff, operator_b):
    run_to(claim, "publicized", world=world, bureau=bureau_staff)
    data = api_for(operator_b).get("/api/v1/notices/").json()
    assert len(data) == 1 and data[0]["total"] == "3000.00" and len(data[0]["rows"]) == 3
    trainee = world.enrolments[0].trainee
    row = next(r for r in data[0]["rows"] if r["id_number"].endswith(trainee.id_number[-4:]) and r["id_number"].startswith(trainee.id_number[:6]))
    assert row["name"][0] == trainee.name[0] and "*" in row["name"]
    text = str(data)
    assert not FULL_ID.search(text)
    for enrolment in world.enrolments:
        assert enrolment.trainee.id_number not in text


def test_the_api_schema_lists_the_paths(client_for, bureau_staff):
    schema = client_for(bureau_staff).get("/api/schema/").content.decode()
    for path in ("/api/v1/claims/{id}/submit/", "/api/v1/claims/{id}/approve/", "/api/v1/payments/", "/api/v1/ledger/",
                 "/api/v1/balances/", "Idempotency-Key"):
        assert path in schema
