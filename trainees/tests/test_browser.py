"""The registry's journeys in Debian's Chromium."""

import pytest

from trainees.tests.factories import CertificateFactory, EnrolmentFactory, TraineeFactory
from trainees.tests.rosters import make_id, people, xlsx

pytestmark = pytest.mark.browser


def log_in(page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_selector(".mainnav")


def test_institution_operator_fixes_a_bad_roster(page, live_server, screenshot_dir, tmp_path, class_a1,
                                                  school_op_1, password):
    # Given a roster whose row 3 has a wrong check character and row 4 an unknown group
    good = people(3)
    bad = [list(row) for row in good]
    bad[1][1] = bad[1][1][:17] + ("0" if bad[1][1][17] != "0" else "1")
    bad[2][3] = "外星人"
    bad_path, good_path = tmp_path / "花名册-有错.xlsx", tmp_path / "花名册.xlsx"
    bad_path.write_bytes(xlsx(bad).getvalue())
    good_path.write_bytes(xlsx(good).getvalue())

    log_in(page, live_server, school_op_1.username, password)
    page.goto(f"{live_server.url}/classes/{class_a1.pk}/roster/")
    assert page.locator("h1").inner_text() == f"{class_a1.name} · 花名册"
    assert page.locator("#roster-table tbody").inner_text().strip() == "花名册还没有学员。"

    # When the bad roster is uploaded
    page.set_input_files("#id_file", str(bad_path))
    page.click("#roster-upload button[type=submit]")
    page.wait_for_selector("#roster-errors")
    # Then both errors are listed by row and column and nothing is saved
    assert "有 2 处错误，未导入任何数据" in page.locator("#roster-errors h3").inner_text()
    rows = page.locator("#roster-errors tbody tr").all_inner_texts()
    assert rows[0].split("\t")[:2] == ["第3行", "身份证号码"] and "校验位不正确" in rows[0]
    assert rows[1].split("\t")[:2] == ["第4行", "人员类别"] and "“外星人”不存在" in rows[1]
    assert page.locator("#error-download").count() == 1
    page.screenshot(path=screenshot_dir / "roster-errors-institution-operator.png", full_page=True)
    assert class_a1.enrolments.count() == 0

    # When the fixed roster is uploaded
    page.set_input_files("#id_file", str(good_path))
    page.click("#roster-upload button[type=submit]")
    page.wait_for_selector(".msg-success")
    # Then the roster shows the three people, masked
    assert "新登记学员3人，更新0人，报名3人" in page.locator(".messages").inner_text()
    assert page.locator("#roster-table tbody tr").count() == 3
    first = page.locator("#roster-table tbody tr").nth(0).locator("td").all_inner_texts()
    assert first[1] == good[0][0]
    assert first[2] == f"{good[0][1][:6]}********{good[0][1][-4:]}"
    assert good[0][1] not in page.content()
    assert page.locator("#taken").inner_text() == "3"
    page.screenshot(path=screenshot_dir / "roster-imported-institution-operator.png", full_page=True)


def test_unit_operator_opens_a_masked_archive(page, live_server, screenshot_dir, class_a1, operator_a, password):
    trainee = TraineeFactory(name="周小梅", id_number=make_id(birth="19880315", seq="062"), mobile="13812345678")
    enrolment = EnrolmentFactory(trainee=trainee, training_class=class_a1)
    CertificateFactory(enrolment=enrolment, number="S2019123456")

    log_in(page, live_server, operator_a.username, password)
    page.click(".mainnav >> text=学员")
    page.wait_for_selector("#trainee-table")
    page.click(f"tr[data-trainee='{trainee.pk}'] >> text=查看档案")
    page.wait_for_selector("#identity")
    assert page.locator("h1").inner_text() == "职业培训电子档案"
    assert page.locator("#identity dd[data-field='身份证号码']").inner_text() == \
        f"{trainee.id_number[:6]}********{trainee.id_number[-4:]}"
    assert page.locator("#identity dd[data-field='手机号码']").inner_text() == "138****5678"
    assert trainee.id_number not in page.content() and "13812345678" not in page.content()
    assert "QJ-A1" in page.locator("#enrolments").inner_text()
    assert "S2019123456" in page.locator("#certificates").inner_text()
    assert page.locator("text=查看完整身份证号码和手机号码").count() == 0
    page.screenshot(path=screenshot_dir / "archive-unit-operator.png", full_page=True)


def test_unit_operator_completes_drops_and_registers_a_certificate(page, live_server, screenshot_dir, class_a1,
                                                                   operator_a, password):
    from trainees.models import Certificate, Enrolment

    rows = [EnrolmentFactory(training_class=class_a1, trainee=TraineeFactory(name=name),
                             status=Enrolment.Status.ENROLLED, completion_date=None)
            for name in ("张小一", "李小二", "王小三")]
    log_in(page, live_server, operator_a.username, password)
    page.goto(f"{live_server.url}/classes/{class_a1.pk}/roster/")
    assert page.input_value("#id_completion_date") == "2019-03-29"

    # When everyone is ticked with “select all” but 王小三, and completed on the default date
    page.check("#pick-all")
    page.uncheck(f"input.pick[value='{rows[2].pk}']")
    assert page.locator("#pick-all").evaluate("box => box.indeterminate") is True
    page.screenshot(path=screenshot_dir / "roster-outcome-bar-unit-operator.png", full_page=True)
    page.click("#bulk-complete")
    page.wait_for_selector(".msg-success")
    assert "已为张小一、李小二共2名学员办理结业。" in page.locator(".messages").inner_text()

    # and 王小三 is dropped from his row without a reason, then with one
    page.click(f"button[name=drop_one][value='{rows[2].pk}']")
    page.wait_for_selector("#outcome-errors")
    assert "请填写退学原因。" in page.locator("#outcome-errors").inner_text()
    page.fill("#id_reason", "外出务工")
    # (Enter in a box submits nothing: the form's default button, its first submit button, is disabled)
    assert page.evaluate("document.querySelector('#roster-outcomes [type=submit]').disabled") is True
    page.click(f"button[name=drop_one][value='{rows[2].pk}']")
    page.wait_for_selector(".msg-success")
    statuses = page.locator("#roster-table tbody td[class^=status-]").all_inner_texts()
    assert statuses == ["已结业", "已结业", "已退学"]
    assert page.locator("#roster-table input.pick").count() == 0
    page.screenshot(path=screenshot_dir / "roster-outcomes-unit-operator.png", full_page=True)

    # When a certificate is registered from 张小一's row
    page.click(f"tr[data-enrolment='{rows[0].pk}'] >> text=登记证书")
    page.wait_for_selector("#certificate-form")
    assert page.locator("#id_occupation option:checked").inner_text() == "电焊"
    assert page.locator("#id_level option:checked").inner_text() == "初级工（五级）"
    page.fill("#id_number", "S2019000777")
    page.fill("#id_issuing_body", "重庆市职业技能鉴定指导中心")
    page.fill("#id_issued_on", "2019-04-10")
    page.screenshot(path=screenshot_dir / "certificate-form-unit-operator.png", full_page=True)
    page.click("#certificate-form button[type=submit]")
    page.wait_for_selector("#roster-table")
    assert "已为张小一登记职业技能等级证书，编号S2019000777。" in page.locator(".messages").inner_text()
    assert Certificate.objects.get().enrolment_id == rows[0].pk
