"""Roster (花名册) workbook: reading, checking, template and error write-back, no database."""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from typing import Any

import openpyxl
import pytest
from faker import Faker

from trainees import roster_workbook
from trainees.idnumbers import check_character
from trainees.roster_workbook import (
    ERROR_COLUMN_HEADER,
    MAX_BYTES,
    MAX_ROWS,
    OPTIONAL_HEADERS,
    REQUIRED_HEADERS,
    SUMMARY_SHEET_TITLE,
    RosterError,
    read_roster,
    write_errors_back,
    write_roster_template,
)

TODAY = date(2024, 6, 1)
HEADERS = list(REQUIRED_HEADERS + OPTIONAL_HEADERS)


def make_id(birth: str = "19900101", seq: str = "001", area: str = "500222") -> str:
    first17 = area + birth + seq
    return first17 + check_character(first17)


ID_A = make_id(seq="001")
ID_B = make_id(seq="002")
ID_C = make_id(seq="003")


def person(name: str = "张三", id_number: Any = ID_A, mobile: Any = "13812341234", **extra: Any) -> list[Any]:
    return [
        name,
        id_number,
        mobile,
        extra.get("groups", ""),
        extra.get("household", ""),
        extra.get("residence", ""),
        extra.get("education", ""),
        extra.get("employment", ""),
    ]


def xlsx(
    rows: Iterable[Sequence[Any]],
    *,
    headers: Sequence[Any] | None = HEADERS,
    title: str = "花名册",
    setup: Callable[[Any], None] | None = None,
) -> io.BytesIO:
    """Build a workbook in memory: header row then rows; `setup` may add sheets etc."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    if headers is not None:
        sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    if setup is not None:
        setup(workbook)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


def read(fileobj: io.BytesIO) -> tuple[list[roster_workbook.RosterRow], list[RosterError]]:
    return read_roster(fileobj, today=TODAY)


def only_error(fileobj: io.BytesIO) -> RosterError:
    rows, errors = read(fileobj)
    assert rows == []
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0]


def rezip(source: io.BytesIO, change: Callable[[str, bytes], bytes]) -> io.BytesIO:
    """Copy an .xlsx package, passing every member through `change`."""
    out = io.BytesIO()
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, change(info.filename, src.read(info.filename)))
    out.seek(0)
    return out


# --- whole-file problems ---------------------------------------------------------------


def test_file_over_10_mb_is_refused() -> None:
    # Given a file one byte over the limit (content does not matter)
    data = io.BytesIO(b"PK\x03\x04" + b"\0" * MAX_BYTES)
    # Then one whole-file error names the limit
    error = only_error(data)
    assert (error.row, error.column) == (None, None)
    assert "文件超过10 MB" in error.message
    assert str(error) == error.message


def test_empty_file_is_refused() -> None:
    error = only_error(io.BytesIO(b""))
    assert (error.row, error.column) == (None, None)
    assert "文件是空的" in error.message


def test_xls_file_is_refused_whatever_its_name() -> None:
    # Given Excel 97-2003 bytes uploaded as roster.xlsx
    data = io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2048)
    rows, errors = read_roster(data, filename="roster.xlsx", today=TODAY)
    assert rows == []
    assert [(e.row, e.column) for e in errors] == [(None, None)]
    assert "Excel 97-2003（.xls）格式" in errors[0].message
    assert "“另存为”" in errors[0].message
    assert errors[0].message.startswith("“roster.xlsx”：")


def test_password_protected_file_is_refused() -> None:
    # Given an encrypted .xlsx: an OLE2 container holding an EncryptedPackage stream
    body = b"\0" * 512 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 512
    error = only_error(io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + body))
    assert (error.row, error.column) == (None, None)
    assert "设置了打开密码" in error.message


def test_csv_renamed_to_xlsx_is_refused() -> None:
    data = io.BytesIO(f"姓名,身份证号码,手机号码\n张三,{ID_A},13812341234\n".encode("utf-8"))
    error = only_error(data)
    assert (error.row, error.column) == (None, None)
    assert "文件不是Excel 2007及以上的 .xlsx 格式" in error.message
    assert "请在Excel中打开后“另存为”" in error.message


def test_zip_that_is_not_a_workbook_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("名单.txt", "张三")
    out.seek(0)
    error = only_error(out)
    assert (error.row, error.column) == (None, None)
    assert "文件是压缩包，但不是Excel工作簿" in error.message


def test_word_document_renamed_to_xlsx_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
    out.seek(0)
    assert "不是Excel工作簿" in only_error(out).message


def test_truncated_workbook_is_reported_as_damaged() -> None:
    data = xlsx([person()]).getvalue()
    error = only_error(io.BytesIO(data[: len(data) // 2]))
    assert (error.row, error.column) == (None, None)
    assert "文件已损坏或不完整" in error.message


def test_macro_enabled_workbook_is_refused() -> None:
    def macro(name: str, content: bytes) -> bytes:
        if name == "[Content_Types].xml":
            return content.replace(
                b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
            )
        return content

    error = only_error(rezip(xlsx([person()]), macro))
    assert "启用宏的工作簿（.xlsm）" in error.message


def test_workbook_that_unpacks_too_large_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a limit smaller than this small workbook unpacks to (stands in for a zip bomb)
    monkeypatch.setattr(roster_workbook, "MAX_UNPACKED_BYTES", 1000)
    error = only_error(xlsx([person()]))
    assert "解压后的内容异常庞大" in error.message


def test_missing_required_headers_are_each_named() -> None:
    # Given a sheet with only 姓名 and 户籍地址 columns
    error = only_error(xlsx([["张三", "重庆"]], headers=["姓名", "户籍地址"]))
    # Then one error on the header row names both missing headers and what to do
    assert (error.row, error.column) == (1, None)
    assert "工作表“花名册”的表头（第1行）缺少必填列“身份证号码”、“手机号码”" in error.message
    assert "请在表头行补上这些列标题" in error.message
    assert str(error).startswith("第1行：")


def test_sheet_without_any_header_is_refused() -> None:
    error = only_error(xlsx([], headers=None))
    assert (error.row, error.column) == (None, None)
    assert "没有找到花名册表头" in error.message


def test_header_below_the_first_ten_rows_is_not_found() -> None:
    def push_down(workbook: Any) -> None:
        workbook.active.insert_rows(1, amount=10)

    error = only_error(xlsx([person()], setup=push_down))
    assert "没有找到花名册表头" in error.message


def test_more_rows_than_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(roster_workbook, "MAX_ROWS", 3)
    rows = [person(id_number=make_id(seq=f"{i:03d}")) for i in range(4)]
    error = only_error(xlsx(rows))
    assert (error.row, error.column) == (None, None)
    assert "花名册超过3行数据" in error.message


def test_duplicate_header_column_is_refused() -> None:
    headers = ["姓名", "身份证号码", "手机号码", "身份证号码"]
    error = only_error(xlsx([["张三", ID_A, "13812341234", ID_B]], headers=headers))
    assert (error.row, error.column) == (1, "身份证号码")
    assert "列标题“身份证号码”出现了2次（第B、D列）" in error.message


def test_roster_without_people_is_refused() -> None:
    error = only_error(xlsx([]))
    assert (error.row, error.column) == (None, None)
    assert "没有填写任何人员" in error.message


# --- cell and row problems -------------------------------------------------------------


def test_formula_cells_are_refused() -> None:
    # Given a formula in the ID column and one in the optional 户籍地址 column
    rows, errors = read(xlsx([person(id_number='="5002221990"&"01011234"', household="=A1")]))
    assert rows == []
    assert errors == [
        RosterError(2, "身份证号码", roster_workbook.MSG_FORMULA),
        RosterError(2, "户籍地址", roster_workbook.MSG_FORMULA),
    ]
    assert "单元格含公式，请改为直接填写数值/文字" in errors[0].message


@pytest.mark.parametrize("typed", [5.00222199001011e17, 500222199001011234, "5.00222E+17"])
def test_id_number_stored_as_number_is_explained(typed: Any) -> None:
    error = only_error(xlsx([person(id_number=typed)]))
    assert (error.row, error.column) == (2, "身份证号码")
    assert "Excel只保留15位有效数字，末尾几位已经丢失" in error.message
    assert "设为“文本”" in error.message
    assert str(error).startswith("第2行【身份证号码】：身份证号码被Excel存成了数字")


def test_mobile_stored_as_integer_is_accepted_but_decimal_is_refused() -> None:
    rows, errors = read(xlsx([person(mobile=13812341234)]))
    assert errors == []
    assert rows[0].mobile == "13812341234"

    error = only_error(xlsx([person(mobile=13812341234.5)]))
    assert (error.row, error.column) == (2, "手机号码")
    assert "小数或科学计数法" in error.message


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("", "姓名不能为空"),
        ("张", "姓名应为2至30个字，当前为1个字"),
        ("张" * 31, "当前为31个字"),
        ("张三2", "姓名不能包含数字"),
    ],
)
def test_bad_names_are_refused(name: str, expected: str) -> None:
    error = only_error(xlsx([person(name=name)]))
    assert (error.row, error.column) == (2, "姓名")
    assert expected in error.message


@pytest.mark.parametrize(
    ("id_number", "expected"),
    [
        (ID_A[:17] + ("0" if ID_A[17] != "0" else "1"), "身份证号码校验位不正确，请逐位核对号码"),
        (make_id(birth="19900231"), "出生日期无效（2月31日不存在）"),
        (make_id(birth="20240602"), "出生日期晚于今天"),
        (make_id(area="990222"), "省级行政区划代码“99”不存在"),
        ("", "身份证号码不能为空"),
    ],
)
def test_bad_id_numbers_carry_the_parser_message(id_number: str, expected: str) -> None:
    error = only_error(xlsx([person(id_number=id_number)]))
    assert (error.row, error.column) == (2, "身份证号码")
    assert expected in error.message


def test_bad_mobile_is_refused() -> None:
    error = only_error(xlsx([person(mobile="1381234123")]))
    assert (error.row, error.column) == (2, "手机号码")
    assert "手机号码应为11位、以1开头的大陆手机号" in error.message


def test_duplicate_id_names_the_earlier_row_even_in_15_digit_form() -> None:
    # Given the same person on rows 2 and 4, once as the old 15-digit number
    old_form = "110105491231002"
    rows = [person(id_number="11010519491231002X"), person(id_number=ID_B), person(id_number=old_form)]
    error = only_error(xlsx(rows))
    assert (error.row, error.column) == (4, "身份证号码")
    assert "与第2行身份证号码重复" in error.message


def test_excel_error_value_is_refused() -> None:
    error = only_error(xlsx([person(mobile="#N/A")]))
    assert (error.row, error.column) == (2, "手机号码")
    assert "单元格是错误值“#N/A”" in error.message


def test_overlong_optional_text_is_refused() -> None:
    error = only_error(xlsx([person(household="重" * 201)]))
    assert (error.row, error.column) == (2, "户籍地址")
    assert "内容过长（201个字），最多200个字" in error.message


def test_all_errors_are_collected_with_their_rows() -> None:
    # Given a good row among three bad ones
    rows, errors = read(
        xlsx(
            [
                person(name="张", id_number=ID_A),
                person(id_number=ID_B),
                person(id_number=ID_C, mobile="123"),
                person(name="李四2", id_number="123", mobile=""),
            ]
        )
    )
    # Then nothing is returned to write, and every problem is listed in order
    assert rows == []
    assert [(e.row, e.column) for e in errors] == [
        (2, "姓名"),
        (4, "手机号码"),
        (5, "姓名"),
        (5, "身份证号码"),
        (5, "手机号码"),
    ]


def test_good_rows_can_be_kept_for_further_checks() -> None:
    # Given two good rows around a bad one
    source = xlsx([person(id_number=ID_A), person(name="张", id_number=ID_B), person(id_number=ID_C)])
    # When read asking for the good rows
    rows, errors = read_roster(source, today=TODAY, keep_good_rows=True)
    # Then the errors are the same and the good rows come too
    assert [(e.row, e.column) for e in errors] == [(3, "姓名")]
    assert [row.excel_row for row in rows] == [2, 4]
    # but a whole-file problem still yields no rows
    rows, errors = read_roster(xlsx([person()], headers=["姓名"]), today=TODAY, keep_good_rows=True)
    assert rows == [] and errors[0].row == 1


# --- good files ------------------------------------------------------------------------


def test_thousand_faker_people_read_cleanly() -> None:
    fake = Faker("zh_CN")
    fake.seed_instance(39)
    people = [
        person(
            name=fake.name(),
            id_number=fake.unique.ssn(),
            mobile=fake.phone_number(),
            groups="农村转移就业劳动者、建档立卡贫困劳动力",
            household=fake.address(),
        )
        for _ in range(1000)
    ]
    rows, errors = read(xlsx(people))
    assert errors == []
    assert len(rows) == 1000
    assert [row.id_number.number for row in rows] == [p[1] for p in people]
    assert [row.name for row in rows] == [p[0] for p in people]
    assert rows[0].excel_row == 2 and rows[-1].excel_row == 1001
    assert rows[0].groups == ["农村转移就业劳动者", "建档立卡贫困劳动力"]


def test_full_width_marked_headers_in_any_order_with_extra_columns() -> None:
    # Given headers in shuffled order, full-width, with * and （必填） marks and a 序号 column
    headers = ["序号", "手机号码（必填）", " 文化程度 ", "＊身份证号码", "人员类别", "姓名*", "备注"]
    row = [1, "138 1234 1234", "高中", "５００２２２１９９００１０１００１" + ID_A[-1], "退役军人；两后生, ", " 王小明 ", "x"]
    rows, errors = read(xlsx([row], headers=headers))
    assert errors == []
    [roster_row] = rows
    assert roster_row.name == "王小明"
    assert roster_row.id_number.number == ID_A
    assert roster_row.mobile == "13812341234"
    assert roster_row.education == "高中"
    assert roster_row.groups == ["退役军人", "两后生"]
    assert roster_row.household_address == ""


def test_title_row_above_the_header_is_allowed() -> None:
    def add_title(workbook: Any) -> None:
        sheet = workbook.active
        sheet.insert_rows(1)
        sheet["A1"] = "2020年第3期电工培训班学员花名册"

    rows, errors = read(xlsx([person()], setup=add_title))
    assert errors == []
    assert rows[0].excel_row == 3


def test_hidden_and_very_hidden_sheets_are_ignored() -> None:
    # Given a hidden and a very hidden sheet full of bad data before the real roster
    def add_sheets(workbook: Any) -> None:
        for state in ("hidden", "veryHidden"):
            sheet = workbook.create_sheet(f"旧名单{state}", 0)
            sheet.append(HEADERS)
            sheet.append(person(name="坏", id_number="123"))
            sheet.sheet_state = state
        workbook.active = 2

    rows, errors = read(xlsx([person(name="李四")], setup=add_sheets))
    assert errors == []
    assert [row.name for row in rows] == ["李四"]


def test_first_visible_sheet_with_headers_is_used() -> None:
    def add_cover(workbook: Any) -> None:
        cover = workbook.create_sheet("封面", 0)
        cover["A1"] = "綦江区职业技能提升行动"

    rows, errors = read(xlsx([person(name="李四")], setup=add_cover))
    assert errors == []
    assert rows[0].name == "李四"


def test_blank_rows_are_skipped_and_row_numbers_kept() -> None:
    rows, errors = read(
        xlsx(
            [
                person(name="张三", id_number=ID_A),
                [None] * 8,
                ["  ", "\u3000", None, "", None, None, None, None],
                person(name="李四", id_number=ID_B),
            ],
            setup=lambda wb: wb.active.cell(row=50, column=10, value=48),  # a stray 序号 far below
        )
    )
    assert errors == []
    assert [(row.excel_row, row.name) for row in rows] == [(2, "张三"), (5, "李四")]


def test_wrong_stored_dimension_does_not_hide_rows() -> None:
    # Given a file whose <dimension> claims only A1 is used (common in exports from other software)
    def shrink(name: str, content: bytes) -> bytes:
        if name.startswith("xl/worksheets/sheet"):
            shrunk = re.sub(rb'<dimension ref="A1:H3"\s*/>', b'<dimension ref="A1"/>', content)
            assert shrunk != content
            return shrunk
        return content

    source = xlsx([person(id_number=ID_A), person(id_number=ID_B)])
    rows, errors = read(rezip(source, shrink))
    assert errors == []
    assert [row.id_number.number for row in rows] == [ID_A, ID_B]


def test_fifty_thousand_rows_read_within_limits() -> None:
    # Given a roster exactly at the row limit
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("花名册")
    sheet.append(HEADERS)
    start = date(1960, 1, 1)
    for i in range(MAX_ROWS):
        birth = (start + timedelta(days=i % 15000)).strftime("%Y%m%d")
        sheet.append(person(name="赵六", id_number=make_id(birth=birth, seq=f"{i // 15000:03d}"), mobile=f"138{i:08d}"))
    data = io.BytesIO()
    workbook.save(data)
    data.seek(0)
    # When read
    started = time.perf_counter()
    rows, errors = read(data)
    elapsed = time.perf_counter() - started
    # Then every row is there, quickly
    assert errors == []
    assert len(rows) == MAX_ROWS
    assert rows[-1].excel_row == MAX_ROWS + 1
    assert elapsed < 60, elapsed


# --- template --------------------------------------------------------------------------


def test_template_layout_and_round_trip() -> None:
    # Given a template for a class whose title looks like a formula
    out = io.BytesIO()
    write_roster_template(out, class_title="=綦江区2020年电工培训班")
    out.seek(0)
    workbook = openpyxl.load_workbook(out)
    sheet = workbook["花名册"]
    # Then the headers, bold marks, text formats and frozen header are as documented
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert [cell.font.b for cell in sheet[1]] == [True, True, True, False, False, False, False, False]
    for coordinate in ("B2", "C2", "B50001", "C50001"):
        assert sheet[coordinate].number_format == "@"
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width >= 20
    notes = workbook["填写说明"]
    texts = [cell.value for (cell,) in notes.iter_rows(max_col=1) if cell.value]
    assert "培训班：=綦江区2020年电工培训班" in texts
    joined = "\n".join(texts)
    for fragment in ("必填列：姓名、身份证号码、手机号码", "“文本”格式", "顿号“、”", "不要使用公式", "10 MB", "50,000行"):
        assert fragment in joined

    # When two people are typed in and the file uploaded
    sheet["A2"], sheet["B2"], sheet["C2"] = "张三", ID_A, "13812341234"
    sheet["A3"], sheet["B3"], sheet["C3"] = "李四", ID_B, "13912341234"
    filled = io.BytesIO()
    workbook.save(filled)
    filled.seek(0)
    rows, errors = read(filled)
    # Then both are read and the styled empty rows below are skipped
    assert errors == []
    assert [(row.excel_row, row.name, row.id_number.number) for row in rows] == [
        (2, "张三", ID_A),
        (3, "李四", ID_B),
    ]


# --- errors written back ---------------------------------------------------------------


def write_back(source: io.BytesIO, errors: list[RosterError]) -> Any:
    out = io.BytesIO()
    write_errors_back(source, errors, out)
    out.seek(0)
    return openpyxl.load_workbook(out)


def test_errors_are_written_next_to_their_rows() -> None:
    # Given a roster with one good and two bad rows
    source = xlsx(
        [
            person(name="张三", id_number=ID_A[:17] + ("0" if ID_A[17] != "0" else "1")),
            person(name="李四", id_number=ID_B),
            person(name="王", id_number=ID_C, mobile="123"),
        ]
    )
    _, errors = read(source)
    # When written back
    result = write_back(source, errors)
    # Then a summary sheet comes first and is active
    assert result.sheetnames[0] == SUMMARY_SHEET_TITLE
    assert result.active.title == SUMMARY_SHEET_TITLE
    summary = [[c.value for c in row] for row in result[SUMMARY_SHEET_TITLE].iter_rows(min_row=2)]
    assert [(r[0], r[1]) for r in summary] == [(2, "身份证号码"), (4, "姓名"), (4, "手机号码")]
    # and the roster sheet has 错误说明 after the last column with each row's messages
    sheet = result["花名册"]
    assert sheet["I1"].value == ERROR_COLUMN_HEADER
    assert sheet["I2"].value == "【身份证号码】身份证号码校验位不正确，请逐位核对号码"
    assert sheet["I3"].value is None
    assert sheet["I4"].value.startswith("【姓名】姓名应为2至30个字")
    assert "；【手机号码】手机号码应为11位" in sheet["I4"].value
    # and the offending cells are highlighted, the good ones not
    assert sheet["B2"].fill.fgColor.rgb == "FFFFC7CE"
    assert sheet["I2"].fill.fgColor.rgb == "FFFFC7CE"
    assert sheet["B3"].fill.fill_type is None
    # and the uploaded data is untouched
    assert sheet["A3"].value == "李四"


def test_written_text_is_never_a_formula() -> None:
    # Given messages that start like formulas (e.g. echoing a hostile sheet name)
    source = xlsx([person()])
    errors = [
        RosterError(2, "姓名", "=HYPERLINK(\"http://evil\",\"x\")"),
        RosterError(None, None, "+cmd|' /C calc'!A0"),
    ]
    result = write_back(source, errors)
    cell = result["花名册"]["I2"]
    assert cell.data_type == "s"
    assert cell.value == "【姓名】=HYPERLINK(\"http://evil\",\"x\")"
    summary = result[SUMMARY_SHEET_TITLE]
    messages = {summary.cell(row=r, column=3).value: summary.cell(row=r, column=3) for r in (2, 3)}
    formula_like = messages["=HYPERLINK(\"http://evil\",\"x\")"]
    assert formula_like.data_type == "s"
    assert formula_like.quotePrefix is True
    assert messages["+cmd|' /C calc'!A0"].data_type == "s"
    # and the whole-file error is also attached to the 错误说明 header as a comment
    assert "+cmd" in result["花名册"]["I1"].comment.text


def test_unreadable_upload_gets_a_summary_only_workbook() -> None:
    source = io.BytesIO("姓名,身份证号码\n".encode("utf-8"))
    _, errors = read(source)
    result = write_back(source, errors)
    assert result.sheetnames == [SUMMARY_SHEET_TITLE]
    sheet = result[SUMMARY_SHEET_TITLE]
    assert sheet["B2"].value == "整个文件"
    assert "不是Excel 2007及以上的 .xlsx 格式" in sheet["C2"].value


def test_re_uploaded_error_file_reuses_its_error_column() -> None:
    # Given last round's error file, with row 2 fixed by the uploader since
    first = xlsx([person(name="张", id_number=ID_A), person(name="李", id_number=ID_B)])
    _, errors = read(first)
    out = io.BytesIO()
    write_errors_back(first, errors, out)
    out.seek(0)
    workbook = openpyxl.load_workbook(out)
    workbook["花名册"]["A2"] = "张三"
    fixed = io.BytesIO()
    workbook.save(fixed)
    fixed.seek(0)
    # When it is read and marked again
    _, errors = read(fixed)
    assert errors == [RosterError(3, "姓名", errors[0].message)]
    result = write_back(fixed, errors)
    # Then the old summary is replaced, the column reused and row 2's old note cleared
    sheet = result["花名册"]
    assert result.sheetnames == [SUMMARY_SHEET_TITLE, "花名册"]
    assert [c.value for c in sheet[1]].count(ERROR_COLUMN_HEADER) == 1
    assert sheet["I2"].value is None
    assert sheet["I3"].value.startswith("【姓名】姓名应为2至30个字")


def test_roster_error_str_formats() -> None:
    assert str(RosterError(5, "身份证号码", "校验位不正确")) == "第5行【身份证号码】：校验位不正确"
    assert str(RosterError(1, None, "缺少列")) == "第1行：缺少列"
    assert str(RosterError(None, None, "文件过大")) == "文件过大"
