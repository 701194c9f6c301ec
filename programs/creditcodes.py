"""Unified social credit codes (统一社会信用代码), GB 32100-2015.

Layout: 1 registration authority, 2 category, 3–8 administrative division (GB/T 2260),
9–17 organisation identifier (GB 11714), 18 check character (MOD 31).
"""

from __future__ import annotations

import unicodedata

__all__ = [
    "CHARSET",
    "CATEGORIES",
    "CreditCodeError",
    "check_character",
    "normalize_credit_code",
    "parse_credit_code",
]

# I, O, Z, S, V are left out so they cannot be confused with 1, 0, 2, 5, U.
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(CHARSET)}
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# Registration authority → (name, allowed category codes). GB 32100-2015 table 1 plus the
# later assignments A (军队) and N (农业农村, collective economic organisations).
CATEGORIES: dict[str, tuple[str, str]] = {
    "1": ("机构编制", "1239"),
    "2": ("外交", "19"),
    "3": ("司法行政", "123459"),
    "4": ("文化", "19"),
    "5": ("民政", "1239"),
    "6": ("旅游", "129"),
    "7": ("宗教", "129"),
    "8": ("工会", "19"),
    "9": ("市场监管（工商）", "123"),
    "A": ("中央军委改革和编制办公室", "19"),
    "N": ("农业农村", "1239"),
    "Y": ("其他", "1"),
}

# First two digits of a GB/T 2260 division code; "10" is the national level used by
# central bodies. Kept here rather than imported: programs must not depend on trainees.
_PROVINCE_CODES = frozenset(
    ["10", "11", "12", "13", "14", "15", "21", "22", "23"]
    + [str(n) for n in range(31, 38)]
    + [str(n) for n in range(41, 47)]
    + [str(n) for n in range(50, 55)]
    + [str(n) for n in range(61, 66)]
    + ["71", "81", "82"]
)


class CreditCodeError(ValueError):
    """A credit code that cannot be accepted; ``str(error)`` is the Chinese message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def normalize_credit_code(raw: str) -> str:
    """NFKC (full-width → ASCII), drop all whitespace, upper-case."""
    if raw is None:
        return ""
    text = unicodedata.normalize("NFKC", str(raw))
    return "".join(
        ch for ch in text if not ch.isspace() and unicodedata.category(ch) != "Cf"
    ).upper()


def check_character(first17: str) -> str:
    """GB 32100-2015 check character: C18 = 31 − (Σ value × weight mod 31), 31 → 0."""
    if len(first17) != 17 or any(ch not in _VALUE for ch in first17):
        raise CreditCodeError("计算校验位需要17位有效代码字符，请核对代码前17位")
    total = sum(_VALUE[ch] * weight for ch, weight in zip(first17, _WEIGHTS))
    return CHARSET[(31 - total % 31) % 31]


def parse_credit_code(raw: str) -> str:
    """Normalise and validate a unified social credit code; return the 18-character code."""
    code = normalize_credit_code(raw)
    if not code:
        raise CreditCodeError("统一社会信用代码不能为空，请按营业执照或登记证书填写18位代码")
    if len(code) != 18:
        raise CreditCodeError(
            f"统一社会信用代码应为18位，当前为{len(code)}位，请按营业执照或登记证书核对"
        )
    bad = sorted({ch for ch in code if ch not in _VALUE})
    if bad:
        shown = "、".join(f"“{ch}”" for ch in bad)
        raise CreditCodeError(
            f"统一社会信用代码含有不允许的字符{shown}（代码只用数字和大写字母，"
            "不用I、O、Z、S、V），请核对是否把数字1、0、2、5误写成了字母"
        )
    authority, category = code[0], code[1]
    if authority not in CATEGORIES:
        raise CreditCodeError(
            f"第1位登记管理部门代码“{authority}”不存在，请核对代码第1位"
        )
    authority_name, categories = CATEGORIES[authority]
    if category not in categories:
        raise CreditCodeError(
            f"第2位机构类别代码“{category}”不属于登记管理部门“{authority_name}”，请核对代码第2位"
        )
    division = code[2:8]
    if not division.isdigit() or division[:2] not in _PROVINCE_CODES:
        raise CreditCodeError(
            "第3至8位应为6位数字的登记管理机关行政区划码，请核对代码第3至8位"
        )
    if check_character(code[:17]) != code[17]:
        raise CreditCodeError("统一社会信用代码校验位不正确，请逐位核对代码")
    return code
