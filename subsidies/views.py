"""Pages: claims and their workflow, the public notice list, fraud signals, the ledger, the policy tables.

Each workflow action is its own small POST view: parse, call one service, redirect with
a Chinese message. Out-of-scope ids answer 404 through the selectors.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from . import forms, policy, selectors, services
from .models import ClaimAttachment, ClaimObjection, FundSource, LedgerEntry, SubsidyClaim, SubsidyType

PAGE_SIZE = 50


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _form_errors(request, form) -> None:
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)


def _back(claim_pk: int):
    return redirect("subsidy_claim_detail", pk=claim_pk)


# ---------------------------------------------------------------- claims


@require_GET
def claim_list(request):
    if not request.user.has_perm("subsidies.view_subsidyclaim"):
        raise PermissionDenied
    filters = {"status": request.GET.get("status", ""), "subsidy_type": request.GET.get("type", "")}
    page = Paginator(selectors.claim_list(user=request.user, filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "subsidies/claim_list.html",
        {
            "page": page, "filters": filters, "statuses": SubsidyClaim.Status.choices, "types": SubsidyType.choices,
            "can_create": request.user.has_perm("subsidies.add_subsidyclaim"),
        },
    )


def claim_new(request):
    if not request.user.has_perm("subsidies.add_subsidyclaim"):
        raise PermissionDenied
    classes = selectors.claimable_classes(user=request.user)
    form = forms.ClaimCreateForm(request.POST or None, classes=classes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            claim = services.claim_create(
                training_class=data["training_class"], subsidy_type=data["subsidy_type"], actor=request.user,
                employer_kind=data["employer_kind"], employer_insured=data["employer_insured"],
                payee_name=data["payee_name"], note=data["note"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, f"已创建申领 {claim.number}：{claim.eligible_count} 名学员符合条件，合计 {policy.yuan(claim.total)} 元。"
            )
            return _back(claim.pk)
    return render(request, "subsidies/claim_new.html", {"form": form})


@require_GET
def claim_detail(request, pk: int):
    claim = selectors.claim_get(user=request.user, pk=pk)
    user = request.user
    lines = list(selectors.claim_lines(claim=claim))
    show_signals = user.has_perm("subsidies.view_fraud_signals")
    context = {
        "claim": claim,
        "lines": lines,
        "show_signals": show_signals,
        "claim_signals": [s for s in selectors.claim_signals(user=user, claim=claim) if s.line_id is None],
        "signal_count": selectors.claim_signals(user=user, claim=claim).count() if show_signals else 0,
        "transitions": selectors.claim_transitions(claim=claim),
        "objections": selectors.claim_objections(claim=claim),
        "payments": selectors.claim_payments(claim=claim),
        "attachments": claim.attachments.select_related("uploaded_by"),
        "actions": _available_actions(user, claim),
        "pay_form": forms.PaymentForm(initial={"idempotency_key": uuid.uuid4().hex}),
        "objection_form": forms.ObjectionForm(lines=[line for line in lines if line.counts]),
        "attachment_form": forms.AttachmentForm(),
    }
    return render(request, "subsidies/claim_detail.html", context)


def _available_actions(user, claim: SubsidyClaim) -> set[str]:
    """Buttons to show; the services check again (and have the last word)."""
    s = SubsidyClaim.Status
    applicant = user.has_perm("subsidies.submit_claim") and (
        (user.institution_id and user.institution_id == claim.training_class.institution_id)
        or (not user.institution_id and user.unit_id and user.unit_id == claim.training_class.unit_id)
    )
    reviewer = user.has_perm("subsidies.review_claim") and user.unit_id == claim.training_class.unit_id
    bureau = user.has_perm("subsidies.approve_claim")
    actions = set()
    if claim.status == s.DRAFT and applicant:
        actions |= {"submit", "evaluate", "exclude", "attach"}
    if claim.status == s.ADVANCE_PAID and applicant:
        actions.add("settle")
    if claim.status == s.SUBMITTED and reviewer:
        actions |= {"review", "return", "reject"}
    if claim.status == s.UNIT_REVIEWED and bureau:
        actions |= {"approve", "return", "reject"}
    if claim.status == s.APPROVED and bureau:
        actions.add("publicize")
    if claim.status == s.PUBLICIZED and user.has_perm("subsidies.record_objection"):
        actions.add("objection")
    if claim.status == s.PAYABLE and user.has_perm("subsidies.pay_claim"):
        actions.add("pay")
    return actions


def _transition_view(service, *, success: str, form_class=None, field: str = ""):
    @require_POST
    def view(request, pk: int):
        claim = selectors.claim_get(user=request.user, pk=pk)
        kwargs = {}
        if form_class is not None:
            form = form_class(request.POST)
            if not form.is_valid():
                _form_errors(request, form)
                return _back(claim.pk)
            kwargs[field] = form.cleaned_data[field]
        try:
            service(claim=claim, actor=request.user, **kwargs)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, success)
        return _back(claim.pk)

    return view


claim_submit = _transition_view(services.claim_submit, success="已提交，等待责任单位初审。")
claim_review = _transition_view(
    services.claim_review, success="初审通过，已转区人力社保局复核。", form_class=forms.CommentForm, field="comment"
)
claim_approve = _transition_view(
    services.claim_approve, success="复核通过，可以发布公示。", form_class=forms.CommentForm, field="comment"
)
claim_publicize = _transition_view(services.claim_publicize, success="已发布公示。")
claim_return = _transition_view(
    services.claim_return, success="已退回申领人修改。", form_class=forms.ReasonForm, field="reason"
)
claim_reject = _transition_view(
    services.claim_reject, success="已作出不予补贴的决定。", form_class=forms.ReasonForm, field="reason"
)
claim_settle = _transition_view(services.claim_settle, success="已转入结算，请核对学员结业和取得证书情况后提交。")
claim_evaluate = _transition_view(services.claim_evaluate, success="已按现行规定重新核算。")


@require_POST
def claim_pay(request, pk: int):
    claim = selectors.claim_get(user=request.user, pk=pk)
    form = forms.PaymentForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(claim.pk)
    data = form.cleaned_data
    try:
        payment, created = services.claim_pay(
            claim=claim, fund_source=data["fund_source"], voucher_number=data["voucher_number"],
            paid_on=data["paid_on"], actor=request.user, idempotency_key=data["idempotency_key"] or None,
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        verb = "已登记支付" if created else "该支付已登记过"
        messages.success(
            request,
            f"{verb}：{payment.get_stage_display()} {policy.yuan(payment.amount)} 元（凭证号 {payment.voucher_number}）。",
        )
    return _back(claim.pk)


@require_POST
def line_exclude(request, pk: int, line_id: int):
    claim = selectors.claim_get(user=request.user, pk=pk)
    form = forms.ExcludeForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(claim.pk)
    try:
        services.claim_line_exclude(
            claim=claim, line_id=line_id, excluded=form.cleaned_data["excluded"], reason=form.cleaned_data["reason"],
            actor=request.user,
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "已调整申领学员并重新核算。")
    return _back(claim.pk)


@require_POST
def attachment_upload(request, pk: int):
    claim = selectors.claim_get(user=request.user, pk=pk)
    form = forms.AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(claim.pk)
    try:
        services.attachment_add(
            claim=claim, kind=form.cleaned_data["kind"], uploaded_file=form.cleaned_data["file"], actor=request.user
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "材料已上传。")
    return _back(claim.pk)


@require_GET
def attachment_download(request, pk: int, attachment_id: int):
    claim = selectors.claim_get(user=request.user, pk=pk)
    attachment = get_object_or_404(ClaimAttachment, pk=attachment_id, claim=claim)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name)


@require_POST
def objection_create(request, pk: int):
    claim = selectors.claim_get(user=request.user, pk=pk)
    form = forms.ObjectionForm(request.POST, lines=selectors.claim_lines(claim=claim).filter(eligible=True, excluded=False))
    if not form.is_valid():
        _form_errors(request, form)
        return _back(claim.pk)
    data = form.cleaned_data
    try:
        services.objection_record(
            claim=claim, content=data["content"], objector=data["objector"], received_on=data["received_on"],
            enrolment_id=data["enrolment"], actor=request.user,
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "已登记公示异议；异议处理完毕前不会转入支付。")
    return _back(claim.pk)


def _objection_view(service, success: str):
    @require_POST
    def view(request, pk: int, objection_id: int):
        claim = selectors.claim_get(user=request.user, pk=pk)
        objection = get_object_or_404(ClaimObjection, pk=objection_id, claim=claim)
        form = forms.DecisionForm(request.POST)
        if not form.is_valid():
            _form_errors(request, form)
            return _back(claim.pk)
        try:
            service(objection=objection, decision=form.cleaned_data["decision"], actor=request.user)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, success)
        return _back(claim.pk)

    return view


objection_uphold = _objection_view(services.objection_uphold, "异议成立，申领已退回责任单位重新初审。")
objection_dismiss = _objection_view(services.objection_dismiss, "异议不成立，申领继续公示。")


# ---------------------------------------------------------------- public notice, signals


@require_GET
def notice_list(request):
    """公示: masked names and ID numbers only; the same template block serves the public page later."""
    blocks = selectors.notice_blocks(selectors.notice_claims())
    return render(request, "subsidies/notice_list.html", {"blocks": blocks})


@require_GET
def signal_list(request):
    if not request.user.has_perm("subsidies.view_fraud_signals"):
        raise PermissionDenied
    page = Paginator(selectors.claim_signal_list(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "subsidies/signal_list.html", {"page": page})


# ---------------------------------------------------------------- ledger


@require_GET
def ledger(request):
    balances = selectors.ledger_balances(user=request.user)
    if balances is None:
        raise PermissionDenied
    filters = {"fund_source": request.GET.get("source", ""), "kind": request.GET.get("kind", "")}
    page = Paginator(selectors.ledger_list(user=request.user, filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "subsidies/ledger.html",
        {
            "balances": balances, "page": page, "filters": filters, "kinds": LedgerEntry.Kind.choices,
            "sources": FundSource.objects.all(), "can_manage": request.user.has_perm("subsidies.manage_ledger"),
            "allocation_form": forms.AllocationForm(), "reversal_form": forms.ReversalForm(),
        },
    )


@require_POST
def ledger_allocate(request):
    if not request.user.has_perm("subsidies.manage_ledger"):
        raise PermissionDenied
    form = forms.AllocationForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("subsidy_ledger")
    data = form.cleaned_data
    try:
        entry = services.ledger_allocate(
            fund_source=data["fund_source"], amount=data["amount"], entry_date=data["entry_date"],
            voucher_number=data["voucher_number"], memo=data["memo"], actor=request.user,
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, f"已登记资金拨入：{entry.fund_source} {policy.yuan(entry.amount)} 元。")
    return redirect("subsidy_ledger")


@require_POST
def ledger_reverse(request, pk: int):
    entry = selectors.ledger_entry_get(user=request.user, pk=pk)
    form = forms.ReversalForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("subsidy_ledger")
    data = form.cleaned_data
    try:
        reversal = services.ledger_reverse(
            entry=entry, amount=data["amount"], reason=data["reason"], entry_date=data["entry_date"],
            voucher_number=data["voucher_number"], actor=request.user,
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, f"已登记{reversal.memo}，金额 {policy.yuan(abs(reversal.amount))} 元。")
    return redirect("subsidy_ledger")


# ---------------------------------------------------------------- policy


@require_GET
def policy_tables(request):
    if not request.user.has_perm("subsidies.view_subsidystandard"):
        raise PermissionDenied
    return render(
        request, "subsidies/policy.html",
        {
            "standards": selectors.standard_list(),
            "parameters": selectors.parameter_list(),
            "can_edit": request.user.has_perm("subsidies.change_subsidystandard"),
        },
    )

