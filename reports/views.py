"""Pages: the dashboard, quarterly returns and their review, deadlines, indicators, messages, error pages."""

import json
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET, require_POST

from accounts.notifications import notification_list, notification_mark_read, notifications_mark_all_read
from programs import selectors as plan_selectors
from programs.models import ActionPlan

from spreadsheets.workbooks import content_disposition

from . import exporters, selectors, services
from . import public as public_sections
from .forms import (
    AttachmentForm, AuditLogFilterForm, DeadlineForm, ExceptionForm, IndicatorForm, NewReturnForm, PlanDeadlinesForm,
    ReasonForm, ReturnForm,
)
from .models import ExportFile, QuarterlyReturn, ReturnAttachment

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PUBLIC_MAX_AGE = 300


def _plan(request) -> ActionPlan:
    plan = plan_selectors.plan_get(pk=request.GET.get("plan") or request.POST.get("plan"))
    if plan is None:
        raise Http404("没有找到该行动计划。")
    return plan


def _year(request, plan: ActionPlan) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = min(max(timezone.localdate().year, plan.start_year), plan.end_year)
    if year not in plan.years:
        raise Http404("该年度不在行动计划范围内。")
    return year


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _form_errors(request, form) -> None:
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)


def dashboard(request):
    """The notice's attachment table and each unit's progress for a year, as far as the user's scope reaches."""
    plan = _plan(request)
    table = plan_selectors.plan_table(user=request.user, plan=plan)
    context = {"table": table, "plans": plan_selectors.plan_list()}
    if request.user.has_perm(selectors.VIEW_PROGRESS):
        year = _year(request, plan)
        progress = selectors.progress_table(user=request.user, plan=plan, year=year)
        context.update(
            year=year,
            progress=progress,
            chart_json=json.dumps(selectors.chart_data(progress), ensure_ascii=False),
            missing=[m for m in selectors.missing_returns(user=request.user, plan=plan, year=year) if m.overdue],
        )
    return render(request, "reports/dashboard.html", context)


# Returns ---------------------------------------------------------------------------------------


def return_list(request):
    if not request.user.has_perm(selectors.VIEW_RETURNS):
        raise PermissionDenied("您的账号不能查看统计季报。")
    plan = _plan(request)
    filters = {key: request.GET.get(key) for key in ("year", "quarter", "status", "unit")}
    filters = {key: value for key, value in filters.items() if value and value.isascii() and (key == "status" or value.isdigit())}
    returns = selectors.return_list(user=request.user, filters={"plan": plan.pk, **filters})
    can_create = request.user.has_perm(services.SUBMIT_PERMISSION) and request.user.unit_id is not None
    return render(
        request,
        "reports/return_list.html",
        {
            "plan": plan,
            "returns": returns[:500],
            "filters": filters,
            "statuses": QuarterlyReturn.Status.choices,
            "units": selectors.responsible_units(user=request.user, plan=plan),
            "new_form": NewReturnForm(plan=plan) if can_create else None,
            "can_review": request.user.has_perm(services.REVIEW_PERMISSION),
        },
    )


@require_POST
def return_new(request):
    plan = _plan(request)
    form = NewReturnForm(request.POST, plan=plan)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(f"{reverse('return_list')}?plan={plan.pk}")
    try:
        quarterly_return = services.return_create(
            plan=plan, year=form.cleaned_data["year"], quarter=form.cleaned_data["quarter"], actor=request.user
        )
    except ValidationError as exc:
        _errors(request, exc)
        return redirect(f"{reverse('return_list')}?plan={plan.pk}")
    messages.success(request, f"已按实名制记录预填{quarterly_return.period}统计季报，请核对后保存并报送。")
    return redirect("return_edit", pk=quarterly_return.pk)


def return_detail(request, pk: int):
    quarterly_return = selectors.return_get(user=request.user, pk=pk)
    user = request.user
    own_unit = user.has_perm(services.SUBMIT_PERMISSION) and user.unit_id == quarterly_return.unit_id
    reviewer = user.has_perm(services.REVIEW_PERMISSION)
    live_real_name = None
    if quarterly_return.is_editable:
        live_real_name = selectors.real_name_person_times(
            unit_id=quarterly_return.unit_id, year=quarterly_return.year, quarter=quarterly_return.quarter
        )
    deadline = selectors.deadline_get(plan=quarterly_return.plan, year=quarterly_return.year, quarter=quarterly_return.quarter)
    return render(
        request,
        "reports/return_detail.html",
        {
            "r": quarterly_return,
            "deadline": deadline,
            "live_real_name": live_real_name,
            "can_edit": own_unit and quarterly_return.is_editable,
            "can_submit": own_unit and quarterly_return.is_editable,
            "can_review": reviewer and quarterly_return.status == QuarterlyReturn.Status.SUBMITTED,
            "can_reopen": reviewer and quarterly_return.status == QuarterlyReturn.Status.APPROVED,
            "reason_form": ReasonForm(),
            "attachment_form": AttachmentForm() if own_unit and quarterly_return.is_editable else None,
        },
    )


def return_edit(request, pk: int):
    quarterly_return = selectors.return_get(user=request.user, pk=pk)
    if not (request.user.has_perm(services.SUBMIT_PERMISSION) and request.user.unit_id == quarterly_return.unit_id):
        raise PermissionDenied("只能填报本单位的统计季报。")
    if not quarterly_return.is_editable:
        messages.error(request, services._not_editable_message(quarterly_return))
        return redirect("return_detail", pk=pk)
    if request.method == "POST":
        form = ReturnForm(request.POST)
        if form.is_valid():
            try:
                services.return_update(quarterly_return=quarterly_return, data=form.to_data(), actor=request.user)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                if "submit" in request.POST:
                    return _submit(request, quarterly_return)
                messages.success(request, "已保存。")
                return redirect("return_detail", pk=pk)
    else:
        form = ReturnForm(data_initial=services.return_data_of(quarterly_return))
    figures = selectors.real_name_figures(
        user=request.user, unit=quarterly_return.unit, year=quarterly_return.year, quarter=quarterly_return.quarter
    )
    return render(request, "reports/return_form.html", {"r": quarterly_return, "form": form, "figures": figures})


def _submit(request, quarterly_return: QuarterlyReturn):
    try:
        quarterly_return = services.return_submit(quarterly_return=quarterly_return, actor=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, f"{quarterly_return.period}统计季报已报送，等待区人力社保局审核。")
    return redirect("return_detail", pk=quarterly_return.pk)


@require_POST
def return_submit(request, pk: int):
    return _submit(request, selectors.return_get(user=request.user, pk=pk))


@require_POST
def return_approve(request, pk: int):
    quarterly_return = selectors.return_get(user=request.user, pk=pk)
    try:
        services.return_approve(quarterly_return=quarterly_return, actor=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, f"已审核通过{quarterly_return.unit}{quarterly_return.period}统计季报。")
    return redirect("return_detail", pk=pk)


def _with_reason(request, pk: int, service, done: str):
    quarterly_return = selectors.return_get(user=request.user, pk=pk)
    form = ReasonForm(request.POST)
    try:
        service(quarterly_return=quarterly_return, reason=form.data.get("reason", ""), actor=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, done)
    return redirect("return_detail", pk=pk)


@require_POST
def return_send_back(request, pk: int):
    return _with_reason(request, pk, services.return_send_back, "已退回单位修改。")


@require_POST
def return_reopen(request, pk: int):
    return _with_reason(request, pk, services.return_reopen, "已重新打开，季报退回单位更正。")


@require_POST
def return_attachment_add(request, pk: int):
    quarterly_return = selectors.return_get(user=request.user, pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        try:
            services.return_attachment_add(quarterly_return=quarterly_return, upload=form.cleaned_data["file"], actor=request.user)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, "佐证材料已上传。")
    return redirect("return_detail", pk=pk)


def return_attachment_download(request, pk: int):
    attachment = get_object_or_404(
        ReturnAttachment.objects.filter(quarterly_return__in=selectors.return_list(user=request.user)), pk=pk
    )
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


def return_missing(request):
    """Late and missing returns (the bureau sees every unit, a unit operator their own)."""
    if not request.user.has_perm(selectors.VIEW_RETURNS):
        raise PermissionDenied("您的账号不能查看统计季报。")
    plan = _plan(request)
    return render(
        request,
        "reports/return_missing.html",
        {
            "plan": plan,
            "missing": selectors.missing_returns(user=request.user, plan=plan),
            "late": selectors.late_returns(user=request.user, plan=plan),
            "can_grant": request.user.has_perm(services.EXCEPTION_PERMISSION),
        },
    )


# Deadlines -------------------------------------------------------------------------------------


def deadlines(request):
    """Each quarter's due date, its history, and leave granted to units; admins and staff act here."""
    user = request.user
    if not user.has_perm("reports.view_returndeadline"):
        raise PermissionDenied("您的账号不能查看报送期限。")
    plan = _plan(request)
    units = selectors.responsible_units(user=user, plan=plan)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "set":
                form = DeadlineForm(request.POST, plan=plan)
                if form.is_valid():
                    row = services.deadline_set(plan=plan, actor=user, **form.cleaned_data)
                    messages.success(request, f"已设置{row.year}年第{row.quarter}季度的报送截止日期。")
                else:
                    _form_errors(request, form)
            elif action == "set_all":
                form = PlanDeadlinesForm(request.POST)
                if form.is_valid():
                    count = services.plan_deadlines_set(plan=plan, actor=user, **form.cleaned_data)
                    messages.success(request, f"已设置全部 {count} 个季度的报送截止日期。")
                else:
                    _form_errors(request, form)
            elif action == "exception":
                form = ExceptionForm(request.POST, plan=plan, units=units)
                if form.is_valid():
                    leave = services.deadline_exception_grant(plan=plan, actor=user, **form.cleaned_data)
                    messages.success(request, f"已批准{leave.unit}延期报送至{leave.until:%Y年%m月%d日}。")
                else:
                    _form_errors(request, form)
            else:
                messages.error(request, "未知的操作。")
        except ValidationError as exc:
            _errors(request, exc)
        return redirect(f"{reverse('deadlines')}?plan={plan.pk}")
    table = selectors.deadline_table(plan=plan)
    today = timezone.localdate()
    return render(
        request,
        "reports/deadlines.html",
        {
            "plan": plan,
            "deadlines": [(d, d.passed(today)) for d in table.values()],
            "history": selectors.deadline_history(plan=plan),
            "exceptions": selectors.deadline_exception_list(user=user, plan=plan),
            "can_set": user.has_perm(services.DEADLINE_PERMISSION),
            "can_grant": user.has_perm(services.EXCEPTION_PERMISSION),
            "deadline_form": DeadlineForm(plan=plan),
            "plan_form": PlanDeadlinesForm(initial={"days_after_quarter_end": 10}),
            "exception_form": ExceptionForm(plan=plan, units=units),
        },
    )


# Indicators ------------------------------------------------------------------------------------


def indicators(request):
    user = request.user
    if not user.has_perm("reports.view_indicatorvalue"):
        raise PermissionDenied("您的账号不能查看目标指标。")
    plan = _plan(request)
    can_edit = user.has_perm(services.INDICATOR_PERMISSION)
    form = IndicatorForm(plan=plan)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("只有区人力社保局业务人员可以录入目标指标数据。")
        form = IndicatorForm(request.POST, plan=plan)
        if form.is_valid():
            try:
                value = services.indicator_value_set(plan=plan, actor=user, **form.cleaned_data)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, f"已保存{value.year}年目标指标数据。")
                return redirect(f"{reverse('indicators')}?plan={plan.pk}")
    return render(
        request,
        "reports/indicators.html",
        {"plan": plan, "table": selectors.indicator_table(user=user, plan=plan), "form": form if can_edit else None},
    )


# Messages --------------------------------------------------------------------------------------


def notifications(request):
    items = notification_list(user=request.user)[:200]
    return render(request, "reports/notifications.html", {"items": items})


@require_POST
def notification_read(request, pk: int):
    notification = notification_mark_read(user=request.user, pk=pk)
    if notification.url and notification.url.startswith("/") and not notification.url.startswith("//"):
        return redirect(notification.url)
    return redirect("notification_list")


@require_POST
def notifications_read_all(request):
    count = notifications_mark_all_read(user=request.user)
    messages.success(request, f"已将 {count} 条消息标记为已读。")
    return redirect("notification_list")


# Error pages -----------------------------------------------------------------------------------


def _error(request, status: int, title: str, message: str):
    return render(request, "error.html", {"status": status, "title": title, "message": message}, status=status)


def bad_request(request, exception=None):
    return _error(request, 400, "请求有误", "请求的内容无法处理，请返回上一页检查后重试。")


def permission_denied(request, exception=None):
    reason = str(exception or "").strip()
    message = "您的账号没有访问此页面的权限。如需开通，请联系安全管理员。"
    return _error(request, 403, "无权访问", f"{reason} {message}" if reason else message)


def page_not_found(request, exception=None):
    return _error(request, 404, "页面不存在", "您访问的页面不存在，或不在您的账号可查看的范围内。")


def server_error(request):
    return _error(request, 500, "系统错误", "系统处理时发生错误，已记录。请稍后重试，如仍有问题请联系系统管理员。")


def csrf_failure(request, reason: str = ""):
    return _error(request, 403, "页面已过期", "页面已过期或来源不正确，请刷新页面后重新提交。")


# Exports ---------------------------------------------------------------------------------------


def _export_kind_or_404(request, kind: str):
    export_kind = exporters.export_kinds().get(kind)
    if export_kind is None:
        raise Http404("没有这种导出类型。")
    if not export_kind.available_to(request.user):
        raise PermissionDenied(f"您的账号不能导出{export_kind.title}。")
    return export_kind


def _download(handle, filename: str, row_count: int | None = None) -> FileResponse:
    response = FileResponse(handle, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(filename)
    response["Cache-Control"] = "private, no-store"
    if row_count is not None:
        response["X-Export-Rows"] = str(row_count)
    return response


def export_list(request):
    """The kinds this user may export, and their own exports with progress and download links."""
    kinds = exporters.export_kinds_for(request.user)
    files = list(selectors.export_file_list(user=request.user)[:100])
    if not kinds and not files:
        raise PermissionDenied("您的账号不能导出数据。")
    return render(
        request, "reports/export_list.html",
        {"kinds": kinds, "files": files, "threshold": settings.EXPORT_BACKGROUND_THRESHOLD,
         "retention_days": settings.EXPORT_FILE_RETENTION_DAYS},
    )


def export_new(request, kind: str):
    """The filter form of one export kind; a small export downloads at once, a big one is queued."""
    export_kind = _export_kind_or_404(request, kind)
    form = export_kind.form(request.POST or None, user=request.user)
    if request.method == "POST":
        try:
            result = services.export_request(kind=kind, data=request.POST, actor=request.user, request=request)
        except ValidationError as exc:
            if form.is_valid():  # otherwise the form shows the same errors beside its fields
                for message in exc.messages:
                    form.add_error(None, message)
        except PermissionDenied as exc:
            form.is_valid()
            form.add_error(None, str(exc))
            return render(request, "reports/export_form.html", {"kind": export_kind, "form": form}, status=403)
        else:
            if isinstance(result, services.DirectExport):
                return _download(result.file, result.filename, result.row_count)
            messages.success(
                request, f"{result.title}共 {result.row_count} 行，已转入后台生成，完成后可在本页下载。"
            )
            return redirect("export_list")
    return render(
        request, "reports/export_form.html",
        {"kind": export_kind, "form": form, "threshold": settings.EXPORT_BACKGROUND_THRESHOLD},
    )


def export_status(request, pk: int):
    """Progress of one of the user's own exports, for the list page's polling script."""
    export = selectors.export_file_get(user=request.user, pk=pk)
    return JsonResponse(
        {
            "id": export.pk, "status": export.status, "status_display": export.get_status_display(),
            "row_count": export.row_count, "progress": export.progress, "percent": export.percent,
            "error": export.error,
            "download_url": reverse("export_download", args=[export.pk])
            if export.status == ExportFile.Status.DONE else None,
        },
        headers={"Cache-Control": "private, no-store"},
    )


def export_download(request, pk: int):
    """The file of a finished export, for its requester only (anyone else gets 404)."""
    export = selectors.export_file_get(user=request.user, pk=pk)
    try:
        handle = services.export_file_open(export=export, actor=request.user, request=request)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("export_list")
    return _download(handle, export.filename, export.row_count)


# Audit log -------------------------------------------------------------------------------------


@require_GET
def audit_log(request):
    """The audit trail for auditors and the audit admin: filters, keyset pages, export. Read only."""
    if not request.user.has_perm(selectors.AUDIT_VIEW):
        raise PermissionDenied("只有审计人员和安全审计员可以查看审计日志。")
    form = AuditLogFilterForm(request.GET or None, user=request.user)
    filters = exporters.stored_filters(form.cleaned_data) if form.is_valid() else {}
    page = selectors.audit_entry_page(user=request.user, filters=filters, after=request.GET.get("after"))
    query = {key: value for key, value in request.GET.items() if key != "after" and value}
    next_url = None
    if page.next_cursor:
        next_url = f"{reverse('audit_log')}?{urlencode({**query, 'after': page.next_cursor})}"
    first_url = f"{reverse('audit_log')}?{urlencode(query)}" if request.GET.get("after") else None
    audit_kind = exporters.export_kinds().get("audit_log")
    return render(
        request, "reports/audit_log.html",
        {
            "form": form, "entries": page.entries, "next_url": next_url, "first_url": first_url,
            "filters": filters, "can_export": audit_kind is not None and audit_kind.available_to(request.user),
        },
    )


# Public page -----------------------------------------------------------------------------------


@login_not_required
@require_GET
def public(request):
    """Published statistics for anyone, without logging in; cacheable by proxies for anonymous visitors."""
    plan = plan_selectors.plan_get(pk=request.GET.get("plan") if (request.GET.get("plan") or "").isdigit() else None)
    sections = []
    if plan is not None:
        for item in public_sections.public_page(plan):
            context = {**item.context, "plan": plan, "section": item.section, "published": item.published}
            sections.append((item.section, render_to_string(item.section.template, context)))
    response = render(
        request, "reports/public/page.html",
        {"plan": plan, "plans": plan_selectors.plan_list(), "sections": sections},
    )
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, max_age=0)
    else:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    return response
