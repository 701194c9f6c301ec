from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

admin.site.site_header = "技能提升行动管理系统"
admin.site.site_title = "技能提升行动管理系统"
admin.site.index_title = "管理后台"

api_v1 = [
    path("", include("programs.api_urls")),
    path("", include("trainees.api_urls")),
    path("", include("subsidies.api_urls")),
    path("", include("reports.api_urls")),
]

urlpatterns = [
    path("", include("reports.urls")),
    path("", include("programs.urls")),
    path("", include("trainees.urls")),
    path("", include("subsidies.urls")),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
]

handler400 = "reports.views.bad_request"
handler403 = "reports.views.permission_denied"
handler404 = "reports.views.page_not_found"
handler500 = "reports.views.server_error"
