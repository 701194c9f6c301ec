"""Catalog services: who may write, validation in Chinese, audit rows with the changed fields."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import AuditEntry
from programs.models import CertificateType, Institution, Occupation, Programme, SkillLevel, TrainingType
from programs.services import catalog_entry_create, catalog_entry_update
from programs.tests.factories import InstitutionFactory, ProgrammeFactory, credit_code

GOOD_CODE = credit_code(777)


def catalog_audits():
    return AuditEntry.objects.filter(action=AuditEntry.Action.CATALOG_CHANGE)


def test_bureau_staff_adds_a_featured_trade_and_the_change_is_recorded(bureau_staff):
    # given / when
    occupation = catalog_entry_create(
        model=Occupation, values={"name": " 綦江农民版画 ", "code": "", "is_featured": True}, actor=bureau_staff
    )
    # then
    assert Occupation.objects.get(pk=occupation.pk).name == "綦江农民版画"
    entry = catalog_audits().get()
    assert entry.actor == bureau_staff and entry.object_id == str(occupation.pk)
    assert entry.object_type == "programs.occupation"
    assert entry.detail["operation"] == "create"
    assert entry.detail["changes"]["name"] == {"before": None, "after": "綦江农民版画"}
    assert entry.detail["changes"]["is_featured"] == {"before": None, "after": True}


@pytest.mark.parametrize(
    "model, values",
    [
        (SkillLevel, {"code": "special-x", "name": "专项能力（试点）", "rank": 99}),
        (TrainingType, {"code": "digital", "name": "数字技能培训", "position": 30}),
        (CertificateType, {"code": "digital-cert", "name": "数字技能证书", "position": 30}),
    ],
)
def test_bureau_admin_adds_entries_to_every_small_catalog(bureau_admin, model, values):
    entry = catalog_entry_create(model=model, values=values, actor=bureau_admin)
    assert model.objects.get(pk=entry.pk).name == values["name"]
    assert set(catalog_audits().get().detail["changes"]) == set(values)


def test_update_records_only_the_fields_that_changed(bureau_staff):
    school = InstitutionFactory(name="綦江区红星培训学校", joined_alliance=False)
    catalog_entry_update(
        entry=school,
        values={"name": "綦江区红星培训学校", "catalog_status": Institution.CatalogStatus.SUSPENDED, "joined_alliance": True},
        actor=bureau_staff,
    )
    school.refresh_from_db()
    assert school.catalog_status == "suspended" and school.joined_alliance
    detail = catalog_audits().get().detail
    assert detail["operation"] == "update" and detail["catalog"] == "institution"
    assert detail["changes"] == {
        "catalog_status": {"before": "listed", "after": "suspended"},
        "joined_alliance": {"before": False, "after": True},
    }


def test_an_update_that_changes_nothing_writes_nothing(bureau_staff):
    occupation = Occupation.objects.get(name="电焊")
    catalog_entry_update(entry=occupation, values={"name": "电焊", "is_featured": False}, actor=bureau_staff)
    assert not catalog_audits().exists()


def test_programme_change_records_related_rows_by_name(bureau_staff, unit_a, unit_b):
    programme = ProgrammeFactory(unit=unit_a)
    catalog_entry_update(entry=programme, values={"unit": unit_b, "hours": 120}, actor=bureau_staff)
    changes = catalog_audits().get().detail["changes"]
    assert changes == {"unit": {"before": "区教委", "after": "区农业农村委"}, "hours": {"before": 80, "after": 120}}


@pytest.mark.parametrize("who", ["auditor", "finance", "operator_a", "no_role_user"])
def test_other_roles_cannot_write_catalogs(db, request, who):
    actor = request.getfixturevalue(who)
    before = Occupation.objects.count()
    with pytest.raises(PermissionDenied, match="只有局管理员和局业务人员可以维护目录清单"):
        catalog_entry_create(model=Occupation, values={"name": "无人机驾驶"}, actor=actor)
    with pytest.raises(PermissionDenied, match="不能修改职业（工种）目录"):
        catalog_entry_update(entry=Occupation.objects.get(name="电焊"), values={"name": "焊工"}, actor=actor)
    assert Occupation.objects.count() == before and Occupation.objects.filter(name="电焊").exists()
    assert not catalog_audits().exists()


def test_institution_operator_cannot_write_catalogs(inst_operator_1, school_1):
    with pytest.raises(PermissionDenied):
        catalog_entry_update(entry=school_1, values={"catalog_status": "listed", "joined_alliance": False}, actor=inst_operator_1)


def test_credit_code_is_normalised_before_saving(bureau_staff):
    # full-width characters, spaces and lower case as people type them
    typed = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in GOOD_CODE[:9]) + " " + GOOD_CODE[9:].lower()
    school = catalog_entry_create(
        model=Institution, values={"name": "綦江区东溪培训学校", "credit_code": typed}, actor=bureau_staff
    )
    assert Institution.objects.get(pk=school.pk).credit_code == GOOD_CODE


@pytest.mark.parametrize(
    "code, message",
    [
        (GOOD_CODE[:-1] + ("0" if GOOD_CODE[-1] != "0" else "1"), "统一社会信用代码校验位不正确，请逐位核对代码"),
        (GOOD_CODE[:17], "统一社会信用代码应为18位，当前为17位"),
        ("", "统一社会信用代码不能为空"),
        ("Z" + GOOD_CODE[1:], "含有不允许的字符“Z”"),
    ],
)
def test_bad_credit_codes_are_refused_on_the_field(bureau_staff, code, message):
    with pytest.raises(ValidationError) as caught:
        catalog_entry_create(model=Institution, values={"name": "綦江区错误代码学校", "credit_code": code}, actor=bureau_staff)
    assert message in caught.value.message_dict["credit_code"][0]
    assert not Institution.objects.filter(name="綦江区错误代码学校").exists()
    assert not catalog_audits().exists()


def test_duplicate_credit_code_is_refused(bureau_staff):
    InstitutionFactory(credit_code=GOOD_CODE)
    with pytest.raises(ValidationError) as caught:
        catalog_entry_create(model=Institution, values={"name": "另一所学校", "credit_code": GOOD_CODE}, actor=bureau_staff)
    assert "统一社会信用代码" in caught.value.message_dict["credit_code"][0]


def test_occupation_code_is_optional_but_unique_when_given(bureau_staff):
    catalog_entry_create(model=Occupation, values={"name": "无人机驾驶员", "code": ""}, actor=bureau_staff)
    catalog_entry_create(model=Occupation, values={"name": "网约配送员", "code": ""}, actor=bureau_staff)
    catalog_entry_create(model=Occupation, values={"name": "电工", "code": "6-31-01-03"}, actor=bureau_staff)
    with pytest.raises(ValidationError, match="职业编码已被其他职业（工种）使用"):
        catalog_entry_create(model=Occupation, values={"name": "维修电工", "code": "6-31-01-03"}, actor=bureau_staff)


def test_programme_validity_years_must_be_ordered(bureau_staff, unit_a):
    values = {
        "occupation": Occupation.objects.get(name="家政"),
        "level": SkillLevel.objects.get(code="level-5"),
        "training_type": TrainingType.objects.get(code="employment-skills"),
        "certificate_type": CertificateType.objects.get(code="skill-level"),
        "unit": unit_a,
        "hours": 0,
        "valid_from_year": 2021,
        "valid_to_year": 2019,
    }
    with pytest.raises(ValidationError) as caught:
        catalog_entry_create(model=Programme, values=values, actor=bureau_staff)
    assert caught.value.message_dict["valid_to_year"] == ["有效期止（2019年）不能早于有效期起（2021年）。"]
    assert caught.value.message_dict["hours"] == ["培训课时必须大于0。"]
    assert not Programme.objects.exists()


def test_unknown_fields_are_refused(bureau_staff):
    with pytest.raises(ValidationError, match="不能修改这些字段：id"):
        catalog_entry_update(entry=Occupation.objects.first(), values={"id": 5}, actor=bureau_staff)


def test_programme_with_classes_keeps_its_unit(bureau_staff, classes, programme_a, unit_b):
    with pytest.raises(ValidationError) as caught:
        catalog_entry_update(entry=programme_a, values={"unit": unit_b}, actor=bureau_staff)
    assert caught.value.message_dict == {
        "unit": ["该培训项目已有培训班，不能更改责任单位；如需由其他单位负责，请新增培训项目。"]
    }
    assert Programme.objects.get(pk=programme_a.pk).unit.name == "区教委"
    catalog_entry_update(entry=programme_a, values={"hours": 96}, actor=bureau_staff)
    assert Programme.objects.get(pk=programme_a.pk).hours == 96
