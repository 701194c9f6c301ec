"""Writes to the plan, the catalogs and the training classes."""

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model

from accounts.audit import audit_record
from accounts.models import AuditEntry
from accounts.scoping import OWN_INSTITUTION_PERMISSION, OWN_UNIT_PERMISSION, scope_to_units, sees_all_units

from .creditcodes import CreditCodeError, parse_credit_code
from .models import (
    ActionPlan, Assignment, CertificateType, Cooperation, Institution, Occupation, OutcomeIndicator, PlanYear,
    Programme, Quota, SkillLevel, TrainingClass, TrainingClassTransition, TrainingType, Unit,
)
from .plan_files import PlanFile
from .seeding import SeedResult, delete_missing, upsert_row


@transaction.atomic
def plan_load(*, data: PlanFile) -> SeedResult:
    """Load one plan file; running it twice changes nothing the second time.

    The file is authoritative for its plan: years, quotas, assignments and
    cooperating units absent from the file are removed from the plan.
    """
    plan_values = {key: value for key, value in data.plan.items() if key != "code"}
    result = SeedResult(label=data.plan["name"])
    plan = upsert_row(ActionPlan, result, {"code": data.plan["code"]}, plan_values)

    for year, target in data.yearly_targets.items():
        upsert_row(PlanYear, result, {"plan": plan, "year": year}, {"target": target})
    delete_missing(plan.plan_years.exclude(year__in=data.yearly_targets), result)

    for position, indicator in enumerate(data.indicators, start=1):
        values = {key: value for key, value in indicator.items() if key != "code"} | {"position": position}
        upsert_row(OutcomeIndicator, result, {"plan": plan, "code": indicator["code"]}, values)
    delete_missing(plan.indicators.exclude(code__in=[i["code"] for i in data.indicators]), result)

    units = {}
    for unit in data.units:
        values = {"kind": unit["kind"], "description": unit.get("description", "")}
        units[unit["name"]] = upsert_row(Unit, result, {"name": unit["name"]}, values)

    # Orders may be renumbered between versions of a file; free them first.
    kept_units = [units[row.unit].pk for row in data.assignments]
    delete_missing(plan.assignments.exclude(unit_id__in=kept_units), result)
    for row in data.assignments:
        assignment = upsert_row(
            Assignment, result, {"plan": plan, "unit": units[row.unit]}, {"order": row.order, "duties": row.duties}
        )
        for position, name in enumerate(row.cooperating_units, start=1):
            upsert_row(Cooperation, result, {"assignment": assignment, "unit": units[name]}, {"position": position})
        names = set(row.cooperating_units)
        delete_missing(assignment.cooperations.exclude(unit__name__in=names), result)
        for year, target in row.quotas.items():
            upsert_row(Quota, result, {"plan": plan, "unit": units[row.unit], "year": year}, {"target": target})
        delete_missing(plan.quotas.filter(unit=units[row.unit]).exclude(year__in=row.quotas), result)
    delete_missing(plan.quotas.exclude(unit_id__in=kept_units), result)
    return result


# --- Catalogs (五（二） 目录清单管理) -------------------------------------------------------

# The fields of each catalog that pages, the API and admin may write.
CATALOG_FIELDS: dict[type[Model], tuple[str, ...]] = {
    Occupation: ("code", "name", "is_featured", "is_active"),
    SkillLevel: ("code", "name", "rank"),
    TrainingType: ("code", "name", "position"),
    CertificateType: ("code", "name", "position"),
    Institution: (
        "name", "credit_code", "kind", "ownership", "catalog_status", "joined_alliance",
        "address", "contact_name", "contact_phone",
    ),
    Programme: (
        "occupation", "level", "training_type", "hours", "certificate_type", "unit",
        "valid_from_year", "valid_to_year", "is_active",
    ),
}


def _audit_value(value: Any) -> Any:
    if isinstance(value, Model):
        return str(value)
    if isinstance(value, (datetime.date, Decimal)):
        return str(value)
    return value


def _raw(entry: Model, name: str) -> Any:
    return getattr(entry, entry._meta.get_field(name).attname)


def _apply(entry: Model, fields: tuple[str, ...], values: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Set ``values`` on ``entry``; return {field: {"before", "after"}} for the fields that changed."""
    unknown = set(values) - set(fields)
    if unknown:
        raise ValidationError(f"不能修改这些字段：{'、'.join(sorted(unknown))}。")
    changes = {}
    for name, value in values.items():
        if isinstance(value, str):
            value = value.strip()
        before_raw = _raw(entry, name) if entry.pk else None
        before = _audit_value(getattr(entry, name, None)) if entry.pk else None
        setattr(entry, name, value)
        if not entry.pk or _raw(entry, name) != before_raw:
            changes[name] = {"before": before, "after": _audit_value(getattr(entry, name))}
    return changes


def _catalog_values(model: type[Model], values: Mapping[str, Any]) -> dict[str, Any]:
    values = dict(values)
    if model is Institution and "credit_code" in values:
        try:
            values["credit_code"] = parse_credit_code(values["credit_code"])
        except CreditCodeError as exc:
            raise ValidationError({"credit_code": str(exc)})
    return values


def _catalog_permission(actor, model: type[Model], action: str) -> None:
    if not (actor and actor.is_active and actor.has_perm(f"programs.{action}_{model._meta.model_name}")):
        verb = "新增" if action == "add" else "修改"
        raise PermissionDenied(f"您的账号不能{verb}{model._meta.verbose_name}目录，只有局管理员和局业务人员可以维护目录清单。")


@transaction.atomic
def catalog_entry_create(*, model: type[Model], values: Mapping[str, Any], actor: AbstractUser) -> Model:
    """Add an entry to one of the catalogs (职业、等级、培训类型、证书类型、机构、培训项目) and record it."""
    _catalog_permission(actor, model, "add")
    entry = model()
    changes = _apply(entry, CATALOG_FIELDS[model], _catalog_values(model, values))
    entry.full_clean()
    entry.save(force_insert=True)
    audit_record(
        action=AuditEntry.Action.CATALOG_CHANGE,
        actor=actor,
        obj=entry,
        detail={"catalog": model._meta.model_name, "operation": "create", "changes": changes},
    )
    return entry


@transaction.atomic
def catalog_entry_update(*, entry: Model, values: Mapping[str, Any], actor: AbstractUser) -> Model:
    """Change a catalog entry; only the fields that really change are saved and recorded."""
    model = type(entry)
    _catalog_permission(actor, model, "change")
    locked = model.objects.select_for_update().get(pk=entry.pk)
    changes = _apply(locked, CATALOG_FIELDS[model], _catalog_values(model, values))
    if not changes:
        return locked
    if model is Programme and "unit" in changes and locked.classes.exists():
        # A class belongs to its programme's unit; moving the programme would move classes between scopes.
        raise ValidationError(
            {"unit": "该培训项目已有培训班，不能更改责任单位；如需由其他单位负责，请新增培训项目。"}
        )
    locked.full_clean()
    locked.save(update_fields=list(changes))
    audit_record(
        action=AuditEntry.Action.CATALOG_CHANGE,
        actor=actor,
        obj=locked,
        detail={"catalog": model._meta.model_name, "operation": "update", "changes": changes},
    )
    return locked


# --- Training classes (培训班) --------------------------------------------------------------

CLASS_FIELDS = (
    "code", "name", "programme", "institution", "start_date", "end_date", "capacity", "is_project_based",
)
_TRANSITION_VERBS = {
    TrainingClass.Status.IN_PROGRESS: "开班",
    TrainingClass.Status.FINISHED: "结业",
    TrainingClass.Status.CANCELLED: "撤销",
}


class _ClassScope:
    """Which classes an actor may write, mirroring accounts.scoping (bureau, unit, institution)."""

    def __init__(self, actor) -> None:
        self.all_units = sees_all_units(actor)
        self.unit_id = None
        self.institution = None
        if self.all_units:
            return
        if actor.has_perm(OWN_UNIT_PERMISSION) and actor.unit_id:
            self.unit_id = actor.unit_id
        elif actor.has_perm(OWN_INSTITUTION_PERMISSION) and actor.institution_id:
            self.institution = actor.institution

    @property
    def any(self) -> bool:
        return self.all_units or bool(self.unit_id or self.institution)


def _class_permission(actor, permission: str) -> _ClassScope:
    if not (actor and actor.is_active and actor.has_perm(permission)):
        raise PermissionDenied("您的账号只能查看培训班，不能开设、修改或变更培训班状态。")
    scope = _ClassScope(actor)
    if not scope.any:
        raise PermissionDenied("您的账号尚未绑定单位或培训机构，不能管理培训班，请联系安全管理员。")
    return scope


def _class_locked(*, training_class: TrainingClass, actor) -> TrainingClass:
    queryset = scope_to_units(
        TrainingClass.objects.select_for_update(of=("self",)), actor, unit_field="unit_id", institution_field="institution_id"
    )
    locked = queryset.select_related("programme", "institution", "unit").filter(pk=training_class.pk).first()
    if locked is None:
        raise PermissionDenied("该培训班不在您的管理范围内。")
    return locked


def _class_rules(*, training_class: TrainingClass, scope: _ClassScope, changed: set[str]) -> None:
    """The rules a class must keep whenever it is opened or changed."""
    errors: dict[str, str] = {}
    programme, institution = training_class.programme, training_class.institution
    if scope.unit_id and programme.unit_id != scope.unit_id:
        errors["programme"] = f"只能在本单位负责的培训项目上开班，“{programme}”的责任单位是{programme.unit}，请选择本单位的培训项目。"
    elif "programme" in changed and not programme.is_active:
        errors["programme"] = f"培训项目“{programme}”已不在培训项目目录中，不能开设新的培训班，请选择目录中的培训项目。"
    if "institution" in changed and institution.catalog_status != Institution.CatalogStatus.LISTED:
        errors["institution"] = f"培训机构“{institution}”已被暂停，不能开设新的培训班。"
    start, end = training_class.start_date, training_class.end_date
    if changed & {"programme", "start_date", "end_date"} and start and end and not programme.covers(start, end):
        start_inside = programme.valid_from_year <= start.year <= programme.valid_to_year
        errors.setdefault(
            "end_date" if start_inside else "start_date",
            f"培训项目“{programme}”的有效期为{programme.valid_from_year}—{programme.valid_to_year}年，"
            "开班和结业日期须在有效期内。",
        )
    if errors:
        raise ValidationError(errors)


def _class_institution(*, scope: _ClassScope, values: dict[str, Any]) -> None:
    """An institution operator's classes are always their own institution's."""
    if scope.institution is None:
        return
    given = values.get("institution")
    if given is not None and given.pk != scope.institution.pk:
        raise ValidationError({"institution": f"机构经办人只能为本机构（{scope.institution}）开设和管理培训班。"})
    values["institution"] = scope.institution


@transaction.atomic
def training_class_create(*, values: Mapping[str, Any], actor: AbstractUser) -> TrainingClass:
    """Open a class (五（二）): on a catalog programme, by a listed institution, owned by the programme's unit."""
    scope = _class_permission(actor, "programs.add_trainingclass")
    values = dict(values)
    _class_institution(scope=scope, values=values)
    if not values.get("institution"):
        raise ValidationError({"institution": "请选择培训机构。"})
    if not values.get("programme"):
        raise ValidationError({"programme": "请选择培训项目。"})
    training_class = TrainingClass(status=TrainingClass.Status.PLANNED)
    changes = _apply(training_class, CLASS_FIELDS, values)
    training_class.unit = training_class.programme.unit
    _class_rules(training_class=training_class, scope=scope, changed=set(changes))
    training_class.full_clean()
    training_class.save(force_insert=True)
    changes["unit"] = {"before": None, "after": str(training_class.unit)}
    audit_record(
        action=AuditEntry.Action.CATALOG_CHANGE,
        actor=actor,
        obj=training_class,
        detail={"catalog": "trainingclass", "operation": "create", "changes": changes},
    )
    return training_class


@transaction.atomic
def training_class_update(
    *, training_class: TrainingClass, values: Mapping[str, Any], actor: AbstractUser
) -> TrainingClass:
    """Change a class that has not finished or been cancelled; its unit follows its programme."""
    scope = _class_permission(actor, "programs.change_trainingclass")
    locked = _class_locked(training_class=training_class, actor=actor)
    if not locked.is_editable:
        raise ValidationError(f"培训班“{locked}”{locked.get_status_display()}，不能再修改。")
    values = dict(values)
    _class_institution(scope=scope, values=values)
    changes = _apply(locked, CLASS_FIELDS, values)
    if not changes:
        return locked
    _class_rules(training_class=locked, scope=scope, changed=set(changes))
    if locked.unit_id != locked.programme.unit_id:
        changes["unit"] = {"before": str(locked.unit), "after": str(locked.programme.unit)}
        locked.unit = locked.programme.unit
    if {"start_date", "end_date"} & set(changes) and locked.enrolments.exists():
        # Overlap flags, completion dates and subsidy claims were all judged against the old dates.
        raise ValidationError(
            {"start_date": "该班已有学员登记，不能再修改开班或结业日期；如日期确有错误，请撤销本班后重新开班并导入花名册。"}
        )
    if "capacity" in changes:
        taken = locked.enrolments.exclude(status="dropped").count()
        if locked.capacity < taken:
            raise ValidationError({"capacity": f"该班已有{taken}名学员在册，计划人数不能少于{taken}。"})
    locked.full_clean()
    locked.save(update_fields=list(changes))
    audit_record(
        action=AuditEntry.Action.CATALOG_CHANGE,
        actor=actor,
        obj=locked,
        detail={"catalog": "trainingclass", "operation": "update", "changes": changes},
    )
    return locked


def _class_transition(*, training_class: TrainingClass, to_status: str, actor, reason: str = "") -> TrainingClass:
    _class_permission(actor, "programs.change_trainingclass")
    locked = _class_locked(training_class=training_class, actor=actor)
    if not locked.can_move_to(to_status):
        allowed_from = "、".join(
            f"“{TrainingClass.Status(status).label}”"
            for status, targets in TrainingClass.TRANSITIONS.items()
            if to_status in targets
        )
        verb = _TRANSITION_VERBS[to_status]
        raise ValidationError(
            f"培训班“{locked}”当前状态为“{locked.get_status_display()}”，不能{verb}；只有{allowed_from}的培训班可以{verb}。"
        )
    from_status = locked.status
    locked.status = to_status
    locked.save(update_fields=["status"])
    TrainingClassTransition.objects.create(
        training_class=locked, from_status=from_status, to_status=to_status, reason=reason, actor=actor
    )
    audit_record(
        action=AuditEntry.Action.TRANSITION,
        actor=actor,
        obj=locked,
        detail={"from": from_status, "to": to_status, "reason": reason},
    )
    return locked


@transaction.atomic
def training_class_start(*, training_class: TrainingClass, actor: AbstractUser) -> TrainingClass:
    """筹备中 → 培训中."""
    return _class_transition(training_class=training_class, to_status=TrainingClass.Status.IN_PROGRESS, actor=actor)


@transaction.atomic
def training_class_finish(*, training_class: TrainingClass, actor: AbstractUser) -> TrainingClass:
    """培训中 → 已结业."""
    return _class_transition(training_class=training_class, to_status=TrainingClass.Status.FINISHED, actor=actor)


@transaction.atomic
def training_class_cancel(*, training_class: TrainingClass, reason: str, actor: AbstractUser) -> TrainingClass:
    """筹备中 / 培训中 → 已撤销, always with the reason on record."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "撤销培训班须填写撤销原因。"})
    return _class_transition(
        training_class=training_class, to_status=TrainingClass.Status.CANCELLED, actor=actor, reason=reason
    )
