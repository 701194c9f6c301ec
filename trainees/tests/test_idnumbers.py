"""Resident ID numbers, GB 11643-1999."""

from datetime import date

import pytest
from faker import Faker

from trainees.idnumbers import (
    IdNumber,
    IdNumberError,
    age_on,
    check_character,
    mask_id_number,
    normalize_id_number,
    parse_id_number,
    upgrade_15_to_18,
)

TODAY = date(2024, 6, 1)


@pytest.mark.parametrize(
    ("raw", "birth_date", "sex", "province"),
    [
        ("11010519491231002X", date(1949, 12, 31), "F", "11"),
        ("440524188001010014", date(1880, 1, 1), "M", "44"),
        ("53010219200508011X", date(1920, 5, 8), "M", "53"),
        ("370101190102039973", date(1901, 2, 3), "M", "37"),
    ],
)
def test_published_numbers_are_accepted(raw: str, birth_date: date, sex: str, province: str) -> None:
    # Given a valid published number / When parsed
    parsed = parse_id_number(raw, today=TODAY)
    # Then every encoded field is decoded
    assert parsed == IdNumber(number=raw, birth_date=birth_date, sex=sex, province_code=province)


def test_full_width_input_with_lower_case_x_is_normalised() -> None:
    parsed = parse_id_number("１１０１０５１９４９１２３１００２ｘ", today=TODAY)
    assert parsed.number == "11010519491231002X"


def test_invisible_characters_and_spaces_are_removed() -> None:
    raw = "\u3000110105\u00a019491231\u200b002x \t"
    assert normalize_id_number(raw) == "11010519491231002X"


def test_fifteen_digit_number_is_upgraded() -> None:
    # Given a first-generation 15-digit number / When parsed
    parsed = parse_id_number("110105491231002", today=TODAY)
    # Then it is the 18-digit number with century 19 and the check character
    assert parsed.number == "11010519491231002X"
    assert parsed.birth_date == date(1949, 12, 31)
    assert upgrade_15_to_18("110105491231002") == "11010519491231002X"


def test_check_character_known_values() -> None:
    assert check_character("11010519491231002") == "X"
    assert check_character("44052418800101001") == "4"
    assert check_character("37010119010203997") == "3"


def test_check_character_refuses_non_digits() -> None:
    with pytest.raises(IdNumberError, match="17位数字"):
        check_character("1101051949123100A")


def test_every_single_digit_substitution_is_detected() -> None:
    # Given a valid number, when any one of the first 17 digits is changed,
    # then the check character no longer matches (MOD 11-2 weights are all non-zero mod 11).
    valid = "11010519491231002X"
    for position in range(17):
        for digit in "0123456789":
            if digit == valid[position]:
                continue
            changed = valid[:position] + digit + valid[position + 1:]
            with pytest.raises(IdNumberError):
                parse_id_number(changed, today=TODAY)


def test_wrong_check_character_is_refused_without_revealing_the_right_one() -> None:
    with pytest.raises(IdNumberError) as caught:
        parse_id_number("110105194912310021", today=TODAY)
    assert str(caught.value) == "身份证号码校验位不正确，请逐位核对号码"
    assert "X" not in str(caught.value)


def test_thirty_first_of_february_is_refused() -> None:
    first17 = "11010519900231001"
    with pytest.raises(IdNumberError) as caught:
        parse_id_number(first17 + check_character(first17), today=TODAY)
    assert "出生日期无效（2月31日不存在）" in str(caught.value)


def test_month_thirteen_is_refused() -> None:
    first17 = "11010519901301001"
    with pytest.raises(IdNumberError, match="13月不存在"):
        parse_id_number(first17 + check_character(first17), today=TODAY)


def test_future_birth_date_is_refused() -> None:
    first17 = "11010520240602001"
    with pytest.raises(IdNumberError) as caught:
        parse_id_number(first17 + check_character(first17), today=TODAY)
    assert "出生日期晚于今天" in str(caught.value)
    # the same number is fine the day after that birth date
    assert parse_id_number(first17 + check_character(first17), today=date(2024, 6, 2)).birth_date == date(2024, 6, 2)


def test_birth_before_1800_is_refused() -> None:
    first17 = "11010517991231001"
    with pytest.raises(IdNumberError, match="早于1800年"):
        parse_id_number(first17 + check_character(first17), today=TODAY)


def test_unknown_province_code_is_refused() -> None:
    first17 = "99010519491231002"
    with pytest.raises(IdNumberError) as caught:
        parse_id_number(first17 + check_character(first17), today=TODAY)
    assert str(caught.value) == "省级行政区划代码“99”不存在，请核对号码前两位"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", "身份证号码不能为空"),
        ("1101051949123100", "当前为16位"),
        ("11010519491231002XX", "当前为19位"),
        ("1101051949123A002X", "前17位只能是数字"),
        ("11010549123100A", "旧版15位身份证号码应全部为数字"),
    ],
)
def test_length_and_character_errors(raw: str, expected: str) -> None:
    with pytest.raises(IdNumberError) as caught:
        parse_id_number(raw, today=TODAY)
    assert expected in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_faker_numbers_all_parse() -> None:
    fake = Faker("zh_CN")
    fake.seed_instance(20190039)
    numbers = [fake.ssn() for _ in range(500)]
    assert [parse_id_number(n).number for n in numbers] == numbers


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("500222199001011234", "500222********1234"),
        ("110105491231002", "110105*****1002"),
        ("123456789", "*********"),
        ("1234567890", "**********"),
        ("", ""),
    ],
)
def test_mask_id_number(number: str, masked: str) -> None:
    assert mask_id_number(number) == masked


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (date(1990, 6, 15), date(2024, 6, 14), 33),
        (date(1990, 6, 15), date(2024, 6, 15), 34),
        (date(2000, 2, 29), date(2023, 2, 28), 22),
        (date(2000, 2, 29), date(2023, 3, 1), 23),
        (date(2000, 2, 29), date(2024, 2, 29), 24),
    ],
)
def test_age_on(birth: date, on: date, age: int) -> None:
    assert age_on(birth, on) == age
