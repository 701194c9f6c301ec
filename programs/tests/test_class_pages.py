"""Training-class pages: each role sees exactly its classes; other ids answer 404."""

import pytest

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from programs.models import Institution, TrainingClass
from programs.tests.factories import InstitutionFactory, TrainingClassFactory
from trainees.tests.factories import EnrolmentFactory


def listed_codes(client, query: str = "") -> list[str]:
    html = client.get(f"/classes/{query}").content.decode()
    return sorted(code for code in ("JW-001", "JW-002", "NY-001") if f'data-code="{code}"' in html)


@pytest.mark.parametrize(
    "who, expected",
    [
        ("bureau_staff", ["JW-001", "JW-002", "NY-001"]),
        ("bureau_admin", ["JW-001", "JW-002", "NY-001"]),
        ("auditor", ["JW-001", "JW-002", "NY-001"]),
        ("finance", ["JW-001", "JW-002", "NY-001"]),
        ("operator_a", ["JW-001", "JW-002"]),
        ("operator_b", ["NY-001"]),
        ("inst_operator_1", ["JW-001", "NY-001"]),
        ("inst_operator_2", ["JW-002"]),
    ],
)
def test_class_list_shows_each_role_its_classes(request, client_for, classes, who, expected):
    assert listed_codes(client_for(request.getfixturevalue(who))) == expected


@pytest.mark.parametrize(
    "who, visible, hidden",
    [
        ("operator_a", ["a1", "a2"], ["b1"]),
        ("operator_b", ["b1"], ["a1", "a2"]),
        ("inst_operator_1", ["a1", "b1"], ["a2"]),
        ("inst_operator_2", ["a2"], ["a1", "b1"]),
    ],
)
def test_class_detail_and_edit_pages_answer_404_outside_scope(request, client_for, classes, who, visible, hidden):
    client = client_for(request.getfixturevalue(who))
    for key in visible:
        response = client.get(f"/classes/{classes[key].pk}/")
        assert response.status_code == 200 and classes[key].name in response.content.decode()
        assert client.get(f"/classes/{classes[key].pk}/edit/").status_code == 200
    for key in hidden:
        for url in (f"/classes/{classes[key].pk}/", f"/classes/{classes[key].pk}/edit/"):
            response = client.get(url)
            assert response.status_code == 404
            assert classes[key].name not in response.content.decode()
        response = client.post(f"/classes/{classes[key].pk}/edit/", {"name": "越权修改"})
        assert response.status_code == 404
    assert not TrainingClass.objects.filter(name="越权修改").exists()


def test_no_role_and_unbound_accounts_see_no_classes(client_for, no_role_user, classes):
    assert client_for(no_role_user).get("/classes/").status_code == 403
    assert client_for(no_role_user).get(f"/classes/{classes['a1'].pk}/").status_code == 404
    unbound = UserFactory(role=Role.INSTITUTION_OPERATOR)
    assert listed_codes(client_for(unbound)) == []
    assert "没有符合条件的培训班" in client_for(unbound).get("/classes/").content.decode()


def test_class_list_filters_and_search(client_for, bureau_staff, classes, unit_a, school_2):
    client = client_for(bureau_staff)
    TrainingClass.objects.filter(pk=classes["b1"].pk).update(status=TrainingClass.Status.IN_PROGRESS)
    assert listed_codes(client, "?status=in_progress") == ["NY-001"]
    assert listed_codes(client, f"?unit={unit_a.pk}") == ["JW-001", "JW-002"]
    assert listed_codes(client, f"?institution={school_2.pk}") == ["JW-002"]
    assert listed_codes(client, "?q=jw-00") == ["JW-001", "JW-002"]
    assert listed_codes(client, "?q=农业农村委") == ["NY-001"]
    assert listed_codes(client, "?year=2019") == ["JW-001", "JW-002", "NY-001"]
    assert listed_codes(client, "?year=2020") == []


def test_operator_filters_cannot_widen_their_scope(client_for, operator_a, classes, unit_b):
    assert listed_codes(client_for(operator_a), f"?unit={unit_b.pk}") == ["JW-001", "JW-002"]
    html = client_for(operator_a).get("/classes/").content.decode()
    assert 'name="unit"' not in html


def test_class_list_is_paginated(client_for, bureau_staff, programme_a):
    TrainingClassFactory.create_batch(25, unit=programme_a.unit, programme=programme_a)
    client = client_for(bureau_staff)
    first = client.get("/classes/").content.decode()
    assert first.count("data-code=") == 20 and "第 1 / 2 页，共 25 条" in first
    second = client.get("/classes/?page=2").content.decode()
    assert second.count("data-code=") == 5


def test_detail_shows_the_facts_enrolment_count_and_actions(client_for, operator_a, classes):
    a1 = classes["a1"]
    EnrolmentFactory.create_batch(2, training_class=a1)
    html = client_for(operator_a).get(f"/classes/{a1.pk}/").content.decode()
    assert '<dd id="enrolment-count">2</dd>' in html
    assert "綦江区育才职业培训学校" in html and "区教委" in html
    assert "开班</button>" in html and "撤销培训班</button>" in html and "结业</button>" not in html
    assert f"/classes/{a1.pk}/edit/" in html
    assert "style=" not in html and "<script>" not in html


def test_auditor_reads_but_cannot_open_or_edit(client_for, auditor, classes, programme_a, school_1):
    client = client_for(auditor)
    html = client.get(f"/classes/{classes['a1'].pk}/").content.decode()
    assert "开班</button>" not in html and "/edit/" not in html
    assert "开设培训班" not in client.get("/classes/").content.decode()
    assert client.get("/classes/new/").status_code == 403
    response = client.post("/classes/new/", {"code": "AUD-1", "name": "x", "programme": programme_a.pk, "institution": school_1.pk,
                                            "start_date": "2020-04-01", "end_date": "2020-04-30", "capacity": 10})
    assert response.status_code == 403 and "无权访问" in response.content.decode()
    assert client.get(f"/classes/{classes['a1'].pk}/edit/").status_code == 403
    assert not TrainingClass.objects.filter(code="AUD-1").exists()


def form_data(programme, institution=None, **overrides) -> dict:
    data = {
        "code": "QJ2020-0200", "name": "家政服务培训班", "programme": programme.pk,
        "start_date": "2020-06-01", "end_date": "2020-06-20", "capacity": "30",
    }
    if institution is not None:
        data["institution"] = institution.pk
    data.update(overrides)
    return data


def test_unit_operator_opens_a_class_on_the_page(client_for, operator_a, programme_a, programme_b, school_1):
    client = client_for(operator_a)
    page = client.get("/classes/new/").content.decode()
    assert f'value="{programme_a.pk}"' in page and f'value="{programme_b.pk}"' not in page
    response = client.post("/classes/new/", form_data(programme_a, school_1), follow=True)
    html = response.content.decode()
    assert "已开设培训班“家政服务培训班（QJ2020-0200）”。" in html
    created = TrainingClass.objects.get(code="QJ2020-0200")
    assert (created.unit.name, created.institution, created.status) == ("区教委", school_1, "planned")


def test_unit_operator_posting_another_units_programme_is_refused(client_for, operator_a, programme_b, school_1):
    html = client_for(operator_a).post("/classes/new/", form_data(programme_b, school_1)).content.decode()
    assert "选择一个有效的选项" in html
    assert not TrainingClass.objects.filter(code="QJ2020-0200").exists()


def test_suspended_institutions_are_not_offered(client_for, operator_a, programme_a):
    suspended = InstitutionFactory(name="綦江区暂停学校", catalog_status=Institution.CatalogStatus.SUSPENDED)
    client = client_for(operator_a)
    assert "綦江区暂停学校" not in client.get("/classes/new/").content.decode()
    html = client.post("/classes/new/", form_data(programme_a, suspended)).content.decode()
    assert "选择一个有效的选项" in html and not TrainingClass.objects.exists()


def test_institution_operator_opens_a_class_without_choosing_the_institution(client_for, inst_operator_1, programme_b, school_1):
    client = client_for(inst_operator_1)
    page = client.get("/classes/new/").content.decode()
    assert 'name="institution"' not in page and "培训机构：綦江区育才职业培训学校（本机构）" in page
    client.post("/classes/new/", form_data(programme_b))
    created = TrainingClass.objects.get(code="QJ2020-0200")
    assert created.institution == school_1 and created.unit.name == "区农业农村委"


def test_suspended_institution_operator_sees_why_on_the_form(client_for, programme_a):
    school = InstitutionFactory(name="綦江区整改学校", catalog_status=Institution.CatalogStatus.SUSPENDED)
    operator = UserFactory(role=Role.INSTITUTION_OPERATOR, institution=school)
    html = client_for(operator).post("/classes/new/", form_data(programme_a)).content.decode()
    assert "培训机构“綦江区整改学校”已被暂停，不能开设新的培训班。" in html
    assert not TrainingClass.objects.exists()


def test_form_errors_are_chinese_and_on_their_fields(client_for, bureau_staff, programme_a, school_1):
    data = form_data(programme_a, school_1, start_date="2020-06-20", end_date="2020-06-01", capacity="0")
    html = client_for(bureau_staff).post("/classes/new/", data).content.decode()
    assert "结业日期（2020-06-01）不能早于开班日期（2020-06-20）。" in html
    assert "计划人数必须大于0。" in html
    expired = client_for(bureau_staff).post(
        "/classes/new/", form_data(programme_a, school_1, start_date="2023-06-01", end_date="2023-06-20")
    ).content.decode()
    assert "的有效期为2019—2021年，开班和结业日期须在有效期内。" in expired
    assert not TrainingClass.objects.exists()


def test_edit_page_saves_and_records(client_for, operator_a, classes, school_1):
    a1 = classes["a1"]
    data = form_data(a1.programme, school_1, code=a1.code, name="区教委电焊一班（晚班）",
                     start_date="2019-03-04", end_date="2019-03-29", capacity="45")
    response = client_for(operator_a).post(f"/classes/{a1.pk}/edit/", data, follow=True)
    assert "已保存培训班“区教委电焊一班（晚班）（JW-001）”。" in response.content.decode()
    a1.refresh_from_db()
    assert (a1.name, a1.capacity) == ("区教委电焊一班（晚班）", 45)


@pytest.mark.parametrize("status", [TrainingClass.Status.FINISHED, TrainingClass.Status.CANCELLED])
def test_closed_classes_cannot_be_edited_on_the_page(client_for, bureau_staff, programme_a, status):
    closed = TrainingClassFactory(unit=programme_a.unit, programme=programme_a, status=status)
    client = client_for(bureau_staff)
    assert "/edit/" not in client.get(f"/classes/{closed.pk}/").content.decode()
    response = client.get(f"/classes/{closed.pk}/edit/", follow=True)
    assert f"培训班{TrainingClass.Status(status).label}，不能再修改。" in response.content.decode()


def test_detail_links_to_the_roster_page(client_for, bureau_staff, classes):
    a1 = classes["a1"]
    html = client_for(bureau_staff).get(f"/classes/{a1.pk}/").content.decode()
    assert f'<a href="/classes/{a1.pk}/roster/">学员花名册</a>' in html


def test_dates_of_a_class_with_enrolments_cannot_change(bureau_staff, classes):
    import datetime

    from django.core.exceptions import ValidationError

    from programs.services import training_class_update
    from trainees.tests.factories import EnrolmentFactory

    a1 = classes["a1"]
    a1.status = TrainingClass.Status.IN_PROGRESS
    a1.save(update_fields=["status"])
    EnrolmentFactory(training_class=a1, status="enrolled")
    before = (a1.start_date, a1.end_date)
    with pytest.raises(ValidationError) as caught:
        training_class_update(
            training_class=a1, values={"end_date": a1.end_date + datetime.timedelta(days=3)}, actor=bureau_staff
        )
    assert "该班已有学员登记，不能再修改开班或结业日期" in str(caught.value)
    a1.refresh_from_db()
    assert (a1.start_date, a1.end_date) == before
    training_class_update(training_class=a1, values={"name": "电焊初级工培训班（第二期）"}, actor=bureau_staff)
    a1.refresh_from_db()
    assert a1.name == "电焊初级工培训班（第二期）"
