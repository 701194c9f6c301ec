from django.urls import path

from . import api

urlpatterns = [
    path("returns/", api.ReturnListApi.as_view(), name="api_return_list"),
    path("returns/<int:pk>/", api.ReturnDetailApi.as_view(), name="api_return_detail"),
    path("returns/<int:pk>/submit/", api.ReturnSubmitApi.as_view(), name="api_return_submit"),
    path("returns/<int:pk>/approve/", api.ReturnApproveApi.as_view(), name="api_return_approve"),
    path("returns/<int:pk>/return/", api.ReturnSendBackApi.as_view(), name="api_return_send_back"),
    path("returns/<int:pk>/reopen/", api.ReturnReopenApi.as_view(), name="api_return_reopen"),
    path("progress/", api.ProgressApi.as_view(), name="api_progress"),
    path("exports/", api.ExportListApi.as_view(), name="api_export_list"),
    path("exports/kinds/", api.ExportKindListApi.as_view(), name="api_export_kinds"),
    path("exports/<int:pk>/", api.ExportDetailApi.as_view(), name="api_export_detail"),
    path("exports/<int:pk>/file/", api.ExportFileApi.as_view(), name="api_export_file"),
]
