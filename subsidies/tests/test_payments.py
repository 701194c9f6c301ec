"""Payments, advances and settlements, and the special ledger (四（二）, 四（三）)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import Sum

from accounts.models import AuditEntry
from programs.models import TrainingClass
from programs.tests.factories import TrainingClassFactory
from subsidies import selectors, services
from subsidies.models import FundSource, LedgerEntry, Payment
from trainees.models import Enrolment
from trainees.tests.factories import CertificateFactory, EnrolmentFactory, TraineeFactory

from .conftest import group, run_to

TODAY = datetime.date.today()


def pay(claim, source, actor, voucher="PZ2019-0001", key=None):
    return services.claim_pay(
        claim=claim, fund_source=source, voucher_number=voucher, paid_on=TODAY, actor=actor, idempotency_key=key
    )


def assert_ledger_matches_balances():
    for source in FundSource.objects.all():
        total = LedgerEntry.objects.filter(fund_source=source).aggregate(total=Sum("amount"))["total"] or 0
        assert total == source.balance >= 0, source.name
        last = LedgerEntry.objects.filter(fund_source=source).order_by("-id").first()
        assert last is None or last.balance_after == source.balance


def test_finance_pays_a_payable_claim_out_of_one_fund_source(claim, world, bureau_staff, finance, funded):
    claim = run_to(claim, "payable", world=world, bureau=bureau_staff)
    payment, created = pay(claim, funded, finance)
    assert created and payment.stage == "full" and payment.amount == Decimal("3000.00")
    claim.refresh_from_db()
    funded.refresh_from_db()
    assert claim.status == "paid" and funded.balance == Decimal("97000.00")
    entry = LedgerEntry.objects.get(payment=payment)
    assert (entry.kind, entry.amount, entry.balance_after, entry.subsidy_type, entry.claim) == (
        "payout", Decimal("-3000.00"), Decimal("97000.00"), "training", claim
    )
    audit = AuditEntry.objects.get(action=AuditEntry.Action.PAYMENT, object_type="subsidies.payment")
    assert audit.detail["amount"] == "3000.00" and audit.detail["voucher"] == "PZ2019-0001"
    assert_ledger_matches_balances()


def test_a_payment_larger_than_the_balance_is_refused_and_writes_nothing(claim, world, bureau_staff, finance):
    source = FundSource.objects.get(code="local-talent")
    services.ledger_allocate(fund_source=source, amount="2999.99", entry_date=TODAY, actor=finance)
    claim = run_to(claim, "payable", world=world, bureau=bureau_staff)
    with pytest.raises(ValidationError) as info:
        pay(claim, source, finance)
    assert info.value.messages == [
        "资金来源“地方人才经费”余额 2,999.99 元，不足以支付 3,000.00 元，未登记支付。请先登记资金拨入或选择其他资金来源。"
    ]
    source.refresh_from_db()
    claim.refresh_from_db()
    assert source.balance == Decimal("2999.99") and claim.status == "payable"
    assert not Payment.objects.exists() and LedgerEntry.objects.filter(kind="payout").count() == 0


def test_a_claim_stage_cannot_be_paid_twice(claim, world, bureau_staff, finance, funded):
    claim = run_to(claim, "payable", world=world, bureau=bureau_staff)
    pay(claim, funded, finance)
    with pytest.raises(ValidationError, match="当前状态为“已支付”，不能执行“登记支付”"):
        pay(claim, funded, finance, voucher="PZ2019-0002")
    assert Payment.objects.count() == 1 and LedgerEntry.objects.filter(kind="payout").count() == 1


def test_the_database_refuses_a_second_payment_of_the_same_stage(claim, world, bureau_staff, finance, funded):
    claim = run_to(claim, "payable", world=world, bureau=bureau_staff)
    payment, _ = pay(claim, funded, finance)
    with pytest.raises(DatabaseError):
        with transaction.atomic():
            Payment.objects.create(
                claim=claim, stage="full", amount=1, fund_source=funded, voucher_number="X", paid_on=TODAY, recorded_by=finance
            )


def test_replaying_an_idempotency_key_returns_the_first_payment(claim, world, bureau_staff, finance, funded):
    claim = run_to(claim, "payable", world=world, bureau=bureau_staff)
    first, created = pay(claim, funded, finance, key="k-1")
    again, created_again = pay(claim, funded, finance, key="k-1")
    assert created and not created_again and again.pk == first.pk
    with pytest.raises(ValidationError, match="该幂等键已用于另一笔支付请求"):
        pay(claim, funded, finance, voucher="OTHER", key="k-1")
    assert Payment.objects.count() == 1


def test_payment_input_is_checked(claim, world, bureau_staff, finance, funded, bureau_admin):
    claim = run_to(claim, "payable", world=world, bureau=bureau_staff)
    with pytest.raises(ValidationError, match="请填写支付凭证号。"):
        pay(claim, funded, finance, voucher=" ")
    with pytest.raises(ValidationError, match="支付日期不能晚于今天。"):
        services.claim_pay(claim=claim, fund_source=funded, voucher_number="V", paid_on=TODAY + datetime.timedelta(days=1),
                           actor=finance)
    with pytest.raises(PermissionDenied, match="只有财务人员可以登记补贴支付。"):
        pay(claim, funded, bureau_admin)
    assert not Payment.objects.exists()


def _project_class(world, unit_a, size=4) -> TrainingClass:
    klass = TrainingClassFactory(
        unit=unit_a, institution=world.institution, is_project_based=True, status=TrainingClass.Status.IN_PROGRESS,
        programme=world.klass.programme, start_date=datetime.date(2019, 5, 6), end_date=datetime.date(2019, 6, 28),
    )
    for _ in range(size):
        EnrolmentFactory(
            training_class=klass, status="enrolled", trainee=TraineeFactory(target_groups=[group("poverty-labourer")])
        )
    return klass


def _finish(klass, certified: int):
    TrainingClass.objects.filter(pk=klass.pk).update(status=TrainingClass.Status.FINISHED)
    for i, enrolment in enumerate(Enrolment.objects.filter(training_class=klass).order_by("id")):
        Enrolment.objects.filter(pk=enrolment.pk).update(status="completed", completion_date=klass.end_date)
        if i < certified:
            CertificateFactory(enrolment=Enrolment.objects.get(pk=enrolment.pk))


def test_project_training_gets_a_50_percent_advance_then_the_settlement(world, unit_a, bureau_staff, finance, funded):
    klass = _project_class(world, unit_a)
    claim = services.claim_create(training_class=klass, subsidy_type="project", actor=world.applicant)
    assert claim.phase == "advance" and claim.eligible_count == 4 and claim.total == Decimal("4000.00")
    claim = run_to(claim, "payable", world=world, bureau=bureau_staff)
    advance, _ = pay(claim, funded, finance)
    claim.refresh_from_db()
    assert (advance.stage, advance.amount, claim.status) == ("advance", Decimal("2000.00"), "advance_paid")
    with pytest.raises(ValidationError, match="培训班尚未结业，结业后才能申请结算。"):
        services.claim_settle(claim=claim, actor=world.applicant)

    _finish(klass, certified=3)
    claim = services.claim_settle(claim=claim, actor=world.applicant)
    assert (claim.status, claim.phase, claim.eligible_count, claim.total) == ("draft", "settlement", 3, Decimal("3000.00"))
    claim = run_to(claim, "payable", world=world, bureau=bureau_staff)
    settlement, _ = pay(claim, funded, finance, voucher="PZ2019-0002")
    claim.refresh_from_db()
    funded.refresh_from_db()
    assert (settlement.stage, settlement.amount, claim.status) == ("settlement", Decimal("1000.00"), "paid")
    assert funded.balance == Decimal("97000.00")
    assert list(LedgerEntry.objects.filter(claim=claim).order_by("id").values_list("amount", flat=True)) == [
        Decimal("-2000.00"), Decimal("-1000.00")
    ]
    assert_ledger_matches_balances()


def test_a_settlement_below_the_advance_recovers_the_difference(world, unit_a, bureau_staff, finance, funded):
    klass = _project_class(world, unit_a, size=4)
    claim = run_to(services.claim_create(training_class=klass, subsidy_type="project", actor=world.applicant),
                   "payable", world=world, bureau=bureau_staff)
    pay(claim, funded, finance)  # 2,000 advanced
    _finish(klass, certified=1)
    claim = run_to(services.claim_settle(claim=claim, actor=world.applicant), "payable", world=world, bureau=bureau_staff)
    assert claim.total == Decimal("1000.00")
    settlement, _ = pay(claim, funded, finance, voucher="PZ2019-0002")
    funded.refresh_from_db()
    assert settlement.amount == 0 and funded.balance == Decimal("99000.00")
    recovery = LedgerEntry.objects.get(kind="reversal")
    assert recovery.amount == Decimal("1000.00") and recovery.reverses.kind == "payout" and "追回" in recovery.memo
    assert_ledger_matches_balances()


def test_recovering_wrongly_paid_money_is_a_new_reversing_row(claim, world, bureau_staff, finance, funded):
    claim = run_to(claim, "payable", world=world, bureau=bureau_staff)
    payment, _ = pay(claim, funded, finance)
    payout = LedgerEntry.objects.get(payment=payment)
    reversal = services.ledger_reverse(entry=payout, amount="1000", reason="学员未实际参训", entry_date=TODAY, actor=finance)
    assert (reversal.kind, reversal.amount, reversal.reverses, reversal.memo) == (
        "reversal", Decimal("1000.00"), payout, "追回：学员未实际参训"
    )
    with pytest.raises(ValidationError, match="冲正金额 2,000.01 元超过原记录尚可冲正的 2,000.00 元。"):
        services.ledger_reverse(entry=payout, amount="2000.01", reason="x", entry_date=TODAY, actor=finance)
    with pytest.raises(ValidationError, match="冲正记录不能再冲正"):
        services.ledger_reverse(entry=reversal, amount="1", reason="x", entry_date=TODAY, actor=finance)
    payout.refresh_from_db()
    assert payout.amount == Decimal("-3000.00")
    balances = selectors.ledger_balances(user=finance)
    row = next(r for r in balances.sources if r.source == funded)
    assert (row.allocated, row.paid_out, row.recovered, row.balance) == (
        Decimal("100000.00"), Decimal("3000.00"), Decimal("1000.00"), Decimal("98000.00")
    )
    training = next(t for t in balances.types if t.subsidy_type == "training")
    assert training.total == Decimal("2000.00") and training.by_source[funded.pk] == Decimal("2000.00")
    assert_ledger_matches_balances()


def test_an_allocation_can_be_corrected_but_never_below_a_zero_balance(claim, world, bureau_staff, finance):
    source = FundSource.objects.get(code="industry-development")
    allocation = services.ledger_allocate(fund_source=source, amount="5000", entry_date=TODAY, actor=finance)
    claim = run_to(claim, "payable", world=world, bureau=bureau_staff)
    pay(claim, source, finance)
    with pytest.raises(ValidationError, match="资金来源“行业产业发展经费”余额 2,000.00 元，不足 2,500.00 元，未登记。"):
        services.ledger_reverse(entry=allocation, amount="2500", reason="多拨", entry_date=TODAY, actor=finance)
    correction = services.ledger_reverse(entry=allocation, amount="2000", reason="多拨", entry_date=TODAY, actor=finance)
    source.refresh_from_db()
    assert correction.amount == Decimal("-2000.00") and source.balance == 0
    assert_ledger_matches_balances()


def test_ledger_input_and_permissions(finance, bureau_staff, auditor):
    source = FundSource.objects.get(code="employment-subsidy")
    for bad in ("0", "-5", "abc", "1e20"):
        with pytest.raises(ValidationError, match="拨入金额"):
            services.ledger_allocate(fund_source=source, amount=bad, entry_date=TODAY, actor=finance)
    for user in (bureau_staff, auditor):
        with pytest.raises(PermissionDenied, match="只有财务人员可以登记专账资金拨入"):
            services.ledger_allocate(fund_source=source, amount="10", entry_date=TODAY, actor=user)
    assert not LedgerEntry.objects.exists()


def test_the_database_keeps_balances_from_going_negative(finance):
    source = FundSource.objects.get(code="employment-subsidy")
    with pytest.raises(DatabaseError):
        with transaction.atomic():
            FundSource.objects.filter(pk=source.pk).update(balance=Decimal("-0.01"))


def test_ledger_rows_and_payments_are_append_only(claim, world, bureau_staff, finance, funded):
    claim = run_to(claim, "payable", world=world, bureau=bureau_staff)
    payment, _ = pay(claim, funded, finance)
    entry = LedgerEntry.objects.get(payment=payment)
    for queryset, change in ((LedgerEntry.objects.filter(pk=entry.pk), {"amount": 0}),
                             (Payment.objects.filter(pk=payment.pk), {"amount": 1})):
        with pytest.raises(DatabaseError, match="只能追加"):
            with transaction.atomic():
                queryset.update(**change)
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="只能追加"):
            with transaction.atomic():
                LedgerEntry.objects.filter(pk=entry.pk).delete()
    entry.refresh_from_db()
    assert entry.amount == Decimal("-3000.00")


def test_balances_are_for_bureau_finance_and_auditors_only(funded, bureau_staff, auditor, finance, operator_a, world):
    for user in (bureau_staff, auditor, finance):
        balances = selectors.ledger_balances(user=user)
        assert balances.total_balance == Decimal("100000.00") and balances.total_allocated == Decimal("100000.00")
        assert selectors.ledger_list(user=user).count() == 1
    for user in (operator_a, world.applicant):
        assert selectors.ledger_balances(user=user) is None
        assert selectors.ledger_list(user=user).count() == 0


def test_a_recovery_from_the_advance_is_paid_back_in_the_settlement(world, unit_a, bureau_staff, finance, funded):
    klass = _project_class(world, unit_a, size=4)
    claim = run_to(services.claim_create(training_class=klass, subsidy_type="project", actor=world.applicant),
                   "payable", world=world, bureau=bureau_staff)
    advance, _ = pay(claim, funded, finance)  # 2,000
    services.ledger_reverse(entry=LedgerEntry.objects.get(payment=advance), amount="500", reason="一名学员中途退训",
                            entry_date=TODAY, actor=finance)
    _finish(klass, certified=3)
    claim = run_to(services.claim_settle(claim=claim, actor=world.applicant), "payable", world=world, bureau=bureau_staff)
    settlement, _ = pay(claim, funded, finance, voucher="PZ2019-0003")
    funded.refresh_from_db()
    assert settlement.amount == Decimal("1500.00")  # 3,000 − (2,000 − 500)
    assert funded.balance == Decimal("97000.00")
    net = LedgerEntry.objects.filter(claim=claim).aggregate(total=Sum("amount"))["total"]
    assert net == Decimal("-3000.00")
    assert_ledger_matches_balances()
