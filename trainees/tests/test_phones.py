"""Mainland mobile numbers."""

import pytest

from trainees.phones import PhoneError, mask_mobile, normalize_mobile, parse_mobile


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812341234", "13812341234"),
        ("138 1234 1234", "13812341234"),
        ("138-1234-1234", "13812341234"),
        ("１３８１２３４１２３４", "13812341234"),
        ("+86 138 1234 1234", "13812341234"),
        ("0086-13812341234", "13812341234"),
        ("8613812341234", "13812341234"),
        ("\u00a013812341234\u3000", "13812341234"),
    ],
)
def test_normalize_and_parse_accept_common_spellings(raw: str, expected: str) -> None:
    assert normalize_mobile(raw) == expected
    assert parse_mobile(raw) == expected


def test_prefix_is_kept_when_the_rest_is_not_eleven_digits() -> None:
    # Given "86" followed by only 10 digits, the 86 is part of what was typed
    assert normalize_mobile("861381234123") == "861381234123"
    with pytest.raises(PhoneError):
        parse_mobile("861381234123")


@pytest.mark.parametrize(
    "raw",
    ["1381234123", "138123412345", "12812341234", "23812341234", "1381234123a", "023-48612345"],
)
def test_invalid_numbers_are_refused_with_chinese_message(raw: str) -> None:
    with pytest.raises(PhoneError) as caught:
        parse_mobile(raw)
    assert "手机号码应为11位、以1开头的大陆手机号" in str(caught.value)


def test_empty_number_has_its_own_message() -> None:
    with pytest.raises(PhoneError) as caught:
        parse_mobile("  ")
    assert str(caught.value) == "手机号码不能为空，请填写11位大陆手机号"


@pytest.mark.parametrize(
    ("number", "masked"),
    [("13812341234", "138****1234"), ("023486123", "*****6123"), ("1234567", "*******"), ("", "")],
)
def test_mask_mobile(number: str, masked: str) -> None:
    assert mask_mobile(number) == masked
