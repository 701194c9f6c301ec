from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("returns/", views.return_list, name="return_list"),
    path("returns/new/", views.return_new, name="return_new"),
    path("returns/missing/", views.return_missing, name="return_missing"),
    path("returns/deadlines/", views.deadlines, name="deadlines"),
    path("returns/<int:pk>/", views.return_detail, name="return_detail"),
    path("returns/<int:pk>/edit/", views.return_edit, name="return_edit"),
    path("returns/<int:pk>/submit/", views.return_submit, name="return_submit"),
    path("returns/<int:pk>/approve/", views.return_approve, name="return_approve"),
    path("returns/<int:pk>/return/", views.return_send_back, name="return_send_back"),
    path("returns/<int:pk>/reopen/", views.return_reopen, name="return_reopen"),
    path("returns/<int:pk>/attachments/", views.return_attachment_add, name="return_attachment_add"),
    path("returns/attachments/<int:pk>/", views.return_attachment_download, name="return_attachment_download"),
    path("indicators/", views.indicators, name="indicators"),
    path("notifications/", views.notifications, name="notification_list"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("exports/", views.export_list, name="export_list"),
    path("exports/new/<slug:kind>/", views.export_new, name="export_new"),
    path("exports/<int:pk>/status/", views.export_status, name="export_status"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("audit/", views.audit_log, name="audit_log"),
    path("public/", views.public, name="public"),
]
