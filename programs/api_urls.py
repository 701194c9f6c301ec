from django.urls import path

from . import api

urlpatterns = [
    path("plans/", api.PlanListApi.as_view(), name="api_plan_list"),
    path("units/", api.UnitListApi.as_view(), name="api_unit_list"),
    path("units/<int:pk>/", api.UnitDetailApi.as_view(), name="api_unit_detail"),
]
