"""Demo data of the subsidies app (manage.py load_demo): money in the ledger, claims in every state, payments.

Runs after the registry's demo (INSTALLED_APPS order) and builds on its finished classes
with completed enrolments; when there are none it creates the few it needs. Every claim
goes through the real services, so the rules, transitions, ledger rows and audit entries
are what the system itself would write.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import User
from accounts.roles import STAFF_ROLES, Role
from programs.creditcodes import check_character
from programs.models import (
    CertificateType, Institution, Occupation, Programme, SkillLevel, TrainingClass, TrainingType, Unit,
)
from trainees.idnumbers import parse_id_number
from trainees.models import Certificate, Enrolment, TargetGroup, Trainee

from . import services
from .models import FundSource, SubsidyClaim

ALLOCATIONS = {
    "employment-subsidy": Decimal("3000000.00"),
    "unemployment-insurance-surplus": Decimal("2000000.00"),
    "local-talent": Decimal("500000.00"),
    "industry-development": Decimal("300000.00"),
}
# The end state of each demo claim, in the order classes are taken.
TARGETS = ["paid", "paid", "paid", "payable", "publicized", "approved", "unit_reviewed", "submitted", "returned",
           "rejected", "draft", "objection_upheld"]


def _account(username: str, role: Role, *, full_name: str, unit=None, institution=None) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"full_name": full_name, "unit": unit, "institution": institution, "is_staff": role in STAFF_ROLES},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=role.label))
    return user


def _candidate_classes() -> list[TrainingClass]:
    completed = Enrolment.objects.filter(training_class=OuterRef("pk"), status=Enrolment.Status.COMPLETED)
    certified = Certificate.objects.filter(enrolment__training_class=OuterRef("pk"))
    return list(
        TrainingClass.objects.filter(status=TrainingClass.Status.FINISHED, is_project_based=False)
        .filter(Exists(completed), Exists(certified))
        .exclude(institution__catalog_status=Institution.CatalogStatus.SUSPENDED)
        .exclude(subsidy_claims__isnull=False)
        .select_related("unit", "institution", "programme")
        .order_by("start_date", "code")[:200]
    )


def _trainee(rng, faker, *, mobile: str | None = None) -> Trainee:
    while True:
        number = faker.ssn(min_age=27, max_age=50)
        if number[:2] != "83" and not Trainee.objects.filter(id_number=number).exists():
            break
    parsed = parse_id_number(number)
    trainee = Trainee.objects.create(
        id_number=number, name=faker.name_male() if parsed.sex == "M" else faker.name_female(), sex=parsed.sex,
        birth_date=parsed.birth_date, mobile=mobile or f"13{rng.randint(0, 999999999):09d}",
        household_type=Trainee.HouseholdType.AGRICULTURAL, household_address="重庆市綦江区古南街道",
        residence_address="重庆市綦江区古南街道", seeks_work_in_district=True,
        education=Trainee.Education.JUNIOR, employment_status=Trainee.EmploymentStatus.UNEMPLOYED,
    )
    trainee.target_groups.set(TargetGroup.objects.filter(code__in=["rural-migrant", "poverty-labourer"]))
    return trainee


def _make_class(rng, faker, *, n: int, status: str, project: bool = False, size: int = 6) -> TrainingClass:
    """A minimal class with completed, certified trainees (only when the registry has none to offer)."""
    unit = Unit.objects.get(name="区人力社保局")
    first17 = "91500222999000001"
    institution, _ = Institution.objects.get_or_create(
        name="綦江区补贴演示职业培训学校", defaults={"credit_code": first17 + check_character(first17)},
    )
    programme, _ = Programme.objects.get_or_create(
        occupation=Occupation.objects.get(name="电焊"), level=SkillLevel.objects.get(code="level-5"),
        training_type=TrainingType.objects.get(code="employment-skills"), unit=unit, valid_from_year=2019,
        defaults={"hours": 80, "certificate_type": CertificateType.objects.get(code="skill-level"), "valid_to_year": 2021},
    )
    start = datetime.date(2020, 3, 2) + datetime.timedelta(days=14 * (n % 40))
    klass = TrainingClass.objects.create(
        code=f"QJBT-{n:03d}", name=f"补贴演示第{n}期电焊培训班", programme=programme, institution=institution, unit=unit,
        start_date=start, end_date=start + datetime.timedelta(days=25), capacity=size, is_project_based=project,
        status=status,
    )
    shared_mobile = f"13{rng.randint(0, 999999999):09d}"
    for i in range(size):
        trainee = _trainee(rng, faker, mobile=shared_mobile if i < 2 else None)
        finished = status == TrainingClass.Status.FINISHED
        enrolment = Enrolment.objects.create(
            trainee=trainee, training_class=klass,
            status=Enrolment.Status.COMPLETED if finished else Enrolment.Status.ENROLLED,
            completion_date=klass.end_date if finished else None,
        )
        if finished:
            _certify(enrolment, n=n * 100 + i)
    return klass


def _certify(enrolment: Enrolment, *, n: int) -> None:
    klass = enrolment.training_class
    Certificate.objects.create(
        trainee=enrolment.trainee, certificate_type=klass.programme.certificate_type,
        occupation=klass.programme.occupation, level=klass.programme.level, number=f"QJBT{klass.start_date:%Y}{n:06d}",
        issuing_body="重庆市职业技能鉴定指导中心", issued_on=klass.end_date + datetime.timedelta(days=7),
        enrolment=enrolment,
    )


class _Demo:
    def __init__(self, rng, faker):
        self.rng, self.faker = rng, faker
        self.bureau = _account("demo_bureau", Role.BUREAU_STAFF, full_name="局业务人员（演示）")
        self.finance = _account("demo_finance", Role.FINANCE, full_name="财务人员（演示）")
        self.today = timezone.localdate()
        self.voucher = 0

    def applicant(self, klass: TrainingClass) -> User:
        return _account(
            f"demo_school_{klass.institution_id}", Role.INSTITUTION_OPERATOR, full_name=f"{klass.institution}经办人（演示）",
            institution=klass.institution,
        )

    def reviewer(self, klass: TrainingClass) -> User:
        return _account(
            f"demo_unit_{klass.unit_id}", Role.UNIT_OPERATOR, full_name=f"{klass.unit}经办人（演示）", unit=klass.unit
        )

    def pay(self, claim: SubsidyClaim, source: FundSource) -> None:
        self.voucher += 1
        services.claim_pay(
            claim=claim, fund_source=source, voucher_number=f"PZ{self.today:%Y}-{self.voucher:04d}", paid_on=self.today,
            actor=self.finance, idempotency_key=f"demo-{claim.pk}-{claim.phase}",
        )

    def drive(self, klass: TrainingClass, target: str, source: FundSource) -> SubsidyClaim | None:
        applicant, reviewer = self.applicant(klass), self.reviewer(klass)
        try:
            claim = services.claim_create(training_class=klass, subsidy_type="training", actor=applicant)
            if target == "draft":
                return claim
            claim = services.claim_submit(claim=claim, actor=applicant)
        except ValidationError:
            return None
        if target == "submitted":
            return claim
        if target in ("returned", "rejected"):
            service = services.claim_return if target == "returned" else services.claim_reject
            reason = "签到表与花名册人数不一致，请核对后重新提交。" if target == "returned" else "经核查，该期培训未按计划组织实施。"
            return service(claim=claim, actor=reviewer, reason=reason)
        claim = services.claim_review(claim=claim, actor=reviewer, comment="材料齐全，同意上报。")
        if target == "unit_reviewed":
            return claim
        claim = services.claim_approve(claim=claim, actor=self.bureau, comment="复核通过。")
        if target == "approved":
            return claim
        claim = services.claim_publicize(claim=claim, actor=self.bureau)
        if target == "objection_upheld":
            line = claim.lines.filter(eligible=True).first()
            objection = services.objection_record(
                claim=claim, actor=self.bureau, objector="群众来电", enrolment_id=line.enrolment_id,
                content="反映该学员培训期间在外地务工，未实际参训。",
            )
            services.objection_uphold(objection=objection, decision="经核实异议属实，退回责任单位重新初审。", actor=self.bureau)
            return claim
        if target == "publicized":
            services.objection_dismiss(
                objection=services.objection_record(
                    claim=claim, actor=self.bureau, objector="匿名", content="询问该期培训是否收费。"
                ),
                decision="经核实培训为免费培训，异议不成立。", actor=self.bureau,
            )
            return claim
        services.claim_notice_close(claim=claim, today=claim.notice_ends_on + datetime.timedelta(days=1))
        claim.refresh_from_db()
        if target == "payable":
            return claim
        self.pay(claim, source)
        return claim

    def project_claims(self, source: FundSource) -> int:
        """A project-based class: 50% advance while it runs, then the settlement after it finished."""
        klass = TrainingClass.objects.filter(
            is_project_based=True, status=TrainingClass.Status.IN_PROGRESS, subsidy_claims__isnull=True
        ).first() or _make_class(self.rng, self.faker, n=90, status=TrainingClass.Status.IN_PROGRESS, project=True)
        applicant, reviewer = self.applicant(klass), self.reviewer(klass)
        try:
            claim = services.claim_create(training_class=klass, subsidy_type="project", actor=applicant)
            claim = services.claim_submit(claim=claim, actor=applicant)
        except ValidationError:
            return 0
        claim = services.claim_review(claim=claim, actor=reviewer)
        claim = services.claim_approve(claim=claim, actor=self.bureau)
        claim = services.claim_publicize(claim=claim, actor=self.bureau)
        services.claim_notice_close(claim=claim, today=claim.notice_ends_on + datetime.timedelta(days=1))
        claim.refresh_from_db()
        self.pay(claim, source)
        if klass.code != "QJBT-090":
            return 1
        # The demo's own class finishes; the trainees complete and get certificates; settle the balance.
        TrainingClass.objects.filter(pk=klass.pk).update(status=TrainingClass.Status.FINISHED)
        for i, enrolment in enumerate(Enrolment.objects.filter(training_class=klass)):
            Enrolment.objects.filter(pk=enrolment.pk).update(
                status=Enrolment.Status.COMPLETED, completion_date=klass.end_date
            )
            enrolment.refresh_from_db()
            _certify(enrolment, n=9000 + i)
        claim = services.claim_settle(claim=claim, actor=applicant)
        claim = services.claim_submit(claim=claim, actor=applicant)
        claim = services.claim_review(claim=claim, actor=reviewer)
        claim = services.claim_approve(claim=claim, actor=self.bureau)
        claim = services.claim_publicize(claim=claim, actor=self.bureau)
        services.claim_notice_close(claim=claim, today=claim.notice_ends_on + datetime.timedelta(days=1))
        claim.refresh_from_db()
        self.pay(claim, source)
        return 2


def demo_load(*, rng, faker) -> str:
    demo = _Demo(rng, faker)
    sources = {source.code: source for source in FundSource.objects.all()}
    for code, amount in ALLOCATIONS.items():
        services.ledger_allocate(
            fund_source=sources[code], amount=amount, entry_date=datetime.date(2019, 1, 15), actor=demo.finance,
            voucher_number=f"BK2019-{code[:4].upper()}", memo="2019年度职业技能提升行动资金拨入",
        )
    main_source = FundSource.objects.get(code="employment-subsidy")
    candidates = _candidate_classes()
    rng.shuffle(candidates)
    made = 0
    for target in TARGETS:
        claim = None
        while claim is None and candidates:
            claim = demo.drive(candidates.pop(), target, main_source)
        if claim is None:
            made += 1
            klass = _make_class(rng, faker, n=made, status=TrainingClass.Status.FINISHED)
            claim = demo.drive(klass, target, main_source)
    project = demo.project_claims(FundSource.objects.get(code="unemployment-insurance-surplus"))
    # A recovery (追回) of money paid for a trainee found not to have attended.
    paid = SubsidyClaim.objects.filter(status=SubsidyClaim.Status.PAID, phase="full").order_by("id").first()
    recovered = 0
    if paid is not None:
        entry = paid.ledger_entries.get(kind="payout")
        line = paid.lines.filter(eligible=True, excluded=False).first()
        services.ledger_reverse(
            entry=entry, amount=line.amount, reason=f"抽查发现学员{line.trainee.name}未实际参训，追回补贴", actor=demo.finance,
            entry_date=demo.today, voucher_number=f"ZH{demo.today:%Y}-0001",
        )
        recovered = 1
    claims = SubsidyClaim.objects.count()
    statuses = [SubsidyClaim.Status(s).label for s in SubsidyClaim.Status if SubsidyClaim.objects.filter(status=s).exists()]
    return (
        f"补贴申领 {claims} 笔（{'、'.join(statuses)}；项目制预拨和结算 {project} 次支付），"
        f"资金拨入 {len(ALLOCATIONS)} 笔，追回 {recovered} 笔；新建演示培训班 {made} 个"
    )
