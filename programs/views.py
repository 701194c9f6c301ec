"""Pages of the plan, the catalogs (目录清单) and the training classes (培训班)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Model
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import selectors, services
from .forms import (
    CATALOG_FORMS, CancelForm, CatalogFilterForm, TrainingClassFilterForm, TrainingClassForm, add_service_errors,
)
from .models import TrainingClass

PAGE_SIZE = 20

# The columns each catalog list shows (model field names; labels come from the model).
CATALOG_COLUMNS: dict[str, tuple[str, ...]] = {
    "occupations": ("name", "code", "is_featured", "is_active"),
    "skill-levels": ("rank", "name", "code"),
    "training-types": ("position", "name", "code"),
    "certificate-types": ("position", "name", "code"),
    "institutions": ("name", "credit_code", "kind", "ownership", "catalog_status", "joined_alliance"),
    "programmes": (
        "occupation", "level", "training_type", "hours", "certificate_type", "unit",
        "valid_from_year", "valid_to_year", "is_active",
    ),
}


def unit_detail(request, pk: int):
    unit = selectors.unit_get(user=request.user, pk=pk)
    rows = selectors.unit_plan_rows(user=request.user, unit=unit)
    return render(request, "programs/unit_detail.html", {"unit": unit, "rows": rows})


def _require(user, permission: str, message: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied(message)


def _page(request, queryset) -> Page:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _catalog(slug: str) -> selectors.Catalog:
    catalog = selectors.catalog_of(slug)
    if catalog is None:
        raise Http404("没有这个目录。")
    return catalog


def _cell(entry: Model, name: str) -> str:
    field = entry._meta.get_field(name)
    if field.choices:
        return getattr(entry, f"get_{name}_display")()
    value = getattr(entry, name)
    if isinstance(value, bool):
        return "是" if value else "否"
    return "" if value is None else str(value)


# --- Catalogs ---------------------------------------------------------------------------------


def catalog_index(request):
    catalogs = [c for c in selectors.CATALOGS.values() if request.user.has_perm(c.permission("view"))]
    if not catalogs:
        raise PermissionDenied("您的账号没有查看目录清单的权限。")
    rows = [(c, selectors.catalog_list(user=request.user, catalog=c).count()) for c in catalogs]
    return render(request, "programs/catalog_index.html", {"rows": rows})


def catalog_list(request, catalog: str):
    catalog = _catalog(catalog)
    _require(request.user, catalog.permission("view"), "您的账号没有查看目录清单的权限。")
    form = CatalogFilterForm(request.GET, catalog=catalog)
    page = _page(request, selectors.catalog_list(user=request.user, catalog=catalog, filters=form.filters()))
    columns = CATALOG_COLUMNS[catalog.slug]
    context = {
        "catalog": catalog,
        "form": form,
        "page": page,
        "headers": [catalog.model._meta.get_field(name).verbose_name for name in columns],
        "rows": [(entry, [_cell(entry, name) for name in columns]) for entry in page],
        "can_add": request.user.has_perm(catalog.permission("add")),
        "can_change": request.user.has_perm(catalog.permission("change")),
    }
    return render(request, "programs/catalog_list.html", context)


def _catalog_form(request, catalog: selectors.Catalog, entry: Model | None):
    form = CATALOG_FORMS[catalog.slug](request.POST or None, instance=entry)
    if request.method == "POST" and form.is_valid():
        try:
            if entry is None:
                saved = services.catalog_entry_create(model=catalog.model, values=form.cleaned_data, actor=request.user)
            else:
                saved = services.catalog_entry_update(entry=entry, values=form.cleaned_data, actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已保存{catalog.model._meta.verbose_name}“{saved}”。")
            return redirect("catalog_list", catalog=catalog.slug)
    return render(request, "programs/catalog_form.html", {"catalog": catalog, "form": form, "entry": entry})


def catalog_create(request, catalog: str):
    catalog = _catalog(catalog)
    _require(request.user, catalog.permission("add"), "只有局管理员和局业务人员可以维护目录清单。")
    return _catalog_form(request, catalog, None)


def catalog_edit(request, catalog: str, pk: int):
    catalog = _catalog(catalog)
    entry = selectors.catalog_get(user=request.user, catalog=catalog, pk=pk)
    _require(request.user, catalog.permission("change"), "只有局管理员和局业务人员可以维护目录清单。")
    return _catalog_form(request, catalog, entry)


# --- Training classes ---------------------------------------------------------------------------


def class_list(request):
    _require(request.user, "programs.view_trainingclass", "您的账号没有查看培训班的权限。")
    form = TrainingClassFilterForm(request.GET, user=request.user)
    page = _page(request, selectors.training_class_search(user=request.user, filters=form.filters()))
    context = {"form": form, "page": page, "can_add": request.user.has_perm("programs.add_trainingclass")}
    return render(request, "programs/class_list.html", context)


def class_detail(request, pk: int):
    training_class = selectors.training_class_get(user=request.user, pk=pk)
    can_change = request.user.has_perm("programs.change_trainingclass")
    context = {
        "training_class": training_class,
        "enrolment_count": selectors.training_class_enrolment_count(training_class=training_class),
        "transitions": selectors.training_class_transitions(training_class=training_class),
        "can_change": can_change and training_class.is_editable,
        "can_start": can_change and training_class.can_move_to(TrainingClass.Status.IN_PROGRESS),
        "can_finish": can_change and training_class.can_move_to(TrainingClass.Status.FINISHED),
        "can_cancel": can_change and training_class.can_move_to(TrainingClass.Status.CANCELLED),
        "cancel_form": CancelForm(),
    }
    return render(request, "programs/class_detail.html", context)


def class_create(request):
    _require(request.user, "programs.add_trainingclass", "您的账号只能查看培训班，不能开设培训班。")
    form = TrainingClassForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.training_class_create(values=form.cleaned_data, actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已开设培训班“{saved}”。")
            return redirect("class_detail", pk=saved.pk)
    return _class_form_page(request, form, None)


def class_edit(request, pk: int):
    training_class = selectors.training_class_get(user=request.user, pk=pk)
    _require(request.user, "programs.change_trainingclass", "您的账号只能查看培训班，不能修改培训班。")
    if not training_class.is_editable:
        messages.error(request, f"培训班{training_class.get_status_display()}，不能再修改。")
        return redirect("class_detail", pk=pk)
    form = TrainingClassForm(request.POST or None, instance=training_class, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.training_class_update(
                training_class=training_class, values=form.cleaned_data, actor=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已保存培训班“{saved}”。")
            return redirect("class_detail", pk=saved.pk)
    return _class_form_page(request, form, training_class)


def _class_form_page(request, form: TrainingClassForm, training_class: TrainingClass | None):
    context = {
        "form": form,
        "training_class": training_class,
        "fixed_institution": selectors.user_institution(request.user),
    }
    return render(request, "programs/class_form.html", context)


def _transition(request, pk: int, service, done: str, **kwargs):
    training_class = selectors.training_class_get(user=request.user, pk=pk)
    try:
        service(training_class=training_class, actor=request.user, **kwargs)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("class_detail", pk=pk)


@require_POST
def class_start(request, pk: int):
    return _transition(request, pk, services.training_class_start, "培训班已开班，状态为“培训中”。")


@require_POST
def class_finish(request, pk: int):
    return _transition(request, pk, services.training_class_finish, "培训班已结业。")


@require_POST
def class_cancel(request, pk: int):
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _transition(request, pk, services.training_class_cancel, "培训班已撤销。", reason=reason)
