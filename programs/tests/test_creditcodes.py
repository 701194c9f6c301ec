"""Unified social credit codes, GB 32100-2015."""

import pytest

from programs.creditcodes import (
    CHARSET,
    CreditCodeError,
    check_character,
    normalize_credit_code,
    parse_credit_code,
)

# Published on business licences / public registries (checked by hand below for one).
PUBLISHED_CODES = [
    "914403001922038216",  # 华为技术有限公司
    "91440300708461136T",  # 腾讯科技（深圳）有限公司
    "91330100799655058B",  # 阿里巴巴（中国）有限公司
    "91110000710925462X",  # 中国石油天然气股份有限公司
    "91110108551385082Q",  # 小米科技有限责任公司
]


def _gb11714_check(org8: str) -> str:
    """Independent cross-check: the organisation-code check digit (GB 11714) inside positions 9–17."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    value = 11 - sum(int(ch) * w for ch, w in zip(org8, weights)) % 11
    return {10: "X", 11: "0"}.get(value, str(value))


@pytest.mark.parametrize("code", PUBLISHED_CODES)
def test_published_codes_are_accepted(code: str) -> None:
    assert parse_credit_code(code) == code


def test_hand_computed_check_character() -> None:
    # Given 91440300192203821: Σ value × weight = 831; 831 mod 31 = 25; 31 − 25 = 6
    assert check_character("91440300192203821") == "6"
    # and the embedded organisation code 19220382-1 is itself consistent (GB 11714)
    assert _gb11714_check("19220382") == "1"


def test_check_character_wraps_31_to_zero() -> None:
    # Given a prefix whose weighted sum is a multiple of 31, the check character is "0"
    prefix = "0" * 17
    assert check_character(prefix) == "0"


@pytest.mark.parametrize("code", PUBLISHED_CODES)
def test_any_single_character_change_is_refused(code: str) -> None:
    # Given a valid code, when any one character is replaced by any other, it is refused.
    for position in range(18):
        for replacement in CHARSET:
            if replacement == code[position]:
                continue
            changed = code[:position] + replacement + code[position + 1:]
            with pytest.raises(CreditCodeError):
                parse_credit_code(changed)


def test_constructed_codes_for_other_authorities_are_accepted() -> None:
    # Given prefixes for a 事业单位, a 社会团体 and a 村级集体经济组织, with computed check characters
    for first17 in ("12500222MB1234567", "51500222MJ0000000", "N2500222MF1234567"):
        code = first17 + check_character(first17)
        assert parse_credit_code(code) == code


def test_full_width_lower_case_and_spaces_are_normalised() -> None:
    assert normalize_credit_code(" ９１４４０３００７０８４６１１３６ｔ ") == "91440300708461136T"
    assert parse_credit_code("9144 0300 7084 6113 6t") == "91440300708461136T"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", "统一社会信用代码不能为空"),
        ("91440300708461136", "应为18位，当前为17位"),
        ("91440300708461I36T", "不允许的字符“I”"),
        ("B1440300708461136T", "第1位登记管理部门代码“B”不存在"),
        ("94440300708461136T", "第2位机构类别代码“4”不属于登记管理部门“市场监管（工商）”"),
        ("914403A0708461136T", "第3至8位应为6位数字"),
        ("91990300708461136T", "第3至8位应为6位数字"),
        ("91440300708461136U", "校验位不正确"),
    ],
)
def test_each_rule_has_its_own_message(raw: str, expected: str) -> None:
    with pytest.raises(CreditCodeError) as caught:
        parse_credit_code(raw)
    assert expected in str(caught.value)
