"""Requests that arrive at the same moment (threads, each with its own PostgreSQL connection).

SQLite has no row locks and one writer at a time, so these run on PostgreSQL only (the
REQUIRE_SERVICES=1 run of .ci/run is on PostgreSQL, where none of them is skipped).
"""

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import Sum
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from programs.tests.factories import InstitutionFactory
from subsidies import services
from subsidies.models import ClaimTransition, FundSource, LedgerEntry, Payment, SubsidyClaim

from .conftest import World, finished_class, run_to

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks and concurrent writers need PostgreSQL"
)
TODAY = datetime.date.today()


@pytest.fixture
def tworld(transactional_db, unit_a) -> World:
    institution = InstitutionFactory()
    klass, enrolments = finished_class(unit=unit_a, institution=institution)
    return World(
        institution=institution, klass=klass, enrolments=enrolments,
        applicant=UserFactory(role=Role.INSTITUTION_OPERATOR, institution=institution),
        reviewer=UserFactory(role=Role.UNIT_OPERATOR, unit=unit_a),
    )


@pytest.fixture
def tfinance(transactional_db):
    return UserFactory(role=Role.FINANCE)


@pytest.fixture
def tbureau(transactional_db):
    return UserFactory(role=Role.BUREAU_STAFF)


def at_once(n: int, fn):
    """Run fn(i) in n threads released together; return (results, errors)."""
    barrier = threading.Barrier(n)
    results, errors = [], []

    def run(i):
        try:
            barrier.wait(timeout=30)
            results.append(fn(i))
        except ValidationError as exc:
            errors.append(exc.messages[0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results, errors


def allocate(source, amount, actor):
    services.ledger_allocate(fund_source=source, amount=amount, entry_date=TODAY, actor=actor)


def test_two_concurrent_approvals_leave_one_approval(tworld, tbureau):
    other = UserFactory(role=Role.BUREAU_ADMIN)
    claim = run_to(
        services.claim_create(training_class=tworld.klass, subsidy_type="training", actor=tworld.applicant),
        "unit_reviewed", world=tworld, bureau=tbureau,
    )
    results, errors = at_once(2, lambda i: services.claim_approve(claim=claim, actor=(tbureau, other)[i]))
    assert len(results) == 1 and len(errors) == 1
    assert "当前状态为“已复核待公示”，不能执行“复核通过”" in errors[0]
    assert ClaimTransition.objects.filter(claim=claim, action="approve").count() == 1
    assert SubsidyClaim.objects.get(pk=claim.pk).status == "approved"


def test_two_concurrent_payments_of_one_claim_make_one_payment_and_one_ledger_row(tworld, tbureau, tfinance):
    source = FundSource.objects.get(code="employment-subsidy")
    allocate(source, "10000", tfinance)
    claim = run_to(
        services.claim_create(training_class=tworld.klass, subsidy_type="training", actor=tworld.applicant),
        "payable", world=tworld, bureau=tbureau,
    )
    results, errors = at_once(
        2, lambda i: services.claim_pay(claim=claim, fund_source=source, voucher_number=f"PZ-{i}", paid_on=TODAY, actor=tfinance)
    )
    assert len(results) == 1 and len(errors) == 1
    assert Payment.objects.filter(claim=claim).count() == 1
    assert LedgerEntry.objects.filter(claim=claim, kind="payout").count() == 1
    source.refresh_from_db()
    assert source.balance == Decimal("7000.00")


def test_a_hundred_replays_of_one_idempotency_key_make_one_payment(tworld, tbureau, tfinance):
    source = FundSource.objects.get(code="employment-subsidy")
    allocate(source, "10000", tfinance)
    claim = run_to(
        services.claim_create(training_class=tworld.klass, subsidy_type="training", actor=tworld.applicant),
        "payable", world=tworld, bureau=tbureau,
    )
    body = {"claim": claim.pk, "fund_source": source.pk, "voucher_number": "PZ2019-0100", "paid_on": TODAY.isoformat()}

    def post(_):
        client = APIClient()
        client.force_authenticate(tfinance)
        try:
            response = client.post("/api/v1/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="replay-me")
            return response.status_code, response.json()["id"], response.json()["amount"]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(post, range(100)))
    assert sorted({code for code, _, _ in answers}) == [200, 201]
    assert [code for code, _, _ in answers].count(201) == 1
    assert {(pk, amount) for _, pk, amount in answers} == {(Payment.objects.get().pk, "3000.00")}
    assert LedgerEntry.objects.filter(kind="payout").count() == 1
    source.refresh_from_db()
    assert source.balance == Decimal("7000.00")


def test_concurrent_payments_never_overdraw_a_source_and_sums_equal_balances(tworld, tbureau, tfinance, unit_a):
    source = FundSource.objects.get(code="local-talent")
    allocate(source, "10000", tfinance)  # enough for 3 claims of 3,000
    claims = []
    for _ in range(6):
        klass, enrolments = finished_class(unit=unit_a, institution=tworld.institution)
        claims.append(run_to(
            services.claim_create(training_class=klass, subsidy_type="training", actor=tworld.applicant),
            "payable", world=World(tworld.institution, klass, tworld.applicant, tworld.reviewer, enrolments), bureau=tbureau,
        ))
    results, errors = at_once(
        6, lambda i: services.claim_pay(claim=claims[i], fund_source=source, voucher_number=f"PZ-{i}", paid_on=TODAY,
                                        actor=tfinance)
    )
    assert len(results) == 3 and len(errors) == 3
    assert all("余额 1,000.00 元，不足以支付 3,000.00 元" in e for e in errors)
    source.refresh_from_db()
    total = LedgerEntry.objects.filter(fund_source=source).aggregate(total=Sum("amount"))["total"]
    assert source.balance == total == Decimal("1000.00")
    assert LedgerEntry.objects.filter(fund_source=source, balance_after__lt=0).count() == 0
