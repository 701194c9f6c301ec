"""Reads of the registry. Everything goes through accounts.scoping and fails closed.

Who sees a trainee (issue 3, item 8): bureau roles, finance and auditors all of them; a unit
operator those their unit registered (``registered_by_unit``) or enrolled in their unit's
classes; an institution operator those enrolled in their institution's classes. Enrolments
follow their class, certificates their trainee (and, when linked, their enrolment).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.scoping import scope_to_units
from programs.selectors import training_class_list

from .idnumbers import IdNumberError, mask_id_number, normalize_id_number, parse_id_number
from .models import Certificate, Enrolment, TargetGroup, Trainee

VIEW_PERMISSION = "trainees.view_trainee"
REVEAL_PERMISSION = "trainees.reveal_personal_data"

TRAINEE_UNIT_PATHS = ("registered_by_unit_id", "enrolments__training_class__unit_id")
TRAINEE_INSTITUTION_PATHS = ("enrolments__training_class__institution_id",)


def _may_view(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(VIEW_PERMISSION))


def trainees_visible_to(user) -> QuerySet[Trainee]:
    """Every trainee the user may see (no ordering or joins): the base of every registry read."""
    if not _may_view(user):
        return Trainee.objects.none()
    return scope_to_units(
        Trainee.objects.all(), user, unit_field=TRAINEE_UNIT_PATHS, institution_field=TRAINEE_INSTITUTION_PATHS
    )


@dataclass(frozen=True)
class TraineeSearch:
    """What a search box held: a full ID number (exact match) or part of a name.

    A partial ID number is never searched for: matching on fragments would let anyone
    probe the registry for who holds which number.
    """

    id_number: str = ""
    name: str = ""
    problem: str = ""

    @property
    def is_id(self) -> bool:
        return bool(self.id_number)

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)


def trainee_search_parse(text: str | None) -> TraineeSearch:
    text = (text or "").strip()
    if not text:
        return TraineeSearch()
    normalised = normalize_id_number(text)
    looks_like_id = sum(ch.isdigit() for ch in normalised) >= 4 or normalised[:1].isdigit()
    if not looks_like_id:
        return TraineeSearch(name=text[:30])
    try:
        return TraineeSearch(id_number=parse_id_number(normalised).number)
    except IdNumberError as exc:
        return TraineeSearch(
            problem=f"请输入完整、正确的18位身份证号码查找（{exc.message}）；为保护个人信息，不支持按部分号码查找。"
        )


def trainee_list(*, user, filters: dict[str, Any] | None = None) -> QuerySet[Trainee]:
    """Trainees the user may see, newest first, optionally filtered.

    ``filters`` keys: ``search`` (a :class:`TraineeSearch` or text), ``group`` (TargetGroup or
    id), ``unit`` (Unit or id: registered by it or enrolled in its classes), ``training_class``
    (TrainingClass or id: enrolled in it). Filter values outside the user's scope give nothing.
    """
    filters = filters or {}
    queryset = trainees_visible_to(user).select_related("registered_by_unit").prefetch_related("target_groups")
    search = filters.get("search")
    if isinstance(search, str):
        search = trainee_search_parse(search)
    if search is not None:
        if search.problem:
            return queryset.none()
        if search.id_number:
            queryset = queryset.filter(id_number=search.id_number)
        elif search.name:
            queryset = queryset.filter(name__contains=search.name)
    group = filters.get("group")
    if group:
        queryset = queryset.filter(pk__in=Trainee.target_groups.through.objects.filter(
            targetgroup_id=getattr(group, "pk", group)).values("trainee_id"))
    unit = filters.get("unit")
    if unit:
        unit_id = getattr(unit, "pk", unit)
        in_unit_classes = Enrolment.objects.filter(training_class__unit_id=unit_id).values("trainee_id")
        queryset = queryset.filter(Q(registered_by_unit_id=unit_id) | Q(pk__in=in_unit_classes))
    training_class = filters.get("training_class")
    if training_class:
        class_id = getattr(training_class, "pk", training_class)
        if not training_class_list(user=user).filter(pk=class_id).exists():
            return queryset.none()
        queryset = queryset.filter(pk__in=Enrolment.objects.filter(training_class_id=class_id).values("trainee_id"))
    return queryset.order_by("-id")


def trainee_get(*, user, pk) -> Trainee:
    return get_object_or_404(trainees_visible_to(user).select_related("registered_by_unit"), pk=pk)


def trainee_find_by_id_number(*, user, id_number: str) -> Trainee | None:
    """The trainee holding this full ID number, if the user may see them."""
    search = trainee_search_parse(id_number)
    if not search.is_id:
        return None
    return trainees_visible_to(user).filter(id_number=search.id_number).first()


def enrolment_list(*, user) -> QuerySet[Enrolment]:
    """Enrolments in the classes the user may see."""
    if not _may_view(user):
        return Enrolment.objects.none()
    queryset = Enrolment.objects.select_related(
        "trainee",
        "training_class__institution",
        "training_class__unit",
        "training_class__programme__occupation",
        "training_class__programme__level",
        "training_class__programme__training_type",
    )
    return scope_to_units(
        queryset, user, unit_field="training_class__unit_id", institution_field="training_class__institution_id"
    )


def certificate_list(*, user) -> QuerySet[Certificate]:
    """Certificates of visible trainees; one earned through a class only if that enrolment is visible."""
    queryset = Certificate.objects.select_related(
        "trainee", "certificate_type", "occupation", "level", "enrolment__training_class"
    ).filter(trainee__in=trainees_visible_to(user).values("pk"))
    return queryset.filter(Q(enrolment__isnull=True) | Q(enrolment__in=enrolment_list(user=user).values("pk")))


def class_roster(*, user, training_class) -> QuerySet[Enrolment]:
    """The enrolments of one (already scope-checked) class, in the order they were entered."""
    return (
        enrolment_list(user=user)
        .filter(training_class=training_class)
        .prefetch_related("trainee__target_groups")
        .order_by("id")
    )


def target_group_list() -> QuerySet[TargetGroup]:
    """Reference data: every signed-in user may read the categories."""
    return TargetGroup.objects.all()


# --- the electronic training archive (职业培训电子档案, 三（四）) ------------------------


@dataclass
class ArchiveSection:
    """A titled table another app adds to the archive (e.g. subsidies' 补贴享受记录)."""

    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class TraineeArchive:
    trainee: Trainee
    target_groups: list[TargetGroup]
    enrolments: list[Enrolment]
    certificates: list[Certificate]
    sections: list[ArchiveSection]

    @property
    def has_overlap(self) -> bool:
        return any(enrolment.overlaps_other_class for enrolment in self.enrolments)


def archive_extra_sections(*, trainee: Trainee, user) -> list[ArchiveSection]:
    """Sections from upper apps: each installed app's ``<app>/archive.py: archive_sections``.

    Discovered like accounts.context_processors discovers navigation modules, so this
    lower app never imports an upper one.
    """
    sections: list[ArchiveSection] = []
    for app_config in apps.get_app_configs():
        name = f"{app_config.name}.archive"
        if "." in app_config.name or app_config.name == "trainees" or find_spec(app_config.name) is None:
            continue
        if find_spec(name) is None:
            continue
        for item in import_module(name).archive_sections(trainee=trainee, user=user):
            sections.append(
                ArchiveSection(
                    title=str(item["title"]),
                    columns=[str(column) for column in item["columns"]],
                    rows=[["" if value is None else str(value) for value in row] for row in item["rows"]],
                )
            )
    return sections


def trainee_archive(*, user, pk) -> TraineeArchive:
    """Everything the user may see about one trainee (404 when the trainee is out of scope)."""
    trainee = trainee_get(user=user, pk=pk)
    enrolments = list(enrolment_list(user=user).filter(trainee=trainee).order_by("training_class__start_date", "id"))
    certificates = list(certificate_list(user=user).filter(trainee=trainee).order_by("issued_on", "id"))
    return TraineeArchive(
        trainee=trainee,
        target_groups=list(trainee.target_groups.all()),
        enrolments=enrolments,
        certificates=certificates,
        sections=archive_extra_sections(trainee=trainee, user=user),
    )

