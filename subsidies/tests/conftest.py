"""The subsidy test world: a finished class of unit A (区教委) at a listed institution, trainees
with certificates, an applicant (institution operator), a second operator of unit A who reviews,
and money in the special ledger."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from programs.models import TrainingClass
from programs.tests.factories import InstitutionFactory, ProgrammeFactory, TrainingClassFactory
from subsidies import services
from subsidies.models import FundSource, SubsidyClaim
from trainees.models import TargetGroup
from trainees.tests.factories import CertificateFactory, EnrolmentFactory, TraineeFactory, adult_id_number


@dataclass
class World:
    institution: object
    klass: TrainingClass
    applicant: object
    reviewer: object
    enrolments: list


def group(code: str) -> TargetGroup:
    return TargetGroup.objects.get(code=code)


def adult(**kwargs):
    """A trainee of working age during 2019–2021 (the factory's ages count from today)."""
    return TraineeFactory(id_number=adult_id_number(min_age=27, max_age=50), **kwargs)


def finished_class(*, unit, institution=None, certificates: int = 3, **kwargs) -> tuple[TrainingClass, list]:
    """A finished class with ``certificates`` completed trainees holding their certificate."""
    programme = ProgrammeFactory(unit=unit)
    klass = TrainingClassFactory(unit=unit, programme=programme, institution=institution or InstitutionFactory(), **kwargs)
    enrolments = []
    for _ in range(certificates):
        enrolment = EnrolmentFactory(training_class=klass, trainee=adult(target_groups=[group("rural-migrant")]))
        CertificateFactory(enrolment=enrolment)
        enrolments.append(enrolment)
    return klass, enrolments


@pytest.fixture
def world(db, unit_a) -> World:
    institution = InstitutionFactory(name="綦江区职业培训中心")
    klass, enrolments = finished_class(unit=unit_a, institution=institution)
    applicant = UserFactory(username="school_a", role=Role.INSTITUTION_OPERATOR, institution=institution)
    reviewer = UserFactory(username="jiaowei_reviewer", role=Role.UNIT_OPERATOR, unit=unit_a)
    return World(institution=institution, klass=klass, applicant=applicant, reviewer=reviewer, enrolments=enrolments)


@pytest.fixture
def funded(db, finance) -> FundSource:
    source = FundSource.objects.get(code="employment-subsidy")
    services.ledger_allocate(
        fund_source=source, amount=Decimal("100000.00"), entry_date=datetime.date(2019, 1, 10), actor=finance,
        voucher_number="BK2019-001", memo="2019年就业补助资金",
    )
    source.refresh_from_db()
    return source


def run_to(claim: SubsidyClaim, status: str, *, world: World, bureau, today: datetime.date | None = None) -> SubsidyClaim:
    """Drive a claim through the workflow up to ``status`` (for tests about later steps)."""
    order = ["draft", "submitted", "unit_reviewed", "approved", "publicized", "payable"]
    steps = {
        "submitted": lambda c: services.claim_submit(claim=c, actor=world.applicant),
        "unit_reviewed": lambda c: services.claim_review(claim=c, actor=world.reviewer),
        "approved": lambda c: services.claim_approve(claim=c, actor=bureau),
        "publicized": lambda c: services.claim_publicize(claim=c, actor=bureau),
        "payable": lambda c: (
            services.claim_notice_close(claim=c, today=c.notice_ends_on + datetime.timedelta(days=1)),
            SubsidyClaim.objects.get(pk=c.pk),
        )[1],
    }
    for name in order[order.index(claim.status) + 1: order.index(status) + 1]:
        claim = steps[name](claim)
    claim.refresh_from_db()
    assert claim.status == status
    return claim


@pytest.fixture
def claim(world) -> SubsidyClaim:
    return services.claim_create(training_class=world.klass, subsidy_type="training", actor=world.applicant)


# ---------------------------------------------------------------- the money world of the export tests


def another_class(world: World, *, institution=None, applicant=None, reviewer=None, certificates: int = 3) -> World:
    """A second finished class of the same unit and programme (one programme per unit and level)."""
    institution = institution or world.institution
    klass = TrainingClassFactory(unit=world.klass.unit, programme=world.klass.programme, institution=institution)
    enrolments = []
    for _ in range(certificates):
        enrolment = EnrolmentFactory(training_class=klass, trainee=adult(target_groups=[group("rural-migrant")]))
        CertificateFactory(enrolment=enrolment)
        enrolments.append(enrolment)
    return World(institution=institution, klass=klass, applicant=applicant or world.applicant,
                 reviewer=reviewer or world.reviewer, enrolments=enrolments)


@dataclass
class MoneyWorld:
    """Two units (区教委 A, 区农业农村委 B) and two institutions (X works for A; Y for A and B).

    paid_a (A, X) approved 2019-02-01, paid 2019-02-15 from 失业保险基金结余, 500 recovered 2019-06-01;
    paid_b (B, Y) approved 2018-03-01, paid 2018-03-20 from 就业补助资金; noticed_a (A, Y) approved
    2019-05-05, on public notice; payable_b (B, Y) approved 2019-03-31, payable. Allocations:
    100,000 to 就业补助资金 on 2018-01-10, 50,000 to 失业保险基金结余 on 2019-01-10.
    """

    a: World
    b: World
    paid_a: SubsidyClaim
    paid_b: SubsidyClaim
    noticed_a: SubsidyClaim
    payable_b: SubsidyClaim
    employment: FundSource
    unemployment: FundSource
    recovery: object
    institution_x_operator: object
    institution_y_operator: object

    @property
    def claims(self) -> list[SubsidyClaim]:
        return [self.paid_a, self.paid_b, self.noticed_a, self.payable_b]

    @property
    def trainees(self) -> list:
        worlds = (self.a, self.b)
        return [e.trainee for w in worlds for e in w.enrolments] + [
            line.trainee for c in self.claims for line in c.lines.select_related("trainee")
        ]


def _claim(world: World, status: str, bureau, *, approved_on: datetime.date) -> SubsidyClaim:
    """A claim run to ``status``, approved (复核通过) on ``approved_on`` at 10:00 in Shanghai."""
    claim = services.claim_create(training_class=world.klass, subsidy_type="training", actor=world.applicant)
    claim = run_to(claim, "unit_reviewed", world=world, bureau=bureau)
    moment = datetime.datetime.combine(approved_on, datetime.time(10), tzinfo=ZoneInfo("Asia/Shanghai"))
    with mock.patch.object(timezone, "now", lambda: moment):
        claim = services.claim_approve(claim=claim, actor=bureau)
    return run_to(claim, status, world=world, bureau=bureau)


@pytest.fixture
def money(db, unit_a, unit_b, operator_a, operator_b, bureau_staff, finance) -> MoneyWorld:
    x = InstitutionFactory(name="綦江区甲职业培训学校")
    y = InstitutionFactory(name="綦江区乙职业培训学校")
    x_operator = UserFactory(username="school_x", role=Role.INSTITUTION_OPERATOR, institution=x)
    y_operator = UserFactory(username="school_y", role=Role.INSTITUTION_OPERATOR, institution=y)
    klass_a, enrolments_a = finished_class(unit=unit_a, institution=x)
    klass_b, enrolments_b = finished_class(unit=unit_b, institution=y)
    a = World(institution=x, klass=klass_a, applicant=x_operator, reviewer=operator_a, enrolments=enrolments_a)
    b = World(institution=y, klass=klass_b, applicant=y_operator, reviewer=operator_b, enrolments=enrolments_b)
    employment = FundSource.objects.get(code="employment-subsidy")
    unemployment = FundSource.objects.get(code="unemployment-insurance-surplus")
    services.ledger_allocate(fund_source=employment, amount="100000.00", entry_date=datetime.date(2018, 1, 10),
                             actor=finance, voucher_number="BK2018-001", memo="2018年就业补助资金")
    services.ledger_allocate(fund_source=unemployment, amount="50000.00", entry_date=datetime.date(2019, 1, 10),
                             actor=finance, voucher_number="BK2019-001", memo="2019年失业保险基金结余")

    paid_a = _claim(a, "payable", bureau_staff, approved_on=datetime.date(2019, 2, 1))
    payment_a, _ = services.claim_pay(claim=paid_a, fund_source=unemployment, voucher_number="PZ2019-0001",
                                      paid_on=datetime.date(2019, 2, 15), actor=finance)
    recovery = services.ledger_reverse(
        entry=payment_a.ledger_entries.get(kind="payout"), amount="500.00", reason="一名学员证书存疑，追回",
        entry_date=datetime.date(2019, 6, 1), actor=finance, voucher_number="ZH2019-001",
    )
    paid_b = _claim(b, "payable", bureau_staff, approved_on=datetime.date(2018, 3, 1))
    services.claim_pay(claim=paid_b, fund_source=employment, voucher_number="PZ2018-0001",
                       paid_on=datetime.date(2018, 3, 20), actor=finance)
    noticed_a = _claim(another_class(a, institution=y, applicant=y_operator), "publicized", bureau_staff,
                       approved_on=datetime.date(2019, 5, 5))
    payable_b = _claim(another_class(b), "payable", bureau_staff, approved_on=datetime.date(2019, 3, 31))
    for claim in (paid_a, paid_b, noticed_a, payable_b):
        claim.refresh_from_db()
    return MoneyWorld(
        a=a, b=b, paid_a=paid_a, paid_b=paid_b, noticed_a=noticed_a, payable_b=payable_b, employment=employment,
        unemployment=unemployment, recovery=recovery, institution_x_operator=x_operator,
        institution_y_operator=y_operator,
    )
