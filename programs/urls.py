from django.urls import path

from . import views

urlpatterns = [
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("catalogs/", views.catalog_index, name="catalog_index"),
    path("catalogs/<slug:catalog>/", views.catalog_list, name="catalog_list"),
    path("catalogs/<slug:catalog>/new/", views.catalog_create, name="catalog_create"),
    path("catalogs/<slug:catalog>/<int:pk>/edit/", views.catalog_edit, name="catalog_edit"),
    path("classes/", views.class_list, name="class_list"),
    path("classes/new/", views.class_create, name="class_create"),
    path("classes/<int:pk>/", views.class_detail, name="class_detail"),
    path("classes/<int:pk>/edit/", views.class_edit, name="class_edit"),
    path("classes/<int:pk>/start/", views.class_start, name="class_start"),
    path("classes/<int:pk>/finish/", views.class_finish, name="class_finish"),
    path("classes/<int:pk>/cancel/", views.class_cancel, name="class_cancel"),
]
