"""Writes: claims and their workflow, objections, attachments, payments, the special ledger, policy edits.

One service per transition. Each one locks the claim row (``select_for_update``), checks
the actor's permission and scope again, refuses an illegal transition with a Chinese
message, writes the claim, an append-only ``ClaimTransition`` row (whose ``(claim, seq)``
is unique, so two concurrent steps from the same version cannot both land) and an audit
entry. Money moves only under a lock on the fund source row, and a payment is unique per
claim and stage in the database.
"""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import AuditEntry
from programs.models import TrainingClass

from . import policy, selectors
from .models import (
    ClaimAttachment, ClaimLine, ClaimObjection, ClaimSignal, ClaimTransition, FundSource, LedgerEntry, Payment,
    PolicyParameter, PublicHoliday, SubsidyClaim, SubsidyStandard, SubsidyType,
)

Status = SubsidyClaim.Status
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ATTACHMENT_SUFFIXES = {".pdf", ".jpg", ".jpeg", ".png"}
MAX_MONEY = Decimal("999999999999.99")


# ---------------------------------------------------------------- helpers


def _require(actor, permission: str, message: str) -> None:
    if not (actor and actor.is_authenticated and actor.is_active and actor.has_perm(permission)):
        raise PermissionDenied(message)


def _is_applicant_side(actor, training_class: TrainingClass) -> bool:
    """The class's own institution operators, or operators of the unit that owns the class."""
    if actor.has_perm("programs.view_own_institution") and actor.institution_id:
        return actor.institution_id == training_class.institution_id
    if actor.has_perm("programs.view_own_unit") and actor.unit_id:
        return actor.unit_id == training_class.unit_id
    return False


def _require_applicant(actor, training_class: TrainingClass) -> None:
    _require(actor, "subsidies.submit_claim", "您的账号不能办理补贴申领。只有培训机构或责任单位的经办人可以申领。")
    if not _is_applicant_side(actor, training_class):
        raise PermissionDenied("只能为本机构或本单位的培训班办理补贴申领。")


def _require_unit_reviewer(actor, claim: SubsidyClaim) -> None:
    _require(actor, "subsidies.review_claim", "只有责任单位的经办人可以初审补贴申领。")
    if actor.unit_id != claim.training_class.unit_id:
        raise PermissionDenied(f"只有培训班所属责任单位（{claim.training_class.unit}）的经办人可以初审该申领。")
    last_submit = claim.transitions.filter(action="submit").order_by("-seq").first()
    if last_submit is not None and last_submit.actor_id == actor.pk:
        raise PermissionDenied("提交人不能初审自己提交的申领，请由本单位其他经办人初审。")


def _require_bureau(actor) -> None:
    _require(actor, "subsidies.approve_claim", "只有区人力社保局的业务人员可以复核补贴申领。")


def _lock(claim: SubsidyClaim) -> SubsidyClaim:
    return (
        SubsidyClaim.objects.select_for_update(of=("self",))
        .select_related("training_class__unit", "training_class__institution")
        .get(pk=claim.pk)
    )


def _check_source(claim: SubsidyClaim, action: str) -> None:
    transition = SubsidyClaim.TRANSITIONS[action]
    if claim.status not in transition.sources:
        raise ValidationError(
            f"申领 {claim.number} 当前状态为“{claim.get_status_display()}”，不能执行“{transition.label}”。"
        )


def _reason_required(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(f"请填写{what}。")
    return reason


def _move(
    claim: SubsidyClaim, *, action: str, to_status: str, actor, reason: str = "", detail: dict | None = None,
    fields: tuple[str, ...] = (),
) -> ClaimTransition:
    """Write the new status, the transition row and the audit entry."""
    from_status = claim.status
    claim.status = to_status
    claim.version += 1
    claim.full_clean()
    claim.save(update_fields=["status", "version", "updated_at", *fields])
    row = ClaimTransition.objects.create(
        claim=claim, seq=claim.version, action=action, from_status=from_status, to_status=to_status, actor=actor,
        reason=reason, detail=detail or {},
    )
    audit_record(
        action=AuditEntry.Action.TRANSITION, actor=actor, obj=claim, username="" if actor else "系统定时任务",
        detail={"action": action, "from": from_status, "to": to_status, "reason": reason, **(detail or {})},
    )
    return row


def _evaluate(claim: SubsidyClaim, *, filed_on: date | None = None) -> None:
    """Apply the rules to every enrolment of the class and rewrite the draft's lines and signals.

    Facts come in a constant number of queries; lines are rewritten in bulk. Lines the
    applicant excluded stay excluded.
    """
    bundle = selectors.claim_facts_load(
        class_id=claim.training_class_id, subsidy_type=claim.subsidy_type, phase=claim.phase, claim_id=claim.pk,
        employer_kind=claim.employer_kind, employer_insured=claim.employer_insured,
    )
    results = policy.evaluate_lines(bundle.claim, bundle.lines)
    excluded = dict(
        ClaimLine.objects.filter(claim=claim, excluded=True).values_list("enrolment_id", "exclusion_reason")
    )
    ClaimSignal.objects.filter(claim=claim).delete()
    ClaimLine.objects.filter(claim=claim).delete()
    rows = []
    for facts, result in zip(bundle.lines, results):
        is_excluded = facts.enrolment_id in excluded
        rows.append(
            ClaimLine(
                claim=claim, enrolment_id=facts.enrolment_id, trainee_id=facts.trainee.id,
                certificate_id=result.certificate_id, standard_id=result.standard_id,
                unit_amount=result.unit_amount, quantity=result.quantity,
                amount=policy.ZERO if is_excluded else result.amount, eligible=result.eligible,
                reasons=[reason.as_dict() for reason in result.reasons],
                excluded=is_excluded, exclusion_reason=excluded.get(facts.enrolment_id, ""),
            )
        )
    ClaimLine.objects.bulk_create(rows)
    line_ids = dict(ClaimLine.objects.filter(claim=claim).values_list("enrolment_id", "id"))
    signals = [
        ClaimSignal(claim=claim, line_id=line_ids[hit.enrolment_id], code=hit.code, message=hit.message[:300])
        for line in bundle.signal_lines
        for hit in policy.line_signals(klass=bundle.claim.klass, values=bundle.claim.values, line=line)
    ]
    signals += [
        ClaimSignal(claim=claim, code=hit.code, message=hit.message[:300])
        for hit in policy.claim_signals(
            klass=bundle.claim.klass, phase=claim.phase, filed_on=filed_on, spot_check=claim.spot_check
        )
    ]
    ClaimSignal.objects.bulk_create(signals)
    counted = [row for row in rows if row.eligible and not row.excluded]
    claim.total = policy.money(sum((row.amount for row in counted), policy.ZERO))
    claim.line_count = len(rows)
    claim.eligible_count = len(counted)
    claim.advance_ratio = bundle.claim.values.advance_ratio if claim.phase == policy.PHASE_ADVANCE else None
    standard = bundle.claim.standard
    claim.policy_snapshot = {
        "on": bundle.claim.klass.start_date.isoformat(),
        "values": bundle.claim.values.as_dict(),
        "standard": {"id": standard.id, "amount": str(standard.amount), "basis": standard.basis} if standard else None,
    }
    claim.evaluated_at = timezone.now()
    claim.full_clean()
    claim.save(
        update_fields=[
            "total", "line_count", "eligible_count", "advance_ratio", "policy_snapshot", "evaluated_at", "spot_check",
            "spot_check_drawn", "submitted_at", "phase", "updated_at",
        ]
    )


# ---------------------------------------------------------------- claims


@transaction.atomic
def claim_create(
    *,
    training_class: TrainingClass,
    subsidy_type: str,
    actor,
    employer_kind: str = "",
    employer_insured: bool = False,
    payee_name: str = "",
    note: str = "",
) -> SubsidyClaim:
    """Open a draft claim for a class: one line per enrolment, each evaluated against the rules (四)."""
    _require(actor, "subsidies.add_subsidyclaim", "您的账号不能申领补贴。只有培训机构或责任单位的经办人可以申领。")
    klass = (
        TrainingClass.objects.select_for_update(of=("self",))
        .select_related("programme__training_type", "institution", "unit")
        .get(pk=training_class.pk)
    )
    _require_applicant(actor, klass)
    if subsidy_type not in SubsidyType.values:
        raise ValidationError("请选择补贴类型。")
    label = SubsidyType(subsidy_type).label
    if klass.status == TrainingClass.Status.CANCELLED:
        raise ValidationError("培训班已撤销，不能申领补贴。")
    if klass.status == TrainingClass.Status.PLANNED:
        raise ValidationError("培训班尚未开班，不能申领补贴。")
    training_type = klass.programme.training_type.code
    if subsidy_type == SubsidyType.PROJECT and not klass.is_project_based:
        raise ValidationError("项目制培训补贴只适用于项目制培训班；请选择其他补贴类型，或先将培训班登记为项目制培训。")
    if subsidy_type == SubsidyType.APPRENTICESHIP and training_type != "apprenticeship":
        raise ValidationError("企业新型学徒制补贴只适用于培训类型为“企业新型学徒制”的培训班。")
    if subsidy_type == SubsidyType.WORK_BASED:
        if training_type != "work-based":
            raise ValidationError("以工代训补贴只适用于培训类型为“以工代训”的培训班。")
        if employer_kind not in SubsidyClaim.EmployerKind.values:
            raise ValidationError("以工代训补贴请填写吸纳就业的生产经营主体类型（企业、农民专业合作社、扶贫车间或其他）。")
    elif employer_kind or employer_insured:
        employer_kind, employer_insured = "", False
    existing = (
        SubsidyClaim.objects.filter(training_class=klass, subsidy_type=subsidy_type)
        .exclude(status=Status.REJECTED)
        .first()
    )
    if existing is not None:
        raise ValidationError(
            f"该培训班已有一笔{label}申领（{existing.number}，{existing.get_status_display()}），请在原申领中继续办理。"
        )
    in_progress = klass.status == TrainingClass.Status.IN_PROGRESS
    phase = (
        SubsidyClaim.Phase.ADVANCE
        if in_progress and policy.advance_allowed(subsidy_type=subsidy_type, is_project_based=klass.is_project_based)
        else SubsidyClaim.Phase.FULL
    )
    # The values in force on the class's dates must exist before anything is written.
    selectors.policy_values_on(klass.start_date)
    claim = SubsidyClaim(
        subsidy_type=subsidy_type, phase=phase, training_class=klass, created_by=actor,
        applicant_unit=actor.unit if actor.unit_id else None,
        applicant_institution=actor.institution if actor.institution_id else None,
        payee_name=(payee_name or "").strip() or klass.institution.name,
        employer_kind=employer_kind, employer_insured=employer_insured, note=note,
    )
    claim.full_clean()
    claim.save()
    ClaimTransition.objects.create(claim=claim, seq=0, action="create", from_status="", to_status=Status.DRAFT, actor=actor)
    audit_record(
        action=AuditEntry.Action.TRANSITION, actor=actor, obj=claim,
        detail={"action": "create", "to": Status.DRAFT, "class": klass.code, "subsidy_type": subsidy_type, "phase": phase},
    )
    _evaluate(claim)
    return claim


@transaction.atomic
def claim_evaluate(*, claim: SubsidyClaim, actor) -> SubsidyClaim:
    """Re-apply the rules to a draft (after the roster or certificates changed)."""
    claim = _lock(claim)
    _require_applicant(actor, claim.training_class)
    if not claim.is_editable:
        raise ValidationError("只有草稿状态的申领可以重新核算；已提交的申领金额不再变化。")
    _evaluate(claim)
    return claim


@transaction.atomic
def claim_line_exclude(*, claim: SubsidyClaim, line_id: int, excluded: bool, reason: str = "", actor) -> SubsidyClaim:
    """The applicant leaves a trainee out of (or puts them back into) a draft claim."""
    claim = _lock(claim)
    _require_applicant(actor, claim.training_class)
    if not claim.is_editable:
        raise ValidationError("只有草稿状态的申领可以调整学员。")
    line = ClaimLine.objects.filter(claim=claim, pk=line_id).first()
    if line is None:
        raise ValidationError("该学员不在本申领中。")
    line.excluded = excluded
    line.exclusion_reason = _reason_required(reason, "剔除原因")[:200] if excluded else ""
    line.amount = policy.ZERO
    line.save(update_fields=["excluded", "exclusion_reason", "amount"])
    _evaluate(claim)
    return claim


@transaction.atomic
def claim_submit(*, claim: SubsidyClaim, actor) -> SubsidyClaim:
    """draft → submitted: the rules run again on fresh facts; a claim with no eligible line is refused.

    A random sample is drawn for a spot check (四（四） 加强监督检查) the first time a claim is submitted.
    """
    claim = _lock(claim)
    _require_applicant(actor, claim.training_class)
    _check_source(claim, "submit")
    today = timezone.localdate()
    if not claim.spot_check_drawn:
        rate = selectors.policy_parameter_on("spot_check_rate", today)
        claim.spot_check = policy.spot_check_drawn(draw=secrets.SystemRandom().random(), rate=rate)
        claim.spot_check_drawn = True
    claim.submitted_at = timezone.now()
    _evaluate(claim, filed_on=today)
    if claim.eligible_count == 0:
        raise ValidationError("没有符合条件的学员，不能提交。请查看每位学员不符合的规定，补齐材料后重新核算。")
    _move(
        claim, action="submit", to_status=Status.SUBMITTED, actor=actor,
        detail={"total": str(claim.total), "eligible_count": claim.eligible_count, "phase": claim.phase},
    )
    return claim


@transaction.atomic
def claim_review(*, claim: SubsidyClaim, actor, comment: str = "") -> SubsidyClaim:
    """submitted → unit_reviewed: the responsible unit's first review (初审)."""
    claim = _lock(claim)
    _require_unit_reviewer(actor, claim)
    _check_source(claim, "review")
    _move(claim, action="review", to_status=Status.UNIT_REVIEWED, actor=actor, reason=(comment or "").strip())
    return claim


@transaction.atomic
def claim_approve(*, claim: SubsidyClaim, actor, comment: str = "") -> SubsidyClaim:
    """unit_reviewed → approved: the bureau's approval (复核). From here the amounts never change."""
    claim = _lock(claim)
    _require_bureau(actor)
    _check_source(claim, "approve")
    _move(
        claim, action="approve", to_status=Status.APPROVED, actor=actor, reason=(comment or "").strip(),
        detail={"total": str(claim.total)},
    )
    return claim


def _return_or_reject(claim: SubsidyClaim, *, action: str, to_status: str, reason: str, actor) -> SubsidyClaim:
    claim = _lock(claim)
    _check_source(claim, action)
    if claim.status == Status.SUBMITTED:
        _require_unit_reviewer(actor, claim)
    else:
        _require_bureau(actor)
    what = "退回原因" if action == "return" else "不予补贴的原因"
    _move(claim, action=action, to_status=to_status, actor=actor, reason=_reason_required(reason, what))
    return claim


@transaction.atomic
def claim_return(*, claim: SubsidyClaim, actor, reason: str) -> SubsidyClaim:
    """submitted / unit_reviewed → draft, with the reason, for the applicant to fix."""
    return _return_or_reject(claim, action="return", to_status=Status.DRAFT, reason=reason, actor=actor)


@transaction.atomic
def claim_reject(*, claim: SubsidyClaim, actor, reason: str) -> SubsidyClaim:
    """submitted / unit_reviewed → rejected (final), with the reason."""
    return _return_or_reject(claim, action="reject", to_status=Status.REJECTED, reason=reason, actor=actor)


@transaction.atomic
def claim_publicize(*, claim: SubsidyClaim, actor) -> SubsidyClaim:
    """approved → publicized: the masked list goes on public notice today for the configured working days.

    The start is always today: a back-dated notice would shorten the period nobody saw.
    """
    claim = _lock(claim)
    _require_bureau(actor)
    _check_source(claim, "publicize")
    published_on = timezone.localdate()
    days = selectors.policy_parameter_on("notice_working_days", published_on)
    claim.notice_published_on = published_on
    claim.notice_ends_on = selectors.notice_end_date(published_on=published_on, working_days=days)
    _move(
        claim, action="publicize", to_status=Status.PUBLICIZED, actor=actor,
        detail={"published_on": published_on.isoformat(), "ends_on": claim.notice_ends_on.isoformat(), "working_days": days},
        fields=("notice_published_on", "notice_ends_on"),
    )
    return claim


@transaction.atomic
def claim_notice_close(*, claim: SubsidyClaim, today: date | None = None) -> bool:
    """publicized → payable once the notice period is over with no objection pending (idempotent).

    Returns whether the claim moved. An upheld objection has already sent the claim
    back to review, so it is no longer publicized and is left alone.
    """
    claim = _lock(claim)
    today = today or timezone.localdate()
    if claim.status != Status.PUBLICIZED or claim.notice_ends_on is None or today <= claim.notice_ends_on:
        return False
    if claim.objections.filter(status=ClaimObjection.Status.PENDING).exists():
        return False
    _move(
        claim, action="close_notice", to_status=Status.PAYABLE, actor=None,
        detail={"notice_ends_on": claim.notice_ends_on.isoformat(), "closed_on": today.isoformat()},
    )
    return True


def claims_close_due_notices(*, today: date | None = None) -> int:
    """Move every claim whose notice ended to payable; each claim in its own transaction."""
    today = today or timezone.localdate()
    due = SubsidyClaim.objects.filter(status=Status.PUBLICIZED, notice_ends_on__lt=today).values_list("pk", flat=True)
    return sum(claim_notice_close(claim=SubsidyClaim(pk=pk), today=today) for pk in list(due))


@transaction.atomic
def claim_settle(*, claim: SubsidyClaim, actor) -> SubsidyClaim:
    """advance_paid → draft (settlement): after the class finished, the lines are evaluated with every rule."""
    claim = _lock(claim)
    _require_applicant(actor, claim.training_class)
    _check_source(claim, "settle")
    if claim.training_class.status != TrainingClass.Status.FINISHED:
        raise ValidationError("培训班尚未结业，结业后才能申请结算。")
    claim.phase = SubsidyClaim.Phase.SETTLEMENT
    _move(claim, action="settle", to_status=Status.DRAFT, actor=actor, fields=("phase",))
    _evaluate(claim)
    return claim


# ---------------------------------------------------------------- objections during the notice


@transaction.atomic
def objection_record(
    *, claim: SubsidyClaim, content: str, actor, objector: str = "", received_on: date | None = None,
    enrolment_id: int | None = None,
) -> ClaimObjection:
    """Record an objection received during the public notice."""
    _require(actor, "subsidies.record_objection", "只有区人力社保局的业务人员可以登记公示异议。")
    claim = _lock(claim)
    if claim.status != Status.PUBLICIZED:
        raise ValidationError("只有公示中的申领可以登记公示异议。")
    received_on = received_on or timezone.localdate()
    if received_on < claim.notice_published_on or received_on > claim.notice_ends_on:
        raise ValidationError(
            f"异议收到日期应在公示期内（{claim.notice_published_on:%Y-%m-%d} 至 {claim.notice_ends_on:%Y-%m-%d}）。"
        )
    if enrolment_id is not None and not claim.lines.filter(enrolment_id=enrolment_id).exists():
        raise ValidationError("异议涉及的学员不在本申领中。")
    objection = ClaimObjection(
        claim=claim, enrolment_id=enrolment_id, objector=(objector or "").strip()[:50],
        content=_reason_required(content, "异议内容"), received_on=received_on, recorded_by=actor,
    )
    objection.full_clean()
    objection.save()
    audit_record(
        action=AuditEntry.Action.TRANSITION, actor=actor, obj=claim,
        detail={"action": "objection_recorded", "objection": objection.pk},
    )
    return objection


def _objection_lock(objection: ClaimObjection) -> tuple[ClaimObjection, SubsidyClaim]:
    claim = _lock(objection.claim)
    objection = ClaimObjection.objects.select_for_update().get(pk=objection.pk)
    if objection.status != ClaimObjection.Status.PENDING:
        raise ValidationError(f"该异议已处理（{objection.get_status_display()}），不能重复处理。")
    return objection, claim


@transaction.atomic
def objection_uphold(*, objection: ClaimObjection, decision: str, actor) -> ClaimObjection:
    """An upheld objection sends the claim back to the unit's review (publicized → submitted)."""
    _require(actor, "subsidies.record_objection", "只有区人力社保局的业务人员可以处理公示异议。")
    objection, claim = _objection_lock(objection)
    _check_source(claim, "uphold_objection")
    objection.status = ClaimObjection.Status.UPHELD
    objection.decision = _reason_required(decision, "核实情况")
    objection.decided_by, objection.decided_at = actor, timezone.now()
    objection.save(update_fields=["status", "decision", "decided_by", "decided_at"])
    _move(
        claim, action="uphold_objection", to_status=Status.SUBMITTED, actor=actor, reason=objection.decision,
        detail={"objection": objection.pk},
    )
    return objection


@transaction.atomic
def objection_dismiss(*, objection: ClaimObjection, decision: str, actor) -> ClaimObjection:
    """A dismissed objection leaves the claim on notice."""
    _require(actor, "subsidies.record_objection", "只有区人力社保局的业务人员可以处理公示异议。")
    objection, claim = _objection_lock(objection)
    objection.status = ClaimObjection.Status.DISMISSED
    objection.decision = _reason_required(decision, "核实情况")
    objection.decided_by, objection.decided_at = actor, timezone.now()
    objection.save(update_fields=["status", "decision", "decided_by", "decided_at"])
    audit_record(
        action=AuditEntry.Action.TRANSITION, actor=actor, obj=claim,
        detail={"action": "objection_dismissed", "objection": objection.pk, "decision": objection.decision},
    )
    return objection


# ---------------------------------------------------------------- attachments


@transaction.atomic
def attachment_add(*, claim: SubsidyClaim, kind: str, uploaded_file, actor) -> ClaimAttachment:
    """Sign-in sheets, photos, certificates: PDF or images up to 10 MB, while the claim is a draft."""
    claim = _lock(claim)
    _require_applicant(actor, claim.training_class)
    if not claim.is_editable:
        raise ValidationError("只有草稿状态的申领可以上传材料。")
    if kind not in ClaimAttachment.Kind.values:
        raise ValidationError("请选择材料类型。")
    if uploaded_file is None:
        raise ValidationError("请选择要上传的文件。")
    name = PurePath(uploaded_file.name or "").name[:200]
    if PurePath(name).suffix.lower() not in ATTACHMENT_SUFFIXES:
        raise ValidationError("材料只能是 PDF、JPG 或 PNG 文件。")
    if uploaded_file.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError("材料文件不能超过 10 MB，请压缩后再上传。")
    attachment = ClaimAttachment(
        claim=claim, kind=kind, original_name=name, size=uploaded_file.size, uploaded_by=actor,
        uploaded_at=timezone.now(),
    )
    attachment.file.save(name, uploaded_file, save=False)
    attachment.full_clean()
    attachment.save()
    return attachment


# ---------------------------------------------------------------- payments and the ledger


def _money(value, what: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(policy.CENT)
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError(f"{what}应填写金额（元），如 1200.00。") from None
    if not amount.is_finite() or amount <= 0 or amount > MAX_MONEY:
        raise ValidationError(f"{what}应大于 0 元且不超过 {policy.yuan(MAX_MONEY)} 元。")
    return amount


def _ledger_write(
    source: FundSource, *, kind: str, amount: Decimal, actor, entry_date: date, voucher_number: str = "",
    memo: str = "", subsidy_type: str = "", claim: SubsidyClaim | None = None, payment: Payment | None = None,
    reverses: LedgerEntry | None = None,
) -> LedgerEntry:
    """Append one ledger row; ``source`` must already be locked. The balance can never go negative."""
    new_balance = source.balance + amount
    if new_balance < 0:
        raise ValidationError(
            f"资金来源“{source.name}”余额 {policy.yuan(source.balance)} 元，不足 {policy.yuan(-amount)} 元，未登记。"
        )
    entry = LedgerEntry(
        fund_source=source, kind=kind, amount=amount, balance_after=new_balance, subsidy_type=subsidy_type,
        claim=claim, payment=payment, reverses=reverses, voucher_number=voucher_number[:50], entry_date=entry_date,
        memo=memo[:200], created_by=actor,
    )
    entry.full_clean()
    entry.save()
    source.balance = new_balance
    source.save(update_fields=["balance"])
    return entry


def _lock_source(fund_source: FundSource | int) -> FundSource:
    pk = fund_source.pk if isinstance(fund_source, FundSource) else fund_source
    source = FundSource.objects.select_for_update().filter(pk=pk).first()
    if source is None:
        raise ValidationError("请选择资金来源。")
    return source


def _payment_replay(existing: Payment, *, claim: SubsidyClaim, fund_source: FundSource, voucher_number: str) -> Payment:
    if (existing.claim_id, existing.fund_source_id, existing.voucher_number) != (
        claim.pk, fund_source.pk, voucher_number
    ):
        raise ValidationError("该幂等键已用于另一笔支付请求，请为新的支付使用新的幂等键（Idempotency-Key）。")
    return existing


def claim_pay(
    *,
    claim: SubsidyClaim,
    fund_source: FundSource,
    voucher_number: str,
    paid_on: date,
    actor,
    idempotency_key: str | None = None,
) -> tuple[Payment, bool]:
    """payable → paid (or advance_paid): finance records the payment of the stage due.

    Returns ``(payment, created)``. A replay of the same idempotency key returns the
    first payment. Two requests at the same moment cannot both pay: the claim row is
    locked, the fund source row is locked, and ``(claim, stage)`` is unique in the
    database; the loser of a race gets the winner's payment (same key) or a refusal.
    """
    voucher_number = (voucher_number or "").strip()
    key = (idempotency_key or "").strip() or None
    try:
        return _claim_pay(
            claim=claim, fund_source=fund_source, voucher_number=voucher_number, paid_on=paid_on, actor=actor, key=key
        )
    except IntegrityError:
        existing = Payment.objects.filter(idempotency_key=key).first() if key else None
        if existing is not None:
            return _payment_replay(existing, claim=claim, fund_source=fund_source, voucher_number=voucher_number), False
        raise ValidationError("该申领的这一阶段已经登记过支付，不能重复支付。") from None


@transaction.atomic
def _claim_pay(*, claim, fund_source, voucher_number, paid_on, actor, key) -> tuple[Payment, bool]:
    _require(actor, "subsidies.pay_claim", "只有财务人员可以登记补贴支付。")
    claim = _lock(claim)
    if key:
        existing = Payment.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return _payment_replay(existing, claim=claim, fund_source=fund_source, voucher_number=voucher_number), False
    _check_source(claim, "pay")
    if not voucher_number:
        raise ValidationError("请填写支付凭证号。")
    if paid_on is None:
        raise ValidationError("请填写支付日期。")
    if paid_on > timezone.localdate():
        raise ValidationError("支付日期不能晚于今天。")
    stage = {
        SubsidyClaim.Phase.FULL: Payment.Stage.FULL,
        SubsidyClaim.Phase.ADVANCE: Payment.Stage.ADVANCE,
        SubsidyClaim.Phase.SETTLEMENT: Payment.Stage.SETTLEMENT,
    }[claim.phase]
    if Payment.objects.filter(claim=claim, stage=stage).exists():
        raise ValidationError("该申领的这一阶段已经登记过支付，不能重复支付。")
    advance = None
    if stage == Payment.Stage.ADVANCE:
        amount = policy.advance_amount(claim.total, claim.advance_ratio or Decimal("0"))
    elif stage == Payment.Stage.SETTLEMENT:
        advance = Payment.objects.get(claim=claim, stage=Payment.Stage.ADVANCE)
        # What is left of the advance after any recovery (追回) already booked against it.
        recovered = LedgerEntry.objects.filter(payment=advance, kind=LedgerEntry.Kind.REVERSAL).aggregate(
            total=Sum("amount")
        )["total"] or policy.ZERO
        amount = claim.total - (advance.amount - recovered)
    else:
        amount = claim.total
    if amount > 0:
        source = _lock_source(fund_source)
        if amount > source.balance:
            raise ValidationError(
                f"资金来源“{source.name}”余额 {policy.yuan(source.balance)} 元，不足以支付 {policy.yuan(amount)} 元，"
                "未登记支付。请先登记资金拨入或选择其他资金来源。"
            )
    else:
        # No money leaves this source; only the advance's source may take money back (one lock).
        source = FundSource.objects.filter(pk=fund_source.pk).first()
        if source is None:
            raise ValidationError("请选择资金来源。")
    payment = Payment(
        claim=claim, stage=stage, amount=max(amount, policy.ZERO), fund_source=source,
        voucher_number=voucher_number[:50], paid_on=paid_on, recorded_by=actor, idempotency_key=key,
    )
    payment.full_clean(validate_unique=False, validate_constraints=False)
    payment.save(force_insert=True)
    label = SubsidyType(claim.subsidy_type).label
    memo = f"{claim.number} {label}（{payment.get_stage_display()}）"
    if amount > 0:
        _ledger_write(
            source, kind=LedgerEntry.Kind.PAYOUT, amount=-amount, actor=actor, entry_date=paid_on,
            voucher_number=voucher_number, memo=memo, subsidy_type=claim.subsidy_type, claim=claim, payment=payment,
        )
    elif amount < 0:
        # The settled total is below the advance: the difference comes back into the advance's source (追回).
        advance_entry = advance.ledger_entries.get(kind=LedgerEntry.Kind.PAYOUT)
        advance_source = _lock_source(advance_entry.fund_source_id)
        _ledger_write(
            advance_source, kind=LedgerEntry.Kind.REVERSAL, amount=-amount, actor=actor, entry_date=paid_on,
            voucher_number=voucher_number, memo=f"{memo} 结算追回多预拨资金", subsidy_type=claim.subsidy_type,
            claim=claim, payment=advance, reverses=advance_entry,
        )
    target = Status.ADVANCE_PAID if stage == Payment.Stage.ADVANCE else Status.PAID
    detail = {"payment": payment.pk, "stage": stage, "amount": str(amount), "fund_source": source.name}
    _move(claim, action="pay", to_status=target, actor=actor, detail=detail)
    audit_record(action=AuditEntry.Action.PAYMENT, actor=actor, obj=payment, detail={**detail, "voucher": voucher_number})
    return payment, True


@transaction.atomic
def ledger_allocate(
    *, fund_source: FundSource, amount, entry_date: date, actor, voucher_number: str = "", memo: str = ""
) -> LedgerEntry:
    """Money allocated into a fund source of the special ledger (四（三）)."""
    _require(actor, "subsidies.manage_ledger", "只有财务人员可以登记专账资金拨入。")
    amount = _money(amount, "拨入金额")
    if entry_date is None:
        raise ValidationError("请填写记账日期。")
    source = _lock_source(fund_source)
    entry = _ledger_write(
        source, kind=LedgerEntry.Kind.ALLOCATION, amount=amount, actor=actor, entry_date=entry_date,
        voucher_number=(voucher_number or "").strip(), memo=(memo or "").strip() or "资金拨入",
    )
    audit_record(
        action=AuditEntry.Action.PAYMENT, actor=actor, obj=entry,
        detail={"kind": "allocation", "fund_source": source.name, "amount": str(amount)},
    )
    return entry


@transaction.atomic
def ledger_reverse(
    *, entry: LedgerEntry, amount, reason: str, entry_date: date, actor, voucher_number: str = ""
) -> LedgerEntry:
    """A correction or a recovery (追回) as a new reversing row; the original row is never changed.

    Reversing a payout puts money back into its source (at most what was paid out and not
    yet recovered); reversing an allocation takes it out (at most what is left of it, and
    never below a zero balance).
    """
    _require(actor, "subsidies.manage_ledger", "只有财务人员可以登记冲正或追回。")
    reason = _reason_required(reason, "冲正或追回的原因")
    amount = _money(amount, "冲正金额")
    if entry_date is None:
        raise ValidationError("请填写记账日期。")
    source = _lock_source(entry.fund_source_id)
    entry = LedgerEntry.objects.get(pk=entry.pk)
    if entry.kind == LedgerEntry.Kind.REVERSAL:
        raise ValidationError("冲正记录不能再冲正；如需调整，请对原记录另行登记。")
    reversed_so_far = abs(entry.reversals.aggregate(total=Sum("amount"))["total"] or policy.ZERO)
    remaining = abs(entry.amount) - reversed_so_far
    if amount > remaining:
        raise ValidationError(
            f"冲正金额 {policy.yuan(amount)} 元超过原记录尚可冲正的 {policy.yuan(remaining)} 元。"
        )
    signed = amount if entry.kind == LedgerEntry.Kind.PAYOUT else -amount
    prefix = "追回" if entry.kind == LedgerEntry.Kind.PAYOUT else "冲正"
    reversal = _ledger_write(
        source, kind=LedgerEntry.Kind.REVERSAL, amount=signed, actor=actor, entry_date=entry_date,
        voucher_number=(voucher_number or "").strip(), memo=f"{prefix}：{reason}", subsidy_type=entry.subsidy_type,
        claim=entry.claim, payment=entry.payment, reverses=entry,
    )
    audit_record(
        action=AuditEntry.Action.PAYMENT, actor=actor, obj=reversal,
        detail={"kind": "reversal", "reverses": entry.pk, "amount": str(signed), "reason": reason},
    )
    return reversal


# ---------------------------------------------------------------- policy as data


def _policy_snapshot(obj: models.Model) -> dict:
    return {
        field.name: str(getattr(obj, field.attname))
        for field in obj._meta.concrete_fields
        if field.name not in ("id", "seed_key")
    }


@transaction.atomic
def policy_row_save(*, obj: SubsidyStandard | PolicyParameter | PublicHoliday, actor) -> models.Model:
    """Save a standard, a parameter or a holiday edited by a bureau admin, with the audit entry.

    Approved claims are unaffected: their lines hold the amounts computed when they were submitted.
    """
    name = obj._meta.model_name
    verb = "change" if obj.pk else "add"
    _require(actor, f"subsidies.{verb}_{name}", "只有局管理员可以修改补贴标准、政策参数和节假日安排。")
    before = None
    if obj.pk:
        current = type(obj).objects.select_for_update().get(pk=obj.pk)
        before = _policy_snapshot(current)
    obj.full_clean()
    obj.save()
    audit_record(
        action=AuditEntry.Action.POLICY_CHANGE, actor=actor, obj=obj,
        detail={"model": name, "before": before, "after": _policy_snapshot(obj)},
    )
    return obj
