"""Searching by a full ID number never puts the number in a URL (PIPL: proxies, access logs and
browser history keep URLs). The page posts it; the API takes it in a POST body."""

from __future__ import annotations

import re

import pytest

from trainees.tests.factories import TraineeFactory

URL_ATTRIBUTES = re.compile(r'(?:href|action|src|formaction)="([^"]*)"')


def variants(number: str) -> list[str]:
    """The ways a number may be typed, and the fragments that would give it away in a URL."""
    full_width = number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    return [number, number.lower(), full_width]


def assert_number_not_in_urls(response, number: str) -> None:
    location = response.get("Location", "")
    body = response.content.decode()
    for typed in variants(number) + [number[6:14]]:  # the birth date part alone is already personal data
        assert typed not in location
        for url in URL_ATTRIBUTES.findall(body):
            assert typed not in url, url
    assert number not in body


def test_the_search_form_posts(world, operator_a, client_for):
    html = client_for(operator_a).get("/trainees/").content.decode()
    assert '<form method="post" action="/trainees/search/" class="filters" id="trainee-filters">' in html
    assert 'name="csrfmiddlewaretoken"' in html


@pytest.mark.parametrize("typed", [
    "11010519491231002X", "11010519491231002x", "１１０１０５１９４９１２３１００２Ｘ", "110105 19491231 002X",
    "110105491231002",  # the legacy 15-digit number
])
def test_found_in_scope_goes_straight_to_the_archive(world, unit_a, operator_a, client_for, typed):
    trainee = TraineeFactory(name="白头翁", id_number="11010519491231002X", registered_by_unit=unit_a)
    client = client_for(operator_a)
    response = client.post("/trainees/search/", {"q": typed})
    assert response.status_code == 302 and response["Location"] == f"/trainees/{trainee.pk}/"
    assert_number_not_in_urls(response, trainee.id_number)
    archive = client.get(response["Location"])
    assert "白头翁" in archive.content.decode()
    assert_number_not_in_urls(archive, trainee.id_number)


@pytest.mark.parametrize("key", ["b1", "reg_b"])
def test_out_of_scope_or_unknown_reads_the_same_masked(world, operator_a, client_for, key):
    number = world[key].id_number
    unknown = "11010519491231002X"
    for searched in (number, unknown):
        response = client_for(operator_a).post("/trainees/search/", {"q": searched})
        html = response.content.decode()
        assert response.status_code == 200 and "Location" not in response
        assert "未找到该身份证号码对应的学员，或不在您的查看范围内" in html
        assert f"{searched[:6]}********{searched[-4:]}" in html
        assert "data-trainee=" not in html and world[key].name not in html
        assert 'name="q" value' not in html  # the box is left empty
        assert_number_not_in_urls(response, searched)


def test_a_number_in_the_query_string_is_not_searched(world, bureau_staff, client_for):
    # Given an old bookmark or a hand-typed URL carrying a full number
    trainee = world["a1"]
    response = client_for(bureau_staff).get("/trainees/", {"q": trainee.id_number})
    html = response.content.decode()
    # Then nobody is looked up, the page says how to search instead, and nothing echoes the number
    assert response.status_code == 200
    assert "身份证号码不能放在网址中查找" in html and "请在上方查找框中输入完整的身份证号码" in html
    assert "data-trainee=" not in html
    assert trainee.id_number not in html
    for url in URL_ATTRIBUTES.findall(html):
        assert trainee.id_number not in url


def test_name_search_and_filters_redirect_to_a_get_link(world, bureau_staff, classes, client_for):
    client = client_for(bureau_staff)
    response = client.post("/trainees/search/", {"q": "学员", "training_class": classes["a2"].pk})
    assert response.status_code == 302
    assert response["Location"] == f"/trainees/?q=%E5%AD%A6%E5%91%98&training_class={classes['a2'].pk}"
    html = client.get(response["Location"]).content.decode()
    assert f'data-trainee="{world["a2"].pk}"' in html and html.count("data-trainee=") == 1
    # An empty search is the whole list
    assert client.post("/trainees/search/", {"q": ""})["Location"] == "/trainees/"


def test_paging_links_carry_names_only(bureau_staff, client_for, monkeypatch):
    from trainees import views

    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    made = [TraineeFactory(name=f"分页{n}号") for n in "一二"]
    html = client_for(bureau_staff).get("/trainees/", {"q": "分页"}).content.decode()
    links = [url for url in URL_ATTRIBUTES.findall(html) if "before=" in url]
    assert links == [f"?q=%E5%88%86%E9%A1%B5&amp;before={made[1].pk}"]


def test_search_needs_the_view_permission(world, no_role_user, client_for):
    response = client_for(no_role_user).post("/trainees/search/", {"q": world["a1"].id_number})
    assert response.status_code == 403 and "Location" not in response


def test_search_must_be_posted_with_csrf(world, operator_a):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(operator_a)
    assert client.post("/trainees/search/", {"q": world["a1"].id_number}).status_code == 403


# --- API ----------------------------------------------------------------------------------


def test_api_refuses_a_number_in_the_query_string(world, bureau_staff, client_for):
    number = world["a1"].id_number
    for typed in (number, number.lower()):
        response = client_for(bureau_staff).get("/api/v1/trainees/", {"search": typed})
        assert response.status_code == 400
        [message] = response.json()["search"]
        assert "不能在网址（GET 查询参数 search）中按身份证号码查找" in message
        assert "请改用 POST /api/v1/trainees/lookup/" in message
        assert number not in response.content.decode()


def test_api_lookup_in_the_body(world, someone, client_for):
    user, visible, _ = someone
    client = client_for(user)
    for key, trainee in world.items():
        response = client.post("/api/v1/trainees/lookup/", {"id_number": trainee.id_number.lower()},
                               content_type="application/json")
        body = response.content.decode()
        assert trainee.id_number not in body and trainee.mobile not in body
        assert "Location" not in response
        if key in visible:
            assert response.status_code == 200, key
            data = response.json()
            assert data["id"] == trainee.pk and data["name"] == trainee.name
            assert data["id_number_masked"] == f"{trainee.id_number[:6]}********{trainee.id_number[-4:]}"
            assert response["Cache-Control"] == "no-store"
        else:  # unknown, out of scope, or a user without a role: the same answer
            assert response.status_code == 404, key
            masked = f"{trainee.id_number[:6]}********{trainee.id_number[-4:]}"
            assert response.json()["detail"] == f"未找到该身份证号码对应的学员，或不在您的查看范围内（{masked}）。"


@pytest.mark.parametrize(("body", "message"), [
    ({}, "请提交 id_number（完整的18位身份证号码）。"),
    ({"id_number": ""}, "请提交 id_number（完整的18位身份证号码）。"),
    ({"id_number": "张三"}, "不支持按姓名或部分号码查找"),
    ({"id_number": "500222"}, "不支持按部分号码查找"),
])
def test_api_lookup_refusals(world, bureau_staff, client_for, body, message):
    response = client_for(bureau_staff).post("/api/v1/trainees/lookup/", body, content_type="application/json")
    assert response.status_code == 400 and message in response.json()["id_number"][0]


def test_api_lookup_must_be_posted(world, bureau_staff, client_for):
    response = client_for(bureau_staff).get("/api/v1/trainees/lookup/", {"id_number": world["a1"].id_number})
    assert response.status_code == 405
