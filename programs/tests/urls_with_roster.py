"""The project's URLs plus a stand-in roster page, to check the class page links to it once it exists."""

from django.http import HttpResponse
from django.urls import include, path

urlpatterns = [
    path("roster-stand-in/<int:pk>/", lambda request, pk: HttpResponse("roster"), name="class_roster"),
    path("", include("qijiang_training.urls")),
]
