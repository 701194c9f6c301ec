"""Masking for public lists and default displays."""

import pytest

from trainees import masking


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("张小三", "张*三"),
        ("欧阳小明", "欧**明"),
        ("李", "李"),
        (" 王五 ", "王*"),
        ("", ""),
    ],
)
def test_mask_name(name: str, masked: str) -> None:
    assert masking.mask_name(name) == masked


def test_masking_re_exports_id_and_mobile_masks() -> None:
    # Given callers that import only trainees.masking
    # Then the ID and mobile masks are available there with the documented output
    assert masking.mask_id_number("500222199001011234") == "500222********1234"
    assert masking.mask_mobile("13812341234") == "138****1234"
