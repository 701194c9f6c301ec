"""Pages of returns, progress, deadlines, indicators and messages, for each role and scope."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Notification
from accounts.notifications import notify
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from reports import services
from reports.models import DeadlineException, IndicatorValue, QuarterlyReturn, ReturnDeadline
from reports.tests.factories import completed_enrolments, make_return

Status = QuarterlyReturn.Status


def html_of(response) -> str:
    return response.content.decode()


def progress_units(html: str) -> list[str]:
    return re.findall(r'<tr data-progress-unit="([^"]+)"', html)


def assert_csp_clean(html: str) -> None:
    assert "style=" not in html and "<script>" not in html and "<style" not in html and "http://" not in html


# Dashboard -----------------------------------------------------------------------------------------


def test_dashboard_shows_progress_for_the_year_with_totals_and_charts(client_for, bureau_staff, plan, unit_a):
    make_return(unit_a, 2019, 1, 250, status=Status.APPROVED)
    services.progress_rollup(plan=plan)
    html = html_of(client_for(bureau_staff).get("/?year=2019"))
    assert len(progress_units(html)) == 18
    row = re.search(r'<tr data-progress-unit="区教委" class="status-behind">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r'<td class="num[^"]*">([^<]+)</td>', row)[:3] == ["500", "250", "50.00%"]
    totals = re.search(r'<tr class="progress-totals">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r'<td class="num[^"]*">([^<]+)</td>', totals)[:3] == ["11400", "250", "2.19%"]
    assert "全区年度目标" in html
    chart = json.loads(re.search(r'data-chart-kind="units" data-chart="([^"]+)"', html).group(1).replace("&quot;", '"'))
    assert chart["units"][2] == "区教委" and chart["achieved"][2] == 250 and chart["quota"][2] == 500
    assert chart["even_pace"] == [2850, 5700, 8550, 11400]
    assert chart["cumulative"] == [250, 250, 250, 250]
    assert "vendor/echarts/echarts.min.js" in html and "js/reports.js" in html
    assert "进度滞后的单位" in html and "区教委：完成 250 人次（50.00%），应完成 100.00%" in html
    assert_csp_clean(html)


def test_dashboard_lists_overdue_missing_returns_for_the_bureau(client_for, bureau_staff, plan, unit_a):
    make_return(unit_a, 2019, 1, 10, status=Status.SUBMITTED)
    services.progress_rollup(plan=plan)
    html = html_of(client_for(bureau_staff).get("/?year=2019"))
    assert "逾期未报的季报" in html
    assert "区农业农村委 2019年第1季度（截止 2019年4月10日，未填报）" in html
    assert "区教委 2019年第1季度" not in html


def test_operator_dashboard_shows_only_their_unit_progress(client_for, operator_a, plan, unit_a, unit_b):
    make_return(unit_b, 2019, 1, 400, status=Status.APPROVED)
    services.progress_rollup(plan=plan)
    html = html_of(client_for(operator_a).get("/?year=2019"))
    assert progress_units(html) == ["区教委"]
    assert "本单位2019年完成进度" in html and "progress-totals" not in html
    chart = json.loads(re.search(r'data-chart="([^"]+)"', html).group(1).replace("&quot;", '"'))
    assert chart["units"] == ["区教委"] and chart["even_pace"] == [125, 250, 375, 500]


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.FINANCE, Role.BUREAU_ADMIN])
def test_progress_is_readable_by_auditors_finance_and_admins(client_for, plan, role):
    services.progress_rollup(plan=plan)
    html = html_of(client_for(UserFactory(role=role)).get("/?year=2020"))
    assert len(progress_units(html)) == 18 and "2020年各责任单位完成进度" in html


def test_dashboard_without_rollup_says_so(client_for, bureau_staff):
    html = html_of(client_for(bureau_staff).get("/?year=2019"))
    assert "2019年的完成进度尚未汇总" in html and progress_units(html) == []


def test_dashboard_year_outside_the_plan_is_404(client_for, bureau_staff):
    assert client_for(bureau_staff).get("/?year=2030").status_code == 404


# Returns ------------------------------------------------------------------------------------------


def test_operator_opens_edits_and_submits_a_return_through_the_pages(client_for, operator_a, unit_a, plan, deadlines_lifted):
    completed_enrolments(unit_a, datetime.date(2019, 2, 1), 2)
    client = client_for(operator_a)
    response = client.post("/returns/new/", {"plan": plan.pk, "year": 2019, "quarter": 1}, follow=True)
    html = html_of(response)
    assert "已按实名制记录预填2019年第1季度统计季报" in html
    assert '<strong id="real-name-figure">2</strong>' in html
    quarterly_return = QuarterlyReturn.objects.get()
    form = {"person_times": 5, "completions": 5, "certificates_issued": 0, "explanation": ""}
    form["group_other"] = 4  # does not add up
    employment = quarterly_return.type_lines.get().training_type_id
    form[f"type_{employment}"] = 5
    html = html_of(client.post(f"/returns/{quarterly_return.pk}/edit/", {**form, "save": "1"}))
    assert "按人员类别分的人次合计为 4，与培训人次 5 不一致" in html
    form["group_other"] = 5
    response = client.post(f"/returns/{quarterly_return.pk}/edit/", {**form, "submit": "1"}, follow=True)
    assert "超过本单位培训班实名制结业人次（2），请在“情况说明”中说明原因" in html_of(response)
    form["explanation"] = "3人为市级平台培训"
    response = client.post(f"/returns/{quarterly_return.pk}/edit/", {**form, "submit": "1"}, follow=True)
    assert "2019年第1季度统计季报已报送，等待区人力社保局审核" in html_of(response)
    quarterly_return.refresh_from_db()
    assert (quarterly_return.status, quarterly_return.person_times, quarterly_return.real_name_person_times) == ("submitted", 5, 2)


def test_staff_review_through_the_pages(client_for, bureau_staff, unit_a):
    quarterly_return = make_return(unit_a, status=Status.SUBMITTED)
    client = client_for(bureau_staff)
    html = html_of(client.get(f"/returns/{quarterly_return.pk}/"))
    assert 'id="approve-form"' in html and 'id="send-back-form"' in html and 'id="submit-form"' not in html
    html = html_of(client.post(f"/returns/{quarterly_return.pk}/return/", {"reason": ""}, follow=True))
    assert "请填写退回理由" in html
    html = html_of(client.post(f"/returns/{quarterly_return.pk}/return/", {"reason": "人次有误"}, follow=True))
    assert "已退回单位修改。" in html and "人次有误" in html
    assert QuarterlyReturn.objects.get().status == Status.RETURNED


def test_return_list_is_scoped_and_filters(client_for, operator_a, bureau_staff, unit_a, unit_b):
    make_return(unit_a, 2019, 1)
    make_return(unit_b, 2019, 2, status=Status.SUBMITTED)
    operator_html = html_of(client_for(operator_a).get("/returns/"))
    assert operator_html.count("data-return=") == 1 and "区农业农村委" not in operator_html.split('id="return-table"')[1]
    assert 'id="new-return"' in operator_html
    staff_html = html_of(client_for(bureau_staff).get("/returns/?status=submitted"))
    assert staff_html.count("data-return=") == 1 and "2019年第2季度" in staff_html
    assert 'id="new-return"' not in staff_html
    assert_csp_clean(staff_html)


def test_other_units_return_pages_are_404(client_for, operator_b, unit_a):
    quarterly_return = make_return(unit_a, status=Status.DRAFT)
    client = client_for(operator_b)
    for url in ("", "edit/"):
        response = client.get(f"/returns/{quarterly_return.pk}/{url}")
        assert response.status_code == 404 and "页面不存在" in html_of(response)
    for action in ("submit", "approve", "return", "reopen", "attachments"):
        assert client.post(f"/returns/{quarterly_return.pk}/{action}/", {"reason": "x"}).status_code == 404
    assert QuarterlyReturn.objects.get().status == Status.DRAFT


def test_finance_and_no_role_cannot_open_returns(client_for, finance, no_role_user, unit_a):
    quarterly_return = make_return(unit_a)
    assert client_for(finance).get("/returns/").status_code == 403
    assert client_for(finance).get(f"/returns/{quarterly_return.pk}/").status_code == 404
    assert client_for(no_role_user).get(f"/returns/{quarterly_return.pk}/").status_code == 404


def test_operator_gets_403_with_reason_when_approving(client_for, operator_a, unit_a):
    quarterly_return = make_return(unit_a, status=Status.SUBMITTED)
    response = client_for(operator_a).post(f"/returns/{quarterly_return.pk}/approve/")
    assert response.status_code == 403 and "只有区人力社保局业务人员可以审核统计季报" in html_of(response)
    assert QuarterlyReturn.objects.get().status == Status.SUBMITTED


def test_attachments_upload_and_scoped_download(client_for, operator_a, operator_b, bureau_staff, unit_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    quarterly_return = make_return(unit_a)
    client = client_for(operator_a)
    bad = client.post(
        f"/returns/{quarterly_return.pk}/attachments/", {"file": SimpleUploadedFile("a.exe", b"MZ")}, follow=True
    )
    assert "佐证材料只接受" in html_of(bad) and not quarterly_return.attachments.exists()
    client.post(f"/returns/{quarterly_return.pk}/attachments/", {"file": SimpleUploadedFile("签到表.pdf", b"%PDF-1.4 x")})
    attachment = quarterly_return.attachments.get()
    assert attachment.name == "签到表.pdf" and attachment.size == 10
    response = client_for(bureau_staff).get(f"/returns/attachments/{attachment.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 x"
    assert client_for(operator_b).get(f"/returns/attachments/{attachment.pk}/").status_code == 404


def test_missing_and_late_returns_page(client_for, bureau_staff, operator_a, unit_a, plan):
    late = make_return(unit_a, 2019, 1, status=Status.SUBMITTED)
    QuarterlyReturn.objects.filter(pk=late.pk).update(submitted_late=True)
    make_return(unit_a, 2019, 2, status=Status.RETURNED)
    html = html_of(client_for(bureau_staff).get("/returns/missing/"))
    assert html.count("data-missing=") == 18 * 12 - 1
    assert 'data-missing="区教委|2019|2"' in html and 'data-missing="区教委|2019|1"' not in html
    assert "已退回修改" in html and html.count("<tr><td>区教委</td><td>2019年第1季度</td>") == 1
    operator_html = html_of(client_for(operator_a).get("/returns/missing/"))
    assert operator_html.count("data-missing=") == 11 and "区农业农村委" not in operator_html


# Deadlines -----------------------------------------------------------------------------------------


def test_admin_sets_and_lifts_deadlines_on_the_page(client_for, bureau_admin, plan):
    client = client_for(bureau_admin)
    html = html_of(client.get("/returns/deadlines/"))
    assert 'id="deadline-form"' in html and "默认（季度结束后 10 天）" in html
    response = client.post(
        "/returns/deadlines/", {"plan": plan.pk, "action": "set", "year": 2019, "quarter": 1, "due_date": "2019-05-31"},
        follow=True,
    )
    html = html_of(response)
    assert "已设置2019年第1季度的报送截止日期" in html and "2019年5月31日" in html
    client.post("/returns/deadlines/", {"plan": plan.pk, "action": "set_all", "lifted": "on"})
    assert ReturnDeadline.objects.filter(lifted=True).count() == 12
    html = html_of(client.get("/returns/deadlines/"))
    assert html.count("已取消截止日期") == 12 and "截止日期修改记录" in html


def test_staff_grant_exceptions_but_cannot_set_deadlines(client_for, bureau_staff, plan, unit_a):
    client = client_for(bureau_staff)
    html = html_of(client.get("/returns/deadlines/"))
    assert 'id="deadline-form"' not in html and 'id="exception-form"' in html
    response = client.post("/returns/deadlines/", {"plan": plan.pk, "action": "set_all", "lifted": "on"})
    assert response.status_code == 403 and not ReturnDeadline.objects.exists()
    response = client.post(
        "/returns/deadlines/",
        {"plan": plan.pk, "action": "exception", "unit": unit_a.pk, "year": 2019, "quarter": 3,
         "until": "2099-12-31", "reason": "补报往年数据"},
        follow=True,
    )
    assert "已批准区教委延期报送至2099年12月31日" in html_of(response)
    assert DeadlineException.objects.get().granted_by == bureau_staff


def test_operator_sees_deadlines_but_cannot_change_them(client_for, operator_a, plan, unit_a):
    client = client_for(operator_a)
    html = html_of(client.get("/returns/deadlines/"))
    assert 'id="deadline-table"' in html and 'id="exception-form"' not in html
    response = client.post(
        "/returns/deadlines/",
        {"plan": plan.pk, "action": "exception", "unit": unit_a.pk, "year": 2019, "quarter": 3, "until": "2099-12-31",
         "reason": "x"},
    )
    assert response.status_code == 403 and not DeadlineException.objects.exists()


# Indicators ----------------------------------------------------------------------------------------


def test_staff_enter_indicators_and_ratios_show_against_targets(client_for, bureau_staff, auditor, plan):
    client = client_for(bureau_staff)
    response = client.post(
        "/indicators/",
        {"plan": plan.pk, "year": 2021, "employed_persons": 500000, "skilled_workers": 125000,
         "high_skilled_workers": 35000, "note": "区统计局"},
        follow=True,
    )
    html = html_of(response)
    assert "已保存2021年目标指标数据" in html
    assert '<td class="num ok">25.00%</td>' in html and '<td class="num bad">28.00%</td>' in html
    value = IndicatorValue.objects.get()
    assert (value.skilled_workers, value.updated_by) == (125000, bureau_staff)
    bad = client.post(
        "/indicators/",
        {"plan": plan.pk, "year": 2020, "employed_persons": 10, "skilled_workers": 11, "high_skilled_workers": 0},
    )
    assert "技能劳动者人数不能超过就业人员总量" in html_of(bad) and IndicatorValue.objects.count() == 1
    auditor_client = client_for(auditor)
    assert 'id="indicator-form"' not in html_of(auditor_client.get("/indicators/"))
    assert auditor_client.post("/indicators/", {"plan": plan.pk, "year": 2020}).status_code == 403


def test_indicator_service_records_audit_and_history(plan, bureau_staff):
    from accounts.models import AuditEntry

    services.indicator_value_set(plan=plan, year=2019, employed_persons=100, skilled_workers=20, high_skilled_workers=5,
                                 actor=bureau_staff)
    services.indicator_value_set(plan=plan, year=2019, employed_persons=100, skilled_workers=24, high_skilled_workers=7,
                                 actor=bureau_staff)
    value = IndicatorValue.objects.get()
    assert value.history.count() == 2
    audit = AuditEntry.objects.filter(action=AuditEntry.Action.STATISTICS_ENTRY).order_by("id").last()
    assert audit.detail["before"]["skilled_workers"] == 20 and audit.detail["after"]["skilled_workers"] == 24
    from reports.selectors import indicator_table

    row = indicator_table(user=bureau_staff, plan=plan).rows[0]
    assert (row.skilled_percent, row.high_skilled_percent) == (Decimal("24.00"), Decimal("29.17"))


# Messages -----------------------------------------------------------------------------------------


def test_notifications_page_header_count_and_marking_read(client_for, operator_a, operator_b):
    notify(recipients=[operator_a], kind="return_approved", title="2019年第1季度统计季报已审核通过", url="/returns/")
    notify(recipients=[operator_b], kind="return_returned", title="别人的消息")
    client = client_for(operator_a)
    html = html_of(client.get("/notifications/"))
    assert "（1条未读）" in html and "2019年第1季度统计季报已审核通过" in html and "别人的消息" not in html
    mine = Notification.objects.get(recipient=operator_a)
    other = Notification.objects.get(recipient=operator_b)
    response = client.post(f"/notifications/{mine.pk}/read/")
    assert response.status_code == 302 and response["Location"] == "/returns/"
    assert "条未读" not in html_of(client.get("/notifications/"))
    assert client.post(f"/notifications/{other.pk}/read/").status_code == 404
    other.refresh_from_db()
    assert other.read_at is None
