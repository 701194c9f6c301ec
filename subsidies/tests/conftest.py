"""The subsidy test world: a finished class of unit A (区教委) at a listed institution, trainees
with certificates, an applicant (institution operator), a second operator of unit A who reviews,
and money in the special ledger."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest

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
