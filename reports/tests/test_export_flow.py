"""Requesting, running, downloading and expiring exports: pages, API, background task, registry."""

import dataclasses
import datetime
import os
import types

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from programs.tests.factories import TrainingClassFactory
from reports import exporters, services
from reports.models import ExportFile
from reports.tests.exporting import response_bytes, workbook_of
from spreadsheets.workbooks import Column
from trainees.tests.factories import EnrolmentFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def roster_of_12(unit_a):
    training_class = TrainingClassFactory(unit=unit_a, code="QJ-BG-01")
    return [EnrolmentFactory(training_class=training_class) for _ in range(12)]


def _queue_roster(user, django_capture_on_commit_callbacks, data=None):
    with django_capture_on_commit_callbacks(execute=True):
        return services.export_request(kind="roster", data=data or {}, actor=user)


# Background ------------------------------------------------------------------------------------


def test_big_export_runs_in_the_background_and_only_the_requester_downloads(
    settings, roster_of_12, auditor, bureau_admin, client_for, django_capture_on_commit_callbacks
):
    settings.EXPORT_BACKGROUND_THRESHOLD = 10
    export = _queue_roster(auditor, django_capture_on_commit_callbacks)

    assert isinstance(export, ExportFile)
    export.refresh_from_db()
    assert export.status == ExportFile.Status.DONE
    assert (export.row_count, export.progress, export.percent) == (12, 12, 100)
    assert export.file.name.startswith("exports/") and export.size > 0
    assert export.expires_at == export.finished_at + datetime.timedelta(days=7)
    request_entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT, object_id=str(export.pk))
    assert request_entry.detail["stage"] == "request" and request_entry.detail["delivery"] == "background"

    # the list shows it with its download link
    html = client_for(auditor).get(reverse("export_list")).content.decode()
    assert f'data-export="{export.pk}" data-export-status="done"' in html
    assert reverse("export_download", args=[export.pk]) in html

    response = client_for(auditor).get(reverse("export_download", args=[export.pk]))
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    ws = workbook_of(response_bytes(response)).active
    assert ws["A1"].value == "职业技能培训学员花名册"
    assert [ws.cell(r, 2).value for r in range(4, 16)] == ["QJ-BG-01"] * 12
    downloads = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT, detail__stage="download")
    assert [(d.actor, d.object_id) for d in downloads] == [(auditor, str(export.pk))]

    # nobody else, not even a bureau admin, sees or downloads it
    other = client_for(bureau_admin)
    assert other.get(reverse("export_download", args=[export.pk])).status_code == 404
    assert other.get(reverse("export_status", args=[export.pk])).status_code == 404
    assert f'data-export="{export.pk}"' not in other.get(reverse("export_list")).content.decode()
    assert downloads.count() == 1


def test_progress_is_committed_every_n_rows_while_running(settings, roster_of_12, auditor, monkeypatch,
                                                          django_capture_on_commit_callbacks):
    settings.EXPORT_BACKGROUND_THRESHOLD = 10
    monkeypatch.setattr(exporters, "PROGRESS_EVERY", 5)
    seen = []
    original = exporters.roster_write

    def watching(book, *, user, filters, on_progress=None):
        def record(rows):
            on_progress(rows)
            seen.append(ExportFile.objects.values_list("status", "progress").get())
        return original(book, user=user, filters=filters, on_progress=record)

    kinds = {**exporters.export_kinds()}
    kinds["roster"] = dataclasses.replace(kinds["roster"], write=watching)
    monkeypatch.setattr(exporters, "export_kinds", lambda: kinds)
    _queue_roster(auditor, django_capture_on_commit_callbacks)
    assert seen == [("running", 5), ("running", 10)]
    assert ExportFile.objects.values_list("status", "progress").get() == ("done", 12)


def test_status_json_for_the_polling_script(settings, roster_of_12, auditor, client_for,
                                            django_capture_on_commit_callbacks):
    settings.EXPORT_BACKGROUND_THRESHOLD = 10
    export = _queue_roster(auditor, django_capture_on_commit_callbacks)
    data = client_for(auditor).get(reverse("export_status", args=[export.pk])).json()
    assert data == {
        "id": export.pk, "status": "done", "status_display": "已完成", "row_count": 12, "progress": 12,
        "percent": 100, "error": "", "download_url": reverse("export_download", args=[export.pk]),
    }


def test_a_queued_export_shows_progress_and_polls(auditor, client_for):
    export = ExportFile.objects.create(requester=auditor, kind="roster", title="学员花名册", filename="x",
                                       status=ExportFile.Status.RUNNING, row_count=20000, progress=5000)
    html = client_for(auditor).get(reverse("export_list")).content.decode()
    assert f'data-export-poll="{reverse("export_status", args=[export.pk])}"' in html
    assert '<progress max="100" value="25"' in html and "生成中" in html
    assert "js/reports.js" in html and "<script>" not in html and "style=" not in html


def test_a_failure_is_shown_with_its_reason(settings, roster_of_12, auditor, client_for, monkeypatch,
                                            django_capture_on_commit_callbacks):
    settings.EXPORT_BACKGROUND_THRESHOLD = 10

    def broken(book, **kwargs):
        raise RuntimeError("磁盘已满")

    kinds = {**exporters.export_kinds()}
    kinds["roster"] = dataclasses.replace(kinds["roster"], write=broken)
    monkeypatch.setattr(exporters, "export_kinds", lambda: kinds)
    export = _queue_roster(auditor, django_capture_on_commit_callbacks)

    export.refresh_from_db()
    assert export.status == ExportFile.Status.FAILED and not export.file
    assert export.error == "导出失败：生成文件时出错（RuntimeError: 磁盘已满）。请重新申请；如仍失败请联系系统管理员。"
    html = client_for(auditor).get(reverse("export_list")).content.decode()
    assert "磁盘已满" in html and "失败" in html
    response = client_for(auditor).get(reverse("export_download", args=[export.pk]), follow=True)
    assert "该导出失败，没有可下载的文件。" in response.content.decode()


def test_running_the_task_twice_changes_nothing(settings, roster_of_12, auditor, django_capture_on_commit_callbacks):
    settings.EXPORT_BACKGROUND_THRESHOLD = 10
    export = _queue_roster(auditor, django_capture_on_commit_callbacks)
    export.refresh_from_db()
    name, finished = export.file.name, export.finished_at
    assert services.export_run(export_id=export.pk) is None
    export.refresh_from_db()
    assert (export.file.name, export.finished_at, export.status) == (name, finished, "done")


def test_a_broker_outage_fails_the_export_visibly(settings, roster_of_12, auditor, monkeypatch,
                                                  django_capture_on_commit_callbacks):
    from kombu.exceptions import OperationalError

    from reports import tasks

    settings.EXPORT_BACKGROUND_THRESHOLD = 10

    def down(*args, **kwargs):
        raise OperationalError("Connection refused")

    monkeypatch.setattr(tasks.export_run, "delay", down)
    export = _queue_roster(auditor, django_capture_on_commit_callbacks)
    export.refresh_from_db()
    assert export.status == "failed" and export.error == "导出失败：后台任务服务暂时不可用，请稍后重新申请。"


def test_a_requester_who_lost_the_right_gets_a_failure_not_the_file(
    settings, roster_of_12, auditor, django_capture_on_commit_callbacks
):
    settings.EXPORT_BACKGROUND_THRESHOLD = 10
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        export = services.export_request(kind="roster", data={}, actor=auditor)
    auditor.groups.clear()
    auditor = type(auditor).objects.get(pk=auditor.pk)  # fresh permission cache
    for callback in callbacks:
        callback()
    export.refresh_from_db()
    assert export.status == "failed" and export.error == "导出失败：您的账号已不能导出此类数据。"


# Expiry ----------------------------------------------------------------------------------------


def test_expiry_deletes_old_files_and_marks_rows_expired_idempotently(auditor, media_root, settings):
    now = timezone.now()
    old = ExportFile.objects.create(
        requester=auditor, kind="roster", title="旧", filename="old", status=ExportFile.Status.DONE,
        finished_at=now - datetime.timedelta(days=8), expires_at=now - datetime.timedelta(days=1),
    )
    old.file.save("old.xlsx", ContentFile(b"old"), save=True)
    fresh = ExportFile.objects.create(
        requester=auditor, kind="roster", title="新", filename="new", status=ExportFile.Status.DONE,
        finished_at=now - datetime.timedelta(days=1), expires_at=now + datetime.timedelta(days=6),
    )
    fresh.file.save("new.xlsx", ContentFile(b"new"), save=True)
    old_path, fresh_path = old.file.path, fresh.file.path

    from reports.tasks import exports_expire

    assert exports_expire.delay().get() == 1
    assert services.exports_expire() == 0  # a second run finds nothing more
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.status == ExportFile.Status.EXPIRED and not old.file
    assert not os.path.exists(old_path)
    assert fresh.status == ExportFile.Status.DONE and os.path.exists(fresh_path)
    # the retention setting counts too: shorten it and the fresher file goes as well
    settings.EXPORT_FILE_RETENTION_DAYS = 0
    assert services.exports_expire() == 1
    assert "exports-expire" in settings.CELERY_BEAT_SCHEDULE
    assert settings.CELERY_BEAT_SCHEDULE["exports-expire"]["task"] == "reports.tasks.exports_expire"


def test_expired_export_cannot_be_downloaded(auditor, client_for):
    export = ExportFile.objects.create(requester=auditor, kind="roster", title="旧", filename="old",
                                       status=ExportFile.Status.EXPIRED)
    response = client_for(auditor).get(reverse("export_download", args=[export.pk]), follow=True)
    assert "该导出已过期，没有可下载的文件。" in response.content.decode()


# Pages -----------------------------------------------------------------------------------------


def test_small_export_downloads_at_once_from_the_page(plan, auditor, client_for):
    client = client_for(auditor)
    page = client.get(reverse("export_new", args=["quarterly_report"])).content.decode()
    assert "导出统计季报" in page and 'name="quarter"' in page
    response = client.post(reverse("export_new", args=["quarterly_report"]), {"year": "2019", "quarter": "1"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "%E7%BB%9F%E8%AE%A1%E5%AD%A3%E6%8A%A5" in response["Content-Disposition"]  # 统计季报
    wb = workbook_of(response_bytes(response))
    assert wb["按责任单位"]["A1"].value == "2019年第1季度职业技能培训统计季报（按责任单位）"
    assert not ExportFile.objects.exists()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT, actor=auditor).count() == 1


def test_page_shows_form_errors_in_chinese_and_changes_nothing(plan, auditor, client_for):
    response = client_for(auditor).post(reverse("export_new", args=["quarterly_report"]), {"year": "2019"})
    html = response.content.decode()
    assert response.status_code == 200 and "请选择季度。" in html
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


def test_unmasked_request_by_a_role_that_may_not_reveal_is_refused_on_the_page(auditor, client_for, roster_of_12):
    response = client_for(auditor).post(reverse("export_new", args=["roster"]), {"unmasked": "on"})
    assert response.status_code == 403
    assert "您的账号不能导出完整的身份证号码和手机号码" in response.content.decode()
    assert not AuditEntry.objects.filter(action__in=["reveal", "export"]).exists()


def test_export_pages_by_role(client_for, operator_a, auditor, no_role_user):
    kinds_of = lambda user: [k for k in ("plan_progress", "quarterly_report", "annual_report", "roster", "audit_log")
                             if f'data-export-kind="{k}"' in client_for(user).get(reverse("export_list")).content.decode()]
    assert kinds_of(auditor) == ["plan_progress", "quarterly_report", "annual_report", "roster", "audit_log"]
    assert kinds_of(operator_a) == ["plan_progress", "quarterly_report", "annual_report", "roster"]
    assert client_for(operator_a).get(reverse("export_new", args=["audit_log"])).status_code == 403
    assert client_for(no_role_user).get(reverse("export_list")).status_code == 403
    assert client_for(auditor).get(reverse("export_new", args=["nothing"])).status_code == 404
    nav = client_for(operator_a).get(reverse("export_list")).content.decode()
    assert ">导出</a>" in nav and ">审计日志</a>" not in nav


# API -------------------------------------------------------------------------------------------


def test_api_request_status_and_file(roster_of_12, auditor, bureau_admin, client_for,
                                     django_capture_on_commit_callbacks):
    client = client_for(auditor)
    kinds = client.get("/api/v1/exports/kinds/").json()
    # this app's kinds first; other apps' (subsidies) follow by their order
    assert [k["key"] for k in kinds][:5] == ["plan_progress", "quarterly_report", "annual_report", "roster", "audit_log"]
    assert "unmasked" in next(k for k in kinds if k["key"] == "roster")["filters"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/exports/", {"kind": "roster", "filters": {"training_class": "QJ-BG-01"}},
                               content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "roster" and body["status"] == "queued" and body["row_count"] == 12
    detail = client.get(f"/api/v1/exports/{body['id']}/").json()
    assert detail["status"] == "done" and detail["file_url"] == f"/api/v1/exports/{body['id']}/file/"
    file_response = client.get(detail["file_url"])
    assert file_response.status_code == 200
    assert workbook_of(response_bytes(file_response)).active["B4"].value == "QJ-BG-01"
    assert [e["id"] for e in client.get("/api/v1/exports/").json()["results"]] == [body["id"]]

    other = client_for(bureau_admin)
    assert other.get(f"/api/v1/exports/{body['id']}/").status_code == 404
    assert other.get(f"/api/v1/exports/{body['id']}/file/").status_code == 404
    assert other.get("/api/v1/exports/").json()["results"] == []


def test_api_refusals_and_unfinished_files(auditor, operator_a, client_for, roster_of_12):
    client = client_for(operator_a)
    response = client.post("/api/v1/exports/", {"kind": "audit_log"}, content_type="application/json")
    assert response.status_code == 403 and response.json()["detail"] == "您的账号不能导出审计日志。"
    response = client.post("/api/v1/exports/", {"kind": "quarterly_report", "filters": {"year": 2019}},
                           content_type="application/json")
    assert response.status_code == 400 and response.json()["detail"] == ["季度：请选择季度。"]
    queued = ExportFile.objects.create(requester=auditor, kind="roster", title="x", filename="x")
    response = client_for(auditor).get(f"/api/v1/exports/{queued.pk}/file/")
    assert response.status_code == 409 and response.json()["detail"] == ["该导出排队中，没有可下载的文件。"]
    assert not ExportFile.objects.filter(requester=operator_a).exists()


# Registry --------------------------------------------------------------------------------------


def _ledger_count(*, user, filters):
    return 2


def _ledger_write(book, *, user, filters, on_progress=None):
    sheet = book.sheet(title="专账余额", period="2019年", columns=[
        Column("source", "资金来源"), Column("balance", "余额（元）", kind="money", total="sum")])
    sheet.extend([{"source": "就业补助资金", "balance": 100}, {"source": "失业保险基金结余", "balance": 50}],
                 on_progress=on_progress)
    sheet.write_totals()
    return sheet.rows_written


def _subsidy_sheet(book, *, user, period, previous):
    sheet = book.sheet(title=f"{period.label}补贴发放（按资金来源）", name="补贴按资金来源",
                       period=f"{period.label}（上年同期：{previous.label}）", columns=[Column("source", "资金来源")])
    sheet.append({"source": "就业补助资金"})
    return 1


def test_another_app_contributes_kinds_and_report_sheets_through_its_exports_module(
    monkeypatch, finance, auditor, client_for, plan
):
    from django import forms

    class LedgerForm(forms.Form):
        def __init__(self, *args, user, **kwargs):
            super().__init__(*args, **kwargs)

    fake = types.SimpleNamespace(
        EXPORT_KINDS=[{
            "key": "subsidy_ledger", "title": "专账收支及余额", "permission": "programs.view_all_units",
            "form": LedgerForm, "count": _ledger_count, "write": _ledger_write, "order": 60,
        }],
        REPORT_SHEETS=[_subsidy_sheet],
    )
    monkeypatch.setattr(exporters, "contributed_modules", lambda: [fake])

    assert list(exporters.export_kinds())[-1] == "subsidy_ledger"
    assert "subsidy_ledger" in [k.key for k in exporters.export_kinds_for(finance)]
    response = client_for(finance).post(reverse("export_new", args=["subsidy_ledger"]), {})
    ws = workbook_of(response_bytes(response)).active
    assert [ws.cell(6, c).value for c in (1, 2)] == ["合计", 150]
    wb = workbook_of(response_bytes(client_for(auditor).post(
        reverse("export_new", args=["quarterly_report"]), {"year": "2019", "quarter": "1"})))
    assert wb.sheetnames[-1] == "补贴按资金来源" and wb["补贴按资金来源"]["A4"].value == "就业补助资金"


def test_discovery_finds_exports_modules_of_installed_apps_only():
    modules = exporters.contributed_modules()
    assert all(module.__name__.endswith(".exports") for module in modules)
    assert "reports.exports" not in [module.__name__ for module in modules]


def test_two_kinds_with_one_key_are_a_configuration_error(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    kind = exporters.export_kinds()["roster"]
    monkeypatch.setattr(exporters, "contributed_modules",
                        lambda: [types.SimpleNamespace(EXPORT_KINDS=[dataclasses.asdict(kind)])])
    with pytest.raises(ImproperlyConfigured, match="导出类型 roster 重复登记"):
        exporters.export_kinds()


def test_unit_operator_of_another_unit_gets_404_on_a_file(settings, roster_of_12, operator_a, operator_b, client_for,
                                                          django_capture_on_commit_callbacks):
    settings.EXPORT_BACKGROUND_THRESHOLD = 10
    export = _queue_roster(operator_a, django_capture_on_commit_callbacks)
    export.refresh_from_db()
    assert export.status == "done" and export.row_count == 12
    assert client_for(operator_b).get(reverse("export_download", args=[export.pk])).status_code == 404
    assert client_for(operator_a).get(reverse("export_download", args=[export.pk])).status_code == 200
    assert not ExportFile.objects.filter(requester=operator_b).exists()
