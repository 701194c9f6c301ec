"""Catalog pages (目录清单): bureau roles maintain them, every other business role reads them."""

import pytest

from accounts.models import AuditEntry
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from programs.models import Institution, Occupation, Programme
from programs.selectors import CATALOGS
from programs.tests.factories import InstitutionFactory, ProgrammeFactory, credit_code

READERS = ["auditor", "finance", "operator_a", "operator_b", "inst_operator_1", "inst_operator_2"]
WRITERS = ["bureau_staff", "bureau_admin"]
SLUGS = list(CATALOGS)


@pytest.mark.parametrize("who", WRITERS + READERS)
@pytest.mark.parametrize("slug", SLUGS)
def test_every_business_role_reads_every_catalog(request, client_for, who, slug):
    user = request.getfixturevalue(who)
    ProgrammeFactory()
    InstitutionFactory()
    html = client_for(user).get(f"/catalogs/{slug}/").content.decode()
    assert f"<h1>{CATALOGS[slug].label}</h1>" in html
    rows = html.count("<tr data-id=")
    assert rows == CATALOGS[slug].model.objects.count() or rows == 20
    can_write = who in WRITERS
    assert (f"/catalogs/{slug}/new/" in html) is can_write
    assert ("/edit/" in html) is can_write


@pytest.mark.parametrize("who", READERS)
def test_readers_cannot_open_or_post_the_write_pages(request, client_for, who):
    client = client_for(request.getfixturevalue(who))
    occupation = Occupation.objects.get(name="电焊")
    for slug in SLUGS:
        assert client.get(f"/catalogs/{slug}/new/").status_code == 403
    response = client.post("/catalogs/occupations/new/", {"name": "无人机驾驶员"})
    assert response.status_code == 403 and "无权访问" in response.content.decode()
    assert client.post(f"/catalogs/occupations/{occupation.pk}/edit/", {"name": "焊工"}).status_code == 403
    assert not Occupation.objects.filter(name__in=["无人机驾驶员", "焊工"]).exists()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.CATALOG_CHANGE).exists()


@pytest.mark.parametrize("role", [None, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
def test_accounts_without_a_business_role_cannot_read_catalogs(client_for, role):
    client = client_for(UserFactory(role=role) if role else UserFactory())
    assert client.get("/catalogs/").status_code == 403
    for slug in SLUGS:
        assert client.get(f"/catalogs/{slug}/").status_code == 403


def test_unknown_catalog_is_404(client_for, bureau_staff):
    assert client_for(bureau_staff).get("/catalogs/planets/").status_code == 404


def test_missing_entry_is_404(client_for, bureau_staff):
    assert client_for(bureau_staff).get("/catalogs/occupations/999999/edit/").status_code == 404


def test_catalog_index_lists_the_six_catalogs_with_counts(client_for, auditor):
    html = client_for(auditor).get("/catalogs/").content.decode()
    for catalog in CATALOGS.values():
        assert f'href="/catalogs/{catalog.slug}/"' in html
    assert f"{Occupation.objects.count()} 条" in html


def test_bureau_staff_adds_and_edits_an_occupation(client_for, bureau_staff):
    client = client_for(bureau_staff)
    response = client.post("/catalogs/occupations/new/", {"name": "綦江农民版画", "code": "", "is_featured": "on", "is_active": "on"}, follow=True)
    assert "已保存职业（工种）“綦江农民版画”。" in response.content.decode()
    occupation = Occupation.objects.get(name="綦江农民版画")
    assert occupation.is_featured
    client.post(f"/catalogs/occupations/{occupation.pk}/edit/", {"name": "綦江农民版画", "code": "4-08-01-99", "is_active": "on"})
    occupation.refresh_from_db()
    assert occupation.code == "4-08-01-99" and not occupation.is_featured
    audits = AuditEntry.objects.filter(action=AuditEntry.Action.CATALOG_CHANGE, object_id=str(occupation.pk)).order_by("id")
    assert [a.detail["operation"] for a in audits] == ["create", "update"]
    assert audits[1].detail["changes"] == {
        "code": {"before": "", "after": "4-08-01-99"}, "is_featured": {"before": True, "after": False}
    }


def institution_form(code: str, **overrides) -> dict:
    data = {"name": "綦江区通惠职业培训学校", "credit_code": code, "kind": "training", "ownership": "private",
            "catalog_status": "listed", "joined_alliance": "on"}
    data.update(overrides)
    return data


def test_institution_form_refuses_a_bad_credit_code_with_the_chinese_message(client_for, bureau_staff):
    good = credit_code(4242)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = client_for(bureau_staff).post("/catalogs/institutions/new/", institution_form(bad))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<p class="field-error" role="alert">统一社会信用代码校验位不正确，请逐位核对代码</p>' in html
    assert not Institution.objects.filter(name="綦江区通惠职业培训学校").exists()


def test_institution_form_accepts_a_good_code_typed_loosely(client_for, bureau_staff):
    good = credit_code(4243)
    typed = f" {good[:6]} {good[6:].lower()} "
    response = client_for(bureau_staff).post("/catalogs/institutions/new/", institution_form(typed), follow=True)
    assert "已保存培训评价机构“綦江区通惠职业培训学校”。" in response.content.decode()
    school = Institution.objects.get(name="綦江区通惠职业培训学校")
    assert school.credit_code == good and school.joined_alliance
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CATALOG_CHANGE)
    assert entry.detail["changes"]["credit_code"] == {"before": None, "after": good}


def test_suspending_an_institution_on_its_edit_page(client_for, bureau_admin, school_1):
    data = institution_form(school_1.credit_code, name=school_1.name, catalog_status="suspended")
    client_for(bureau_admin).post(f"/catalogs/institutions/{school_1.pk}/edit/", data)
    school_1.refresh_from_db()
    assert school_1.catalog_status == "suspended"


def test_programme_form_shows_field_errors(client_for, bureau_staff, unit_a):
    programme = ProgrammeFactory(unit=unit_a)
    data = {
        "occupation": programme.occupation_id, "level": programme.level_id, "training_type": programme.training_type_id,
        "hours": "80", "certificate_type": programme.certificate_type_id, "unit": unit_a.pk,
        "valid_from_year": "2021", "valid_to_year": "2019", "is_active": "on",
    }
    html = client_for(bureau_staff).post(f"/catalogs/programmes/{programme.pk}/edit/", data).content.decode()
    assert "有效期止（2019年）不能早于有效期起（2021年）。" in html
    programme.refresh_from_db()
    assert programme.valid_from_year == 2019


def test_catalog_search_filter_and_pagination(client_for, auditor):
    client = client_for(auditor)
    featured = client.get("/catalogs/occupations/?is_featured=1").content.decode()
    assert featured.count("<tr data-id=") == Occupation.objects.filter(is_featured=True).count() == 6
    assert "版画制作" in featured and "电焊</td>" not in featured
    search = client.get("/catalogs/occupations/?q=护理").content.decode()
    assert search.count("<tr data-id=") == 1 and "养老护理" in search
    InstitutionFactory.create_batch(22)
    InstitutionFactory(catalog_status=Institution.CatalogStatus.SUSPENDED, name="綦江区被暂停学校")
    first = client.get("/catalogs/institutions/").content.decode()
    assert first.count("<tr data-id=") == 20 and "第 1 / 2 页，共 23 条" in first
    assert client.get("/catalogs/institutions/?page=2").content.decode().count("<tr data-id=") == 3
    suspended = client.get("/catalogs/institutions/?catalog_status=suspended").content.decode()
    assert suspended.count("<tr data-id=") == 1 and "綦江区被暂停学校" in suspended


def test_programme_list_filters_by_unit(client_for, operator_b, unit_a, unit_b):
    ProgrammeFactory(unit=unit_a)
    ProgrammeFactory(unit=unit_b)
    html = client_for(operator_b).get(f"/catalogs/programmes/?unit={unit_a.pk}").content.decode()
    assert html.count("<tr data-id=") == 1 and "<td>区教委</td>" in html
    assert Programme.objects.count() == 2


@pytest.mark.parametrize(
    "who, expected",
    [
        ("bureau_staff", ["目录清单", "培训班"]),
        ("auditor", ["目录清单", "培训班"]),
        ("operator_a", ["目录清单", "培训班"]),
        ("inst_operator_1", ["目录清单", "培训班"]),
        ("no_role_user", []),
    ],
)
def test_menu_entries_follow_the_role(request, client_for, who, expected):
    from accounts.context_processors import navigation
    from django.test import RequestFactory

    fake = RequestFactory().get("/")
    fake.user = request.getfixturevalue(who)
    labels = [label for label, _ in navigation(fake)["nav_items"]]
    assert [label for label in labels if label in ("目录清单", "培训班")] == expected


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
def test_it_roles_get_no_catalog_or_class_menu(client_for, role):
    html = client_for(UserFactory(role=role)).get("/accounts/password_change/").content.decode()
    assert "目录清单" not in html and ">培训班<" not in html


def test_pages_follow_the_content_security_policy(client_for, bureau_staff, classes):
    client = client_for(bureau_staff)
    urls = ["/catalogs/", "/catalogs/institutions/", "/catalogs/institutions/new/", "/classes/", "/classes/new/",
            f"/classes/{classes['a1'].pk}/", f"/classes/{classes['a1'].pk}/edit/"]
    for url in urls:
        html = client.get(url).content.decode()
        assert "style=" not in html and "<script" not in html and "<style" not in html, url
        assert "https://" not in html and "http://" not in html, url
        assert "/static/css/programs.css" in html, url
