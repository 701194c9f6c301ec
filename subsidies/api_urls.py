from django.urls import path

from . import api

urlpatterns = [
    path("claims/", api.ClaimListCreateApi.as_view(), name="api_claim_list"),
    path("claims/<int:pk>/", api.ClaimDetailApi.as_view(), name="api_claim_detail"),
    path("claims/<int:pk>/lines/", api.ClaimLinesApi.as_view(), name="api_claim_lines"),
    path("claims/<int:pk>/lines/<int:line_id>/exclude/", api.LineExcludeApi.as_view(), name="api_claim_line_exclude"),
    path("claims/<int:pk>/submit/", api.ClaimSubmitApi.as_view(), name="api_claim_submit"),
    path("claims/<int:pk>/review/", api.ClaimReviewApi.as_view(), name="api_claim_review"),
    path("claims/<int:pk>/approve/", api.ClaimApproveApi.as_view(), name="api_claim_approve"),
    path("claims/<int:pk>/publicize/", api.ClaimPublicizeApi.as_view(), name="api_claim_publicize"),
    path("claims/<int:pk>/return/", api.ClaimReturnApi.as_view(), name="api_claim_return"),
    path("claims/<int:pk>/reject/", api.ClaimRejectApi.as_view(), name="api_claim_reject"),
    path("claims/<int:pk>/settle/", api.ClaimSettleApi.as_view(), name="api_claim_settle"),
    path("claims/<int:pk>/evaluate/", api.ClaimEvaluateApi.as_view(), name="api_claim_evaluate"),
    path("claims/<int:pk>/objections/", api.ObjectionListCreateApi.as_view(), name="api_claim_objections"),
    path(
        "claims/<int:pk>/objections/<int:objection_id>/uphold/", api.ObjectionUpholdApi.as_view(),
        name="api_objection_uphold",
    ),
    path(
        "claims/<int:pk>/objections/<int:objection_id>/dismiss/", api.ObjectionDismissApi.as_view(),
        name="api_objection_dismiss",
    ),
    path("payments/", api.PaymentListCreateApi.as_view(), name="api_payment_list"),
    path("ledger/", api.LedgerListApi.as_view(), name="api_ledger_list"),
    path("ledger/allocations/", api.LedgerAllocateApi.as_view(), name="api_ledger_allocate"),
    path("ledger/<int:pk>/reverse/", api.LedgerReverseApi.as_view(), name="api_ledger_reverse"),
    path("balances/", api.BalancesApi.as_view(), name="api_balances"),
    path("notices/", api.NoticeListApi.as_view(), name="api_notice_list"),
]
