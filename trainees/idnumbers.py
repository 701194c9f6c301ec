"""Resident ID numbers (居民身份证号码), GB 11643-1999.

Pure functions, no database: normalise what people type or paste, upgrade old 15-digit
numbers, validate, and mask for display.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

__all__ = [
    "IdNumber",
    "IdNumberError",
    "MIN_BIRTH_DATE",
    "PROVINCE_CODES",
    "age_on",
    "check_character",
    "mask_id_number",
    "normalize_id_number",
    "parse_id_number",
    "upgrade_15_to_18",
]

# GB/T 2260 provincial-level codes (first two digits of the address code), plus 83:
# residence permits for Taiwan residents (港澳台居民居住证, 2018) carry 830000 in the same
# GB 11643 format, and such residents may enrol like anyone else.
PROVINCE_CODES: frozenset[str] = frozenset(
    [str(n) for n in range(11, 16)]
    + [str(n) for n in range(21, 24)]
    + [str(n) for n in range(31, 38)]
    + [str(n) for n in range(41, 47)]
    + [str(n) for n in range(50, 55)]
    + [str(n) for n in range(61, 66)]
    + ["71", "81", "82", "83"]
)

# Real registries hold numbers of very old (and deceased) people born in the 1880s,
# so the bound is generous; it only catches obvious typos such as year 0199.
MIN_BIRTH_DATE = date(1800, 1, 1)

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"  # index = weighted sum mod 11 (ISO 7064 MOD 11-2)
_ID18_RE = re.compile(r"\d{17}[\dX]")
_DIGITS_RE = re.compile(r"\d+")


class IdNumberError(ValueError):
    """An ID number that cannot be accepted; ``str(error)`` is the Chinese message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class IdNumber:
    """A validated 18-character ID number and what it encodes."""

    number: str
    birth_date: date
    sex: str  # "M" or "F"
    province_code: str


def _strip_invisible(text: str) -> str:
    # Pasted values often carry NBSP, full-width spaces or zero-width marks (category Cf)
    # that are invisible in the form but break matching and uniqueness.
    return "".join(
        ch for ch in text if not ch.isspace() and unicodedata.category(ch) != "Cf"
    )


def normalize_id_number(raw: str) -> str:
    """NFKC (full-width digits and ｘ become ASCII), drop all whitespace, upper-case X."""
    if raw is None:
        return ""
    return _strip_invisible(unicodedata.normalize("NFKC", str(raw))).upper()


def check_character(first17: str) -> str:
    """GB 11643-1999 check character (ISO 7064 MOD 11-2) for the first 17 digits."""
    if len(first17) != 17 or not _DIGITS_RE.fullmatch(first17) or not first17.isascii():
        raise IdNumberError("计算校验位需要17位数字，请核对号码前17位")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS))
    return _CHECK_CHARACTERS[total % 11]


def upgrade_15_to_18(number15: str) -> str:
    """Upgrade a first-generation 15-digit number: insert century "19", add the check character."""
    if len(number15) != 15 or not number15.isascii() or not number15.isdigit():
        raise IdNumberError("旧版15位身份证号码应全部为数字，请核对号码")
    first17 = number15[:6] + "19" + number15[6:]
    return first17 + check_character(first17)


def _birth_date(number: str) -> date:
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    if not 1 <= month <= 12:
        raise IdNumberError(
            f"出生日期无效（{month}月不存在），请核对号码第11至12位的月份"
        )
    try:
        return date(year, month, day)
    except ValueError:
        raise IdNumberError(
            f"出生日期无效（{month}月{day}日不存在），请核对号码第13至14位的日期"
        ) from None


def parse_id_number(raw: str, *, today: date | None = None) -> IdNumber:
    """Normalise and validate an ID number (GB 11643-1999); 15-digit numbers are upgraded.

    Raises IdNumberError with a Chinese message naming what is wrong.
    """
    number = normalize_id_number(raw)
    if not number:
        raise IdNumberError("身份证号码不能为空，请填写18位居民身份证号码")
    if len(number) == 15:
        if not number.isascii() or not number.isdigit():
            raise IdNumberError("旧版15位身份证号码应全部为数字，请核对号码")
        number = upgrade_15_to_18(number)
    if len(number) != 18:
        raise IdNumberError(
            f"身份证号码应为18位（或旧版15位），当前为{len(number)}位，请核对是否多填或漏填"
        )
    if not number.isascii() or not _ID18_RE.fullmatch(number):
        raise IdNumberError(
            "身份证号码前17位只能是数字，最后一位是数字或X，请删除其中的其他字母或符号"
        )
    province_code = number[:2]
    if province_code not in PROVINCE_CODES:
        raise IdNumberError(
            f"省级行政区划代码“{province_code}”不存在，请核对号码前两位"
        )
    birth_date = _birth_date(number)
    if birth_date < MIN_BIRTH_DATE:
        raise IdNumberError("出生日期早于1800年，请核对号码第7至14位的出生日期")
    if birth_date > (today or date.today()):
        raise IdNumberError("出生日期晚于今天，请核对号码第7至14位的出生日期")
    # Never print the expected character: it would make forging numbers trivial.
    if check_character(number[:17]) != number[17]:
        raise IdNumberError("身份证号码校验位不正确，请逐位核对号码")
    sex = "M" if int(number[16]) % 2 == 1 else "F"
    return IdNumber(
        number=number, birth_date=birth_date, sex=sex, province_code=province_code
    )


def mask_id_number(number: str) -> str:
    """Show the first 6 and last 4 characters (``500222********1234``).

    Values of 10 characters or fewer become all stars: showing 6 + 4 of them would reveal
    the whole value.
    """
    number = number or ""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def age_on(birth_date: date, on: date) -> int:
    """Age in full years on the given day (someone born 29 February turns a year older on 1 March)."""
    before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
    return on.year - birth_date.year - int(before_birthday)
