"""The registry API: roster upload, trainee list and search, archive JSON."""

from __future__ import annotations

from trainees.models import Enrolment, Trainee
from trainees.tests.rosters import make_id, people, person, registry_counts, xlsx


def post_roster(client, training_class, fileobj, name="花名册.xlsx"):
    fileobj.name = name
    return client.post(f"/api/v1/classes/{training_class.pk}/roster/", {"file": fileobj})


def test_roster_upload_returns_counts(class_a1, school_op_1, client_for):
    client = client_for(school_op_1)
    response = post_roster(client, class_a1, xlsx(people(5)))
    assert response.status_code == 200
    assert response.json() == {"created": 5, "updated": 0, "enrolled": 5}
    # Re-uploading the same roster changes nothing
    response = post_roster(client, class_a1, xlsx(people(5)))
    assert response.json() == {"created": 0, "updated": 0, "enrolled": 0}
    assert Enrolment.objects.filter(training_class=class_a1).count() == 5


def test_roster_upload_errors_as_json(class_a1, operator_a, client_for):
    before = registry_counts()
    rows = [person(id_number=make_id(seq="031")), person(name="李四", id_number=make_id(seq="031"), mobile="1")]
    response = post_roster(client_for(operator_a), class_a1, xlsx(rows))
    assert response.status_code == 400
    assert response.json() == {"errors": [
        {"row": 3, "column": "身份证号码", "message": "与第2行身份证号码重复，同一人只填写一行，请删除重复的行"},
        {"row": 3, "column": "手机号码", "message": "手机号码应为11位、以1开头的大陆手机号（第二位为3至9），请核对后重新填写"},
    ]}
    assert registry_counts() == before


def test_roster_upload_file_level_error_has_no_row(class_a1, operator_a, client_for):
    from io import BytesIO

    response = post_roster(client_for(operator_a), class_a1, BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600),
                           name="旧名单.xls")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["row"] is None and error["column"] is None
    assert error["message"].startswith("“旧名单.xls”：文件是Excel 97-2003（.xls）格式")


def test_roster_upload_without_file(class_a1, operator_a, client_for):
    response = client_for(operator_a).post(f"/api/v1/classes/{class_a1.pk}/roster/", {})
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "请用字段名 file 上传花名册 .xlsx 文件。"


def test_roster_upload_with_a_token(class_a1, operator_a):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=operator_a).key}")
    response = post_roster(client, class_a1, xlsx(people(2)))
    assert response.status_code == 200 and response.json()["created"] == 2


def test_trainee_list_is_masked_and_searchable_by_name(world, bureau_staff, client_for):
    client = client_for(bureau_staff)
    names = [r["name"] for r in client.get("/api/v1/trainees/", {"search": "学员"}).json()["results"]]
    assert sorted(names) == sorted(world[k].name for k in ("a1", "a2", "b1", "b2"))
    row = client.get("/api/v1/trainees/", {"search": world["a2"].name}).json()["results"][0]
    trainee = world["a2"]
    assert row["id_number_masked"] == f"{trainee.id_number[:6]}********{trainee.id_number[-4:]}"
    assert row["mobile_masked"] == f"{trainee.mobile[:3]}****{trainee.mobile[-4:]}"
    assert "id_number" not in row and "mobile" not in row


def test_archive_json(world, operator_a, client_for):
    trainee = world["a1"]
    data = client_for(operator_a).get(f"/api/v1/trainees/{trainee.pk}/").json()
    assert data["identity"]["name"] == trainee.name
    assert data["identity"]["id_number_masked"].startswith(trainee.id_number[:6])
    assert data["identity"]["education"] == "初中"
    [enrolment] = data["enrolments"]
    assert enrolment["training_class"]["code"] == "QJ-A1"
    assert enrolment["institution"] == "綦江区第一职业培训学校" and enrolment["unit"] == "区教委"
    assert enrolment["status"] == "completed" and enrolment["overlaps_other_class"] is False
    assert [c["number"] for c in data["certificates"]] == ["CERT-a1"]


def test_api_is_described_in_the_schema(bureau_staff, client_for):
    schema = client_for(bureau_staff).get("/api/schema/").content.decode()
    for path in ("/api/v1/trainees/", "/api/v1/trainees/{id}/", "/api/v1/trainees/{id}/reveal/",
                 "/api/v1/classes/{id}/roster/", "/api/v1/trainees/lookup/", "/api/v1/enrolments/{id}/complete/",
                 "/api/v1/enrolments/{id}/drop/", "/api/v1/certificates/"):
        assert path in schema
    assert Trainee.objects.count() == 0
