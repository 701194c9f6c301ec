from django.urls import path

from . import views

urlpatterns = [
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
]
