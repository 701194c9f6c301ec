"""The public disclosure page and the audit log viewer."""

import datetime
import re
import types

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import AuditEntry
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from reports import public, services
from reports.models import QuarterlyReturn
from reports.tests.factories import completed_enrolments, make_return
from trainees.tests.factories import TraineeFactory

Status = QuarterlyReturn.Status


# Public page -----------------------------------------------------------------------------------


@pytest.fixture
def published(plan, unit_a, unit_b):
    make_return(unit_a, 2019, 1, 250, status=Status.APPROVED)
    make_return(unit_b, 2019, 2, 400, status=Status.APPROVED)
    make_return(unit_a, 2020, 1, 60, status=Status.APPROVED)
    make_return(unit_b, 2020, 2, 999, status=Status.SUBMITTED)  # not approved: never published
    enrolments = completed_enrolments(unit_a, datetime.date(2019, 3, 20), 5)
    services.progress_rollup(plan=plan)
    return enrolments


def test_public_page_renders_without_login_with_totals_against_the_plan(published, monkeypatch):
    # this app's own sections; the reserved slots stay empty without a contributing app
    monkeypatch.setattr(public, "contributed_modules", lambda: [])
    response = Client().get("/public/")
    assert response.status_code == 200
    html = response.content.decode()
    years = re.findall(r'<tr data-year="(\d+)"><td>\d+年</td><td class="num target">([\d,]+)</td>'
                       r'<td class="num achieved">([\d,]+)</td><td class="num percent">([^<]+)</td>', html)
    assert years == [("2019", "11400", "650", "5.70%"), ("2020", "14300", "60", "0.42%"), ("2021", "17000", "0", "0.00%")]
    total = re.search(r'<tr class="totals" id="public-years-total">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r'<td class="num[^"]*">([^<]+)</td>', total) == ["42700", "710", "1.66%"]
    jiaowei = re.search(r'<tr data-public-unit="区教委">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r'<td class="num[^"]*">([^<]+)</td>', jiaowei)[:4] == ["3", "500", "250", "50.00%"]
    assert len(re.findall(r"<tr data-public-unit=", html)) == 18
    assert "资金使用情况" in html and "补贴公示名单" in html and html.count("暂未公布。") == 2
    assert "<script>" not in html and "style=" not in html and "<style" not in html


def test_public_page_holds_no_personal_data_of_any_trainee(published):
    trainees = [TraineeFactory(household_address="重庆市綦江区文龙街道九龙大道8号") for _ in range(30)]
    trainees += [e.trainee for e in published]
    html = Client().get("/public/").content.decode()
    for trainee in trainees:
        assert trainee.id_number not in html and trainee.id_number[-8:] not in html
        assert trainee.mobile not in html and trainee.mobile[-4:] + "<" not in html
        assert trainee.name not in html
    assert "九龙大道" not in html
    assert not re.search(r"\d{17}[\dX]", html) and not re.search(r"1[3-9]\d{9}", html)


def test_public_page_is_cache_friendly_and_needs_no_session(published, client_for, bureau_staff):
    response = Client().get("/public/")
    assert response.status_code == 200
    assert not response.cookies  # no session, no CSRF cookie
    cache_control = response["Cache-Control"]
    assert "public" in cache_control and "max-age=300" in cache_control
    assert "csrfmiddlewaretoken" not in response.content.decode()
    # a signed-in visitor sees their name in the header: never cached for others
    signed_in = client_for(bureau_staff).get("/public/")
    assert "private" in signed_in["Cache-Control"] and "public" not in signed_in["Cache-Control"]
    assert Client().post("/public/").status_code == 405


def test_login_page_links_to_the_public_page(db):
    html = Client().get(reverse("login")).content.decode()
    assert 'href="/public/" id="public-link"' in html


def test_public_slots_are_filled_by_another_apps_public_module(published, monkeypatch, tmp_path, settings):
    template_dir = tmp_path / "templates" / "subsidies"
    template_dir.mkdir(parents=True)
    (template_dir / "public_fund_usage.html").write_text(
        '<p id="fund-total">就业补助资金已使用 {{ total }} 元</p>', encoding="utf-8")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates", *settings.TEMPLATES[0]["DIRS"]]}]
    fake = types.SimpleNamespace(PUBLIC_SECTIONS=[{
        "key": "fund_usage", "title": "资金使用情况", "template": "subsidies/public_fund_usage.html",
        "context": lambda plan: {"total": "1,234.00"}, "order": 30,
    }])
    monkeypatch.setattr(public, "contributed_modules", lambda: [fake])
    html = Client().get("/public/").content.decode()
    assert '<p id="fund-total">就业补助资金已使用 1,234.00 元</p>' in html
    assert html.count("暂未公布。") == 1  # the notice list slot is still empty
    order = re.findall(r'<section class="card public-section" id="public-([a-z_]+)"', html)
    assert order == ["progress", "units", "fund_usage", "notice_lists"]


# Audit log viewer ------------------------------------------------------------------------------


@pytest.fixture
def entries(bureau_staff):
    for n in range(120):
        audit_record(action=AuditEntry.Action.LOGIN, actor=bureau_staff, detail={"n": n})
    audit_record(action=AuditEntry.Action.LOGIN_FAILED, username="intruder", result=AuditEntry.Result.FAILURE)
    audit_record(action=AuditEntry.Action.TRANSITION, actor=bureau_staff, obj=bureau_staff)


def _ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr data-audit="(\d+)">', html)]


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.AUDIT_ADMIN])
def test_audit_log_pages_by_keyset_without_counting(entries, client_for, role):
    client = client_for(UserFactory(role=role))
    with CaptureQueriesContext(connection) as queries:
        first = client.get(reverse("audit_log")).content.decode()
    audit_queries = [q["sql"].upper() for q in queries.captured_queries if "ACCOUNTS_AUDITENTRY" in q["sql"].upper()]
    assert len(audit_queries) == 1
    assert "COUNT(" not in audit_queries[0] and "OFFSET" not in audit_queries[0] and "LIMIT 51" in audit_queries[0]
    ids = _ids(first)
    assert len(ids) == 50 and ids == sorted(ids, reverse=True)
    assert ids[0] == AuditEntry.objects.order_by("-created_at", "-id").first().pk
    seen = list(ids)
    html = first
    while 'id="audit-next"' in html:
        next_url = re.search(r'<a href="([^"]+)" id="audit-next"', html).group(1).replace("&amp;", "&")
        html = client.get(next_url).content.decode()
        seen += _ids(html)
    assert len(seen) == len(set(seen)) == AuditEntry.objects.count()


def test_audit_log_filters(entries, client_for, auditor, bureau_staff):
    client = client_for(auditor)
    html = client.get(reverse("audit_log"), {"action": "login_failed"}).content.decode()
    assert _ids(html) == [AuditEntry.objects.get(action="login_failed").pk] and "intruder" in html
    html = client.get(reverse("audit_log"), {"username": "bureau_staff", "action": "transition"}).content.decode()
    assert len(_ids(html)) == 1
    html = client.get(reverse("audit_log"), {"object_type": "accounts.user", "object_id": str(bureau_staff.pk)}).content.decode()
    assert len(_ids(html)) == 1
    html = client.get(reverse("audit_log"), {"result": "failure"}).content.decode()
    assert len(_ids(html)) == 1
    today = timezone.localdate()
    html = client.get(reverse("audit_log"), {"date_from": str(today + datetime.timedelta(days=1))}).content.decode()
    assert _ids(html) == [] and "没有符合条件的记录。" in html
    html = client.get(reverse("audit_log"), {"date_from": str(today), "date_to": str(today), "action": "login"}).content.decode()
    assert len(_ids(html)) == 50 and 'id="audit-next"' in html
    assert "action=login" in re.search(r'<a href="([^"]+)" id="audit-next"', html).group(1)
    html = client.get(reverse("audit_log"), {"date_from": "2020-02-01", "date_to": "2020-01-01"}).content.decode()
    assert "结束日期不能早于开始日期。" in html


def test_audit_log_export_keeps_the_filters(entries, client_for, auditor):
    from reports.tests.exporting import response_bytes, workbook_of

    client = client_for(auditor)
    html = client.get(reverse("audit_log"), {"action": "login_failed"}).content.decode()
    assert '<input type="hidden" name="action" value="login_failed">' in html
    response = client.post(reverse("export_new", args=["audit_log"]), {"action": "login_failed"})
    ws = workbook_of(response_bytes(response)).active
    assert ws["B4"].value == "intruder" and ws["C4"].value == "登录失败" and ws["A5"].value.startswith("共 1 条")


@pytest.mark.parametrize("role", [Role.BUREAU_ADMIN, Role.BUREAU_STAFF, Role.UNIT_OPERATOR, Role.FINANCE,
                                  Role.INSTITUTION_OPERATOR, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, None])
def test_audit_log_refused_without_the_permission(entries, client_for, role, unit_a):
    user = UserFactory(role=role, unit=unit_a if role == Role.UNIT_OPERATOR else None)
    response = client_for(user).get(reverse("audit_log"))
    assert response.status_code == 403
    assert "只有审计人员和安全审计员可以查看审计日志。" in response.content.decode()


def test_audit_log_cannot_be_changed_through_the_viewer(entries, client_for, auditor):
    client = client_for(auditor)
    count = AuditEntry.objects.count()
    assert client.post(reverse("audit_log"), {"action": "login"}).status_code == 405
    assert AuditEntry.objects.count() == count
    nav = client.get(reverse("audit_log")).content.decode()
    assert ">审计日志</a>" in nav
    assert not re.search(r"<(button|a)[^>]*>[^<]*(删除|修改|编辑)[^<]*</(button|a)>", re.sub(r"<header.*?</header>", "", nav, flags=re.S))
