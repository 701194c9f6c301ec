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
]
