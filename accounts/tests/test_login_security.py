"""等保 2.0 identity controls: login, lockout, session limits, password rules, login audit."""

import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEntry
from accounts.roles import Role
from accounts.tests.factories import UserFactory


def login(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login_page_is_open_and_in_chinese(client, db):
    html = client.get(reverse("login")).content.decode()
    assert "用户名" in html and "密码" in html and "连续 5 次输入错误密码" in html


def test_every_page_requires_login(client, db):
    for url in ["/", "/units/1/", "/accounts/password_change/", "/admin/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert "login/?next=" in response["Location"]
    for url in ["/api/docs/", "/api/schema/", "/api/v1/units/"]:
        assert client.get(url).status_code == 401


def test_successful_login_is_recorded_with_source_address(client, bureau_staff, password):
    response = login(client, "bureau_staff", password, ip="192.0.2.7")
    assert response.status_code == 302 and response["Location"] == "/"
    entry = AuditEntry.objects.get(action=AuditEntry.Action.LOGIN)
    assert (entry.actor, entry.source_ip, entry.result) == (bureau_staff, "192.0.2.7", "success")


def test_wrong_password_shows_chinese_error_and_is_recorded(client, bureau_staff):
    response = login(client, "bureau_staff", "wrong-password-1")
    assert response.status_code == 200
    assert "请输入一个正确的用户名和密码。注意，两者都区分大小写。" in response.content.decode()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.LOGIN_FAILED)
    assert (entry.actor_username, entry.result, entry.actor) == ("bureau_staff", "failure", None)


def test_five_failures_lock_the_username_on_that_address_for_30_minutes(client, bureau_staff, password):
    for _ in range(4):
        assert login(client, "bureau_staff", "wrong-password-1").status_code == 200
    fifth = login(client, "bureau_staff", "wrong-password-1")
    assert fifth.status_code == 429
    assert "登录失败次数过多（5 次）" in fifth.content.decode() and "30 分钟" in fifth.content.decode()
    # Even the right password is refused while locked.
    locked = login(client, "bureau_staff", password)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action=AuditEntry.Action.LOCKED_OUT, actor_username="bureau_staff").exists()
    # Username and address together: the same user from another address still gets in,
    assert login(Client(), "bureau_staff", password, ip="10.0.0.2").status_code == 302


def test_lockout_expires_after_the_cool_off(client, bureau_staff, password, settings):
    from datetime import timedelta

    from axes.models import AccessAttempt

    for _ in range(5):
        login(client, "bureau_staff", "wrong-password-1")
    assert login(client, "bureau_staff", password).status_code == 429
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.first().attempt_time - timedelta(minutes=31))
    assert login(client, "bureau_staff", password).status_code == 302


def _logged_in_client(user, password) -> Client:
    client = Client()
    assert login(client, user.username, password).status_code == 302
    return client


def _age_session(client: Client, **seconds_ago: float) -> None:
    session = client.session
    for key, ago in seconds_ago.items():
        session[key] = time.time() - ago
    session.save()


def test_idle_session_expires_after_30_minutes(bureau_staff, password):
    client = _logged_in_client(bureau_staff, password)
    _age_session(client, last_seen=29 * 60)
    assert client.get("/").status_code == 200
    _age_session(client, last_seen=31 * 60)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert "由于超过30分钟未操作，您已自动退出，请重新登录。" in response.content.decode()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.SESSION_EXPIRED)
    assert entry.actor == bureau_staff and "30分钟" in entry.detail["reason"]


def test_session_ends_after_12_hours_even_when_active(bureau_staff, password):
    client = _logged_in_client(bureau_staff, password)
    _age_session(client, auth_at=12 * 3600 + 60, last_seen=10)
    response = client.get("/", follow=True)
    assert "登录已超过12小时" in response.content.decode()
    assert client.get("/").status_code == 302


def test_session_cookie_idle_age_is_30_minutes(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST


def test_logout_is_post_only_and_recorded(bureau_staff, password):
    client = _logged_in_client(bureau_staff, password)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert AuditEntry.objects.filter(action=AuditEntry.Action.LOGOUT, actor=bureau_staff).count() == 1
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    "candidate, message",
    [
        ("Ab3456789", "密码长度太短，至少需要 10 个字符。"),
        ("abcdefghijkl", "密码必须同时包含字母和数字。"),
        ("1234567890123", "密码必须同时包含字母和数字。"),
        ("password123", "这个密码太常见了。"),
    ],
)
def test_password_rules(db, candidate, message):
    with pytest.raises(ValidationError) as caught:
        validate_password(candidate)
    assert message in caught.value.messages


def test_a_good_password_passes(db):
    assert validate_password("Qijiang2019skills") is None


def test_one_time_password_must_be_changed_first(client, db):
    user = UserFactory(username="newcomer", role=Role.BUREAU_ADMIN, must_change_password=True)
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == reverse("password_change")
    response = client.post(
        reverse("password_change"),
        {"old_password": "Kaiping2019test", "new_password1": "Qijiang2019skills", "new_password2": "Qijiang2019skills"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.must_change_password is False
    assert client.get("/").status_code == 200
    assert AuditEntry.objects.filter(action=AuditEntry.Action.PASSWORD_CHANGED, actor=user).exists()
