from django.urls import path

from . import api

urlpatterns = [
    path("trainees/", api.TraineeListApi.as_view(), name="api_trainee_list"),
    path("trainees/lookup/", api.TraineeLookupApi.as_view(), name="api_trainee_lookup"),
    path("trainees/<int:pk>/", api.TraineeArchiveApi.as_view(), name="api_trainee_detail"),
    path("trainees/<int:pk>/reveal/", api.TraineeRevealApi.as_view(), name="api_trainee_reveal"),
    path("classes/<int:pk>/roster/", api.RosterImportApi.as_view(), name="api_class_roster"),
    path("enrolments/<int:pk>/complete/", api.EnrolmentCompleteApi.as_view(), name="api_enrolment_complete"),
    path("enrolments/<int:pk>/drop/", api.EnrolmentDropApi.as_view(), name="api_enrolment_drop"),
    path("certificates/", api.CertificateCreateApi.as_view(), name="api_certificate_create"),
]
