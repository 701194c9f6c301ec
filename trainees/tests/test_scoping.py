"""Who sees which trainees, enrolments and certificates, on every page and endpoint.

Operators of two units (区教委, 区农业农村委) and of two institutions, bureau roles, finance,
auditors and a user without a role, against the six trainees of the ``world`` fixture.
"""

from __future__ import annotations

import io

import pytest

from trainees import selectors
from trainees.models import Certificate, Enrolment
from trainees.tests.rosters import people, xlsx


def names(world, keys) -> set[str]:
    return {world[key].name for key in keys}


def test_selector_sees_exactly_the_expected_trainees(world, someone):
    user, visible, _ = someone
    assert set(selectors.trainee_list(user=user).values_list("name", flat=True)) == names(world, visible)


def test_enrolments_and_certificates_follow_their_class(world, someone, classes):
    user, _, visible_classes = someone
    codes = {classes[key].code for key in visible_classes}
    assert set(selectors.enrolment_list(user=user).values_list("training_class__code", flat=True)) == codes
    assert set(selectors.certificate_list(user=user).values_list("number", flat=True)) == {
        f"CERT-{key}" for key in visible_classes
    }


def test_list_page(world, someone, client_for):
    user, visible, _ = someone
    response = client_for(user).get("/trainees/")
    if not visible and user.username == "nobody":
        assert response.status_code == 403
        return
    html = response.content.decode()
    assert response.status_code == 200
    for key, trainee in world.items():
        assert (trainee.name in html) == (key in visible), key


def test_archive_page_export_and_api_detail(world, someone, client_for):
    user, visible, _ = someone
    client = client_for(user)
    for key, trainee in world.items():
        page = client.get(f"/trainees/{trainee.pk}/")
        export = client.get(f"/trainees/{trainee.pk}/archive.xlsx")
        api = client.get(f"/api/v1/trainees/{trainee.pk}/")
        if key in visible:
            assert page.status_code == 200 and trainee.name in page.content.decode()
            assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")
            assert api.status_code == 200 and api.json()["identity"]["name"] == trainee.name
        else:
            expected = 403 if user.username == "nobody" else 404
            assert (page.status_code, export.status_code) == (expected, expected), key
            assert api.status_code == 404, key


def test_archive_shows_only_visible_enrolments(world, class_a1, client_for, school_op_2, bureau_staff):
    # Given 学员A1甲 also enrolled in A2 (school 2's class)
    from trainees.tests.factories import EnrolmentFactory

    trainee = world["a1"]
    EnrolmentFactory(trainee=trainee, training_class=world["a2"].enrolments.get().training_class)
    # Then school 2's operator sees the trainee but only the class of school 2
    data = client_for(school_op_2).get(f"/api/v1/trainees/{trainee.pk}/").json()
    assert [e["training_class"]["code"] for e in data["enrolments"]] == ["QJ-A2"]
    assert data["certificates"] == []
    data = client_for(bureau_staff).get(f"/api/v1/trainees/{trainee.pk}/").json()
    assert [e["training_class"]["code"] for e in data["enrolments"]] == ["QJ-A1", "QJ-A2"]
    assert [c["number"] for c in data["certificates"]] == ["CERT-a1"]


def test_api_list(world, someone, client_for):
    user, visible, _ = someone
    response = client_for(user).get("/api/v1/trainees/")
    assert response.status_code == 200
    assert {row["name"] for row in response.json()["results"]} == names(world, visible)


def test_reveal_of_out_of_scope_trainee_is_404(world, someone, client_for):
    user, visible, _ = someone
    client = client_for(user)
    for key, trainee in world.items():
        if key in visible:
            continue
        assert client.post(f"/api/v1/trainees/{trainee.pk}/reveal/").status_code == 404
        assert client.post(f"/trainees/{trainee.pk}/reveal/").status_code in (403, 404)


def test_class_roster_pages_and_endpoints(world, someone, client_for, classes):
    user, _, visible_classes = someone
    client = client_for(user)
    for key, training_class in classes.items():
        roster = client.get(f"/classes/{training_class.pk}/roster/")
        if key in visible_classes:
            assert roster.status_code == 200, key
            assert world[key].name in roster.content.decode()
        else:
            template = client.get(f"/classes/{training_class.pk}/roster/template.xlsx")
            upload = client.post(f"/api/v1/classes/{training_class.pk}/roster/", {"file": io.BytesIO(b"x")})
            assert (roster.status_code, template.status_code, upload.status_code) == (404, 404, 404), key
    if visible_classes:  # building a template takes a second: one is enough per user
        training_class = classes[sorted(visible_classes)[0]]
        assert client.get(f"/classes/{training_class.pk}/roster/template.xlsx").status_code == 200


def test_filters_outside_scope_give_nothing(world, operator_a, classes, unit_b, client_for):
    client = client_for(operator_a)
    # A class or unit of another unit is not even offered as a choice
    response = client.get("/trainees/", {"training_class": classes["b1"].pk})
    assert "选择一个有效的选项" in response.content.decode()
    assert world["b1"].name not in response.content.decode()
    assert client.get("/api/v1/trainees/", {"unit": unit_b.pk}).status_code == 400
    assert selectors.trainee_list(user=operator_a, filters={"training_class": classes["b1"]}).count() == 0


def test_filters_by_group_unit_and_class(world, bureau_staff, classes, unit_b, client_for):
    from trainees.models import TargetGroup

    veterans = TargetGroup.objects.get(name="退役军人")
    world["b2"].target_groups.add(veterans)
    api = client_for(bureau_staff)
    assert [r["name"] for r in api.get("/api/v1/trainees/", {"group": veterans.pk}).json()["results"]] == [
        world["b2"].name
    ]
    by_unit = {r["name"] for r in api.get("/api/v1/trainees/", {"unit": unit_b.pk}).json()["results"]}
    assert by_unit == names(world, {"b1", "b2", "reg_b"})
    by_class = {r["name"] for r in api.get("/api/v1/trainees/", {"training_class": classes["a2"].pk}).json()["results"]}
    assert by_class == names(world, {"a2"})
    html = api.get("/trainees/", {"unit": unit_b.pk}).content.decode()
    assert world["b1"].name in html and world["a1"].name not in html


def test_error_download_belongs_to_its_uploader_and_class(classes, operator_a, bureau_staff, client_for):
    # Given operator A's refused upload
    client = client_for(operator_a)
    bad = xlsx([["张", "123", "1"]])
    response = client.post(f"/classes/{classes['a1'].pk}/roster/", {"file": bad})
    token = response.context["error_token"]
    # Then neither another user nor another class can fetch it, and a forged token gives 404
    assert client_for(bureau_staff).get(f"/classes/{classes['a1'].pk}/roster/errors/{token}/").status_code == 404
    assert client.get(f"/classes/{classes['a2'].pk}/roster/errors/{token}/").status_code == 404
    assert client.get(f"/classes/{classes['a1'].pk}/roster/errors/..%2F..%2Fsecret_key/").status_code == 404
    # and its owner can, once
    assert client.get(f"/classes/{classes['a1'].pk}/roster/errors/{token}/").status_code == 200
    assert client.get(f"/classes/{classes['a1'].pk}/roster/errors/{token}/").status_code == 404


@pytest.mark.parametrize("reader", ["auditor", "finance"])
def test_read_only_roles_cannot_write_anywhere(world, classes, client_for, request, reader):
    user = request.getfixturevalue(reader)
    client = client_for(user)
    before = (Enrolment.objects.count(), Certificate.objects.count())
    page = client.get(f"/classes/{classes['a1'].pk}/roster/")
    assert page.status_code == 200 and 'id="roster-upload"' not in page.content.decode()
    assert "您的账号只能查看花名册，不能导入" in page.content.decode()
    assert client.post(f"/classes/{classes['a1'].pk}/roster/", {"file": xlsx(people(1))}).status_code == 403
    api = client.post(f"/api/v1/classes/{classes['a1'].pk}/roster/", {"file": xlsx(people(1))})
    assert api.status_code == 403
    assert (Enrolment.objects.count(), Certificate.objects.count()) == before
