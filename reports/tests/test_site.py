"""Site-wide rules: Chinese everywhere, error pages, headers, deployment check."""

import os
import subprocess
import sys

from django.conf import settings
from django.test import Client

from accounts.roles import Role
from accounts.tests.factories import UserFactory


def test_language_and_time_zone():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.LANGUAGES == [("zh-hans", "简体中文")]
    assert settings.TIME_ZONE == "Asia/Shanghai" and settings.USE_TZ


def test_admin_is_in_chinese(client_for, bureau_admin):
    html = client_for(bureau_admin).get("/admin/").content.decode()
    assert "管理后台" in html and "行动计划与单位" in html and "指导计划" in html


def test_404_page_is_chinese(client_for, bureau_staff):
    response = client_for(bureau_staff).get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_csrf_failure_page_is_chinese(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "a", "password": "b"})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


def test_500_page_is_chinese(rf):
    from reports.views import server_error

    request = rf.get("/")
    response = server_error(request)
    assert response.status_code == 500 and "系统错误" in response.content.decode()


def test_security_headers(client, db):
    response = client.get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_pages_link_no_outside_resources(client_for, bureau_staff):
    html = client_for(bureau_staff).get("/").content.decode()
    assert "http://" not in html and "https://" not in html and "<script>" not in html and "style=" not in html


def test_stylesheet_is_served_locally(client, db):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert b"--brand" in b"".join(response.streaming_content)


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "0",
        "HTTPS": "1",
        "SECRET_KEY": "x7Hq2-production-secret-" + "k" * 40 + "Zp9",
        "ALLOWED_HOSTS": "jnts.qijiang.gov.cn",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_unit_operator_has_no_admin(client_for, operator_a):
    response = client_for(operator_a).get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_no_role_user_cannot_open_admin(client_for):
    user = UserFactory(role=None)
    assert client_for(user).get("/admin/").status_code == 302
    assert UserFactory(role=Role.FINANCE).is_staff is False


def test_no_template_carries_inline_script_or_style():
    """The CSP (script-src 'self'; style-src 'self') would block them: every script and style is a file."""
    import re
    from pathlib import Path

    offenders = []
    for template in sorted(Path(settings.BASE_DIR, "templates").rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        if re.search(r"\sstyle\s*=|<style", text) or re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text):
            offenders.append(template.name)
        if re.search(r"\son[a-z]+\s*=", text):
            offenders.append(f"{template.name} (inline event handler)")
    assert offenders == []
    assert len(list(Path(settings.BASE_DIR, "templates").rglob("*.html"))) > 40
