"""Session limits, forced password change and the Content-Security-Policy header."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse


class SessionTimeoutMiddleware:
    """等保 2.0: log out after SESSION_IDLE_TIMEOUT idle seconds or SESSION_ABSOLUTE_TIMEOUT in all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            session = request.session
            auth_at = session.setdefault("auth_at", now)
            last_seen = session.get("last_seen", now)
            reason = ""
            if now - last_seen > settings.SESSION_IDLE_TIMEOUT:
                reason = f"超过{settings.SESSION_IDLE_TIMEOUT // 60}分钟未操作"
            elif now - auth_at > settings.SESSION_ABSOLUTE_TIMEOUT:
                reason = f"登录已超过{settings.SESSION_ABSOLUTE_TIMEOUT // 3600}小时"
            if reason:
                request.logout_reason = reason
                logout(request)
                messages.info(request, f"由于{reason}，您已自动退出，请重新登录。")
            else:
                session["last_seen"] = now
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """An account created with a one-time password must set its own before doing anything else."""

    ALLOWED = ("password_change", "password_change_done", "logout")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not request.path.startswith(settings.STATIC_URL)
            and request.path not in {reverse(name) for name in self.ALLOWED}
        ):
            messages.warning(request, "您正在使用一次性密码，请先设置新密码。")
            return redirect("password_change")
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """No inline scripts or styles, nothing from other origins (the machines have no internet)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response
