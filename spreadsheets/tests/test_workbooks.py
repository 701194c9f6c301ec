"""The report workbook writer: layout, formats, totals, and no formula ever evaluated."""

import io
import random
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from spreadsheets.workbooks import Column, ReportWorkbook, content_disposition, export_filename, needs_literal, sheet_title

COLUMNS = [
    Column("unit", "责任单位", width=18),
    Column("quota", "指导计划", kind="integer", total="sum", group="2019年"),
    Column("achieved", "完成", kind="integer", total="sum", group="2019年"),
    Column("percent", "完成率", kind="percent", total="ratio", ratio_of=("achieved", "quota"), group="2019年"),
    Column("amount", "补贴金额（元）", kind="money", total="sum"),
    Column("day", "日期", kind="date"),
]


def build(rows, **kwargs) -> io.BytesIO:
    book = ReportWorkbook()
    sheet = book.sheet(title="测试报表", period="2019年第1季度", columns=COLUMNS, **kwargs)
    sheet.extend(rows)
    sheet.write_totals()
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


ROWS = [
    {"unit": "区教委", "quota": 500, "achieved": 250, "percent": 0.5, "amount": Decimal("1200.50"), "day": date(2019, 3, 1)},
    {"unit": "区妇联", "quota": 100, "achieved": 110, "percent": 1.1, "amount": Decimal("99.50"), "day": date(2019, 3, 2)},
]


def test_title_period_grouped_headers_formats_and_frozen_header():
    ws = load_workbook(build(ROWS)).active
    assert ws["A1"].value == "测试报表" and ws["A1"].font.b
    assert ws["A2"].value.startswith("统计期间：2019年第1季度    导出时间：")
    assert {str(r) for r in ws.merged_cells.ranges} >= {"A1:F1", "A2:F2", "B3:D3", "A3:A4", "E3:E4", "F3:F4"}
    assert [ws.cell(3, c).value for c in (1, 2, 5)] == ["责任单位", "2019年", "补贴金额（元）"]
    assert [ws.cell(4, c).value for c in (2, 3, 4)] == ["指导计划", "完成", "完成率"]
    assert ws.freeze_panes == "A5"
    assert ws.column_dimensions["A"].width == 18
    assert ws["D5"].number_format == "0.00%" and ws["E5"].number_format == "#,##0.00"
    assert ws["F5"].number_format == "yyyy-mm-dd" and ws["B5"].number_format == "#,##0"


def test_totals_row_is_computed_from_the_rows():
    ws = load_workbook(build(ROWS)).active
    totals = [ws.cell(7, c).value for c in range(1, 7)]
    assert totals[0] == "合计"
    assert totals[1:5] == [600, 360, 0.6, 1300]
    assert ws.cell(7, 2).font.b


def test_hostile_text_is_never_a_formula():
    rng = random.Random(7)
    triggers = ["=", "+", "-", "@", "\t", "\r", "=cmd|' /C calc'!A0", "=HYPERLINK(\"http://x\")", "+1+1", "@SUM(1)"]
    rows = [
        {"unit": rng.choice(triggers) + "".join(rng.choice("abc=+-@1") for _ in range(8)), "quota": 1, "achieved": 1,
         "percent": 1, "amount": Decimal("1"), "day": None}
        for _ in range(1000)
    ]
    book = ReportWorkbook()
    sheet = book.sheet(title="=恶意标题", period="-1", columns=COLUMNS)
    sheet.extend(rows)
    sheet.write_totals(label="@合计")
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    ws = load_workbook(out).active
    cells = [cell for row in ws.iter_rows() for cell in row if cell.value is not None]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert ws["A1"].value == "=恶意标题"
    hostile = [ws.cell(row, 1) for row in range(5, 1005)]
    assert all(c.data_type == "s" and c.value for c in hostile)
    assert sum(1 for c in hostile if needs_literal(c.value)) >= 800  # tab/CR may be normalised by XML


def test_sheet_and_file_names_are_sanitised():
    assert sheet_title("2019/2020年[季报]:汇总*?表格名称特别特别特别特别长") == "2019_2020年_季报__汇总__表格名称特别特别特别特别长"[:31]
    assert sheet_title("") == "Sheet"
    assert export_filename("../../etc/passwd") == "_.._etc_passwd.xlsx"
    assert export_filename("季报 2019年第1季度") == "季报 2019年第1季度.xlsx"
    assert export_filename('a<b>c:"d"|e?*\x07.xlsx') == "a_b_c__d__e___.xlsx"
    header = content_disposition("季报 2019.xlsx")
    assert header.startswith('attachment; filename=" 2019.xlsx"') or "filename*=UTF-8''%E5%AD%A3%E6%8A%A5%202019.xlsx" in header
    assert "\n" not in content_disposition("a\r\nSet-Cookie: x.xlsx")


def test_change_column_total_is_the_change_of_the_totals_not_a_sum():
    columns = [
        Column("unit", "责任单位"),
        Column("now", "本期", kind="integer", total="sum"),
        Column("before", "上年同期", kind="integer", total="sum"),
        Column("change", "同比增长", kind="percent", total="change", ratio_of=("now", "before")),
    ]
    book = ReportWorkbook()
    sheet = book.sheet(title="同比", period="2020年", columns=columns)
    sheet.extend([
        {"unit": "甲", "now": 150, "before": 100, "change": 0.5},
        {"unit": "乙", "now": 50, "before": 100, "change": -0.5},
        {"unit": "丙", "now": 10, "before": 0, "change": None},
    ])
    assert sheet.write_totals() == {"now": 210, "before": 200, "change": Decimal("0.05")}
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    ws = load_workbook(out).active
    assert [ws.cell(7, c).value for c in range(1, 5)] == ["合计", 210, 200, 0.05]
    assert ws.cell(7, 4).number_format == "0.00%"


def test_notes_are_merged_text_rows_below_the_data_and_never_formulas():
    book = ReportWorkbook()
    sheet = book.sheet(title="说明", period="2019年", columns=COLUMNS)
    sheet.extend(ROWS)
    sheet.write_totals()
    sheet.write_note("说明：实名制结业人次按参训记录统计。")
    sheet.write_note("=1+1 不是公式")
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    ws = load_workbook(out).active
    assert ws["A8"].value == "说明：实名制结业人次按参训记录统计。"
    assert ws["A9"].value == "=1+1 不是公式" and ws["A9"].data_type == "s"
    assert {"A8:F8", "A9:F9"} <= {str(r) for r in ws.merged_cells.ranges}


def test_extend_reports_progress_every_n_rows():
    seen = []
    book = ReportWorkbook()
    sheet = book.sheet(title="进度", period="-", columns=COLUMNS)
    sheet.extend((dict(ROWS[0]) for _ in range(2500)), on_progress=seen.append, every=1000)
    book.save(io.BytesIO())
    assert seen == [1000, 2000] and sheet.rows_written == 2500
