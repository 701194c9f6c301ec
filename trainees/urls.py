from django.urls import path

from . import views

urlpatterns = [
    path("trainees/", views.trainee_list, name="trainee_list"),
    path("trainees/search/", views.trainee_search, name="trainee_search"),
    path("trainees/<int:pk>/", views.trainee_detail, name="trainee_detail"),
    path("trainees/<int:pk>/reveal/", views.trainee_reveal, name="trainee_reveal"),
    path("trainees/<int:pk>/archive.xlsx", views.trainee_archive_export, name="trainee_archive_export"),
    path("trainees/<int:pk>/certificates/new/", views.certificate_create, name="certificate_create"),
    path("classes/<int:pk>/roster/", views.class_roster, name="class_roster"),
    path("classes/<int:pk>/roster/outcomes/", views.class_roster_outcomes, name="class_roster_outcomes"),
    path("classes/<int:pk>/roster/template.xlsx", views.class_roster_template, name="class_roster_template"),
    path("classes/<int:pk>/roster/errors/<str:token>/", views.class_roster_errors, name="class_roster_errors"),
]
