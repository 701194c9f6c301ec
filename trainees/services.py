"""Writes to the real-name registry (实名制信息管理, 三（四）): trainees, enrolments, certificates,
roster imports, reveals and exports of personal data.

Every service checks the actor's permission and scope again (a page or an API view has
already looked the objects up through the scoped selectors). ``actor=None`` means the
command line, run by someone with shell access to the server, and is not checked.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, BinaryIO

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, Case, Exists, F, OuterRef, Value, When
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from accounts.audit import audit_record
from accounts.models import AuditEntry, User
from accounts.roles import Role, roles_of
from accounts.scoping import sees_all_units
from programs.models import CertificateType, Occupation, SkillLevel, TrainingClass, Unit
from programs.selectors import training_class_list

from . import selectors
from .bulk import bulk_insert, filter_in, prepared
from .idnumbers import IdNumberError, mask_id_number, parse_id_number
from .labels import ChoiceError, choice_value
from .masking import mask_name
from .models import Certificate, Enrolment, TargetGroup, Trainee
from .phones import PhoneError, parse_mobile
from .roster_workbook import RosterError, RosterRow, name_error, read_roster

BATCH_SIZE = 2000

# --- permission and scope ---------------------------------------------------------------


def require_permission(actor: User | None, permission: str, action: str) -> None:
    """Refuse with a Chinese message naming ``action`` unless the actor holds ``permission`` (views reuse it)."""
    if actor is None:
        return
    if actor.is_authenticated and actor.is_active and actor.has_perm(permission):
        return
    if Role.AUDITOR in roles_of(actor):
        raise PermissionDenied(f"审计人员只能查看数据，不能{action}。")
    raise PermissionDenied(f"您的账号没有{action}的权限。如需开通，请联系安全管理员。")


def _registering_unit(*, actor: User | None, unit: Unit | None, training_class: TrainingClass | None) -> Unit | None:
    """The unit recorded as having registered new trainees (it scopes them for unit operators)."""
    if training_class is not None:
        if unit is not None and unit.pk != training_class.unit_id:
            raise ValidationError(
                f"培训班“{training_class}”属于{training_class.unit}，不属于{unit}，请核对单位或培训班。"
            )
        return training_class.unit
    if actor is None or sees_all_units(actor):
        return unit
    if actor.unit_id:
        if unit is not None and unit.pk != actor.unit_id:
            raise PermissionDenied(f"您只能以本单位（{actor.unit}）的名义登记学员。")
        return actor.unit
    if unit is not None:
        raise PermissionDenied("机构经办人不能以单位的名义登记学员，请在本机构培训班的花名册中导入。")
    return None


def _lock_class(*, actor: User | None, training_class: TrainingClass) -> TrainingClass:
    """Lock the class row (capacity is counted under this lock) after checking scope."""
    if actor is not None and not training_class_list(user=actor).filter(pk=training_class.pk).exists():
        raise PermissionDenied(f"培训班“{training_class}”不在您的管理范围内，不能登记其学员。")
    locked = TrainingClass.objects.select_for_update().select_related("unit").get(pk=training_class.pk)
    if locked.status == TrainingClass.Status.CANCELLED:
        raise ValidationError(f"培训班“{locked}”已撤销，不能再登记学员。")
    return locked


def _visible_trainee_ids(actor: User | None, ids: Iterable[int]) -> set[int]:
    ids = list(ids)
    if actor is None:
        return set(ids)
    visible: set[int] = set()
    for queryset in filter_in(selectors.trainees_visible_to(actor), "pk", ids, db_type="bigint"):
        visible.update(queryset.values_list("pk", flat=True))
    return visible


def _name_key(name: str) -> str:
    # 买买提·艾力 may arrive with any of several middle dots, or with stray spaces.
    text = unicodedata.normalize("NFKC", name or "")
    text = "".join(ch for ch in text if not ch.isspace())
    for dot in "•・‧∙⋅.．":
        text = text.replace(dot, "·")
    return text


def _name_conflict_message(*, id_number: str, registered: str, given: str, visible: bool) -> str:
    shown = registered if visible else mask_name(registered)
    return (
        f"身份证号码{mask_id_number(id_number)}已登记为“{shown}”，与填写的姓名“{given}”不一致。"
        "同一身份证号码不能登记为不同的人，请核对姓名和身份证号码"
    )


# --- trainees ---------------------------------------------------------------------------

FLAG_FIELDS = ("seeks_work_in_district", "receives_monthly_pension")


@dataclass
class TraineeValues:
    """Checked and normalised values of one person (birth date and sex come from the ID number)."""

    name: str
    id_number: str
    birth_date: date
    sex: str
    mobile: str
    fields: dict[str, Any] = field(default_factory=dict)  # optional fields present in the input
    groups: list[TargetGroup] = field(default_factory=list)


def _target_groups(values: Iterable[Any]) -> list[TargetGroup]:
    wanted = list(values or [])
    if not wanted:
        return []
    groups = {group.pk: group for group in TargetGroup.objects.all()}
    by_name = {group.name: group for group in groups.values()}
    found: list[TargetGroup] = []
    unknown: list[str] = []
    for value in wanted:
        if isinstance(value, TargetGroup):
            group = value
        elif isinstance(value, int):
            group = groups.get(value)
        else:
            group = by_name.get(str(value).strip())
        if group is None:
            unknown.append(str(value))
        elif group not in found:
            found.append(group)
    if unknown:
        allowed = "、".join(by_name)
        raise ValidationError({"target_groups": f"人员类别“{'、'.join(unknown)}”不存在，可填写：{allowed}"})
    return found


def trainee_values_clean(data: Mapping[str, Any]) -> TraineeValues:
    """Check one person's input; raise ValidationError with a Chinese message per field."""
    errors: dict[str, str] = {}
    name = str(data.get("name") or "").strip()
    problem = name_error(name)
    if problem:
        errors["name"] = problem
    parsed = None
    try:
        parsed = parse_id_number(data.get("id_number") or "")
    except IdNumberError as exc:
        errors["id_number"] = exc.message
    mobile = ""
    try:
        mobile = parse_mobile(data.get("mobile") or "")
    except PhoneError as exc:
        errors["mobile"] = exc.message
    fields: dict[str, Any] = {}
    choice_fields = {
        "household_type": (Trainee.HouseholdType, "户口性质"),
        "education": (Trainee.Education, "文化程度"),
        "employment_status": (Trainee.EmploymentStatus, "就业状态"),
    }
    for key, (choices, label) in choice_fields.items():
        if key in data:
            try:
                fields[key] = choice_value(choices, data[key], field_label=label)
            except ChoiceError as exc:
                errors[key] = exc.message
    for key in ("household_address", "residence_address"):
        if key in data:
            text = str(data[key] or "").strip()
            if len(text) > 200:
                errors[key] = f"内容过长（{len(text)}个字），最多200个字，请精简后重新填写"
            fields[key] = text
    for key in FLAG_FIELDS:
        if key in data:
            fields[key] = bool(data[key])
    groups: list[TargetGroup] = []
    try:
        groups = _target_groups(data.get("target_groups") or [])
    except ValidationError as exc:
        errors.update({key: "；".join(messages) for key, messages in exc.message_dict.items()})
    if errors or parsed is None:
        raise ValidationError(errors)
    return TraineeValues(
        name=name, id_number=parsed.number, birth_date=parsed.birth_date, sex=parsed.sex,
        mobile=mobile, fields=fields, groups=groups,
    )


@transaction.atomic
def trainee_register(*, data: Mapping[str, Any], actor: User | None, unit: Unit | None = None) -> Trainee:
    """Register one person in the real-name registry (实名制, 三（四）), or update them.

    The ID number is the key: normalised and validated by GB 11643-1999, birth date and
    sex derived from it. The same number arriving with another name is refused, never
    merged. An existing person with the same name is updated: values given replace the
    stored ones, blank ones keep them, target groups are added.
    """
    values = trainee_values_clean(data)
    registering_unit = _registering_unit(actor=actor, unit=unit, training_class=None)
    existing = Trainee.objects.select_for_update().filter(id_number=values.id_number).first()
    if existing is not None:
        require_permission(actor, "trainees.change_trainee", "更新学员信息")
        if _name_key(existing.name) != _name_key(values.name):
            visible = bool(_visible_trainee_ids(actor, [existing.pk]))
            raise ValidationError({"name": _name_conflict_message(
                id_number=existing.id_number, registered=existing.name, given=values.name, visible=visible)})
        changed = [
            key for key, value in values.fields.items()
            if (value or key in FLAG_FIELDS) and getattr(existing, key) != value
        ]
        if changed or values.mobile != existing.mobile:
            for key in changed:
                setattr(existing, key, values.fields[key])
            if values.mobile != existing.mobile:
                existing.mobile = values.mobile
                changed.append("mobile")
            existing.full_clean()
            existing.save(update_fields=[*changed, "updated_at"])
        new_groups = [group for group in values.groups if group not in set(existing.target_groups.all())]
        if new_groups:
            existing.target_groups.add(*new_groups)
        return existing
    require_permission(actor, "trainees.add_trainee", "登记学员")
    trainee = Trainee(
        id_number=values.id_number,
        name=values.name,
        sex=values.sex,
        birth_date=values.birth_date,
        mobile=values.mobile,
        registered_by_unit=registering_unit,
        **values.fields,
    )
    trainee.full_clean()
    try:
        with transaction.atomic():
            trainee.save()
    except IntegrityError:
        raise ValidationError({"id_number": "该身份证号码刚刚被其他人登记，请刷新后重试。"}) from None
    if values.groups:
        trainee.target_groups.set(values.groups)
    return trainee


# --- enrolments -------------------------------------------------------------------------


def _live_overlap() -> Exists:
    """The overlap rule, for the enrolment of the outer query (the one place it is written).

    Another enrolment of the same trainee, not dropped, in a class whose dates share at
    least one day with this enrolment's class.
    """
    return Exists(
        Enrolment.objects.filter(
            trainee_id=OuterRef("trainee_id"),
            training_class__start_date__lte=OuterRef("training_class__end_date"),
            training_class__end_date__gte=OuterRef("training_class__start_date"),
        )
        .exclude(pk=OuterRef("pk"))
        .exclude(status=Enrolment.Status.DROPPED)
    )


@transaction.atomic
def trainee_overlaps_refresh(*, trainee_ids: Iterable[int], actor: User | None = None, cause: str = "") -> int:
    """Recompute ``overlaps_other_class`` on every enrolment of these trainees; return how many changed.

    A trainee in two classes at the same time is a fraud signal for reviewers (四（四）: 虚假培训
    is to be found and punished). An enrolment that is not dropped is flagged when the rule of
    :func:`_live_overlap` holds; a dropped one is never flagged; a flag that no longer holds is
    cleared. Call it after anything that changes the rule's inputs: an enrolment added
    (enrolment_create, the roster import) or dropped (enrolment_drop), or a class's dates
    changed (programs.services.training_class_update, through a discovery hook: programs may
    not import this app). ``cause`` says what happened, for the history rows.
    """
    ids = sorted({int(pk) for pk in trainee_ids})
    should = Case(
        When(status=Enrolment.Status.DROPPED, then=Value(False)),
        default=_live_overlap(),
        output_field=BooleanField(),
    )
    flagged: list[Enrolment] = []
    cleared: list[Enrolment] = []
    for queryset in filter_in(Enrolment.objects.all(), "trainee_id", ids, db_type="bigint"):
        stale = queryset.alias(should=should).exclude(overlaps_other_class=F("should"))
        for enrolment in stale.select_for_update(of=("self",)).order_by("pk"):
            enrolment.overlaps_other_class = not enrolment.overlaps_other_class
            (flagged if enrolment.overlaps_other_class else cleared).append(enrolment)
    suffix = f"：{cause}" if cause else ""
    now = timezone.now()
    for rows, reason in ((flagged, "与其他培训班时间重叠"), (cleared, "时间重叠已消除")):
        if rows:
            bulk_update_with_history(
                rows, Enrolment, ["overlaps_other_class"], batch_size=BATCH_SIZE, default_user=actor,
                default_date=now, default_change_reason=(reason + suffix)[:100],
            )
    return len(flagged) + len(cleared)


@transaction.atomic
def enrolment_create(*, trainee: Trainee, training_class: TrainingClass, actor: User | None) -> Enrolment:
    """Enrol one trainee in one class.

    Capacity is counted under a row lock on the class, so two operators cannot both take
    the last place. A trainee already in a class whose dates overlap is not refused but
    flagged on both enrolments (trainee_overlaps_refresh).
    """
    require_permission(actor, "trainees.add_enrolment", "为培训班登记学员")
    locked = _lock_class(actor=actor, training_class=training_class)
    if Enrolment.objects.filter(trainee=trainee, training_class=locked).exists():
        raise ValidationError(f"{trainee.name}已在培训班“{locked}”的花名册中，不需要重复报名。")
    taken = Enrolment.objects.filter(training_class=locked).exclude(status=Enrolment.Status.DROPPED).count()
    if taken >= locked.capacity:
        raise ValidationError(
            f"培训班“{locked}”计划人数{locked.capacity}人已报满，不能再报名。"
            "请选择其他培训班，或请责任单位调整计划人数。"
        )
    enrolment = Enrolment(
        trainee=trainee, training_class=locked, status=Enrolment.Status.ENROLLED, created_by=actor
    )
    enrolment.full_clean()
    enrolment.save()
    trainee_overlaps_refresh(trainee_ids=[trainee.pk], actor=actor, cause=f"报名培训班{locked.code}")
    enrolment.refresh_from_db(fields=["overlaps_other_class"])
    return enrolment


def _transition(
    *,
    enrolment: Enrolment,
    to: str,
    actor: User | None,
    reason: str,
    request=None,
    check: Callable[[Enrolment], None] | None = None,
    **changes: Any,
) -> Enrolment:
    """One move of the enrolment workflow (Enrolment.TRANSITIONS): permission, scope, lock, check, save, audit."""
    require_permission(actor, "trainees.change_enrolment", "变更参训状态")
    locked = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("training_class", "trainee")
        .get(pk=enrolment.pk)
    )
    if actor is not None and not selectors.enrolment_list(user=actor).filter(pk=locked.pk).exists():
        raise PermissionDenied("该参训记录不在您的管理范围内。")
    before = locked.status
    if to not in Enrolment.TRANSITIONS[before]:
        raise ValidationError(
            f"参训记录当前状态为“{locked.get_status_display()}”，不能改为“{Enrolment.Status(to).label}”。"
        )
    if check is not None:
        check(locked)
    locked.status = to
    for key, value in changes.items():
        setattr(locked, key, value)
    locked._change_reason = reason[:100] or Enrolment.Status(to).label
    locked.full_clean()
    locked.save(update_fields=["status", *changes])
    audit_record(
        action=AuditEntry.Action.TRANSITION,
        actor=actor,
        request=request,
        obj=locked,
        detail={
            "from": before, "to": to, "reason": reason, "training_class": locked.training_class.code,
            **{key: str(value) for key, value in changes.items()},
        },
    )
    return locked


def _completion_date_check(completion_date: date | None, training_class: TrainingClass) -> None:
    if completion_date is None:
        raise ValidationError("请填写结业日期。")
    if completion_date < training_class.start_date:
        raise ValidationError(
            f"结业日期{completion_date}早于开班日期{training_class.start_date}，请核对。"
        )
    if completion_date > timezone.localdate():
        raise ValidationError(f"结业日期{completion_date}晚于今天，请在结业后再登记。")


@transaction.atomic
def enrolment_complete(
    *, enrolment: Enrolment, completion_date: date | None, actor: User | None, reason: str = "", request=None
) -> Enrolment:
    """结业: the trainee finished the class on ``completion_date`` (not before the class started, not in the future)."""
    return _transition(
        enrolment=enrolment, to=Enrolment.Status.COMPLETED, actor=actor, reason=(reason or "").strip(),
        request=request, check=lambda locked: _completion_date_check(completion_date, locked.training_class),
        completion_date=completion_date,
    )


DROP_REASON_MAX = 200


def _drop_reason_check(reason: str) -> None:
    if not reason:
        raise ValidationError("请填写退学原因。")
    if len(reason) > DROP_REASON_MAX:
        raise ValidationError(f"退学原因过长（{len(reason)}个字），最多{DROP_REASON_MAX}个字，请精简。")


@transaction.atomic
def enrolment_drop(*, enrolment: Enrolment, reason: str, actor: User | None, request=None) -> Enrolment:
    """退学: the trainee left the class; the place is freed for the capacity count, overlap flags recomputed."""
    reason = (reason or "").strip()
    dropped = _transition(
        enrolment=enrolment, to=Enrolment.Status.DROPPED, actor=actor, reason=reason, request=request,
        check=lambda locked: _drop_reason_check(reason),
    )
    trainee_overlaps_refresh(
        trainee_ids=[dropped.trainee_id], actor=actor, cause=f"从培训班{dropped.training_class.code}退学"
    )
    dropped.refresh_from_db(fields=["overlaps_other_class"])
    return dropped


def _for_each(enrolments: Sequence[Enrolment], action: Callable[[Enrolment], Enrolment], verb: str) -> list[Enrolment]:
    """Run ``action`` on every enrolment; any refusal and none of them is changed (the caller's transaction)."""
    if not enrolments:
        raise ValidationError(f"请先勾选要办理{verb}的学员。")
    done: list[Enrolment] = []
    problems: list[str] = []
    for enrolment in enrolments:
        try:
            done.append(action(enrolment))
        except ValidationError as exc:
            problems.append(f"{enrolment.trainee.name}（{enrolment.trainee.id_number_masked}）：{'；'.join(exc.messages)}")
    if problems:
        raise ValidationError([f"以下{len(problems)}名学员不能办理{verb}，本次未办理任何学员：", *problems])
    return done


@transaction.atomic
def enrolment_bulk_complete(
    *, enrolments: Sequence[Enrolment], completion_date: date | None, actor: User | None, reason: str = "",
    request=None,
) -> list[Enrolment]:
    """结业 of several trainees on one date: all of them, or (on any refusal) none."""
    require_permission(actor, "trainees.change_enrolment", "变更参训状态")
    if completion_date is None:
        raise ValidationError("请填写结业日期。")
    if completion_date > timezone.localdate():
        raise ValidationError(f"结业日期{completion_date}晚于今天，请在结业后再登记。")
    return _for_each(enrolments, lambda e: enrolment_complete(
        enrolment=e, completion_date=completion_date, actor=actor, reason=reason, request=request), "结业")


@transaction.atomic
def enrolment_bulk_drop(
    *, enrolments: Sequence[Enrolment], reason: str, actor: User | None, request=None
) -> list[Enrolment]:
    """退学 of several trainees for one reason: all of them, or (on any refusal) none."""
    require_permission(actor, "trainees.change_enrolment", "变更参训状态")
    _drop_reason_check((reason or "").strip())
    return _for_each(enrolments, lambda e: enrolment_drop(
        enrolment=e, reason=reason, actor=actor, request=request), "退学")


# --- certificates -----------------------------------------------------------------------


@transaction.atomic
def certificate_register(
    *,
    trainee: Trainee,
    number: str,
    issuing_body: str,
    issued_on: date | None,
    actor: User | None,
    certificate_type: CertificateType | None = None,
    occupation: Occupation | None = None,
    level: SkillLevel | None = None,
    enrolment: Enrolment | None = None,
    request=None,
) -> Certificate:
    """Record a certificate (四（二）: the five certificate types); the number is unique per type.

    Linked to the enrolment that led to it, the type, occupation and level default to what the
    class's programme awards, and the issue date may not be before the class started.
    """
    require_permission(actor, "trainees.add_certificate", "登记证书")
    if actor is not None and not _visible_trainee_ids(actor, [trainee.pk]):
        raise PermissionDenied("该学员不在您的管理范围内。")
    errors: dict[str, str] = {}
    training_class = None
    if enrolment is not None:
        if enrolment.trainee_id != trainee.pk:
            raise ValidationError({"enrolment": "所选参训记录不是该学员的，请核对。"})
        if actor is not None and not selectors.enrolment_list(user=actor).filter(pk=enrolment.pk).exists():
            raise PermissionDenied("该参训记录不在您的管理范围内。")
        # Read again under a lock: the caller's copy may predate a drop-out.
        enrolment = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("training_class__programme")
            .get(pk=enrolment.pk)
        )
        training_class = enrolment.training_class
        if enrolment.status == Enrolment.Status.DROPPED:
            errors["enrolment"] = (
                f"{trainee.name}已从培训班“{training_class}”退学，不能登记为该班取得的证书；"
                "如证书与该班无关，请不选择对应培训班。"
            )
        programme = training_class.programme
        certificate_type = certificate_type or programme.certificate_type
        occupation = occupation or programme.occupation
        level = level or programme.level
    if certificate_type is None:
        errors["certificate_type"] = "请选择证书类型。"
    if occupation is None:
        errors["occupation"] = "请选择职业（工种）。"
    if level is None:
        errors["level"] = "请选择等级。"
    number = "".join(unicodedata.normalize("NFKC", number or "").split()).upper()
    if not number:
        errors["number"] = "请填写证书编号。"
    elif len(number) > 50:
        errors["number"] = f"证书编号过长（{len(number)}位），最多50位，请核对。"
    issuing_body = (issuing_body or "").strip()
    if not issuing_body:
        errors["issuing_body"] = "请填写发证机构。"
    elif len(issuing_body) > 200:
        errors["issuing_body"] = f"发证机构名称过长（{len(issuing_body)}个字），最多200个字。"
    if issued_on is None:
        errors["issued_on"] = "请填写发证日期。"
    elif issued_on > timezone.localdate():
        errors["issued_on"] = f"发证日期{issued_on}晚于今天，请核对。"
    elif training_class is not None and issued_on < training_class.start_date:
        errors["issued_on"] = (
            f"发证日期{issued_on}早于培训班“{training_class}”的开班日期{training_class.start_date}，请核对。"
        )
    if errors:
        raise ValidationError(errors)
    holder = (
        Certificate.objects.select_related("trainee")
        .filter(certificate_type=certificate_type, number=number)
        .first()
    )
    if holder is not None:
        raise ValidationError({"number": (
            f"{certificate_type}编号{number}已登记（持证人{mask_name(holder.trainee.name)}），"
            "同一类型的证书编号不能重复，请核对证书编号。"
        )})
    certificate = Certificate(
        trainee=trainee,
        certificate_type=certificate_type,
        occupation=occupation,
        level=level,
        number=number,
        issuing_body=issuing_body,
        issued_on=issued_on,
        enrolment=enrolment,
    )
    certificate.full_clean()
    try:
        with transaction.atomic():
            certificate.save()
    except IntegrityError:
        raise ValidationError({"number": f"{certificate_type}编号{number}刚刚被登记，请核对证书编号。"}) from None
    audit_record(
        action=AuditEntry.Action.REGISTRATION,
        actor=actor,
        request=request,
        obj=certificate,
        detail={
            "what": "证书登记",
            "trainee": trainee.pk,
            "certificate_type": certificate_type.name,
            "number": number,
            "occupation": occupation.name,
            "level": level.name,
            "issued_on": issued_on.isoformat(),
            "training_class": training_class.code if training_class is not None else None,
        },
    )
    return certificate


# --- personal data: reveal and export ---------------------------------------------------


@dataclass(frozen=True)
class RevealedPersonalData:
    id_number: str
    mobile: str


def trainee_reveal(*, trainee: Trainee, actor: User, request=None) -> RevealedPersonalData:
    """Show one trainee's full ID number and mobile to a bureau role, and record who saw them when.

    A refused attempt is recorded too (result “拒绝”), then refused.
    """
    if not (actor.is_authenticated and actor.has_perm(selectors.REVEAL_PERMISSION)):
        audit_record(
            action=AuditEntry.Action.REVEAL, actor=actor, request=request, obj=trainee,
            result=AuditEntry.Result.DENIED, detail={"fields": ["id_number", "mobile"]},
        )
        raise PermissionDenied("只有区人力社保局的授权人员可以查看完整的身份证号码和手机号码。")
    if not _visible_trainee_ids(actor, [trainee.pk]):
        raise PermissionDenied("该学员不在您的查看范围内。")
    audit_record(
        action=AuditEntry.Action.REVEAL, actor=actor, request=request, obj=trainee,
        detail={"fields": ["id_number", "mobile"], "id_number": mask_id_number(trainee.id_number)},
    )
    return RevealedPersonalData(id_number=trainee.id_number, mobile=trainee.mobile)


def trainee_archive_export(*, archive: selectors.TraineeArchive, actor: User, request=None) -> bytes:
    """The electronic archive as .xlsx (masked); every export is recorded."""
    from .exporters import archive_workbook

    data = archive_workbook(archive)
    audit_record(
        action=AuditEntry.Action.EXPORT, actor=actor, request=request, obj=archive.trainee,
        detail={"what": "职业培训电子档案", "format": "xlsx", "masked": True},
    )
    return data


# --- roster import ----------------------------------------------------------------------


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    enrolled: int = 0
    errors: list[RosterError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        return f"新登记学员{self.created}人，更新{self.updated}人，报名{self.enrolled}人。"


_CHOICE_COLUMNS = {
    "education": (Trainee.Education, "文化程度"),
    "employment_status": (Trainee.EmploymentStatus, "就业状态"),
}
_ROSTER_FIELDS = ("mobile", "household_address", "residence_address", "education", "employment_status")


@dataclass
class _Planned:
    row: RosterRow
    values: dict[str, str]
    group_ids: list[int]


def _check_rows(rows: list[RosterRow], errors: list[RosterError]) -> list[_Planned]:
    """Database-free checks of the roster's choice columns and target groups (one group query)."""
    group_ids = dict(TargetGroup.objects.values_list("name", "pk"))
    allowed_groups = "、".join(group_ids)
    planned: list[_Planned] = []
    for row in rows:
        values = {
            "mobile": row.mobile,
            "household_address": row.household_address,
            "residence_address": row.residence_address,
        }
        for key, (choices, label) in _CHOICE_COLUMNS.items():
            try:
                values[key] = choice_value(choices, getattr(row, key), field_label=label)
            except ChoiceError as exc:
                errors.append(RosterError(row.excel_row, label, exc.message))
        unknown = [name for name in row.groups if name not in group_ids]
        if unknown:
            names = "、".join(f"“{name}”" for name in unknown)
            errors.append(RosterError(
                row.excel_row, "人员类别",
                f"人员类别{names}不存在，请改为以下名称之一（多个用顿号“、”分隔）：{allowed_groups}",
            ))
        planned.append(_Planned(row=row, values=values, group_ids=[group_ids[n] for n in row.groups if n in group_ids]))
    return planned


def roster_import(
    *,
    fileobj: BinaryIO,
    filename: str,
    actor: User | None,
    unit: Unit | None = None,
    training_class: TrainingClass | None = None,
    today: date | None = None,
) -> ImportResult:
    """Import a roster (花名册) .xlsx: register or update everyone in it and, with a class, enrol them.

    All or nothing (SECURITY.md): any error and nothing is written; every error names the
    Excel row, the column header and what to fix. The file is checked first
    (roster_workbook.read_roster), then against the database in batches — never a query
    per row. Importing the same file again changes nothing. Permission and scope problems
    raise PermissionDenied / ValidationError before the file is read.
    """
    require_permission(actor, "trainees.add_trainee", "登记学员")
    require_permission(actor, "trainees.change_trainee", "更新学员信息")
    if training_class is not None:
        require_permission(actor, "trainees.add_enrolment", "为培训班登记学员")
        if actor is not None and not training_class_list(user=actor).filter(pk=training_class.pk).exists():
            raise PermissionDenied(f"培训班“{training_class}”不在您的管理范围内，不能导入其花名册。")
    registering_unit = _registering_unit(actor=actor, unit=unit, training_class=training_class)

    # Rows that passed the file checks are checked against the database too, so that one
    # round lists every problem; any error still means nothing is written.
    rows, errors = read_roster(fileobj, filename=filename, today=today, keep_good_rows=True)
    if errors and not rows:
        return ImportResult(errors=errors)
    try:
        with transaction.atomic():
            return _roster_write(
                rows, actor=actor, registering_unit=registering_unit, training_class=training_class,
                file_errors=errors,
            )
    except IntegrityError:
        # Someone registered one of these people or enrolled into this class at the same moment.
        return ImportResult(errors=[RosterError(None, None, "导入时有其他人同时登记了相同的学员，本次没有写入任何数据，请重新上传。")])


def _roster_write(
    rows: list[RosterRow],
    *,
    actor: User | None,
    registering_unit: Unit | None,
    training_class: TrainingClass | None,
    file_errors: list[RosterError],
) -> ImportResult:
    errors: list[RosterError] = list(file_errors)
    locked = None
    if training_class is not None:
        try:
            locked = _lock_class(actor=None, training_class=training_class)
        except ValidationError as exc:
            return ImportResult(errors=[RosterError(None, None, "；".join(exc.messages))])
    planned = _check_rows(rows, errors)

    # Existing people, by ID number, in batches (one query on PostgreSQL).
    numbers = [p.row.id_number.number for p in planned]
    existing: dict[str, Trainee] = {}
    for queryset in filter_in(Trainee.objects.all(), "id_number", numbers, db_type="text"):
        for trainee in queryset:
            existing[trainee.id_number] = trainee
    conflicts = [p for p in planned if p.row.id_number.number in existing
                 and _name_key(existing[p.row.id_number.number].name) != _name_key(p.row.name)]
    if conflicts:
        visible = _visible_trainee_ids(actor, [existing[p.row.id_number.number].pk for p in conflicts])
        for p in conflicts:
            trainee = existing[p.row.id_number.number]
            errors.append(RosterError(p.row.excel_row, "身份证号码", _name_conflict_message(
                id_number=trainee.id_number, registered=trainee.name, given=p.row.name, visible=trainee.pk in visible)))

    # Capacity, counted once under the class lock (only for a roster without other errors:
    # the count of new people is not known while rows are being corrected).
    in_class: set[int] = set()
    to_enrol: list[_Planned] = []
    if locked is not None and not file_errors:
        taken = 0
        for trainee_id, status in Enrolment.objects.filter(training_class=locked).values_list("trainee_id", "status"):
            in_class.add(trainee_id)
            taken += status != Enrolment.Status.DROPPED
        for p in planned:
            trainee = existing.get(p.row.id_number.number)
            if trainee is None or trainee.pk not in in_class:
                to_enrol.append(p)
        if taken + len(to_enrol) > locked.capacity:
            free = max(locked.capacity - taken, 0)
            first_over = to_enrol[free].row.excel_row
            errors.append(RosterError(first_over, None, (
                f"超出培训班计划人数：计划{locked.capacity}人，已报名{taken}人，本花名册新增{len(to_enrol)}人，"
                f"多出{taken + len(to_enrol) - locked.capacity}人（从本行起）。请删除多出的人员，"
                "或请责任单位调整计划人数后重新上传"
            )))
    if errors:
        errors.sort(key=lambda e: (e.row is not None, e.row or 0))
        return ImportResult(errors=errors)
    return _roster_save(planned, existing, to_enrol, actor=actor, registering_unit=registering_unit, locked=locked)


def _roster_save(
    planned: list[_Planned],
    existing: dict[str, Trainee],
    to_enrol: list[_Planned],
    *,
    actor: User | None,
    registering_unit: Unit | None,
    locked: TrainingClass | None,
) -> ImportResult:
    """Write a checked roster: new people, changed people, group links, enrolments, with history.

    New rows go in with plain multi-row INSERTs (trainees.bulk) and their history rows are
    written alongside, as simple_history would for single saves: a “+” row per new trainee
    and enrolment, a “~” row per changed trainee, each with its target-group snapshot.
    """
    now = timezone.now()
    actor_id = actor.pk if actor is not None else None
    through = Trainee.target_groups.through
    historical = Trainee.history.model
    m2m_history = apps.get_model("trainees", "HistoricalTrainee_target_groups")
    current_groups: dict[int, dict[int, int]] = {}  # trainee id → {group id: link row id}
    existing_ids = {t.pk for t in existing.values()}
    for queryset in filter_in(through.objects.all(), "trainee_id", list(existing_ids), db_type="bigint"):
        for link_id, trainee_id, group_id in queryset.values_list("pk", "trainee_id", "targetgroup_id"):
            current_groups.setdefault(trainee_id, {})[group_id] = link_id

    pk_by_number = {number: trainee.pk for number, trainee in existing.items()}
    new: list[_Planned] = []
    changed: list[Trainee] = []
    changed_fields: set[str] = set()
    links: list[tuple[int, int]] = []  # (trainee id, group id)
    for p in planned:
        trainee = existing.get(p.row.id_number.number)
        if trainee is None:
            new.append(p)
            continue
        # A blank cell keeps what is stored; groups are only ever added by a roster.
        fields = [key for key in _ROSTER_FIELDS if p.values[key] and getattr(trainee, key) != p.values[key]]
        added = [gid for gid in p.group_ids if gid not in current_groups.get(trainee.pk, {})]
        if fields or added:
            for key in fields:
                setattr(trainee, key, p.values[key])
            trainee.updated_at = now
            changed.append(trainee)
            changed_fields.update(fields)
            links.extend((trainee.pk, gid) for gid in added)

    history_rows: list[tuple[int, int]] = []  # (history id, trainee id)
    if new:
        values = [
            (
                p.row.id_number.number, p.row.name, p.row.id_number.sex,
                prepared(Trainee, "birth_date", p.row.id_number.birth_date),
                *(p.values[key] for key in _ROSTER_FIELDS),
            )
            for p in new
        ]
        columns = ["id_number", "name", "sex", "birth_date", *_ROSTER_FIELDS]
        common = {"registered_by_unit_id": registering_unit.pk if registering_unit else None,
                  "created_at": now, "updated_at": now}
        ids = bulk_insert(Trainee, columns, values, constants=common, returning_pk=True)
        history_ids = bulk_insert(
            historical, ["id", *columns], [(pk, *row) for pk, row in zip(ids, values)],
            constants={**common, "history_date": now, "history_type": "+", "history_user_id": actor_id},
            returning_pk=True,
        )
        history_rows.extend(zip(history_ids, ids))
        for p, pk in zip(new, ids):
            pk_by_number[p.row.id_number.number] = pk
            links.extend((pk, gid) for gid in p.group_ids)
    if changed:
        Trainee.objects.bulk_update(changed, sorted(changed_fields | {"updated_at"}), batch_size=BATCH_SIZE)
        records = Trainee.history.bulk_history_create(
            changed, batch_size=BATCH_SIZE, update=True, default_user=actor, default_date=now
        )
        history_rows.extend((record.history_id, record.id) for record in records)

    if links:
        link_ids = bulk_insert(through, ["trainee_id", "targetgroup_id"], links, returning_pk=True)
        for (trainee_id, group_id), link_id in zip(links, link_ids):
            current_groups.setdefault(trainee_id, {})[group_id] = link_id
    snapshot = [
        (history_id, trainee_id, group_id, link_id)
        for history_id, trainee_id in history_rows
        for group_id, link_id in current_groups.get(trainee_id, {}).items()
    ]
    if snapshot:
        bulk_insert(m2m_history, ["history_id", "trainee_id", "targetgroup_id", "id"], snapshot)

    enrolled = 0
    if locked is not None and to_enrol:
        trainee_ids = [pk_by_number[p.row.id_number.number] for p in to_enrol]
        common = {"training_class_id": locked.pk, "status": Enrolment.Status.ENROLLED, "created_by_id": actor_id,
                  "created_at": now, "overlaps_other_class": False}
        enrolment_ids = bulk_insert(Enrolment, ["trainee_id"], [(pk,) for pk in trainee_ids],
                                    constants=common, returning_pk=True)
        bulk_insert(
            Enrolment.history.model, ["id", "trainee_id"],
            [(pk, trainee_id) for pk, trainee_id in zip(enrolment_ids, trainee_ids)],
            constants={**common, "history_date": now, "history_type": "+", "history_user_id": actor_id},
        )
        enrolled = len(enrolment_ids)
        # Only people registered before this import can be in another class.
        trainee_overlaps_refresh(
            trainee_ids=[pk for pk in trainee_ids if pk in existing_ids], actor=actor,
            cause=f"导入培训班{locked.code}花名册",
        )
    return ImportResult(created=len(new), updated=len(changed), enrolled=enrolled)
