from django.urls import path

from . import views

urlpatterns = [
    path("subsidies/claims/", views.claim_list, name="subsidy_claim_list"),
    path("subsidies/claims/new/", views.claim_new, name="subsidy_claim_new"),
    path("subsidies/claims/<int:pk>/", views.claim_detail, name="subsidy_claim_detail"),
    path("subsidies/claims/<int:pk>/submit/", views.claim_submit, name="subsidy_claim_submit"),
    path("subsidies/claims/<int:pk>/review/", views.claim_review, name="subsidy_claim_review"),
    path("subsidies/claims/<int:pk>/approve/", views.claim_approve, name="subsidy_claim_approve"),
    path("subsidies/claims/<int:pk>/publicize/", views.claim_publicize, name="subsidy_claim_publicize"),
    path("subsidies/claims/<int:pk>/return/", views.claim_return, name="subsidy_claim_return"),
    path("subsidies/claims/<int:pk>/reject/", views.claim_reject, name="subsidy_claim_reject"),
    path("subsidies/claims/<int:pk>/settle/", views.claim_settle, name="subsidy_claim_settle"),
    path("subsidies/claims/<int:pk>/evaluate/", views.claim_evaluate, name="subsidy_claim_evaluate"),
    path("subsidies/claims/<int:pk>/pay/", views.claim_pay, name="subsidy_claim_pay"),
    path("subsidies/claims/<int:pk>/lines/<int:line_id>/exclude/", views.line_exclude, name="subsidy_line_exclude"),
    path("subsidies/claims/<int:pk>/attachments/", views.attachment_upload, name="subsidy_attachment_upload"),
    path(
        "subsidies/claims/<int:pk>/attachments/<int:attachment_id>/", views.attachment_download,
        name="subsidy_attachment_download",
    ),
    path("subsidies/claims/<int:pk>/objections/", views.objection_create, name="subsidy_objection_create"),
    path(
        "subsidies/claims/<int:pk>/objections/<int:objection_id>/uphold/", views.objection_uphold,
        name="subsidy_objection_uphold",
    ),
    path(
        "subsidies/claims/<int:pk>/objections/<int:objection_id>/dismiss/", views.objection_dismiss,
        name="subsidy_objection_dismiss",
    ),
    path("subsidies/notices/", views.notice_list, name="subsidy_notice_list"),
    path("subsidies/signals/", views.signal_list, name="subsidy_signal_list"),
    path("subsidies/ledger/", views.ledger, name="subsidy_ledger"),
    path("subsidies/ledger/allocate/", views.ledger_allocate, name="subsidy_ledger_allocate"),
    path("subsidies/ledger/<int:pk>/reverse/", views.ledger_reverse, name="subsidy_ledger_reverse"),
    path("subsidies/policy/", views.policy_tables, name="subsidy_policy"),
]
