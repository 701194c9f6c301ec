"""Roster (花名册) import through the service: all or nothing, errors by row and column, idempotent."""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from programs.models import TrainingClass
from programs.tests.factories import TrainingClassFactory
from trainees import roster_workbook
from trainees.models import Enrolment, TargetGroup, Trainee
from trainees.services import roster_import
from trainees.tests.factories import EnrolmentFactory, TraineeFactory
from trainees.tests.rosters import HEADERS, make_id, people, person, registry_counts, xlsx

TODAY = datetime.date(2024, 6, 1)
ID_1 = make_id(seq="001")
ID_2 = make_id(seq="002")
ID_3 = make_id(seq="003")


def run(fileobj: io.BytesIO, *, actor=None, training_class=None, unit=None, filename: str = "花名册.xlsx"):
    return roster_import(
        fileobj=fileobj, filename=filename, actor=actor, unit=unit, training_class=training_class, today=TODAY
    )


def errors_of(result) -> list[tuple[int | None, str | None]]:
    return [(e.row, e.column) for e in result.errors]


# --- the bad rosters --------------------------------------------------------------------


def _zip_not_workbook() -> io.BytesIO:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("名单.txt", "张三")
    out.seek(0)
    return out


def _macro_workbook() -> io.BytesIO:
    source = xlsx([person()])
    out = io.BytesIO()
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "[Content_Types].xml":
                content = content.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                )
            dst.writestr(info.filename, content)
    out.seek(0)
    return out


def _push_header_down(workbook: Any) -> None:
    workbook.active.insert_rows(1, amount=10)


# (case id, roster builder, [(row, column, message fragment), ...])
BAD_ROSTERS: list[tuple[str, Callable[[], io.BytesIO], list[tuple[int | None, str | None, str]]]] = [
    ("csv-renamed", lambda: io.BytesIO(f"姓名,身份证号码,手机号码\n张三,{ID_1},13812341234\n".encode()),
     [(None, None, "文件不是Excel 2007及以上的 .xlsx 格式")]),
    ("xls-bytes", lambda: io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2048),
     [(None, None, "Excel 97-2003（.xls）格式")]),
    ("encrypted", lambda: io.BytesIO(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64 + "EncryptedPackage".encode("utf-16-le")),
     [(None, None, "设置了打开密码")]),
    ("zip-not-workbook", _zip_not_workbook, [(None, None, "文件是压缩包，但不是Excel工作簿")]),
    ("macro-workbook", _macro_workbook, [(None, None, "启用宏的工作簿（.xlsm）")]),
    ("over-10-mb", lambda: io.BytesIO(b"PK\x03\x04" + b"\0" * roster_workbook.MAX_BYTES),
     [(None, None, "文件超过10 MB")]),
    ("empty-file", lambda: io.BytesIO(b""), [(None, None, "文件是空的")]),
    ("missing-required-headers", lambda: xlsx([["张三", "重庆"]], headers=["姓名", "户籍地址"]),
     [(1, None, "缺少必填列“身份证号码”、“手机号码”")]),
    ("no-header-in-first-ten-rows", lambda: xlsx([person()], setup=_push_header_down),
     [(None, None, "没有找到花名册表头")]),
    ("duplicate-header", lambda: xlsx([["张三", ID_1, "13812341234", ID_2]],
                                      headers=["姓名", "身份证号码", "手机号码", "身份证号码"]),
     [(1, "身份证号码", "列标题“身份证号码”出现了2次")]),
    ("no-people", lambda: xlsx([]), [(None, None, "没有填写任何人员")]),
    ("id-typed-as-number", lambda: xlsx([person(id_number=500222199001011234)]),
     [(2, "身份证号码", "Excel只保留15位有效数字")]),
    ("formula-cell", lambda: xlsx([person(household="=A1&B1")]), [(2, "户籍地址", "单元格含公式")]),
    ("duplicate-id-in-file", lambda: xlsx([person(id_number=ID_1), person(name="李四", id_number=ID_1)]),
     [(3, "身份证号码", "与第2行身份证号码重复")]),
    ("wrong-check-character", lambda: xlsx([person(id_number=ID_1[:17] + ("0" if ID_1[17] != "0" else "1"))]),
     [(2, "身份证号码", "身份证号码校验位不正确")]),
    ("31-february", lambda: xlsx([person(id_number=make_id(birth="19900231"))]),
     [(2, "身份证号码", "出生日期无效（2月31日不存在）")]),
    ("future-birth-date", lambda: xlsx([person(id_number=make_id(birth="20240602"))]),
     [(2, "身份证号码", "出生日期晚于今天")]),
    ("unknown-province", lambda: xlsx([person(id_number=make_id(area="990222"))]),
     [(2, "身份证号码", "省级行政区划代码“99”不存在")]),
    ("bad-mobile", lambda: xlsx([person(mobile="1381234123")]), [(2, "手机号码", "手机号码应为11位")]),
    ("mobile-as-decimal", lambda: xlsx([person(mobile=13812341234.5)]), [(2, "手机号码", "小数或科学计数法")]),
    ("empty-name", lambda: xlsx([person(name=None)]), [(2, "姓名", "姓名不能为空")]),
    ("name-with-digit", lambda: xlsx([person(name="张三3")]), [(2, "姓名", "姓名不能包含数字")]),
    ("overlong-address", lambda: xlsx([person(residence="綦" * 201)]), [(2, "常住地址", "内容过长（201个字）")]),
    ("excel-error-value", lambda: xlsx([person(name="#REF!")]), [(2, "姓名", "单元格是错误值“#REF!”")]),
    ("unknown-target-group", lambda: xlsx([person(groups="退役军人、外星人")]),
     [(2, "人员类别", "人员类别“外星人”不存在，请改为以下名称之一")]),
    ("unknown-education", lambda: xlsx([person(education="幼儿园")]),
     [(2, "文化程度", "文化程度“幼儿园”无法识别，请填写以下之一：“小学及以下”、“初中”")]),
    ("unknown-employment-status", lambda: xlsx([person(employment="摸鱼")]),
     [(2, "就业状态", "就业状态“摸鱼”无法识别，请填写以下之一：“在岗职工”")]),
    ("errors-in-several-rows", lambda: xlsx([person(id_number=ID_1), person(name="李", id_number=ID_2),
                                             person(name="王五", id_number=ID_3, mobile="")]),
     [(3, "姓名", "姓名应为2至30个字"), (4, "手机号码", "手机号码不能为空")]),
]


@pytest.mark.parametrize(("builder", "expected"), [case[1:] for case in BAD_ROSTERS], ids=[c[0] for c in BAD_ROSTERS])
def test_bad_roster_is_refused_with_row_and_column_and_writes_nothing(class_a1, bureau_staff, builder, expected):
    # Given a registry that already holds one person in the class
    EnrolmentFactory(training_class=class_a1, trainee=TraineeFactory(id_number=make_id(seq="900")))
    before = registry_counts()
    # When a bad roster is imported into the class
    result = run(builder(), actor=bureau_staff, training_class=class_a1)
    # Then every error names its row and column and says what to fix
    assert errors_of(result) == [(row, column) for row, column, _ in expected]
    for error, (_, _, fragment) in zip(result.errors, expected):
        assert fragment in error.message
    assert (result.created, result.updated, result.enrolled) == (0, 0, 0)
    # and nothing was written
    assert registry_counts() == before


def test_more_rows_than_the_limit_is_refused(class_a1, bureau_staff, monkeypatch):
    monkeypatch.setattr(roster_workbook, "MAX_ROWS", 3)
    before = registry_counts()
    result = run(xlsx(people(4)), actor=bureau_staff, training_class=class_a1)
    assert errors_of(result) == [(None, None)]
    assert "花名册超过3行数据" in result.errors[0].message
    assert registry_counts() == before


def test_id_registered_under_another_name_is_refused_naming_both(class_a1, bureau_staff):
    # Given 张三 is registered with ID_1
    TraineeFactory(id_number=ID_1, name="张三")
    before = registry_counts()
    # When a roster lists ID_1 as 李四 (and a good row)
    result = run(xlsx([person(name="李四", id_number=ID_1), person(name="王五", id_number=ID_2)]),
                 actor=bureau_staff, training_class=class_a1)
    # Then row 2 is refused naming both names, the ID masked, and nothing is written
    assert errors_of(result) == [(2, "身份证号码")]
    message = result.errors[0].message
    assert "已登记为“张三”，与填写的姓名“李四”不一致" in message
    assert ID_1 not in message and f"{ID_1[:6]}********{ID_1[-4:]}" in message
    assert registry_counts() == before


def test_registered_name_is_masked_for_an_operator_who_cannot_see_that_trainee(class_a1, class_b1, operator_a):
    # Given 张小三 was registered by 区农业农村委 through its class
    EnrolmentFactory(training_class=class_b1, trainee=TraineeFactory(id_number=ID_1, name="张小三"))
    # When 区教委's operator imports ID_1 as 李四
    result = run(xlsx([person(name="李四", id_number=ID_1)]), actor=operator_a, training_class=class_a1)
    # Then the message names the registered person only masked
    assert "已登记为“张*三”，与填写的姓名“李四”不一致" in result.errors[0].message


def test_over_capacity_names_the_first_row_over_the_limit(bureau_staff, unit_a, school_1):
    # Given a class of 3 places, one taken
    small = TrainingClassFactory(unit=unit_a, institution=school_1, capacity=3)
    EnrolmentFactory(training_class=small, status=Enrolment.Status.ENROLLED, completion_date=None)
    EnrolmentFactory(training_class=small, status=Enrolment.Status.DROPPED, completion_date=None)
    before = registry_counts()
    # When a roster of 4 new people is imported
    result = run(xlsx(people(4)), actor=bureau_staff, training_class=small)
    # Then the refusal points at row 4 (the third new person, one over the two free places)
    assert errors_of(result) == [(4, None)]
    message = result.errors[0].message
    assert "超出培训班计划人数：计划3人，已报名1人，本花名册新增4人，多出2人（从本行起）" in message
    assert registry_counts() == before


def test_cancelled_class_is_refused(bureau_staff, class_a1):
    TrainingClass.objects.filter(pk=class_a1.pk).update(status=TrainingClass.Status.CANCELLED)
    before = registry_counts()
    result = run(xlsx([person()]), actor=bureau_staff, training_class=class_a1)
    assert errors_of(result) == [(None, None)]
    assert "已撤销，不能再登记学员" in result.errors[0].message
    assert registry_counts() == before


def test_database_errors_are_listed_together_in_row_order(class_a1, bureau_staff):
    TraineeFactory(id_number=ID_3, name="王五")
    rows = [person(id_number=ID_1, groups="火星人"), person(name="李四", id_number=ID_2, education="博士后"),
            person(name="赵六", id_number=ID_3)]
    result = run(xlsx(rows), actor=bureau_staff, training_class=class_a1)
    assert errors_of(result) == [(2, "人员类别"), (3, "文化程度"), (4, "身份证号码")]


def test_file_and_database_errors_come_in_one_round(class_a1, bureau_staff):
    # Given a roster with a bad name on row 2 and an unknown group on row 3
    TraineeFactory(id_number=ID_3, name="王五")
    rows = [person(name="张", id_number=ID_1), person(name="李四", id_number=ID_2, groups="火星人"),
            person(name="赵六", id_number=ID_3)]
    before = registry_counts()
    result = run(xlsx(rows), actor=bureau_staff, training_class=class_a1)
    # Then all three problems are reported together, and nothing is written
    assert errors_of(result) == [(2, "姓名"), (3, "人员类别"), (4, "身份证号码")]
    assert registry_counts() == before


# --- permission and scope ---------------------------------------------------------------


def test_auditor_and_finance_cannot_import(class_a1, auditor, finance):
    before = registry_counts()
    with pytest.raises(PermissionDenied, match="审计人员只能查看数据，不能登记学员"):
        run(xlsx([person()]), actor=auditor, training_class=class_a1)
    with pytest.raises(PermissionDenied, match="没有登记学员的权限"):
        run(xlsx([person()]), actor=finance, training_class=class_a1)
    assert registry_counts() == before


def test_operator_cannot_import_into_another_units_class(class_b1, operator_a, school_op_2):
    with pytest.raises(PermissionDenied, match="不在您的管理范围内"):
        run(xlsx([person()]), actor=operator_a, training_class=class_b1)
    with pytest.raises(PermissionDenied, match="不在您的管理范围内"):
        run(xlsx([person()]), actor=school_op_2, training_class=class_b1)


def test_unit_operator_registers_for_their_own_unit_only(operator_a, unit_a, unit_b):
    with pytest.raises(PermissionDenied, match="只能以本单位（区教委）的名义登记学员"):
        run(xlsx([person()]), actor=operator_a, unit=unit_b)
    result = run(xlsx([person()]), actor=operator_a)
    assert result.ok and Trainee.objects.get().registered_by_unit == unit_a


def test_class_of_another_unit_than_named_is_refused(class_a1, unit_b):
    with pytest.raises(ValidationError, match="属于区教委，不属于区农业农村委"):
        run(xlsx([person()]), unit=unit_b, training_class=class_a1)


# --- good rosters -----------------------------------------------------------------------


def test_a_thousand_people_import_and_enrol(bureau_staff, unit_a, school_1):
    # Given a class with room for 1,000 and a roster of 1,000 people, some in target groups
    big = TrainingClassFactory(unit=unit_a, institution=school_1, capacity=1000)
    rows = people(1000)
    for index, row in enumerate(rows):
        row[3] = "农村转移就业劳动者、建档立卡贫困劳动力" if index % 2 else ""
        row[6] = "高中" if index % 3 else "本科及以上"
        row[7] = "失业"
    # When imported
    result = run(xlsx(rows), actor=bureau_staff, training_class=big)
    # Then all are registered and enrolled, with derived birth date and sex
    assert result.ok, [str(e) for e in result.errors]
    assert (result.created, result.updated, result.enrolled) == (1000, 0, 1000)
    assert Trainee.objects.count() == 1000
    assert Enrolment.objects.filter(training_class=big, status=Enrolment.Status.ENROLLED).count() == 1000
    first = Trainee.objects.get(id_number=rows[1][1])
    assert first.birth_date == datetime.date(1960, 1, 2)
    assert first.sex == ("M" if int(rows[1][1][16]) % 2 else "F")
    assert first.registered_by_unit == unit_a
    assert first.education == Trainee.Education.SENIOR and first.employment_status == Trainee.EmploymentStatus.UNEMPLOYED
    assert sorted(first.target_groups.values_list("name", flat=True)) == ["农村转移就业劳动者", "建档立卡贫困劳动力"]
    # and every row has one history row, with its group snapshot
    assert first.history.count() == 1
    record = first.history.get()
    assert record.history_type == "+" and record.history_user == bureau_staff
    assert sorted(record.target_groups.values_list("targetgroup__name", flat=True)) == [
        "农村转移就业劳动者", "建档立卡贫困劳动力"
    ]
    assert Enrolment.history.count() == 1000


def test_reimporting_the_same_roster_changes_nothing(bureau_staff, class_a1):
    rows = people(20, groups="退役军人")
    first = run(xlsx(rows), actor=bureau_staff, training_class=class_a1)
    assert (first.created, first.updated, first.enrolled) == (20, 0, 20)
    after_first = registry_counts()
    # When the same file is imported again
    again = run(xlsx(rows), actor=bureau_staff, training_class=class_a1)
    # Then nothing is created, updated or enrolled, and no history row is added
    assert again.ok and (again.created, again.updated, again.enrolled) == (0, 0, 0)
    assert registry_counts() == after_first


def test_existing_people_are_updated_not_duplicated(bureau_staff, class_a1):
    veterans = TargetGroup.objects.get(name="退役军人")
    laid_off = TargetGroup.objects.get(name="下岗失业人员")
    known = TraineeFactory(id_number=ID_1, name="张三", mobile="13900000001", residence_address="古南街道",
                           target_groups=[veterans])
    history_before = known.history.count()
    # When a roster lists 张三 (full-width ID, new mobile, blank address, one more group) and a new person
    full_width = ID_1.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    rows = [person(name="张三", id_number=full_width, mobile="13911112222", groups="下岗失业人员、退役军人"),
            person(name="李四", id_number=ID_2)]
    result = run(xlsx(rows), actor=bureau_staff, training_class=class_a1)
    # Then 张三 is updated in place and both are enrolled
    assert (result.created, result.updated, result.enrolled) == (1, 1, 2)
    known.refresh_from_db()
    assert Trainee.objects.filter(id_number=ID_1).count() == 1
    assert known.mobile == "13911112222"
    assert known.residence_address == "古南街道"  # a blank cell keeps the stored value
    assert set(known.target_groups.all()) == {veterans, laid_off}
    # and one history row records the change with the new group set
    assert known.history.count() == history_before + 1
    latest = known.history.first()
    assert latest.history_type == "~" and latest.mobile == "13911112222"
    assert set(latest.target_groups.values_list("targetgroup_id", flat=True)) == {veterans.pk, laid_off.pk}


def test_person_already_in_the_class_is_fine(bureau_staff, class_a1):
    trainee = TraineeFactory(id_number=ID_1, name="张三", mobile="13812341234")
    EnrolmentFactory(training_class=class_a1, trainee=trainee)
    result = run(xlsx([person(name="张三", id_number=ID_1)]), actor=bureau_staff, training_class=class_a1)
    assert result.ok and (result.created, result.updated, result.enrolled) == (0, 0, 0)
    assert Enrolment.objects.filter(trainee=trainee).count() == 1


def test_overlapping_classes_are_flagged_on_both_enrolments(bureau_staff, class_a1, class_b1, class_a2):
    # Given 张三 is in B1 (18 March – 12 April) and in A2 (May)
    trainee = TraineeFactory(id_number=ID_1, name="张三")
    in_b1 = EnrolmentFactory(training_class=class_b1, trainee=trainee)
    in_a2 = EnrolmentFactory(training_class=class_a2, trainee=trainee)
    # When a roster enrols him and 李四 in A1 (4–29 March)
    result = run(xlsx([person(name="张三", id_number=ID_1), person(name="李四", id_number=ID_2)]),
                 actor=bureau_staff, training_class=class_a1)
    assert result.ok
    # Then his A1 and B1 enrolments are flagged, A2 and 李四's are not
    in_a1 = Enrolment.objects.get(trainee=trainee, training_class=class_a1)
    in_b1.refresh_from_db()
    in_a2.refresh_from_db()
    assert in_a1.overlaps_other_class and in_b1.overlaps_other_class
    assert not in_a2.overlaps_other_class
    assert not Enrolment.objects.get(trainee__id_number=ID_2).overlaps_other_class
    assert in_b1.history.first().history_change_reason == "与其他培训班时间重叠：导入培训班QJ-A1花名册"


def test_import_without_class_registers_for_the_unit(unit_b):
    result = run(xlsx(people(3)), unit=unit_b)
    assert (result.created, result.updated, result.enrolled) == (3, 0, 0)
    assert set(Trainee.objects.values_list("registered_by_unit__name", flat=True)) == {"区农业农村委"}
    assert Enrolment.objects.count() == 0


def test_education_labels_and_their_parts_are_accepted(bureau_staff, class_a1):
    rows = [person(name="甲乙", id_number=ID_1, education="中专", employment="灵活就业"),
            person(name="丙丁", id_number=ID_2, education="本科", employment="在校学生"),
            person(name="戊己", id_number=ID_3, education="小学及以下", employment="student")]
    assert run(xlsx(rows), actor=bureau_staff, training_class=class_a1).ok
    assert dict(Trainee.objects.values_list("name", "education")) == {
        "甲乙": "senior", "丙丁": "bachelor", "戊己": "primary"
    }


def test_queries_do_not_grow_with_rows(bureau_staff, unit_a, school_1):
    # Given two classes and two rosters, of 20 and of 400 people
    small_class = TrainingClassFactory(unit=unit_a, institution=school_1, capacity=1000)
    big_class = TrainingClassFactory(unit=unit_a, institution=school_1, capacity=1000)
    warm_up = TrainingClassFactory(unit=unit_a, institution=school_1, capacity=1000)
    assert run(xlsx(people(2, start=5000)), actor=bureau_staff, training_class=warm_up).ok  # permission cache
    counts = []
    for roster, training_class in ((xlsx(people(20, groups="退役军人")), small_class),
                                   (xlsx(people(400, start=1000, groups="退役军人")), big_class)):
        with CaptureQueriesContext(connection) as queries:
            assert run(roster, actor=bureau_staff, training_class=training_class).ok
        counts.append(len(queries))
    # Then the checks ran in batches, never a query per row: on PostgreSQL the count is the
    # same; SQLite caps an INSERT at 999 parameters, so there inserts come ~60 rows at a time
    if connection.vendor == "postgresql":
        assert counts[0] == counts[1], counts
    else:
        assert counts[1] - counts[0] < (400 - 20) / 10, counts
    assert counts[0] < 25


def test_headers_in_any_order_with_title_row(bureau_staff, class_a1):
    def title(workbook):
        workbook.active.insert_rows(1)
        workbook.active["A1"] = "2019年第1期电焊培训班花名册"

    headers = list(reversed(HEADERS))
    rows = [list(reversed(person(name="张三", id_number=ID_1)))]
    result = run(xlsx(rows, headers=headers, setup=title), actor=bureau_staff, training_class=class_a1)
    assert result.ok and result.created == 1
