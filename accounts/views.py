"""Login, logout and password change pages."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import render

from .services import account_password_changed


def lockout_context() -> dict:
    return {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **lockout_context()}


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        account_password_changed(user=form.user, request=self.request)
        messages.success(self.request, "密码已修改。")
        return response


def locked_out(request, original_response=None, credentials=None):
    """django-axes lockout page, in Chinese, with HTTP 429."""
    from axes.helpers import get_client_username

    context = {**lockout_context(), "username": get_client_username(request, credentials) or ""}
    return render(request, "registration/locked_out.html", context, status=429)
