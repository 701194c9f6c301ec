"""Pages of the registry: trainee list and search, the electronic archive, class rosters,
completions, drop-outs and certificates."""

from __future__ import annotations

import io
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from programs.forms import add_service_errors
from programs.selectors import training_class_get

from . import selectors, services
from .forms import CertificateForm, EnrolmentOutcomeForm, RosterUploadForm, TraineeFilterForm
from .roster_workbook import MAX_BYTES, write_errors_back, write_roster_template
from .uploads import failed_upload_store, failed_upload_take

PAGE_SIZE = 50
ERRORS_SHOWN = 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_PERMISSIONS = ("trainees.add_trainee", "trainees.change_trainee", "trainees.add_enrolment")
OUTCOME_PERMISSION = "trainees.change_enrolment"
CERTIFICATE_PERMISSION = "trainees.add_certificate"


def _xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


def _require_view(request: HttpRequest) -> None:
    if not request.user.has_perm(selectors.VIEW_PERMISSION):
        raise PermissionDenied("您的账号不能查看学员信息。")


ID_IN_URL = (
    "为保护个人信息，身份证号码不能放在网址中查找（网址会留在浏览器记录和服务器日志里）。"
    "请在上方查找框中输入完整的身份证号码，再点击“查找”。"
)
ID_NOT_FOUND = "未找到该身份证号码对应的学员，或不在您的查看范围内"


def _list_page(request: HttpRequest, form: TraineeFilterForm, *, trainees=(), search=None, next_query="",
               notice: str = "") -> HttpResponse:
    if search is not None and (search.is_id or search.problem):
        # Never echo a typed ID number back into the page: show it masked, leave the box empty.
        form.data = form.data.copy()
        form.data["q"] = ""
    return render(
        request,
        "trainees/trainee_list.html",
        {"form": form, "trainees": list(trainees), "search": search, "next_query": next_query, "notice": notice},
    )


@require_GET
def trainee_list(request: HttpRequest) -> HttpResponse:
    """Trainees in the user's scope, newest first, a page at a time (keyset on id, no COUNT).

    Name searches and filters are GET links; an ID number never is (see trainee_search).
    """
    _require_view(request)
    form = TraineeFilterForm(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid():
        return _list_page(request, form)
    filters = form.filters() if form.is_bound else {}
    search = filters.get("search")
    if search is not None and search.is_id:
        return _list_page(request, form, search=search, notice=ID_IN_URL)
    queryset = selectors.trainee_list(user=request.user, filters=filters)
    before = request.GET.get("before", "")
    if before.isdigit():
        queryset = queryset.filter(pk__lt=int(before))
    trainees = list(queryset[: PAGE_SIZE + 1])
    next_query = ""
    if len(trainees) > PAGE_SIZE:
        trainees = trainees[:PAGE_SIZE]
        params = {k: v for k, v in request.GET.items() if k != "before" and v}
        next_query = urlencode({**params, "before": trainees[-1].pk})
    return _list_page(request, form, trainees=trainees, search=search, next_query=next_query)


@require_POST
def trainee_search(request: HttpRequest) -> HttpResponse:
    """The search box posts here, so that a typed ID number never travels in a URL (PIPL).

    A full ID number goes straight to that trainee's archive when they are in the user's
    scope; otherwise the page says so, with the number masked. Anything else (a name, the
    filters) is sent on to the GET list, which may be linked and paged.
    """
    _require_view(request)
    form = TraineeFilterForm(request.POST, user=request.user)
    if not form.is_valid():
        search = selectors.trainee_search_parse(request.POST.get("q"))
        return _list_page(request, form, search=search)
    filters = form.filters()
    search = filters["search"]
    if search.is_id:
        trainee = selectors.trainee_find_by_id_number(user=request.user, id_number=search.id_number)
        if trainee is not None:
            return redirect("trainee_detail", pk=trainee.pk)
        return _list_page(request, form, search=search)
    if search.problem:
        return _list_page(request, form, search=search)
    params = {key: getattr(value, "pk", value) for key, value in filters.items() if key != "search" and value}
    if search.name:
        params = {"q": search.name, **params}
    url = reverse("trainee_list")
    return redirect(f"{url}?{urlencode(params)}" if params else url)


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
        "may_add_certificate": request.user.has_perm(CERTIFICATE_PERMISSION),
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


def _roster_page(
    request: HttpRequest, training_class, *, form: RosterUploadForm | None = None,
    outcome_form: EnrolmentOutcomeForm | None = None, **context,
) -> HttpResponse:
    roster = selectors.class_roster(user=request.user, training_class=training_class)
    enrolments = list(roster)
    taken = sum(1 for e in enrolments if e.status != e.Status.DROPPED)
    may_change = request.user.has_perm(OUTCOME_PERMISSION)
    if outcome_form is None and may_change:
        outcome_form = EnrolmentOutcomeForm(roster=roster, training_class=training_class)
    context.update(
        training_class=training_class,
        enrolments=enrolments,
        taken=taken,
        form=form or RosterUploadForm(),
        may_import=_may_import(request.user),
        may_change_enrolments=may_change,
        may_add_certificate=request.user.has_perm(CERTIFICATE_PERMISSION),
        has_enrolled=any(e.status == e.Status.ENROLLED for e in enrolments),
        outcome_form=outcome_form,
    )
    return render(request, "trainees/class_roster.html", context)


@require_http_methods(["GET", "POST"])
def class_roster(request: HttpRequest, pk: int) -> HttpResponse:
    """One class's roster (masked), its template, and the upload of a filled-in roster."""
    training_class = training_class_get(user=request.user, pk=pk)
    if request.method != "POST":
        return _roster_page(request, training_class)
    if not _may_import(request.user):
        raise PermissionDenied("您的账号不能导入花名册。")
    form = RosterUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _roster_page(request, training_class, form=form)
    upload = form.cleaned_data["file"]
    data = upload.read(MAX_BYTES + 1)
    try:
        result = services.roster_import(
            fileobj=io.BytesIO(data), filename=upload.name, actor=request.user, training_class=training_class
        )
    except ValidationError as exc:
        form.add_error(None, "；".join(exc.messages))
        return _roster_page(request, training_class, form=form)
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
    return _roster_page(
        request, training_class, form=form,
        errors=result.errors[:ERRORS_SHOWN], error_count=len(result.errors), error_token=token,
        uploaded_name=upload.name,
    )


@require_POST
def class_roster_outcomes(request: HttpRequest, pk: int) -> HttpResponse:
    """结业 / 退学 of one roster row or of the ticked rows: all of them or, on any problem, none."""
    training_class = training_class_get(user=request.user, pk=pk)
    services.require_permission(request.user, OUTCOME_PERMISSION, "办理结业或退学")
    roster = selectors.class_roster(user=request.user, training_class=training_class)
    form = EnrolmentOutcomeForm(request.POST, roster=roster, training_class=training_class)
    if form.is_valid():
        data = form.cleaned_data
        targets, action = data["targets"], data["chosen_action"]
        try:
            if action == form.COMPLETE:
                if len(targets) == 1:
                    services.enrolment_complete(enrolment=targets[0], completion_date=data["completion_date"],
                                                actor=request.user, request=request)
                else:
                    services.enrolment_bulk_complete(enrolments=targets, completion_date=data["completion_date"],
                                                     actor=request.user, request=request)
            elif len(targets) == 1:
                services.enrolment_drop(enrolment=targets[0], reason=data["reason"], actor=request.user,
                                        request=request)
            else:
                services.enrolment_bulk_drop(enrolments=targets, reason=data["reason"], actor=request.user,
                                             request=request)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            names = "、".join(e.trainee.name for e in targets[:5]) + ("等" if len(targets) > 5 else "")
            verb = form.VERBS[action]
            messages.success(request, f"已为{names}共{len(targets)}名学员办理{verb}。")
            return redirect("class_roster", pk=training_class.pk)
    return _roster_page(request, training_class, outcome_form=form)


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


@require_http_methods(["GET", "POST"])
def certificate_create(request: HttpRequest, pk: int) -> HttpResponse:
    """登记证书 for one trainee; opened from a roster row, the class's programme fills the defaults."""
    _require_view(request)
    trainee = selectors.trainee_get(user=request.user, pk=pk)
    services.require_permission(request.user, CERTIFICATE_PERMISSION, "登记证书")
    back_to_roster = request.GET.get("back") == "roster"
    enrolment = None
    if request.GET.get("enrolment", "").isdigit():
        enrolment = (
            selectors.enrolment_list(user=request.user).filter(trainee=trainee, pk=int(request.GET["enrolment"])).first()
        )
    form = CertificateForm(
        request.POST or None, trainee=trainee, user=request.user, initial=CertificateForm.initial_for(enrolment)
    )
    if request.method == "POST" and form.is_valid():
        try:
            certificate = services.certificate_register(trainee=trainee, actor=request.user, request=request,
                                                        **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已为{trainee.name}登记{certificate.certificate_type}，编号{certificate.number}。")
            if back_to_roster and certificate.enrolment_id:
                return redirect("class_roster", pk=certificate.enrolment.training_class_id)
            return redirect("trainee_detail", pk=trainee.pk)
    return render(request, "trainees/certificate_form.html", {
        "form": form, "trainee": trainee, "enrolment": enrolment, "back_to_roster": back_to_roster,
    })
