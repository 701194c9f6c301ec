"""Each workbook opened with openpyxl and checked against the database, for each scope."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import AuditEntry
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from programs.models import Assignment, Occupation, Quota, TrainingType
from programs.tests.factories import TrainingClassFactory
from reports import services
from reports.models import QuarterlyReturn, ReturnGroupLine
from reports.tests.exporting import all_cells, export_now, row_by
from reports.tests.factories import completed_enrolments, make_return
from trainees.models import Enrolment, TargetGroup
from trainees.tests.factories import CertificateFactory, EnrolmentFactory

Status = QuarterlyReturn.Status
ID_PATTERN = re.compile(r"\d{17}[\dX]")
PHONE_PATTERN = re.compile(r"1\d{10}")


# The attachment table ------------------------------------------------------------------------


def test_attachment_table_has_the_notice_columns_achieved_percent_and_the_42700_total(plan, bureau_staff, unit_a):
    # given 区教委 had 250 person-times approved in 2019 Q1 and 120 in 2020 Q2
    make_return(unit_a, 2019, 1, 250, status=Status.APPROVED)
    make_return(unit_a, 2020, 2, 120, status=Status.APPROVED)
    services.progress_rollup(plan=plan)

    ws = export_now("plan_progress", bureau_staff).active

    assert ws["A1"].value == f"{plan.name}工作分工及指导计划完成情况表"
    assert ws["A2"].value.startswith("统计期间：2019—2021年（綦江府办发〔2019〕39号附件）    导出时间：")
    assert [ws.cell(3, c).value for c in range(1, 5)] == ["序号", "责任单位", "配合单位", "工作职责"]
    assert [ws.cell(3, c).value for c in (5, 8, 11, 14)] == ["2019年", "2020年", "2021年", "2019—2021年合计"]
    assert [ws.cell(4, c).value for c in range(5, 8)] == ["指导计划", "完成", "完成率"]
    assert ws.freeze_panes == "A5"
    rows = [[ws.cell(r, c).value for c in range(1, 17)] for r in range(5, 23)]
    assert [row[1] for row in rows] == list(
        Assignment.objects.filter(plan=plan).order_by("order").values_list("unit__name", flat=True)
    )
    jiaowei = rows[2]
    assignment = Assignment.objects.get(plan=plan, unit=unit_a)
    assert jiaowei[:4] == [3, "区教委", "区人力社保局", assignment.duties]
    assert jiaowei[4:] == [500, 250, 0.5, 600, 120, 0.2, 700, 0, 0, 1800, 370, pytest.approx(370 / 1800, abs=1e-4)]
    assert ws.cell(7, 7).number_format == "0.00%" and ws.cell(7, 6).number_format == "#,##0"
    # every row's quotas equal the database's
    for row in rows:
        quotas = dict(Quota.objects.filter(plan=plan, unit__name=row[1]).values_list("year", "target"))
        assert (row[4], row[7], row[10]) == (quotas[2019], quotas[2020], quotas[2021])
    totals = [ws.cell(23, c).value for c in range(1, 17)]
    assert totals[0] == "合计"
    assert totals[4:] == [11400, 250, pytest.approx(250 / 11400), 14300, 120, pytest.approx(120 / 14300),
                          17000, 0, 0, 42700, 370, pytest.approx(370 / 42700)]
    assert ws.cell(23, 14).value == 42700 and ws.cell(23, 14).font.b
    assert "审核通过的统计季报人次" in ws.cell(24, 1).value


def test_attachment_table_of_a_unit_operator_holds_their_unit_alone(plan, operator_a, unit_a, unit_b):
    make_return(unit_a, 2019, 1, 100, status=Status.APPROVED)
    make_return(unit_b, 2019, 1, 300, status=Status.APPROVED)
    services.progress_rollup(plan=plan)

    ws = export_now("plan_progress", operator_a).active

    units = [ws.cell(r, 2).value for r in range(5, ws.max_row + 1)]
    assert units[0] == "区教委" and "区农业农村委" not in units
    assert [ws.cell(6, c).value for c in (1, 5, 6, 14, 15)] == ["合计", 500, 100, 1800, 100]


# Quarterly and annual reports ----------------------------------------------------------------


@pytest.fixture
def two_years(plan, unit_a, unit_b):
    """区教委: 2019 Q1 approved 80, 2020 Q1 approved 120 (with groups and types); real-name records in both."""
    poverty = TargetGroup.objects.get(code="poverty-labourer")
    first = make_return(unit_a, 2019, 1, 80, status=Status.APPROVED)
    second = make_return(unit_a, 2020, 1, 120, status=Status.APPROVED)
    second.certificates_issued = 30
    second.save()
    ReturnGroupLine.objects.filter(quarterly_return=second).update(person_times=100)
    ReturnGroupLine.objects.create(quarterly_return=second, target_group=poverty, person_times=20)
    make_return(unit_a, 2020, 2, 999, status=Status.APPROVED)  # another quarter: only in the annual report
    make_return(unit_b, 2020, 1, 50, status=Status.APPROVED)
    make_return(unit_b, 2020, 3, 7, status=Status.SUBMITTED)  # not approved: never counted
    enrolments_2020 = completed_enrolments(unit_a, datetime.date(2020, 3, 20), 4)
    completed_enrolments(unit_a, datetime.date(2019, 3, 10), 2)
    completed_enrolments(unit_b, datetime.date(2020, 2, 10), 3)
    enrolments_2020[0].trainee.target_groups.set([poverty])
    for enrolment in enrolments_2020[:3]:
        CertificateFactory(enrolment=enrolment, issued_on=datetime.date(2020, 3, 28))
    return {"first": first, "second": second}


def test_quarterly_report_by_unit_against_the_same_quarter_a_year_earlier(two_years, bureau_staff):
    wb = export_now("quarterly_report", bureau_staff, {"year": 2020, "quarter": 1})

    # this app's sheets first; contributed ones (subsidies) follow
    assert wb.sheetnames[:5] == ["按责任单位", "按人员类别", "按培训类型", "按职业工种", "取得证书"]
    ws = wb["按责任单位"]
    assert ws["A1"].value == "2020年第1季度职业技能培训统计季报（按责任单位）"
    assert ws["A2"].value.startswith("统计期间：2020年第1季度（上年同期：2019年第1季度）")
    headers = [ws.cell(4, c).value or ws.cell(3, c).value for c in range(1, 13)]
    assert headers[4:8] == ["取得证书人次（季报）", "取得证书人次（实名制）", "审核通过人次（季报）", "实名制结业人次"]
    assert [ws.cell(3, c).value for c in (7, 9, 11)] == ["本期（2020年第1季度）", "上年同期（2019年第1季度）", "同比增长"]
    jiaowei = row_by(ws, 2, "区教委")
    # order, unit, 2020 quota, share, certificates declared / real-name, now approved / real-name,
    # before approved / real-name, change approved / real-name
    assert jiaowei == [3, "区教委", 600, 0.2, 30, 3, 120, 4, 80, 2, 0.5, 1]
    nongye = row_by(ws, 2, "区农业农村委")
    assert nongye[6:10] == [50, 3, 0, 0] and nongye[10] is None
    totals = row_by(ws, 1, "合计")
    assert totals[2] == 14300 and totals[6:10] == [170, 7, 80, 2]
    assert totals[10] == pytest.approx((170 - 80) / 80) and totals[11] == pytest.approx((7 - 2) / 2)
    assert ws.cell(ws.max_row, 1).value.startswith("说明：“审核通过人次（季报）”为各责任单位报送并经区人力社保局审核通过")


def test_quarterly_report_breakdowns_by_group_type_occupation_and_certificates(two_years, bureau_staff):
    wb = export_now("quarterly_report", bureau_staff, {"year": 2020, "quarter": 1})

    groups = wb["按人员类别"]
    assert row_by(groups, 2, "建档立卡贫困劳动力")[2:4] == [20, 1]
    assert row_by(groups, 2, "其他人员")[2:6] == [150, 6, 80, 2]
    assert row_by(groups, 1, "合计")[2:6] == [170, 7, 80, 2]
    types = wb["按培训类型"]
    assert row_by(types, 2, "就业技能培训")[2:6] == [170, 7, 80, 2]
    assert row_by(types, 2, "创业培训")[2:6] == [0, 0, 0, 0]
    occupations = wb["按职业工种"]
    assert row_by(occupations, 2, "电焊")[2:6] == [7, 3, 2, 0]
    assert row_by(occupations, 2, "钳工") is None  # nothing in either period
    assert "统计季报不按职业（工种）分列" in occupations.cell(occupations.max_row, 1).value
    certificates = wb["取得证书"]
    assert row_by(certificates, 2, "职业技能等级证书")[2:4] == [3, 0]
    assert row_by(certificates, 1, "合计")[2] == 3


def test_annual_report_adds_up_the_quarters_of_the_year(two_years, auditor):
    wb = export_now("annual_report", auditor, {"year": 2020})

    ws = wb["按责任单位"]
    assert ws["A1"].value == "2020年职业技能培训统计年报（按责任单位）"
    jiaowei = row_by(ws, 2, "区教委")
    assert jiaowei[6:10] == [1119, 4, 80, 2]
    assert jiaowei[3] == pytest.approx(1119 / 600, abs=1e-4)
    assert row_by(ws, 1, "合计")[6] == 1119 + 50


def test_periodic_reports_of_a_unit_operator_hold_their_unit_alone(two_years, operator_b):
    for kind, data in (("quarterly_report", {"year": 2020, "quarter": 1}), ("annual_report", {"year": 2020})):
        wb = export_now(kind, operator_b, data)
        ws = wb["按责任单位"]
        units = [ws.cell(r, 2).value for r in range(5, ws.max_row + 1) if ws.cell(r, 2).value]
        assert units == ["区农业农村委"]
        assert row_by(ws, 1, "合计")[6:8] == [50, 3]
        # the breakdowns add up 区农业农村委's figures only, never 区教委's
        assert row_by(wb["按人员类别"], 1, "合计")[2:4] == [50, 3]
        assert row_by(wb["按培训类型"], 1, "合计")[2:4] == [50, 3]
        assert row_by(wb["按职业工种"], 1, "合计")[2:4] == [3, 0]
        assert row_by(wb["取得证书"], 1, "合计")[2] == 0


def test_quarterly_report_needs_a_year_in_the_plan(plan, bureau_staff):
    with pytest.raises(ValidationError) as error:
        services.export_request(kind="quarterly_report", data={"year": 2025, "quarter": 1}, actor=bureau_staff)
    assert error.value.messages == ["年度：所选年度不在行动计划范围内，请重新选择。"]
    with pytest.raises(ValidationError) as error:
        services.export_request(kind="quarterly_report", data={"year": 2019}, actor=bureau_staff)
    assert error.value.messages == ["季度：请选择季度。"]


# Roster ----------------------------------------------------------------------------------------


@pytest.fixture
def rosters(unit_a, unit_b):
    class_a = TrainingClassFactory(unit=unit_a, code="QJ-A-01", start_date=datetime.date(2019, 4, 1),
                                   end_date=datetime.date(2019, 4, 20))
    class_b = TrainingClassFactory(unit=unit_b, code="QJ-B-01", start_date=datetime.date(2020, 5, 1),
                                   end_date=datetime.date(2020, 5, 30))
    a = [EnrolmentFactory(training_class=class_a) for _ in range(3)]
    b = [EnrolmentFactory(training_class=class_b, status=Enrolment.Status.ENROLLED) for _ in range(2)]
    return {"a": a, "b": b, "class_a": class_a, "class_b": class_b}


def _roster_rows(ws):
    return [[c for c in row] for row in ws.iter_rows(min_row=4, values_only=True) if isinstance(row[0], int)]


def test_roster_is_masked_by_default_and_matches_the_database(rosters, bureau_staff):
    ws = export_now("roster", bureau_staff).active

    assert ws["A1"].value == "职业技能培训学员花名册"
    assert [ws.cell(3, c).value for c in (10, 12, 13)] == ["姓名", "身份证号码", "手机号码"]
    rows = _roster_rows(ws)
    assert len(rows) == 5
    first = rosters["a"][0]
    row = next(r for r in rows if r[9] == first.trainee.name)
    assert row[1:7] == ["QJ-A-01", rosters["class_a"].name, "区教委", rosters["class_a"].institution.name, "电焊",
                        "初级工（五级）"]
    assert row[7] == datetime.datetime(2019, 4, 1) and row[8] == datetime.datetime(2019, 4, 20)
    assert row[11] == first.trainee.id_number[:6] + "********" + first.trainee.id_number[-4:]
    assert row[12] == first.trainee.mobile[:3] + "****" + first.trainee.mobile[-4:]
    assert row[15] == "已结业" and row[16] == datetime.datetime(2019, 4, 20)
    text = " ".join(str(cell.value) for _, cell in all_cells(ws.parent))
    assert not ID_PATTERN.search(text) and not PHONE_PATTERN.search(text)
    assert "身份证号码和手机号码已按规定隐去部分数字" in text


def test_roster_of_a_unit_operator_holds_their_unit_alone(rosters, operator_a, operator_b):
    rows_a = _roster_rows(export_now("roster", operator_a).active)
    assert {row[3] for row in rows_a} == {"区教委"} and len(rows_a) == 3
    rows_b = _roster_rows(export_now("roster", operator_b).active)
    assert {row[3] for row in rows_b} == {"区农业农村委"} and len(rows_b) == 2
    with pytest.raises(ValidationError) as error:
        services.export_request(kind="roster", data={"unit": rosters["class_b"].unit_id}, actor=operator_a)
    assert error.value.messages == ["责任单位：所选单位不存在或不在您的查看范围内，请重新选择。"]
    with pytest.raises(ValidationError) as error:
        services.export_request(kind="roster", data={"training_class": "QJ-B-01"}, actor=operator_a)
    assert error.value.messages == ["培训班编号：没有找到编号为 QJ-B-01 的培训班，或该班不在您的查看范围内。"]


def test_roster_filters_by_class_period_and_status(rosters, auditor):
    by_class = _roster_rows(export_now("roster", auditor, {"training_class": "QJ-B-01"}).active)
    assert [row[1] for row in by_class] == ["QJ-B-01", "QJ-B-01"]
    by_period = _roster_rows(export_now("roster", auditor, {"date_from": "2019-01-01", "date_to": "2019-12-31"}).active)
    assert {row[1] for row in by_period} == {"QJ-A-01"}
    by_status = _roster_rows(export_now("roster", auditor, {"status": "enrolled"}).active)
    assert len(by_status) == 2 and {row[15] for row in by_status} == {"在训"}
    with pytest.raises(ValidationError) as error:
        services.export_request(kind="roster", data={"date_from": "2020-01-01", "date_to": "2019-01-01"}, actor=auditor)
    assert error.value.messages == ["培训期间至：培训期间的结束日期不能早于开始日期。"]


def test_unmasked_roster_only_for_revealing_roles_and_recorded(rosters, bureau_staff, auditor, operator_a):
    # the auditor and the unit operator may not reveal: refused, nothing revealed, nothing recorded
    for user in (auditor, operator_a):
        with pytest.raises(PermissionDenied) as error:
            services.export_request(kind="roster", data={"unmasked": True}, actor=user)
        assert "不能导出完整的身份证号码和手机号码" in str(error.value)
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.REVEAL).exists()

    ws = export_now("roster", bureau_staff, {"unmasked": "on", "training_class": "QJ-A-01"}).active

    numbers = {row[11] for row in _roster_rows(ws)}
    assert numbers == {e.trainee.id_number for e in rosters["a"]}
    assert {row[12] for row in _roster_rows(ws)} == {e.trainee.mobile for e in rosters["a"]}
    reveal = AuditEntry.objects.get(action=AuditEntry.Action.REVEAL)
    export = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert reveal.actor == bureau_staff and export.actor == bureau_staff
    assert reveal.detail["kind"] == "roster" and reveal.detail["filters"]["unmasked"] is True
    assert export.detail["rows"] == 3 and export.detail["delivery"] == "direct"
    assert export.detail["filters"]["training_class"] == rosters["class_a"].pk


def test_institution_operator_exports_the_roster_of_their_own_classes(rosters):
    institution = rosters["class_a"].institution
    operator = UserFactory(role=Role.INSTITUTION_OPERATOR, institution=institution)
    rows = _roster_rows(export_now("roster", operator).active)
    assert {row[1] for row in rows} == {"QJ-A-01"} and len(rows) == 3
    with pytest.raises(PermissionDenied):
        services.export_request(kind="quarterly_report", data={"year": 2019, "quarter": 1}, actor=operator)


# Audit log -------------------------------------------------------------------------------------


def test_audit_log_export_matches_the_entries_and_their_filters(auditor, bureau_staff):
    from accounts.audit import audit_record

    audit_record(action=AuditEntry.Action.LOGIN, actor=bureau_staff, detail={"note": "登录"})
    audit_record(action=AuditEntry.Action.LOGIN_FAILED, username="someone", result=AuditEntry.Result.FAILURE)
    audit_record(action=AuditEntry.Action.TRANSITION, actor=bureau_staff, obj=bureau_staff)

    wb = export_now("audit_log", auditor, {"action": "login_failed"})

    ws = wb.active
    assert ws["A1"].value == "审计日志" and ws["A2"].value.startswith("统计期间：登录失败")
    rows = [list(r) for r in ws.iter_rows(min_row=4, max_row=ws.max_row - 1, values_only=True)]
    assert len(rows) == 1
    assert rows[0][1:5] == ["someone", "登录失败", "失败", None]
    everything = export_now("audit_log", auditor).active
    actions = [r[2] for r in everything.iter_rows(min_row=4, max_row=everything.max_row - 1, values_only=True)]
    assert actions.count("登录成功") == 1 and actions.count("流程流转") == 1
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT, actor=auditor).count() == 2


@pytest.mark.parametrize("role", [Role.BUREAU_STAFF, Role.BUREAU_ADMIN, Role.UNIT_OPERATOR, Role.FINANCE])
def test_business_roles_without_audit_permission_cannot_export_the_log(role, unit_a):
    user = UserFactory(role=role, unit=unit_a if role == Role.UNIT_OPERATOR else None)
    with pytest.raises(PermissionDenied) as error:
        services.export_request(kind="audit_log", data={}, actor=user)
    assert str(error.value) == "您的账号不能导出审计日志。"


def test_audit_admin_exports_the_log_but_no_business_data(db):
    audit_admin = UserFactory(role=Role.AUDIT_ADMIN)
    assert export_now("audit_log", audit_admin).active["A1"].value == "审计日志"
    for kind in ("plan_progress", "quarterly_report", "annual_report", "roster"):
        with pytest.raises(PermissionDenied):
            services.export_request(kind=kind, data={"year": 2019, "quarter": 1}, actor=audit_admin)


def test_unknown_kind_and_users_without_export_right(no_role_user, bureau_staff):
    with pytest.raises(ValidationError) as error:
        services.export_request(kind="nothing", data={}, actor=bureau_staff)
    assert error.value.messages == ["没有“nothing”这种导出类型，请从导出页面选择。"]
    for kind in ("plan_progress", "roster", "audit_log"):
        with pytest.raises(PermissionDenied):
            services.export_request(kind=kind, data={}, actor=no_role_user)


def test_percent_cells_are_fractions_formatted_as_percent(plan, bureau_staff, unit_a):
    make_return(unit_a, 2019, 1, 125, status=Status.APPROVED)
    services.progress_rollup(plan=plan)
    ws = export_now("plan_progress", bureau_staff).active
    cell = ws.cell(7, 7)
    assert cell.value == 0.25 and cell.number_format == "0.00%"
    assert Decimal(str(ws.cell(23, 7).value)).quantize(Decimal("0.0001")) == Decimal("0.0110")


def test_hostile_unit_independent_catalog_names_are_written_as_text(plan, bureau_staff, unit_a):
    Occupation.objects.create(name="=HYPERLINK(\"http://x\",\"y\")")
    TrainingType.objects.filter(code="pre-job").update(name="@SUM(1,2)")
    wb = export_now("quarterly_report", bureau_staff, {"year": 2019, "quarter": 1})
    assert row_by(wb["按培训类型"], 2, "@SUM(1,2)") is not None
    assert [c.coordinate for _, c in all_cells(wb) if c.data_type == "f"] == []
