"""The archive export goes through the shared writer (spreadsheets.workbooks): title row, export
time, and text that Excel would evaluate is written as a literal, never as a formula."""

from __future__ import annotations

import io
import types
import zipfile

import openpyxl

from programs.tests.factories import TrainingClassFactory
from trainees import selectors
from trainees.tests.factories import CertificateFactory, EnrolmentFactory, TraineeFactory

HOSTILE = {
    "name": "=HYPERLINK(\"http://evil\",\"点我\")",
    "household_address": "+cmd|' /C calc'!A0",
    "residence_address": "-2+3",
    "issuing_body": "@SUM(1+1)*cmd|' /C calc'!A0",
    "class_name": "=1+1",
    "number": "-1+1",
}
TRIGGERS = ("=", "+", "-", "@")


def test_hostile_strings_are_never_formulas(unit_a, school_1, operator_a, client_for, monkeypatch):
    # Given a trainee whose name and addresses, class name, certificate number and issuing body
    # all start with characters a spreadsheet would evaluate
    trainee = TraineeFactory(name=HOSTILE["name"], household_address=HOSTILE["household_address"],
                             residence_address=HOSTILE["residence_address"], registered_by_unit=unit_a)
    training_class = TrainingClassFactory(name=HOSTILE["class_name"], unit=unit_a, institution=school_1)
    enrolment = EnrolmentFactory(trainee=trainee, training_class=training_class)
    CertificateFactory(enrolment=enrolment, number=HOSTILE["number"], issuing_body=HOSTILE["issuing_body"])
    # and an upper app's section with a hostile title and cells
    fake = types.SimpleNamespace(archive_sections=lambda **_: [
        {"title": "补贴[记录]:*?/\\", "columns": ["=A1", "金额"], "rows": [["@A1", "+1200.00"]]},
        {"title": "补贴[记录]:*?/\\", "columns": ["年度"], "rows": []},
    ])
    real_find_spec, real_import = selectors.find_spec, selectors.import_module
    monkeypatch.setattr(selectors, "find_spec",
                        lambda name: object() if name == "subsidies.archive" else real_find_spec(name))
    monkeypatch.setattr(selectors, "import_module",
                        lambda name: fake if name == "subsidies.archive" else real_import(name))

    # When the archive is exported
    response = client_for(operator_a).get(f"/trainees/{trainee.pk}/archive.xlsx")
    assert response.status_code == 200

    # Then no cell anywhere is a formula, and every hostile text is kept as typed, quoted
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        xml = "".join(archive.read(n).decode("utf-8") for n in archive.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in xml and "<f " not in xml
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["基本信息", "参训记录", "证书", "补贴_记录______", "补贴_记录______2"]
    seen = set()
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.startswith(TRIGGERS):
                    assert cell.data_type == "s" and cell.quotePrefix, (sheet.title, cell.coordinate)
                    seen.add(cell.value)
    assert set(HOSTILE.values()) <= seen
    assert {"=A1", "@A1", "+1200.00"} <= seen
    # The trainee's name is in the identity rows, and the title rows stay text too
    identity = {row[0].value: row[1].value for row in workbook["基本信息"].iter_rows(min_row=4)}
    assert identity["姓名"] == HOSTILE["name"] and identity["户籍地址"] == HOSTILE["household_address"]
    assert identity["身份证号码"] == trainee.id_number_masked


def test_every_sheet_has_the_shared_title_and_export_time(world, operator_a, client_for):
    trainee = world["reg_a"]  # registered, no class, no certificate
    response = client_for(operator_a).get(f"/trainees/{trainee.pk}/archive.xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    expected_titles = {"基本信息": "职业培训电子档案", "参训记录": "参训记录", "证书": "证书", "补贴享受记录": "补贴享受记录"}
    for sheet in workbook.worksheets:
        assert sheet["A1"].value == f"{expected_titles[sheet.title]}：{trainee.name}"
        assert sheet["A1"].font.b
        assert "导出时间：" in sheet["A2"].value and sheet.freeze_panes == "A4"
    # Empty parts say so instead of leaving a bare header
    assert workbook["参训记录"]["A4"].value == "（无）"
    assert [c.value for c in workbook["证书"][3]] == ["证书类型", "职业（工种）", "等级", "证书编号", "发证机构", "发证日期", "对应培训班"]
