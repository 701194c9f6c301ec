"""The Excel side of a class roster (花名册) import: read and check the file, no database.

Checks that need the database (an ID already registered under another name, class
capacity, target groups that exist) are made by the import service on the rows returned
here. Any error means the whole file is refused (SECURITY.md: nothing partial written).
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, BinaryIO

import openpyxl
from openpyxl.cell.cell import Cell
from openpyxl.cell.read_only import EMPTY_CELL
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from trainees.idnumbers import IdNumber, IdNumberError, parse_id_number
from trainees.phones import PhoneError, parse_mobile

__all__ = [
    "ERROR_COLUMN_HEADER",
    "HEADER_SEARCH_ROWS",
    "MAX_BYTES",
    "MAX_ROWS",
    "OPTIONAL_HEADERS",
    "REQUIRED_HEADERS",
    "RosterError",
    "RosterRow",
    "SUMMARY_SHEET_TITLE",
    "TEMPLATE_SHEET_TITLE",
    "name_error",
    "read_roster",
    "write_errors_back",
    "write_roster_template",
]

REQUIRED_HEADERS = ("姓名", "身份证号码", "手机号码")
OPTIONAL_HEADERS = ("人员类别", "户籍地址", "常住地址", "文化程度", "就业状态")
ALL_HEADERS = REQUIRED_HEADERS + OPTIONAL_HEADERS
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
HEADER_SEARCH_ROWS = 10
# A 10 MB .xlsx can inflate to gigabytes (zip bomb); a genuine 50,000-row roster
# stays far below this once unpacked.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
NAME_MIN_LENGTH = 2
NAME_MAX_LENGTH = 30
TEXT_MAX_LENGTH = 200

TEMPLATE_SHEET_TITLE = "花名册"
INSTRUCTIONS_SHEET_TITLE = "填写说明"
SUMMARY_SHEET_TITLE = "错误汇总"
ERROR_COLUMN_HEADER = "错误说明"

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_XLSX_MAIN_TYPES = (
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
)
_MACRO_MAIN_TYPE = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"

_GROUP_SEPARATORS_RE = re.compile(r"[、，,;；]")
_HEADER_MARKS_RE = re.compile(r"^\*+|(?:\*|\(必填\)|\(选填\))+$")
_SCIENTIFIC_RE = re.compile(r"[+-]?\d+(?:\.\d*)?[eE][+-]?\d+")
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_TEXT_FORMAT = "@"

_SAVE_AS_HINT = "请在Excel中打开后“另存为”“Excel工作簿(*.xlsx)”，再重新上传"
MSG_EMPTY_FILE = "文件是空的（0字节），请选择填好的花名册 .xlsx 文件重新上传"
MSG_TOO_LARGE = (
    f"文件超过{MAX_BYTES // (1024 * 1024)} MB，系统不接受。请删除图片、多余的工作表和空白格式，"
    f"或把花名册分成几个文件分别上传"
)
MSG_XLS = f"文件是Excel 97-2003（.xls）格式，系统只接受Excel 2007及以上的 .xlsx 格式。{_SAVE_AS_HINT}"
MSG_ENCRYPTED = (
    "文件设置了打开密码（已加密），系统无法读取。请在Excel中“文件→信息→保护工作簿→"
    "用密码进行加密”里删除密码并保存，再重新上传"
)
MSG_NOT_XLSX = (
    "文件不是Excel 2007及以上的 .xlsx 格式（可能是CSV、文本、网页或只改了扩展名的其他文件）。"
    + _SAVE_AS_HINT
)
MSG_NOT_WORKBOOK = (
    "文件是压缩包，但不是Excel工作簿（可能是Word文档、ZIP压缩包或其他格式改了扩展名）。"
    + _SAVE_AS_HINT
)
MSG_MACRO = f"文件是启用宏的工作簿（.xlsm），系统不接受含宏的文件。{_SAVE_AS_HINT}"
MSG_CORRUPT = f"文件已损坏或不完整，无法打开。{_SAVE_AS_HINT}"
MSG_UNPACKED_TOO_LARGE = (
    "文件解压后的内容异常庞大，系统拒绝读取。请只保留花名册数据，" + _SAVE_AS_HINT
)
MSG_UNREADABLE = f"无法读取工作簿内容（文件可能已损坏或不是标准的Excel格式）。{_SAVE_AS_HINT}"
MSG_NO_HEADER = (
    "文件中没有找到花名册表头。请在花名册工作表的第一行填写列标题“姓名”“身份证号码”“手机号码”"
    "（可下载花名册模板对照）；隐藏的工作表不会被读取"
)
MSG_NO_ROWS = "花名册中没有填写任何人员，请在表头下方每行填写一人后重新上传"
MSG_FORMULA = "单元格含公式，请改为直接填写数值/文字（可复制后“选择性粘贴→数值”）"
MSG_ID_AS_NUMBER = (
    "身份证号码被Excel存成了数字：Excel只保留15位有效数字，末尾几位已经丢失，无法恢复。"
    "请把该列单元格格式设为“文本”，再重新输入完整的身份证号码"
)
MSG_MOBILE_AS_DECIMAL = (
    "手机号码被Excel存成了小数或科学计数法，号码可能已经改变。请把该列单元格格式设为“文本”，再重新输入11位手机号码"
)


@dataclass(frozen=True)
class RosterError:
    """One problem in an uploaded roster; row/column are as Excel shows them."""

    row: int | None  # Excel row number, 1-based; None for whole-file errors
    column: str | None  # header text such as "身份证号码"
    message: str  # Chinese, says what to fix

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        if self.column:
            return f"第{self.row}行【{self.column}】：{self.message}"
        return f"第{self.row}行：{self.message}"


@dataclass
class RosterRow:
    """One person read from the roster, with the ID number already validated."""

    excel_row: int
    name: str
    id_number: IdNumber
    mobile: str
    groups: list[str] = field(default_factory=list)
    household_address: str = ""
    residence_address: str = ""
    education: str = ""
    employment_status: str = ""


def normalize_header(value: Any) -> str:
    """Header text for matching: NFKC (full-width → half-width), no whitespace, no * / （必填） mark."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    text = "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch) != "Cf")
    return _HEADER_MARKS_RE.sub("", text)


def split_groups(text: str) -> list[str]:
    """Split 人员类别 on 、，,;； keeping order, dropping empties and repeats."""
    groups: list[str] = []
    for part in _GROUP_SEPARATORS_RE.split(text):
        part = part.strip()
        if part and part not in groups:
            groups.append(part)
    return groups


# --- reading ---------------------------------------------------------------------------


def _read_upload(fileobj: BinaryIO) -> bytes:
    if hasattr(fileobj, "seek"):
        try:
            fileobj.seek(0)
        except (OSError, ValueError):
            pass  # a pipe or stream: read from where it stands
    # One byte over the limit is enough to know it is too big, without reading a huge body.
    return fileobj.read(MAX_BYTES + 1) or b""


def _container_error(data: bytes) -> str | None:
    """Check the bytes (never the filename) are a plain, unencrypted .xlsx package."""
    if not data:
        return MSG_EMPTY_FILE
    if len(data) > MAX_BYTES:
        return MSG_TOO_LARGE
    if data.startswith(_OLE2_MAGIC):
        # Encrypted .xlsx files are OLE2 containers too; only they hold this stream.
        return MSG_ENCRYPTED if _ENCRYPTED_STREAM in data else MSG_XLS
    if not data.startswith(_ZIP_MAGIC):
        return MSG_NOT_XLSX
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if any(info.flag_bits & 0x1 for info in infos):
                return MSG_ENCRYPTED
            if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
                return MSG_UNPACKED_TOO_LARGE
            try:
                content_types = archive.read("[Content_Types].xml")
            except KeyError:
                return MSG_NOT_WORKBOOK
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError):
        return MSG_CORRUPT
    if _MACRO_MAIN_TYPE in content_types:
        return MSG_MACRO
    if not any(main in content_types for main in _XLSX_MAIN_TYPES):
        return MSG_NOT_WORKBOOK
    return None


def _load(data: bytes, *, read_only: bool) -> Any:
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=read_only, data_only=False)
    except Exception:  # noqa: BLE001 - any parser failure on untrusted input is "unreadable"
        return None


def _is_blank_value(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _scan_header(rows: Iterator[Sequence[Any]]) -> tuple[int, list[str], list[str]] | None:
    """Best header row within HEADER_SEARCH_ROWS: (row number, headers, missing required).

    Stops right after a row holding every required header, so the caller can go on
    reading data from the same iterator. Rows above it (a title such as
    “某某培训班学员花名册”) are allowed.
    """
    best: tuple[int, list[str], list[str]] | None = None
    for row_number, cells in enumerate(rows, start=1):
        values = [cell.value for cell in cells]
        if not all(_is_blank_value(value) for value in values):
            headers = [normalize_header(value) for value in values]
            missing = [header for header in REQUIRED_HEADERS if header not in headers]
            if best is None or len(missing) < len(best[2]):
                best = (row_number, headers, missing)
            if not missing:
                break
        if row_number >= HEADER_SEARCH_ROWS:
            break
    return best


@dataclass
class _Layout:
    """Where the roster is in a workbook: the sheet, its header row and column positions."""

    sheet: Any
    rows: Iterator[Sequence[Any]]
    header_row: int
    columns: dict[str, int]  # header → 0-based column index
    duplicates: dict[str, list[int]]
    error_column: int | None  # 0-based index of an earlier 错误说明 column, if any


def _locate(workbook: Any, *, read_only: bool) -> tuple[_Layout | None, RosterError | None]:
    """First visible sheet with a header row holding every required header."""
    best_missing: tuple[int, str, int, list[str]] | None = None
    for sheet in workbook.worksheets:
        if sheet.sheet_state != "visible":
            continue
        if read_only:
            # The stored dimension is often wrong in files from other software; without a
            # reset openpyxl would silently stop reading at the bogus last row.
            sheet.reset_dimensions()
        rows = sheet.iter_rows()
        found = _scan_header(rows)
        if found is None:
            _close(rows)
            continue
        header_row, headers, missing = found
        if missing:
            _close(rows)
            if best_missing is None or len(missing) < best_missing[0]:
                best_missing = (len(missing), sheet.title, header_row, missing)
            continue
        columns: dict[str, int] = {}
        duplicates: dict[str, list[int]] = {}
        error_column: int | None = None
        for index, header in enumerate(headers):
            if header in ALL_HEADERS:
                if header in columns:
                    duplicates.setdefault(header, [columns[header]]).append(index)
                else:
                    columns[header] = index
            elif header == ERROR_COLUMN_HEADER and error_column is None:
                error_column = index
        return _Layout(sheet, rows, header_row, columns, duplicates, error_column), None
    if best_missing is None:
        return None, RosterError(None, None, MSG_NO_HEADER)
    _, title, header_row, missing = best_missing
    names = "、".join(f"“{header}”" for header in missing)
    return None, RosterError(
        header_row,
        None,
        f"工作表“{title}”的表头（第{header_row}行）缺少必填列{names}。"
        "请在表头行补上这些列标题，每个标题单独占一格（可下载花名册模板对照）",
    )


def _close(rows: Iterator[Any]) -> None:
    close = getattr(rows, "close", None)
    if close is not None:
        close()  # releases the read-only sheet's handle on the zip member


def _plain_text(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _cell_text(cell: Any, header: str) -> tuple[str, str | None]:
    """Cell → (text, error message); numbers are judged by the column they are in."""
    value = cell.value
    if value is None:
        return "", None
    data_type = cell.data_type
    if data_type == "f":
        return "", MSG_FORMULA
    if data_type == "e":
        return "", f"单元格是错误值“{value}”，请改为直接填写内容"
    if header == "身份证号码":
        if isinstance(value, str):
            text = value.strip()
            # Pasted from a CSV that Excel had already turned into 5.00222E+17.
            if _SCIENTIFIC_RE.fullmatch(text):
                return "", MSG_ID_AS_NUMBER
            return text, None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return "", MSG_ID_AS_NUMBER
        return "", "身份证号码应填写为文字，请把该列设为“文本”格式后重新输入"
    if header == "手机号码":
        if isinstance(value, str):
            return value.strip(), None
        if isinstance(value, int) and not isinstance(value, bool):
            # Integers are stored exactly, so an 11-digit number survived intact.
            return str(value), None
        if isinstance(value, float):
            return "", MSG_MOBILE_AS_DECIMAL
        return "", "手机号码应填写为11位数字，请把该列设为“文本”格式后重新输入"
    return _plain_text(value), None


_FIELD_BY_HEADER = {
    "户籍地址": "household_address",
    "常住地址": "residence_address",
    "文化程度": "education",
    "就业状态": "employment_status",
}


def name_error(name: str) -> str | None:
    """The Chinese message for a name that cannot be a resident's name, or None."""
    if not name:
        return "姓名不能为空，请填写与身份证一致的姓名"
    if not NAME_MIN_LENGTH <= len(name) <= NAME_MAX_LENGTH:
        return (
            f"姓名应为{NAME_MIN_LENGTH}至{NAME_MAX_LENGTH}个字，当前为{len(name)}个字，"
            "请填写与身份证一致的姓名"
        )
    if any(ch.isdigit() for ch in name):
        return "姓名不能包含数字，请填写与身份证一致的姓名"
    return None


def read_roster(
    fileobj: BinaryIO, *, filename: str = "", today: date | None = None, keep_good_rows: bool = False
) -> tuple[list[RosterRow], list[RosterError]]:
    """Read and check an uploaded roster; return (rows, errors).

    Every error in the file is collected with its Excel row and header. When there is any
    error the row list is empty: callers must write nothing. ``filename`` is only used in
    messages; the format is judged from the bytes.

    With ``keep_good_rows`` the rows that passed are returned even when other rows have
    errors, so that a caller can run its own (database) checks on them and report every
    problem in one round; it must still write nothing while there is any error. Errors
    about the whole file or its header still come with no rows.
    """
    data = _read_upload(fileobj)
    problem = _container_error(data)
    if problem is not None:
        return [], [RosterError(None, None, _with_filename(problem, filename))]
    workbook = _load(data, read_only=True)
    if workbook is None:
        return [], [RosterError(None, None, _with_filename(MSG_UNREADABLE, filename))]
    try:
        layout, error = _locate(workbook, read_only=True)
        if layout is None:
            return [], [error] if error else []
        try:
            return _read_rows(layout, today=today or date.today(), keep_good_rows=keep_good_rows)
        finally:
            _close(layout.rows)
    finally:
        workbook.close()


def _too_many_rows_message() -> str:
    return (
        f"花名册超过{MAX_ROWS:,}行数据，系统不接受。请把花名册分成几个文件，"
        f"每个不超过{MAX_ROWS:,}行，分别上传"
    )


def _with_filename(message: str, filename: str) -> str:
    return f"“{filename}”：{message}" if filename else message


def _read_rows(
    layout: _Layout, *, today: date, keep_good_rows: bool = False
) -> tuple[list[RosterRow], list[RosterError]]:
    errors: list[RosterError] = []
    if layout.duplicates:
        for header, indexes in layout.duplicates.items():
            letters = "、".join(get_column_letter(index + 1) for index in indexes)
            errors.append(
                RosterError(
                    layout.header_row,
                    header,
                    f"列标题“{header}”出现了{len(indexes)}次（第{letters}列），"
                    "请删除多余的列或改正列标题后重新上传",
                )
            )
        return [], errors

    columns = list(layout.columns.items())
    rows: list[RosterRow] = []
    first_row_by_id: dict[str, int] = {}
    data_rows = 0
    for excel_row, cells in enumerate(layout.rows, start=layout.header_row + 1):
        width = len(cells)
        values: dict[str, str] = {}
        row_errors: list[RosterError] = []
        blank = True
        for header, index in columns:
            cell = cells[index] if index < width else EMPTY_CELL
            if not _is_blank_value(cell.value):
                blank = False
            text, problem = _cell_text(cell, header)
            if problem is not None:
                row_errors.append(RosterError(excel_row, header, problem))
            values[header] = text
        # Blank means blank in the columns we read: rosters often carry a pre-filled
        # 序号 column far below the last person.
        if blank:
            continue
        data_rows += 1
        if data_rows > MAX_ROWS:
            return [], [RosterError(None, None, _too_many_rows_message())]
        row = _check_row(excel_row, values, row_errors, first_row_by_id, today)
        errors.extend(row_errors)
        if row is not None and (keep_good_rows or not errors):
            rows.append(row)
    if errors:
        return (rows if keep_good_rows else []), errors
    if not rows:
        return [], [RosterError(None, None, MSG_NO_ROWS)]
    return rows, []


def _check_row(
    excel_row: int,
    values: dict[str, str],
    row_errors: list[RosterError],
    first_row_by_id: dict[str, int],
    today: date,
) -> RosterRow | None:
    failed_columns = {error.column for error in row_errors}

    name = values.get("姓名", "")
    if "姓名" not in failed_columns:
        problem = name_error(name)
        if problem:
            row_errors.append(RosterError(excel_row, "姓名", problem))

    id_number: IdNumber | None = None
    if "身份证号码" not in failed_columns:
        try:
            id_number = parse_id_number(values.get("身份证号码", ""), today=today)
        except IdNumberError as exc:
            row_errors.append(RosterError(excel_row, "身份证号码", exc.message))
    if id_number is not None:
        earlier = first_row_by_id.get(id_number.number)
        if earlier is not None:
            row_errors.append(
                RosterError(
                    excel_row,
                    "身份证号码",
                    f"与第{earlier}行身份证号码重复，同一人只填写一行，请删除重复的行",
                )
            )
        else:
            first_row_by_id[id_number.number] = excel_row

    mobile = ""
    if "手机号码" not in failed_columns:
        try:
            mobile = parse_mobile(values.get("手机号码", ""))
        except PhoneError as exc:
            row_errors.append(RosterError(excel_row, "手机号码", exc.message))

    for header in OPTIONAL_HEADERS:
        text = values.get(header, "")
        if len(text) > TEXT_MAX_LENGTH and header not in failed_columns:
            row_errors.append(
                RosterError(
                    excel_row,
                    header,
                    f"内容过长（{len(text)}个字），最多{TEXT_MAX_LENGTH}个字，请精简后重新填写",
                )
            )

    if row_errors or id_number is None:
        return None
    extra = {field_name: values.get(header, "") for header, field_name in _FIELD_BY_HEADER.items()}
    return RosterRow(
        excel_row=excel_row,
        name=name,
        id_number=id_number,
        mobile=mobile,
        groups=split_groups(values.get("人员类别", "")),
        **extra,
    )


# --- writing ---------------------------------------------------------------------------

_HEADER_WIDTHS = {
    "姓名": 12,
    "身份证号码": 24,
    "手机号码": 16,
    "人员类别": 36,
    "户籍地址": 40,
    "常住地址": 40,
    "文化程度": 12,
    "就业状态": 14,
}
_ERROR_FILL = PatternFill(fill_type="solid", start_color="FFFFC7CE", end_color="FFFFC7CE")
_ERROR_FONT = Font(color="FF9C0006")
_ERROR_HEADER_FONT = Font(bold=True, color="FF9C0006")


def _literal(cell: Cell, text: str) -> Cell:
    """Store text so that Excel never evaluates it as a formula (like a leading ' typed in Excel)."""
    cell.value = text
    cell.data_type = "s"
    if text.startswith(_FORMULA_TRIGGERS):
        cell.quotePrefix = True
    return cell


def _instructions(class_title: str) -> list[str]:
    required = "、".join(REQUIRED_HEADERS)
    optional = "、".join(OPTIONAL_HEADERS)
    return [
        f"培训班：{class_title}",
        "",
        f"一、必填列：{required}（表头加粗）；选填列：{optional}。请不要修改表头文字，不要合并单元格。",
        "二、每人填写一行，同一身份证号码只填写一次；中间的空行会被自动跳过。",
        "三、身份证号码、手机号码两列已设为“文本”格式，请直接输入或“选择性粘贴→数值”。"
        "如果号码显示为 5.00222E+17 这样的科学计数，说明被存成了数字、末尾几位已丢失，"
        "请把单元格设为“文本”后重新输入。",
        "四、身份证号码填写18位（末位X大小写均可），旧版15位号码也可以；手机号码填写11位大陆手机号，不加+86。",
        "五、人员类别可填写多个，用顿号“、”分隔，例如：农村转移就业劳动者、建档立卡贫困劳动力。",
        "六、不要使用公式，所有单元格直接填写文字或数字。",
        f"七、文件须为 .xlsx 格式，不超过{MAX_BYTES // (1024 * 1024)} MB，最多{MAX_ROWS:,}行数据；"
        "系统读取第一个含表头的可见工作表，隐藏的工作表不会被读取。",
        "八、上传后如有错误，系统会列出每个错误所在的行和列，整份花名册都不会导入；改正后请重新上传整个文件。",
    ]


def write_roster_template(out: BinaryIO, *, class_title: str) -> None:
    """Write an empty roster template (花名册 + 填写说明) for one training class."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(TEMPLATE_SHEET_TITLE)
    for index, header in enumerate(ALL_HEADERS, start=1):
        dimension = sheet.column_dimensions[get_column_letter(index)]
        dimension.width = _HEADER_WIDTHS[header]
    sheet.freeze_panes = "A2"

    header_cells = []
    for header in ALL_HEADERS:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = Font(bold=header in REQUIRED_HEADERS)
        cell.alignment = Alignment(horizontal="center")
        header_cells.append(cell)
    sheet.append(header_cells)

    text_columns = {ALL_HEADERS.index("身份证号码"), ALL_HEADERS.index("手机号码")}
    last_text_column = max(text_columns)
    for _ in range(MAX_ROWS):
        row: list[Any] = []
        for index in range(last_text_column + 1):
            if index in text_columns:
                cell = WriteOnlyCell(sheet)
                # Text format stops Excel turning 18-digit IDs into 5.00222E+17.
                cell.number_format = _TEXT_FORMAT
                row.append(cell)
            else:
                row.append(None)
        sheet.append(row)

    notes = workbook.create_sheet(INSTRUCTIONS_SHEET_TITLE)
    notes.column_dimensions["A"].width = 110
    title = WriteOnlyCell(notes, value="培训班花名册填写说明")
    title.font = Font(bold=True, size=14)
    notes.append([title])
    for line in _instructions(class_title):
        cell = WriteOnlyCell(notes)
        _literal(cell, line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        notes.append([cell])
    workbook.save(out)


def write_errors_back(source: BinaryIO, errors: list[RosterError], out: BinaryIO) -> None:
    """Return the uploaded workbook with every error marked, for the uploader to fix.

    The roster sheet gets a 错误说明 column (reused on a re-upload) listing each row's
    messages, and the cells at fault are highlighted; a first sheet 错误汇总 lists every
    error, including whole-file ones. When the upload cannot be opened at all, the output
    holds only the 错误汇总 sheet.
    """
    data = _read_upload(source)
    workbook = None
    if _container_error(data) is None:
        workbook = _load(data, read_only=False)
    if workbook is None:
        workbook = openpyxl.Workbook()
        workbook.remove(workbook.active)

    layout, _ = _locate(workbook, read_only=False) if workbook.worksheets else (None, None)
    if layout is not None:
        _mark_rows(layout, errors)
    _write_summary(workbook, errors)
    workbook.save(out)


def _mark_rows(layout: _Layout, errors: Iterable[RosterError]) -> None:
    sheet = layout.sheet
    by_row: dict[int, list[RosterError]] = {}
    for error in errors:
        if error.row is not None and error.row > layout.header_row:
            by_row.setdefault(error.row, []).append(error)

    if layout.error_column is not None:
        column = layout.error_column + 1
        # A re-uploaded error file: clear last round's notes so only current ones remain.
        for (cell,) in sheet.iter_rows(
            min_row=layout.header_row + 1, min_col=column, max_col=column
        ):
            cell.value = None
            cell.fill = PatternFill()
    else:
        column = sheet.max_column + 1
    header_cell = sheet.cell(row=layout.header_row, column=column)
    _literal(header_cell, ERROR_COLUMN_HEADER)
    header_cell.font = _ERROR_HEADER_FONT
    sheet.column_dimensions[get_column_letter(column)].width = 60

    for row_number, row_errors in by_row.items():
        message = "；".join(
            f"【{error.column}】{error.message}" if error.column else error.message
            for error in row_errors
        )
        cell = _literal(sheet.cell(row=row_number, column=column), message)
        cell.fill = _ERROR_FILL
        cell.font = _ERROR_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        for error in row_errors:
            index = layout.columns.get(error.column or "")
            if index is not None:
                sheet.cell(row=row_number, column=index + 1).fill = _ERROR_FILL

    file_errors = [error for error in errors if error.row is None or error.row <= layout.header_row]
    if file_errors:
        header_cell.comment = Comment(
            "\n".join(str(error) for error in file_errors), "技能提升行动管理系统"
        )


def _write_summary(workbook: Any, errors: Sequence[RosterError]) -> None:
    if SUMMARY_SHEET_TITLE in workbook.sheetnames:
        workbook.remove(workbook[SUMMARY_SHEET_TITLE])
    summary = workbook.create_sheet(SUMMARY_SHEET_TITLE, 0)
    for widths in (("A", 10), ("B", 16), ("C", 100)):
        summary.column_dimensions[widths[0]].width = widths[1]
    headers = ("行号", "列", "错误说明")
    for index, header in enumerate(headers, start=1):
        cell = _literal(summary.cell(row=1, column=index), header)
        cell.font = Font(bold=True)
    if not errors:
        _literal(summary.cell(row=2, column=3), "未发现错误")
    ordered = sorted(errors, key=lambda error: (error.row is not None, error.row or 0))
    for row_number, error in enumerate(ordered, start=2):
        summary.cell(row=row_number, column=1, value=error.row if error.row else None)
        label = error.column or ("整个文件" if error.row is None else "")
        _literal(summary.cell(row=row_number, column=2), label)
        _literal(summary.cell(row=row_number, column=3), error.message)
    summary.freeze_panes = "A2"
    for sheet in workbook.worksheets:
        sheet.sheet_view.tabSelected = False
    summary.sheet_view.tabSelected = True
    workbook.active = 0
