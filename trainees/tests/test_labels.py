"""Chinese labels typed into a roster or form → the stored choice values (no database)."""

import pytest

from trainees.labels import ChoiceError, choice_value
from trainees.models import Trainee


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("高中/中专/技校", "senior"), ("中专", "senior"), ("技校", "senior"), ("高中", "senior"),
        ("本科及以上", "bachelor"), ("本科", "bachelor"), ("小学", "primary"), ("初中", "junior"),
        ("大专", "college"), ("ｊｕｎｉｏｒ", "junior"), (" 初 中 ", "junior"), ("", ""), (None, ""),
    ],
)
def test_education_labels_parts_and_codes(typed, stored):
    assert choice_value(Trainee.Education, typed, field_label="文化程度") == stored


def test_employment_status_labels():
    assert choice_value(Trainee.EmploymentStatus, "失业", field_label="就业状态") == "unemployed"
    assert choice_value(Trainee.EmploymentStatus, "在岗职工", field_label="就业状态") == "employed"


def test_unknown_text_names_every_allowed_label():
    with pytest.raises(ChoiceError) as caught:
        choice_value(Trainee.Education, "硕士研究生", field_label="文化程度")
    assert str(caught.value) == (
        "文化程度“硕士研究生”无法识别，请填写以下之一：“小学及以下”、“初中”、“高中/中专/技校”、“大专”、“本科及以上”"
    )
