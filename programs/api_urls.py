from django.urls import path

from . import api
from .selectors import CATALOGS

urlpatterns = [
    path("plans/", api.PlanListApi.as_view(), name="api_plan_list"),
    path("units/", api.UnitListApi.as_view(), name="api_unit_list"),
    path("units/<int:pk>/", api.UnitDetailApi.as_view(), name="api_unit_detail"),
    path("classes/", api.TrainingClassListApi.as_view(), name="api_class_list"),
    path("classes/<int:pk>/", api.TrainingClassDetailApi.as_view(), name="api_class_detail"),
    path("classes/<int:pk>/start/", api.TrainingClassStartApi.as_view(), name="api_class_start"),
    path("classes/<int:pk>/finish/", api.TrainingClassFinishApi.as_view(), name="api_class_finish"),
    path("classes/<int:pk>/cancel/", api.TrainingClassCancelApi.as_view(), name="api_class_cancel"),
]

for catalog in CATALOGS.values():
    urlpatterns += [
        path(f"{catalog.slug}/", api.CatalogListApi.as_view(catalog=catalog), name=f"api_{catalog.model_name}_list"),
        path(
            f"{catalog.slug}/<int:pk>/",
            api.CatalogDetailApi.as_view(catalog=catalog),
            name=f"api_{catalog.model_name}_detail",
        ),
    ]
