"""Pages of the registry: trainee list and search, the electronic archive, class rosters."""

from __future__ import annotations

import io
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from programs.selectors import training_class_get

from . import selectors, services
from .forms import RosterUploadForm, TraineeFilterForm
from .roster_workbook import MAX_BYTES, write_errors_back, write_roster_template
from .uploads import failed_upload_store, failed_upload_take

PAGE_SIZE = 50
ERRORS_SHOWN = 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_PERMISSIONS = ("trainees.add_trainee", "trainees.change_trainee", "trainees.add_enrolment")


def _xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


def _require_view(request: HttpRequest) -> None:
    if not request.user.has_perm(selectors.VIEW_PERMISSION):
        raise PermissionDenied("您的账号不能查看学员信息。")


@require_GET
def trainee_list(request: HttpRequest) -> HttpResponse:
    """Trainees in the user's scope, newest first, a page at a time (keyset on id, no COUNT)."""
    _require_view(request)
    form = TraineeFilterForm(request.GET or None, user=request.user)
    trainees: list = []
    search = None
    next_query = ""
    if not form.is_bound or form.is_valid():
        filters = form.filters() if form.is_bound else {}
        search = filters.get("search")
        queryset = selectors.trainee_list(user=request.user, filters=filters)
        before = request.GET.get("before", "")
        if before.isdigit():
            queryset = queryset.filter(pk__lt=int(before))
        trainees = list(queryset[: PAGE_SIZE + 1])
        if len(trainees) > PAGE_SIZE:
            trainees = trainees[:PAGE_SIZE]
            # A full ID number is never put back into a link (it would sit in logs and history).
            params = {k: v for k, v in request.GET.items() if k not in ("before", "q") and v}
            if search is not None and search.name:
                params["q"] = search.name
            next_query = urlencode({**params, "before": trainees[-1].pk})
    if search is not None and search.is_id:
        # Show the searched number masked and leave the box empty.
        form.data = form.data.copy()
        form.data["q"] = ""
    return render(
        request,
        "trainees/trainee_list.html",
        {"form": form, "trainees": trainees, "search": search, "next_query": next_query},
    )


def _archive_context(request: HttpRequest, pk: int, revealed=None) -> dict:
    from .exporters import CERTIFICATE_COLUMNS, ENROLMENT_COLUMNS, archive_rows

    archive = selectors.trainee_archive(user=request.user, pk=pk)
    content = archive_rows(archive)
    if revealed is not None:
        full = {"身份证号码": revealed.id_number, "手机号码": revealed.mobile}
        content["identity"] = [(label, full.get(label, value)) for label, value in content["identity"]]
    return {
        "archive": archive,
        "trainee": archive.trainee,
        "content": content,
        "enrolment_columns": ENROLMENT_COLUMNS,
        "certificate_columns": CERTIFICATE_COLUMNS,
        "revealed": revealed,
        "may_reveal": request.user.has_perm(selectors.REVEAL_PERMISSION),
    }


@require_GET
def trainee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """职业培训电子档案 (三（四）): identity (masked), groups, classes, certificates, upper apps' sections."""
    _require_view(request)
    return render(request, "trainees/trainee_detail.html", _archive_context(request, pk))


@require_POST
def trainee_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the full ID number and mobile once, on this response only; the reveal is recorded."""
    _require_view(request)
    trainee = selectors.trainee_get(user=request.user, pk=pk)
    revealed = services.trainee_reveal(trainee=trainee, actor=request.user, request=request)
    response = render(request, "trainees/trainee_detail.html", _archive_context(request, pk, revealed))
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def trainee_archive_export(request: HttpRequest, pk: int) -> HttpResponse:
    _require_view(request)
    archive = selectors.trainee_archive(user=request.user, pk=pk)
    data = services.trainee_archive_export(archive=archive, actor=request.user, request=request)
    return _xlsx_response(data, f"职业培训电子档案-{archive.trainee.name}.xlsx")


def _may_import(user) -> bool:
    return all(user.has_perm(code) for code in IMPORT_PERMISSIONS)


@require_http_methods(["GET", "POST"])
def class_roster(request: HttpRequest, pk: int) -> HttpResponse:
    """One class's roster (masked), its template, and the upload of a filled-in roster."""
    training_class = training_class_get(user=request.user, pk=pk)
    may_import = _may_import(request.user)
    form = RosterUploadForm()
    context: dict = {}
    if request.method == "POST":
        if not may_import:
            raise PermissionDenied("您的账号不能导入花名册。")
        form = RosterUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read(MAX_BYTES + 1)
            try:
                result = services.roster_import(
                    fileobj=io.BytesIO(data), filename=upload.name, actor=request.user, training_class=training_class
                )
            except ValidationError as exc:
                form.add_error(None, "；".join(exc.messages))
            else:
                if result.ok:
                    messages.success(request, f"花名册已导入：{result.summary()}")
                    return redirect("class_roster", pk=training_class.pk)
                token = failed_upload_store(
                    data=data if len(data) <= MAX_BYTES else b"",
                    errors=result.errors,
                    filename=upload.name,
                    user_id=request.user.pk,
                    class_id=training_class.pk,
                )
                context.update(
                    errors=result.errors[:ERRORS_SHOWN],
                    error_count=len(result.errors),
                    error_token=token,
                    uploaded_name=upload.name,
                )
    enrolments = list(selectors.class_roster(user=request.user, training_class=training_class))
    taken = sum(1 for e in enrolments if e.status != e.Status.DROPPED)
    context.update(
        training_class=training_class,
        enrolments=enrolments,
        taken=taken,
        form=form,
        may_import=may_import,
    )
    return render(request, "trainees/class_roster.html", context)


@require_GET
def class_roster_template(request: HttpRequest, pk: int) -> HttpResponse:
    training_class = training_class_get(user=request.user, pk=pk)
    out = io.BytesIO()
    write_roster_template(out, class_title=str(training_class))
    return _xlsx_response(out.getvalue(), f"花名册模板-{training_class.code}.xlsx")


@require_GET
def class_roster_errors(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """The refused upload with an added 错误说明 column; available once, to its uploader only."""
    training_class = training_class_get(user=request.user, pk=pk)
    failed = failed_upload_take(token=token, user_id=request.user.pk, class_id=training_class.pk)
    if failed is None:
        raise Http404("该错误标注文件已下载过或已过期，请重新上传花名册。")
    out = io.BytesIO()
    write_errors_back(io.BytesIO(failed.data), failed.errors, out)
    stem = failed.filename.rsplit(".", 1)[0] if failed.filename else training_class.code
    return _xlsx_response(out.getvalue(), f"{stem}-错误标注.xlsx")
