"""Writes of the reports app: quarterly returns and their review, deadlines, the roll-up, indicators.

五（一）: 建立培训工作统计季报、年报制度. Each responsible unit reports its quarter; the HR
bureau reviews; the roll-up turns approved returns and real-name records into progress
against the quotas of the attachment table.
"""

import datetime
import logging
import tempfile
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractQuarter, ExtractYear
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import AuditEntry, User
from accounts.notifications import notify, users_with_permission
from programs.models import ActionPlan, Assignment, Quota, TrainingType, Unit
from qijiang_training.celery import queue_task
from spreadsheets.workbooks import ReportWorkbook
from trainees.models import Enrolment

from . import selectors
from .models import (
    QUARTERS, DeadlineException, ExportFile, IndicatorValue, QuarterlyReturn, ReturnAttachment, ReturnDeadline,
    ReturnGroupLine, ReturnReminder, ReturnTransition, ReturnTypeLine, UnitProgress, quarter_end, quarter_of,
    quarter_start,
)

logger = logging.getLogger(__name__)

Status = QuarterlyReturn.Status
Action = QuarterlyReturn.Action

SUBMIT_PERMISSION = "reports.submit_quarterlyreturn"
REVIEW_PERMISSION = "reports.review_quarterlyreturn"
EXCEPTION_PERMISSION = "reports.grant_deadline_exception"
DEADLINE_PERMISSION = "reports.change_returndeadline"
INDICATOR_PERMISSION = "reports.change_indicatorvalue"

REMINDER_DAYS_BEFORE = 3
# A reminder about a deadline missed long ago tells nobody anything new; the bureau's list of
# missing returns covers those.
MISSED_REMINDER_WINDOW_DAYS = 30
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_SUFFIXES = ("pdf", "jpg", "jpeg", "png", "xlsx", "docx", "zip")


# Returns ---------------------------------------------------------------------------------------


@dataclass
class ReturnData:
    """The figures a unit declares for a quarter. Breakdown keys are ids; ``None`` is 其他人员."""

    person_times: int
    completions: int
    certificates_issued: int
    explanation: str = ""
    by_target_group: dict[int | None, int] = field(default_factory=dict)
    by_training_type: dict[int, int] = field(default_factory=dict)


def _check_count(value, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{label}必须是整数，请重新填写。")
    if value < 0:
        raise ValidationError(f"{label}不能为负数，请填写 0 或正整数。")
    return value


def return_data_validate(data: ReturnData) -> ReturnData:
    """Counts are whole numbers ≥ 0; both breakdowns add up to the total; completions ≤ total."""
    errors: list[str] = []
    checked: dict[str, int] = {}
    for name, label in (("person_times", "培训人次"), ("completions", "结业人次"), ("certificates_issued", "取得证书人次")):
        try:
            checked[name] = _check_count(getattr(data, name), label)
        except ValidationError as exc:
            errors.extend(exc.messages)
    groups = {group.pk: group.name for group in selectors.top_target_groups()}
    for key, value in data.by_target_group.items():
        label = groups.get(key, "其他人员") if key is None or key in groups else None
        if label is None:
            errors.append("人员类别不存在或不是一级类别，请从列表中选择。")
            continue
        try:
            _check_count(value, f"人员类别“{label}”的人次")
        except ValidationError as exc:
            errors.extend(exc.messages)
    types = dict(TrainingType.objects.values_list("pk", "name"))
    for key, value in data.by_training_type.items():
        if key not in types:
            errors.append("培训类型不存在，请从列表中选择。")
            continue
        try:
            _check_count(value, f"培训类型“{types[key]}”的人次")
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    total = checked["person_times"]
    group_sum = sum(data.by_target_group.values())
    type_sum = sum(data.by_training_type.values())
    if group_sum != total:
        errors.append(f"按人员类别分的人次合计为 {group_sum}，与培训人次 {total} 不一致，请核对各类别人次。")
    if type_sum != total:
        errors.append(f"按培训类型分的人次合计为 {type_sum}，与培训人次 {total} 不一致，请核对各培训类型人次。")
    if checked["completions"] > total:
        errors.append(f"结业人次（{checked['completions']}）不能超过培训人次（{total}），请核对。")
    if errors:
        raise ValidationError(errors)
    return data


def return_prefill(*, actor: User, unit: Unit, year: int, quarter: int) -> ReturnData:
    """The figures of the unit's real-name records for the quarter, as a starting point."""
    figures = selectors.real_name_figures(user=actor, unit=unit, year=year, quarter=quarter)
    groups = {key: value for key, value in figures.by_target_group.items() if value}
    return ReturnData(
        person_times=figures.completions,
        completions=figures.completions,
        certificates_issued=figures.certificates,
        by_target_group=groups,
        by_training_type={key: value for key, value in figures.by_training_type.items() if value},
    )


def _require(actor: User, permission: str, message: str) -> None:
    if not (actor and actor.is_authenticated and actor.is_active and actor.has_perm(permission)):
        raise PermissionDenied(message)


def _require_own_unit(actor: User, unit_id: int) -> None:
    _require(actor, SUBMIT_PERMISSION, "只有单位经办人可以填报和报送本单位的统计季报。")
    if actor.unit_id != unit_id:
        raise PermissionDenied("只能填报和报送本单位的统计季报。")


def _write_lines(quarterly_return: QuarterlyReturn, data: ReturnData) -> None:
    quarterly_return.group_lines.all().delete()
    quarterly_return.type_lines.all().delete()
    ReturnGroupLine.objects.bulk_create(
        ReturnGroupLine(quarterly_return=quarterly_return, target_group_id=key, person_times=value)
        for key, value in data.by_target_group.items()
        if value
    )
    ReturnTypeLine.objects.bulk_create(
        ReturnTypeLine(quarterly_return=quarterly_return, training_type_id=key, person_times=value)
        for key, value in data.by_training_type.items()
        if value
    )


@transaction.atomic
def return_create(
    *, plan: ActionPlan, year: int, quarter: int, actor: User, data: ReturnData | None = None
) -> QuarterlyReturn:
    """Open the actor's unit's return for a quarter; without figures it is pre-filled from real-name records."""
    _require(actor, SUBMIT_PERMISSION, "只有单位经办人可以填报统计季报。")
    if actor.unit_id is None:
        raise PermissionDenied("您的账号没有绑定单位，不能填报统计季报。")
    unit = actor.unit
    if year not in plan.years:
        raise ValidationError(f"年度 {year} 不在{plan.name}的范围（{plan.start_year}—{plan.end_year}年）内，请重新选择。")
    if quarter not in QUARTERS:
        raise ValidationError("季度只能是 1 至 4，请重新选择。")
    if not Assignment.objects.filter(plan=plan, unit=unit).exists():
        raise ValidationError(f"{unit}不是{plan.name}的责任单位，不需要报送统计季报。")
    if quarter_start(year, quarter) > timezone.localdate():
        raise ValidationError(f"{year}年第{quarter}季度尚未开始，不能填报。")
    if QuarterlyReturn.objects.filter(plan=plan, unit=unit, year=year, quarter=quarter).exists():
        raise ValidationError(f"本单位{year}年第{quarter}季度的统计季报已经存在，请在季报列表中打开它继续填报。")
    data = return_data_validate(data or return_prefill(actor=actor, unit=unit, year=year, quarter=quarter))
    quarterly_return = QuarterlyReturn(
        plan=plan, unit=unit, year=year, quarter=quarter, person_times=data.person_times,
        completions=data.completions, certificates_issued=data.certificates_issued,
        explanation=data.explanation.strip(), created_by=actor,
    )
    quarterly_return.full_clean()
    quarterly_return.save()
    _write_lines(quarterly_return, data)
    return quarterly_return


def _locked(quarterly_return: QuarterlyReturn) -> QuarterlyReturn:
    return QuarterlyReturn.objects.select_for_update().select_related("plan", "unit").get(pk=quarterly_return.pk)


def _not_editable_message(quarterly_return: QuarterlyReturn) -> str:
    if quarterly_return.status == Status.APPROVED:
        return "该季报已审核通过并锁定，不能修改；如需更正，请联系区人力社保局重新打开。"
    return "该季报已报送，正在等待区人力社保局审核，不能修改；如需更正，请等待审核退回。"


@transaction.atomic
def return_update(*, quarterly_return: QuarterlyReturn, data: ReturnData, actor: User) -> QuarterlyReturn:
    """Change the figures of a draft or returned return of the actor's own unit."""
    _require_own_unit(actor, quarterly_return.unit_id)
    quarterly_return = _locked(quarterly_return)
    if not quarterly_return.is_editable:
        raise ValidationError(_not_editable_message(quarterly_return))
    data = return_data_validate(data)
    quarterly_return.person_times = data.person_times
    quarterly_return.completions = data.completions
    quarterly_return.certificates_issued = data.certificates_issued
    quarterly_return.explanation = data.explanation.strip()
    quarterly_return.updated_at = timezone.now()
    quarterly_return.full_clean()
    quarterly_return.save(
        update_fields=["person_times", "completions", "certificates_issued", "explanation", "updated_at"]
    )
    _write_lines(quarterly_return, data)
    return quarterly_return


def _refusal(action: str, status: str) -> str:
    """Why a transition is not possible from the current state, in the words a user needs."""
    if status == Status.APPROVED and action in (Action.SUBMIT, Action.APPROVE, Action.RETURN):
        return "该季报已审核通过并锁定，不能再报送、审核或退回；如需更正，请由区人力社保局重新打开。"
    if status == Status.RETURNED and action in (Action.APPROVE, Action.RETURN, Action.REOPEN):
        return "该季报已退回单位修改，须单位修改后重新报送，才能审核。"
    if status == Status.SUBMITTED and action == Action.SUBMIT:
        return "该季报已报送，正在等待区人力社保局审核，不能重复报送。"
    if status == Status.SUBMITTED and action == Action.REOPEN:
        return "该季报尚未审核通过，不需要重新打开；请直接审核通过或退回。"
    if status == Status.DRAFT:
        return "该季报尚未报送，须单位报送后才能审核、退回或重新打开。"
    return f"该季报当前状态为“{Status(status).label}”，不能{Action(action).label}。"


def _transition(
    quarterly_return: QuarterlyReturn, *, action: str, actor: User, reason: str = "", fields: tuple[str, ...] = ()
) -> ReturnTransition:
    sources, target = QuarterlyReturn.TRANSITIONS[action]
    if quarterly_return.status not in sources:
        raise ValidationError(_refusal(action, quarterly_return.status))
    from_status = quarterly_return.status
    quarterly_return.status = target
    quarterly_return.transition_count += 1
    quarterly_return.updated_at = timezone.now()
    quarterly_return.full_clean()
    quarterly_return.save(update_fields=["status", "transition_count", "updated_at", *fields])
    # The sequence is unique per return: a second writer that slipped past the row lock fails here.
    transition = ReturnTransition.objects.create(
        quarterly_return=quarterly_return, sequence=quarterly_return.transition_count, action=action,
        from_status=from_status, to_status=target, actor=actor, reason=reason,
    )
    audit_record(
        action=AuditEntry.Action.TRANSITION,
        actor=actor,
        obj=quarterly_return,
        detail={"action": action, "from": from_status, "to": target, "reason": reason},
    )
    return transition


def _return_url(quarterly_return: QuarterlyReturn) -> str:
    return reverse("return_detail", args=[quarterly_return.pk])


def _notify_unit(quarterly_return: QuarterlyReturn, *, kind: str, title: str, body: str) -> None:
    notify(
        recipients=users_with_permission(SUBMIT_PERMISSION, unit_id=quarterly_return.unit_id),
        kind=kind, title=title, body=body, url=_return_url(quarterly_return),
    )


def _notify_reviewers(quarterly_return: QuarterlyReturn, *, kind: str, title: str, body: str) -> None:
    notify(
        recipients=users_with_permission(REVIEW_PERMISSION), kind=kind, title=title, body=body,
        url=_return_url(quarterly_return),
    )


def rollup_queue(plan_id: int) -> None:
    """Queue the roll-up of a plan once the transaction commits; a broker that is down is only logged.

    The scheduled roll-up (every 10 minutes) catches up, so an approval never fails because
    Redis is unavailable.
    """
    from .tasks import progress_rollup_plan

    transaction.on_commit(lambda: queue_task(progress_rollup_plan, plan_id))


def deadline_check(*, quarterly_return: QuarterlyReturn, today: datetime.date) -> bool:
    """Raise if the quarter's deadline has passed without leave; return whether the submission is late."""
    deadline = selectors.deadline_get(plan=quarterly_return.plan, year=quarterly_return.year, quarter=quarterly_return.quarter)
    if not deadline.passed(today):
        return False
    leave = DeadlineException.objects.filter(
        plan_id=quarterly_return.plan_id, unit_id=quarterly_return.unit_id,
        year=quarterly_return.year, quarter=quarterly_return.quarter,
    ).first()
    if leave and leave.until >= today:
        return True
    period = quarterly_return.period
    if leave:
        raise ValidationError(
            f"{period}统计季报的报送截止日期为{deadline.due_date:%Y年%m月%d日}，批准的延期已于"
            f"{leave.until:%Y年%m月%d日}到期，不能报送。请联系区人力社保局再次批准延期报送。"
        )
    raise ValidationError(
        f"{period}统计季报的报送截止日期为{deadline.due_date:%Y年%m月%d日}，已经逾期，不能报送。"
        "请联系区人力社保局批准延期报送。"
    )


@transaction.atomic
def return_submit(
    *, quarterly_return: QuarterlyReturn, actor: User, today: datetime.date | None = None
) -> QuarterlyReturn:
    """Submit for review. The real-name figure is fixed now; a higher declared total needs an explanation.

    The deadline binds the first submission; a return sent back for correction may be resubmitted.
    """
    _require_own_unit(actor, quarterly_return.unit_id)
    quarterly_return = _locked(quarterly_return)
    today = today or timezone.localdate()
    sources, _ = QuarterlyReturn.TRANSITIONS[Action.SUBMIT]
    if quarterly_return.status not in sources:
        raise ValidationError(_refusal(Action.SUBMIT, quarterly_return.status))
    end = quarter_end(quarterly_return.year, quarterly_return.quarter)
    if end >= today:
        raise ValidationError(f"{quarterly_return.period}尚未结束（{end:%Y年%m月%d日}结束），季度结束后才能报送。")
    late = False
    if quarterly_return.status == Status.DRAFT:
        late = deadline_check(quarterly_return=quarterly_return, today=today)
    real_name = selectors.real_name_person_times(
        unit_id=quarterly_return.unit_id, year=quarterly_return.year, quarter=quarterly_return.quarter
    )
    if quarterly_return.person_times > real_name and not quarterly_return.explanation.strip():
        raise ValidationError(
            f"申报的培训人次（{quarterly_return.person_times}）超过本单位培训班实名制结业人次（{real_name}），"
            "请在“情况说明”中说明原因后再报送。"
        )
    # The breakdowns were checked on every save; check again in case reference data changed since.
    return_data_validate(return_data_of(quarterly_return))
    quarterly_return.real_name_person_times = real_name
    quarterly_return.submitted_at = timezone.now()
    if quarterly_return.status == Status.DRAFT:
        quarterly_return.submitted_late = late
    _transition(
        quarterly_return, action=Action.SUBMIT, actor=actor,
        fields=("real_name_person_times", "submitted_at", "submitted_late"),
    )
    _notify_reviewers(
        quarterly_return, kind="return_submitted",
        title=f"{quarterly_return.unit}报送了{quarterly_return.period}统计季报",
        body=f"培训 {quarterly_return.person_times} 人次（实名制结业 {real_name} 人次），请审核。",
    )
    return quarterly_return


def return_data_of(quarterly_return: QuarterlyReturn) -> ReturnData:
    return ReturnData(
        person_times=quarterly_return.person_times,
        completions=quarterly_return.completions,
        certificates_issued=quarterly_return.certificates_issued,
        explanation=quarterly_return.explanation,
        by_target_group={line.target_group_id: line.person_times for line in quarterly_return.group_lines.all()},
        by_training_type={line.training_type_id: line.person_times for line in quarterly_return.type_lines.all()},
    )


def _review_scope(actor: User, quarterly_return: QuarterlyReturn, message: str) -> None:
    _require(actor, REVIEW_PERMISSION, message)
    if not selectors.unit_in_scope(user=actor, unit_id=quarterly_return.unit_id):
        raise PermissionDenied("该季报不在您的账号可处理的范围内。")


def _reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(f"请填写{what}理由，说明需要单位更正的内容。")
    return reason


@transaction.atomic
def return_approve(*, quarterly_return: QuarterlyReturn, actor: User) -> QuarterlyReturn:
    """Approve a submitted return; it is locked from now on and counts towards the unit's quota."""
    _review_scope(actor, quarterly_return, "只有区人力社保局业务人员可以审核统计季报。")
    quarterly_return = _locked(quarterly_return)
    quarterly_return.approved_at = timezone.now()
    _transition(quarterly_return, action=Action.APPROVE, actor=actor, fields=("approved_at",))
    _notify_unit(
        quarterly_return, kind="return_approved", title=f"{quarterly_return.period}统计季报已审核通过",
        body=f"{quarterly_return.unit}{quarterly_return.period}统计季报（{quarterly_return.person_times} 人次）已审核通过。",
    )
    rollup_queue(quarterly_return.plan_id)
    return quarterly_return


@transaction.atomic
def return_send_back(*, quarterly_return: QuarterlyReturn, reason: str, actor: User) -> QuarterlyReturn:
    """Return a submitted return to the unit for correction, saying what to correct."""
    _review_scope(actor, quarterly_return, "只有区人力社保局业务人员可以退回统计季报。")
    reason = _reason(reason, "退回")
    quarterly_return = _locked(quarterly_return)
    _transition(quarterly_return, action=Action.RETURN, actor=actor, reason=reason)
    _notify_unit(
        quarterly_return, kind="return_returned", title=f"{quarterly_return.period}统计季报被退回修改",
        body=f"退回理由：{reason}",
    )
    return quarterly_return


@transaction.atomic
def return_reopen(*, quarterly_return: QuarterlyReturn, reason: str, actor: User) -> QuarterlyReturn:
    """Reopen an approved return: it goes back to the unit for correction and stops counting until re-approved."""
    _review_scope(actor, quarterly_return, "只有区人力社保局业务人员可以重新打开已审核的统计季报。")
    reason = _reason(reason, "重新打开的")
    quarterly_return = _locked(quarterly_return)
    quarterly_return.approved_at = None
    _transition(quarterly_return, action=Action.REOPEN, actor=actor, reason=reason, fields=("approved_at",))
    _notify_unit(
        quarterly_return, kind="return_reopened", title=f"{quarterly_return.period}统计季报已重新打开",
        body=f"区人力社保局重新打开了已审核通过的季报，请更正后重新报送。理由：{reason}",
    )
    rollup_queue(quarterly_return.plan_id)
    return quarterly_return


@transaction.atomic
def return_attachment_add(*, quarterly_return: QuarterlyReturn, upload: UploadedFile, actor: User) -> ReturnAttachment:
    """Attach evidence to an editable return of the actor's unit."""
    _require_own_unit(actor, quarterly_return.unit_id)
    quarterly_return = _locked(quarterly_return)
    if not quarterly_return.is_editable:
        raise ValidationError(_not_editable_message(quarterly_return))
    name = (upload.name or "").rsplit("/", 1)[-1][:200]
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in ATTACHMENT_SUFFIXES:
        raise ValidationError(f"佐证材料只接受 {'、'.join(ATTACHMENT_SUFFIXES)} 格式的文件，“{name}”不符合要求。")
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise ValidationError(f"佐证材料“{name}”超过 10 MB，请压缩后再上传。")
    attachment = ReturnAttachment(quarterly_return=quarterly_return, name=name, size=upload.size, uploaded_by=actor)
    attachment.file.save(name, upload, save=False)
    attachment.full_clean()
    attachment.save()
    return attachment


# Deadlines -------------------------------------------------------------------------------------


DEADLINE_FIELDS = ["days_after_quarter_end", "lifted", "updated_by", "updated_at"]


def _deadline_row(plan: ActionPlan, year: int, quarter: int) -> ReturnDeadline:
    """The stored setting, locked; or a new one holding the default (saved once, so history shows one change)."""
    row = ReturnDeadline.objects.select_for_update().filter(plan=plan, year=year, quarter=quarter).first()
    return row or ReturnDeadline(plan=plan, year=year, quarter=quarter)


def _deadline_save(row: ReturnDeadline) -> None:
    row.full_clean()
    if row._state.adding:
        row.save()
    else:
        row.save(update_fields=DEADLINE_FIELDS)


@transaction.atomic
def deadline_set(
    *, plan: ActionPlan, year: int, quarter: int, actor: User, due_date: datetime.date | None = None,
    lifted: bool = False,
) -> ReturnDeadline:
    """Set one quarter's due date (any day after the quarter ends) or lift it; recorded with history and audit."""
    _require(actor, DEADLINE_PERMISSION, "只有局管理员可以设置报送截止日期。")
    if year not in plan.years or quarter not in QUARTERS:
        raise ValidationError(f"{year}年第{quarter}季度不在{plan.name}的范围内。")
    row = _deadline_row(plan, year, quarter)
    before = {"due_date": row.due_date.isoformat(), "lifted": row.lifted}
    if not lifted:
        if due_date is None:
            raise ValidationError("请填写截止日期，或选择“不限截止日期”。")
        end = quarter_end(year, quarter)
        if due_date <= end:
            raise ValidationError(f"截止日期必须晚于季度结束日（{end:%Y年%m月%d日}），请重新填写。")
        row.days_after_quarter_end = (due_date - end).days
    row.lifted = lifted
    row.updated_by = actor
    row.updated_at = timezone.now()
    _deadline_save(row)
    audit_record(
        action=AuditEntry.Action.DEADLINE_CHANGE, actor=actor, obj=row,
        detail={"plan": plan.code, "year": year, "quarter": quarter, "before": before,
                "after": {"due_date": row.due_date.isoformat(), "lifted": row.lifted}},
    )
    return row


@transaction.atomic
def plan_deadlines_set(
    *, plan: ActionPlan, actor: User, days_after_quarter_end: int | None = None, lifted: bool = False
) -> int:
    """Set every quarter of a plan at once: N days after each quarter ends, or no deadline (catching up)."""
    _require(actor, DEADLINE_PERMISSION, "只有局管理员可以设置报送截止日期。")
    if not lifted:
        if days_after_quarter_end is None or isinstance(days_after_quarter_end, bool) or not 1 <= days_after_quarter_end <= 3650:
            raise ValidationError("季度结束后的天数应为 1 至 3650 之间的整数，请重新填写。")
    changed = 0
    for year in plan.years:
        for quarter in QUARTERS:
            row = _deadline_row(plan, year, quarter)
            if not lifted:
                row.days_after_quarter_end = days_after_quarter_end
            row.lifted = lifted
            row.updated_by = actor
            row.updated_at = timezone.now()
            _deadline_save(row)
            changed += 1
    audit_record(
        action=AuditEntry.Action.DEADLINE_CHANGE, actor=actor, obj=plan,
        detail={"plan": plan.code, "all_quarters": True, "lifted": lifted, "days_after_quarter_end": days_after_quarter_end},
    )
    return changed


@transaction.atomic
def deadline_exception_grant(
    *, plan: ActionPlan, unit: Unit, year: int, quarter: int, until: datetime.date, reason: str, actor: User,
    today: datetime.date | None = None,
) -> DeadlineException:
    """Give one unit leave to submit one quarter's return after the deadline, until a date."""
    _require(actor, EXCEPTION_PERMISSION, "只有区人力社保局业务人员可以批准延期报送。")
    today = today or timezone.localdate()
    if year not in plan.years or quarter not in QUARTERS:
        raise ValidationError(f"{year}年第{quarter}季度不在{plan.name}的范围内。")
    if not Assignment.objects.filter(plan=plan, unit=unit).exists():
        raise ValidationError(f"{unit}不是{plan.name}的责任单位。")
    if until < today:
        raise ValidationError("延期截止日期不能早于今天，请重新填写。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写批准延期的理由。")
    leave = DeadlineException.objects.select_for_update().filter(plan=plan, unit=unit, year=year, quarter=quarter).first()
    before = leave.until.isoformat() if leave else None
    if leave is None:
        leave = DeadlineException(plan=plan, unit=unit, year=year, quarter=quarter, until=until, reason=reason, granted_by=actor)
    leave.until, leave.reason, leave.granted_by, leave.granted_at = until, reason, actor, timezone.now()
    leave.full_clean()
    leave.save()
    audit_record(
        action=AuditEntry.Action.DEADLINE_CHANGE, actor=actor, obj=leave,
        detail={"unit": unit.name, "year": year, "quarter": quarter, "until_before": before,
                "until": until.isoformat(), "reason": reason},
    )
    notify(
        recipients=users_with_permission(SUBMIT_PERMISSION, unit_id=unit.pk), kind="deadline_exception",
        title=f"{year}年第{quarter}季度统计季报已批准延期至{until:%Y年%m月%d日}",
        body=f"理由：{reason}", url=reverse("return_list"),
    )
    return leave


# Roll-up ---------------------------------------------------------------------------------------

TWO_PLACES = Decimal("0.01")


def expected_percent(*, year: int, quarter: int, as_of: datetime.date) -> Decimal:
    """Even pace: 25% a quarter, the current quarter counted by the share of its days gone by."""
    cutoff = min(quarter_end(year, quarter), as_of)
    if cutoff < datetime.date(year, 1, 1):
        return Decimal("0.00")
    current = quarter_of(cutoff)
    start, end = quarter_start(year, current), quarter_end(year, current)
    share = Decimal((cutoff - start).days + 1) / Decimal((end - start).days + 1)
    return (Decimal(25) * (current - 1 + share)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def progress_status(*, achieved: int, quota: int, percent: Decimal | None, expected: Decimal) -> str:
    if achieved >= quota:
        return UnitProgress.Status.ACHIEVED
    if percent is not None and percent >= expected:
        return UnitProgress.Status.ON_TRACK
    return UnitProgress.Status.BEHIND


def progress_rollup(*, plan: ActionPlan, as_of: datetime.date | None = None) -> int:
    """Aggregate approved returns and real-name records of a plan into UnitProgress rows.

    Two GROUP BY queries in the database (returns; completed enrolments of the responsible
    units' classes), then one upsert of unit × year × quarter rows with cumulative figures.
    Running it twice writes the same figures.
    """
    as_of = as_of or timezone.localdate()
    quotas = dict(
        ((unit_id, year), target)
        for unit_id, year, target in Quota.objects.filter(plan=plan, year__in=plan.years).values_list("unit_id", "year", "target")
    )
    approved = {
        (row["unit_id"], row["year"], row["quarter"]): row["total"]
        for row in QuarterlyReturn.objects.filter(plan=plan, status=Status.APPROVED)
        .values("unit_id", "year", "quarter")
        .annotate(total=Sum("person_times"))
        .order_by()
    }
    real_name = {
        (row["training_class__unit_id"], row["year"], row["quarter"]): row["total"]
        for row in Enrolment.objects.filter(
            status=Enrolment.Status.COMPLETED,
            completion_date__gte=datetime.date(plan.start_year, 1, 1),
            completion_date__lte=datetime.date(plan.end_year, 12, 31),
            training_class__unit_id__in=Assignment.objects.filter(plan=plan).values("unit_id"),
        )
        .annotate(year=ExtractYear("completion_date"), quarter=ExtractQuarter("completion_date"))
        .values("training_class__unit_id", "year", "quarter")
        .annotate(total=Count("id"))
        .order_by()
    }
    now = timezone.now()
    rows = []
    for (unit_id, year), quota in quotas.items():
        cumulative = real_cumulative = 0
        for quarter in QUARTERS:
            in_quarter = approved.get((unit_id, year, quarter), 0)
            cumulative += in_quarter
            real_cumulative += real_name.get((unit_id, year, quarter), 0)
            percent = (Decimal(cumulative) * 100 / quota).quantize(TWO_PLACES, rounding=ROUND_HALF_UP) if quota else None
            expected = expected_percent(year=year, quarter=quarter, as_of=as_of)
            rows.append(
                UnitProgress(
                    plan=plan, unit_id=unit_id, year=year, quarter=quarter, quota=quota,
                    quarter_person_times=in_quarter, approved_person_times=cumulative,
                    real_name_person_times=real_cumulative, percent=percent, expected_percent=expected,
                    status=progress_status(achieved=cumulative, quota=quota, percent=percent, expected=expected),
                    computed_at=now,
                )
            )
    with transaction.atomic():
        UnitProgress.objects.filter(plan=plan).exclude(
            unit_id__in={unit_id for unit_id, _ in quotas}, year__in={year for _, year in quotas}
        ).delete()
        UnitProgress.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["plan", "unit", "year", "quarter"],
            update_fields=[
                "quota", "quarter_person_times", "approved_person_times", "real_name_person_times", "percent",
                "expected_percent", "status", "computed_at",
            ],
        )
    return len(rows)


def progress_rollup_all(*, as_of: datetime.date | None = None) -> int:
    """The scheduled roll-up: every plan."""
    return sum(progress_rollup(plan=plan, as_of=as_of) for plan in ActionPlan.objects.all())


# Reminders -------------------------------------------------------------------------------------


def return_reminders_send(*, today: datetime.date | None = None) -> int:
    """Remind units whose return is not in yet when a deadline is 3 days away or has just passed.

    One reminder per unit, quarter, kind and due date, however often this runs.
    """
    today = today or timezone.localdate()
    sent = 0
    done = [Status.SUBMITTED, Status.APPROVED]
    for plan in ActionPlan.objects.filter(start_year__lte=today.year + 1, end_year__gte=today.year - 1):
        for deadline in selectors.deadline_table(plan=plan).values():
            if deadline.lifted:
                continue
            days_left = (deadline.due_date - today).days
            if 0 <= days_left <= REMINDER_DAYS_BEFORE and deadline.quarter_end < today:
                kind = ReturnReminder.Kind.NEAR
            elif -MISSED_REMINDER_WINDOW_DAYS <= days_left < 0:
                kind = ReturnReminder.Kind.MISSED
            else:
                continue
            period = {"plan": plan, "year": deadline.year, "quarter": deadline.quarter}
            units = Unit.objects.filter(assignments__plan=plan).exclude(
                pk__in=QuarterlyReturn.objects.filter(**period, status__in=done).values("unit_id")
            )
            if kind == ReturnReminder.Kind.MISSED:
                units = units.exclude(
                    pk__in=DeadlineException.objects.filter(**period, until__gte=today).values("unit_id")
                )
            for unit in units.order_by("pk"):
                sent += _reminder_send(plan=plan, unit=unit, deadline=deadline, kind=kind)
    return sent


@transaction.atomic
def _reminder_send(*, plan: ActionPlan, unit: Unit, deadline: selectors.Deadline, kind: str) -> int:
    _, created = ReturnReminder.objects.get_or_create(
        plan=plan, unit=unit, year=deadline.year, quarter=deadline.quarter, kind=kind, due_date=deadline.due_date
    )
    if not created:
        return 0
    due = f"{deadline.due_date:%Y年%m月%d日}"
    if kind == ReturnReminder.Kind.NEAR:
        notify(
            recipients=users_with_permission(SUBMIT_PERMISSION, unit_id=unit.pk), kind=kind,
            title=f"{deadline.period}统计季报将于{due}截止",
            body=f"{unit}{deadline.period}统计季报尚未报送，请在{due}前报送。", url=reverse("return_list"),
        )
    else:
        recipients = [
            *users_with_permission(SUBMIT_PERMISSION, unit_id=unit.pk), *users_with_permission(REVIEW_PERMISSION)
        ]
        notify(
            recipients=recipients, kind=kind, title=f"{unit}{deadline.period}统计季报已逾期",
            body=f"报送截止日期为{due}，{unit}尚未报送。逾期后报送须经区人力社保局批准延期。",
            url=reverse("return_missing"),
        )
    return 1


# Indicators ------------------------------------------------------------------------------------


@transaction.atomic
def indicator_value_set(
    *, plan: ActionPlan, year: int, employed_persons: int, skilled_workers: int, high_skilled_workers: int,
    actor: User, note: str = "",
) -> IndicatorValue:
    """Enter a year's district statistics for the outcome indicators of 一（二）."""
    _require(actor, INDICATOR_PERMISSION, "只有区人力社保局业务人员可以录入目标指标数据。")
    if year not in plan.years:
        raise ValidationError(f"年度 {year} 不在{plan.name}的范围内。")
    counts = {}
    for name, value, label in (
        ("employed_persons", employed_persons, "就业人员总量"),
        ("skilled_workers", skilled_workers, "技能劳动者"),
        ("high_skilled_workers", high_skilled_workers, "高技能人才"),
    ):
        counts[name] = _check_count(value, label)
    if counts["skilled_workers"] > counts["employed_persons"]:
        raise ValidationError("技能劳动者人数不能超过就业人员总量，请核对。")
    if counts["high_skilled_workers"] > counts["skilled_workers"]:
        raise ValidationError("高技能人才人数不能超过技能劳动者人数，请核对。")
    if counts["employed_persons"] == 0:
        raise ValidationError("就业人员总量必须大于 0。")
    value = IndicatorValue.objects.select_for_update().filter(plan=plan, year=year).first()
    before = None
    if value is None:
        value = IndicatorValue(plan=plan, year=year, **counts)
    else:
        before = {name: getattr(value, name) for name in counts}
        for name, number in counts.items():
            setattr(value, name, number)
    value.note = (note or "").strip()[:200]
    value.updated_by = actor
    value.updated_at = timezone.now()
    value.full_clean()
    value.save()
    audit_record(
        action=AuditEntry.Action.STATISTICS_ENTRY, actor=actor, obj=value,
        detail={"plan": plan.code, "year": year, "before": before, "after": counts},
    )
    return value



# Exports ---------------------------------------------------------------------------------------
# 五（一）、四（四）: reports and rosters go to Excel for the bureau and the auditors. Small exports
# are written straight into the response; above EXPORT_BACKGROUND_THRESHOLD rows a task writes
# the file into the media storage and an ExportFile row tracks it for its requester.

def _exporters():
    # exporters imports forms, which imports this module: look the registry up when needed.
    from . import exporters

    return exporters


@dataclass
class PreparedExport:
    """A checked request: the kind, its filters as stored JSON, how many rows, and its names."""

    kind: "object"
    filters: dict
    row_count: int
    title: str
    unmasked: bool

    @property
    def filename(self) -> str:
        return f"{self.title}_{timezone.localtime():%Y%m%d-%H%M%S}"


@dataclass
class DirectExport:
    """A small export written at once: a temporary file to send as the download."""

    file: object
    filename: str
    row_count: int


def _form_messages(form) -> list[str]:
    messages = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        messages.extend(f"{label}：{error}" if label else error for error in errors)
    return messages


def export_prepare(*, kind: str, data, actor: User) -> PreparedExport:
    """Check the actor may export this kind (and reveal, if asked unmasked), validate the filters, count rows."""
    exporters = _exporters()
    export_kind = exporters.export_kinds().get(kind)
    if export_kind is None:
        raise ValidationError(f"没有“{kind}”这种导出类型，请从导出页面选择。")
    if not export_kind.available_to(actor):
        raise PermissionDenied(f"您的账号不能导出{export_kind.title}。")
    form = export_kind.form(data, user=actor)
    if not form.is_valid():
        raise ValidationError(_form_messages(form))
    filters = exporters.stored_filters(form.cleaned_data)
    unmasked = bool(filters.get("unmasked"))
    if unmasked and not (export_kind.reveal_permission and actor.has_perm(export_kind.reveal_permission)):
        raise PermissionDenied("您的账号不能导出完整的身份证号码和手机号码，请取消“导出完整身份证号码和手机号码”后重试。")
    row_count = export_kind.count(user=actor, filters=filters)
    return PreparedExport(kind=export_kind, filters=filters, row_count=row_count,
                          title=export_kind.label(filters), unmasked=unmasked)


def _export_audit(*, prepared: PreparedExport, actor: User, request, stage: str, obj=None, **detail) -> None:
    info = {"kind": prepared.kind.key, "title": prepared.title, "filters": prepared.filters,
            "rows": prepared.row_count, "stage": stage, **detail}
    if prepared.unmasked and stage == "request":
        audit_record(action=AuditEntry.Action.REVEAL, actor=actor, request=request, obj=obj,
                     detail={**info, "fields": ["身份证号码", "手机号码"]})
    audit_record(action=AuditEntry.Action.EXPORT, actor=actor, request=request, obj=obj, detail=info)


def export_write(*, kind, filters: dict, user: User, out, on_progress=None) -> int:
    """Write one export's workbook into ``out`` (a binary file) and return the rows written."""
    book = ReportWorkbook()
    rows = kind.write(book, user=user, filters=filters, on_progress=on_progress)
    book.save(out)
    return rows


def export_direct(*, prepared: PreparedExport, actor: User, request=None) -> DirectExport:
    """Write a small export now into a temporary file (memory stays flat) and audit it."""
    out = tempfile.TemporaryFile()
    try:
        rows = export_write(kind=prepared.kind, filters=prepared.filters, user=actor, out=out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    _export_audit(prepared=prepared, actor=actor, request=request, stage="request", delivery="direct", written=rows)
    return DirectExport(file=out, filename=prepared.filename, row_count=rows)


@transaction.atomic
def export_queue(*, prepared: PreparedExport, actor: User, request=None) -> ExportFile:
    """Record the export as queued, audit the request, and start the task once committed."""
    export = ExportFile(
        requester=actor, kind=prepared.kind.key, title=prepared.title[:200], filters=prepared.filters,
        unmasked=prepared.unmasked, row_count=prepared.row_count, filename=prepared.filename[:200],
    )
    export.full_clean()
    export.save(force_insert=True)
    _export_audit(prepared=prepared, actor=actor, request=request, stage="request", obj=export, delivery="background")
    transaction.on_commit(lambda: _export_send(export.pk))
    return export


def _export_send(export_id: int) -> None:
    """Hand the export to the worker; with the broker down the requester sees why at once."""
    from .tasks import export_run

    if not queue_task(export_run, export_id):
        export = ExportFile.objects.filter(pk=export_id, status=ExportFile.Status.QUEUED).first()
        if export is not None:
            _export_fail(export, reason="导出失败：后台任务服务暂时不可用，请稍后重新申请。")


def export_request(*, kind: str, data, actor: User, request=None, background: bool | None = None):
    """Prepare an export; above the threshold (or when ``background``) queue it, else write it now.

    Returns an ExportFile (background) or a DirectExport (the file to send).
    """
    prepared = export_prepare(kind=kind, data=data, actor=actor)
    if background is None:
        background = prepared.row_count > settings.EXPORT_BACKGROUND_THRESHOLD
    if background:
        return export_queue(prepared=prepared, actor=actor, request=request)
    return export_direct(prepared=prepared, actor=actor, request=request)


@transaction.atomic
def _export_start(export_id: int) -> ExportFile | None:
    export = ExportFile.objects.select_for_update().filter(pk=export_id).first()
    # Running again after a lost worker is fine; a finished, failed or expired export is left alone.
    if export is None or export.status not in (ExportFile.Status.QUEUED, ExportFile.Status.RUNNING):
        return None
    export.status = ExportFile.Status.RUNNING
    export.started_at = timezone.now()
    export.progress = 0
    export.save(update_fields=["status", "started_at", "progress"])
    return export


@transaction.atomic
def _export_finish(export: ExportFile, *, name: str, rows: int, size: int) -> ExportFile:
    locked = ExportFile.objects.select_for_update().get(pk=export.pk)
    now = timezone.now()
    locked.file.name = name
    locked.status = ExportFile.Status.DONE
    locked.row_count = rows
    locked.progress = rows
    locked.size = size
    locked.error = ""
    locked.finished_at = now
    locked.expires_at = now + datetime.timedelta(days=settings.EXPORT_FILE_RETENTION_DAYS)
    locked.save(update_fields=["file", "status", "row_count", "progress", "size", "error", "finished_at", "expires_at"])
    return locked


@transaction.atomic
def _export_fail(export: ExportFile, *, reason: str) -> ExportFile:
    locked = ExportFile.objects.select_for_update().get(pk=export.pk)
    now = timezone.now()
    locked.status = ExportFile.Status.FAILED
    locked.error = reason[:2000]
    locked.finished_at = now
    locked.expires_at = now + datetime.timedelta(days=settings.EXPORT_FILE_RETENTION_DAYS)
    locked.save(update_fields=["status", "error", "finished_at", "expires_at"])
    return locked


def _failure_reason(exc: Exception) -> str:
    if isinstance(exc, (PermissionDenied, ValidationError)):
        text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        return f"导出失败：{text or '您的账号已不能导出此类数据。'}"
    return f"导出失败：生成文件时出错（{type(exc).__name__}: {exc}）。请重新申请；如仍失败请联系系统管理员。"


def export_run(*, export_id: int) -> ExportFile | None:
    """The background task's work: write the file in write-only mode into the media storage.

    Not one transaction: the row is marked running, progress is committed every
    exporters.PROGRESS_EVERY rows so the requester can watch it, and the end state (done with
    the file, or failed with the reason) is written in its own short transaction.
    """
    export = _export_start(export_id)
    if export is None:
        return None

    def on_progress(rows: int) -> None:
        ExportFile.objects.filter(pk=export.pk, status=ExportFile.Status.RUNNING).update(progress=rows)

    try:
        kind = _exporters().export_kinds().get(export.kind)
        requester = export.requester
        if kind is None:
            raise ValidationError(f"导出类型“{export.kind}”已不存在。")
        if not kind.available_to(requester):
            raise PermissionDenied("您的账号已不能导出此类数据。")
        if export.unmasked and not (kind.reveal_permission and requester.has_perm(kind.reveal_permission)):
            raise PermissionDenied("您的账号已不能导出完整的个人信息。")
        with tempfile.TemporaryFile() as out:
            rows = export_write(kind=kind, filters=export.filters, user=requester, out=out, on_progress=on_progress)
            size = out.tell()
            out.seek(0)
            export.file.save(f"{export.pk}.xlsx", File(out), save=False)
    except Exception as exc:  # a failure is shown to the requester, never lost
        logger.exception("export %s failed", export_id)
        return _export_fail(export, reason=_failure_reason(exc))
    return _export_finish(export, name=export.file.name, rows=rows, size=size)


def export_file_open(*, export: ExportFile, actor: User, request=None):
    """Open a finished export for its requester and audit the download."""
    if export.requester_id != actor.pk:
        raise PermissionDenied("只有申请导出的账号本人可以下载该文件。")
    if export.status != ExportFile.Status.DONE or not export.file:
        raise ValidationError(f"该导出{export.get_status_display()}，没有可下载的文件。")
    handle = export.file.open("rb")
    audit_record(
        action=AuditEntry.Action.EXPORT, actor=actor, request=request, obj=export,
        detail={"kind": export.kind, "title": export.title, "filters": export.filters, "rows": export.row_count,
                "stage": "download"},
    )
    return handle


def exports_expire(*, now: datetime.datetime | None = None) -> int:
    """Delete export files older than EXPORT_FILE_RETENTION_DAYS and mark their rows expired (idempotent)."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.EXPORT_FILE_RETENTION_DAYS)
    stale = ExportFile.objects.filter(status__in=[ExportFile.Status.DONE, ExportFile.Status.FAILED]).filter(
        Q(expires_at__lte=now) | Q(finished_at__lt=cutoff)
    )
    expired = 0
    for export_id in stale.values_list("pk", flat=True):
        expired += _export_expire_one(export_id, now=now)
    return expired


@transaction.atomic
def _export_expire_one(export_id: int, *, now: datetime.datetime) -> int:
    export = ExportFile.objects.select_for_update().filter(pk=export_id).first()
    if export is None or export.status not in (ExportFile.Status.DONE, ExportFile.Status.FAILED):
        return 0
    if export.file:
        export.file.delete(save=False)
    export.file = ""
    export.status = ExportFile.Status.EXPIRED
    export.expires_at = export.expires_at or now
    export.save(update_fields=["file", "status", "expires_at"])
    return 1
