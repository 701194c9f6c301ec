"""Masking: no full ID number or phone in any page, list, API response or export, for any role,
except through the recorded reveal (SECURITY.md; issue 3, item 7)."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from accounts.models import AuditEntry
from trainees.tests.rosters import person, xlsx


def xlsx_text(data: bytes) -> str:
    """Every XML part of a workbook, as text (shared strings, sheets, comments)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())


def outputs_for(user, world, classes, client) -> dict[str, str]:
    """Every list, detail, search, API response and export the user can reach, rendered."""
    out: dict[str, str] = {}

    def text(key: str, response) -> None:
        if response.get("Content-Type", "").startswith("application/vnd.openxml"):
            out[key] = xlsx_text(response.content)
        else:
            out[key] = response.content.decode()

    text("list", client.get("/trainees/"))
    text("api-list", client.get("/api/v1/trainees/"))
    for key, trainee in world.items():
        number = trainee.id_number
        # The ID search posts the number; where it redirects to is part of the output too.
        found = client.post("/trainees/search/", {"q": number})
        text(f"search-{key}", found)
        out[f"search-location-{key}"] = found.get("Location", "")
        text(f"search-lower-{key}", client.post("/trainees/search/", {"q": number.lower()}, follow=True))
        text(f"api-search-{key}", client.post("/api/v1/trainees/lookup/", {"id_number": number}))
        text(f"archive-{key}", client.get(f"/trainees/{trainee.pk}/"))
        text(f"export-{key}", client.get(f"/trainees/{trainee.pk}/archive.xlsx"))
        text(f"api-archive-{key}", client.get(f"/api/v1/trainees/{trainee.pk}/"))
    for key, training_class in classes.items():
        text(f"roster-{key}", client.get(f"/classes/{training_class.pk}/roster/"))
        # A roster naming a registered person under another name: the refusal must stay masked too.
        clash = [person(name="冒名顶替", id_number=trainee.id_number) for trainee in world.values()]
        text(f"roster-errors-{key}", client.post(f"/classes/{training_class.pk}/roster/", {"file": xlsx(clash)}))
        text(f"api-roster-errors-{key}",
             client.post(f"/api/v1/classes/{training_class.pk}/roster/", {"file": xlsx(clash)}))
    return out


def test_no_full_id_number_or_phone_anywhere(world, someone, classes, client_for):
    user, visible, _ = someone
    outputs = outputs_for(user, world, classes, client_for(user))
    secrets = {t.id_number for t in world.values()} | {t.mobile for t in world.values()}
    leaks = [(key, secret) for key, body in outputs.items() for secret in secrets if secret in body]
    assert leaks == []
    # and the masked forms are what is shown for the trainees the user may see
    for key in visible:
        trainee = world[key]
        masked = f"{trainee.id_number[:6]}********{trainee.id_number[-4:]}"
        assert masked in outputs[f"archive-{key}"]
        assert masked in outputs[f"export-{key}"]
        assert masked in outputs[f"api-archive-{key}"]
        assert f"{trainee.mobile[:3]}****{trainee.mobile[-4:]}" in outputs[f"archive-{key}"]
    # and a full-ID search leads to exactly the visible person's archive, without listing the number
    for key, trainee in world.items():
        found = outputs.get(f"search-location-{key}") == f"/trainees/{trainee.pk}/"
        assert found == (key in visible), key


def test_reveal_shows_full_values_once_and_is_recorded(world, bureau_staff, client_for):
    client = client_for(bureau_staff)
    trainee = world["a1"]
    # When bureau staff ask to reveal
    response = client.post(f"/trainees/{trainee.pk}/reveal/")
    html = response.content.decode()
    # Then this response, not cached, shows the full values
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert trainee.id_number in html and trainee.mobile in html
    assert "本次查看已记入审计日志" in html
    # and the audit trail has who, which trainee, and not the number itself
    entry = AuditEntry.objects.get(action=AuditEntry.Action.REVEAL)
    assert entry.actor == bureau_staff and entry.result == AuditEntry.Result.SUCCESS
    assert (entry.object_type, entry.object_id) == ("trainees.trainee", str(trainee.pk))
    assert trainee.id_number not in str(entry.detail)
    # and the archive is masked again afterwards
    again = client.get(f"/trainees/{trainee.pk}/").content.decode()
    assert trainee.id_number not in again and trainee.mobile not in again


def test_reveal_api_for_bureau_roles_only(world, bureau_admin, operator_a, auditor, finance, client_for):
    trainee = world["a1"]
    data = client_for(bureau_admin).post(f"/api/v1/trainees/{trainee.pk}/reveal/").json()
    assert data == {"id": trainee.pk, "id_number": trainee.id_number, "mobile": trainee.mobile}
    assert AuditEntry.objects.filter(action=AuditEntry.Action.REVEAL, result=AuditEntry.Result.SUCCESS).count() == 1
    for user in (operator_a, auditor, finance):
        response = client_for(user).post(f"/api/v1/trainees/{trainee.pk}/reveal/")
        assert response.status_code == 403
        assert "只有区人力社保局的授权人员可以查看完整的身份证号码和手机号码" in response.json()["detail"]
        assert trainee.id_number not in response.content.decode()
    denied = AuditEntry.objects.filter(action=AuditEntry.Action.REVEAL, result=AuditEntry.Result.DENIED)
    assert sorted(denied.values_list("actor_username", flat=True)) == ["auditor", "finance", "operator_a"]


def test_reveal_button_only_for_bureau_roles(world, bureau_staff, operator_a, auditor, client_for):
    trainee = world["a1"]
    assert "查看完整身份证号码和手机号码" in client_for(bureau_staff).get(f"/trainees/{trainee.pk}/").content.decode()
    for user in (operator_a, auditor):
        html = client_for(user).get(f"/trainees/{trainee.pk}/").content.decode()
        assert "查看完整身份证号码和手机号码" not in html
        assert client_for(user).post(f"/trainees/{trainee.pk}/reveal/").status_code == 403


def test_reveal_must_be_a_post(world, bureau_staff, client_for):
    assert client_for(bureau_staff).get(f"/trainees/{world['a1'].pk}/reveal/").status_code == 405
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.REVEAL).exists()


def test_export_is_recorded_masked_and_never_a_formula(world, operator_a, client_for):
    # Given a trainee whose address looks like a formula
    trainee = world["a1"]
    trainee.household_address = '=HYPERLINK("http://evil","点我")'
    trainee.save(update_fields=["household_address"])
    response = client_for(operator_a).get(f"/trainees/{trainee.pk}/archive.xlsx")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["基本信息", "参训记录", "证书", "补贴享受记录"]
    assert workbook["基本信息"]["A1"].value == f"职业培训电子档案：{trainee.name}"
    assert workbook["基本信息"]["A2"].value.startswith("统计期间：截至导出时的全部记录（身份证号码、手机号码已按规定脱敏显示）")
    assert "导出时间：" in workbook["基本信息"]["A2"].value
    assert [c.value for c in workbook["基本信息"][3]] == ["项目", "内容"]
    identity = {row[0].value: row[1] for row in workbook["基本信息"].iter_rows(min_row=4) if row[0].value}
    assert identity["身份证号码"].value == f"{trainee.id_number[:6]}********{trainee.id_number[-4:]}"
    address = identity["户籍地址"]
    assert address.data_type == "s" and address.quotePrefix is True
    assert address.value == '=HYPERLINK("http://evil","点我")'
    classes = [[c.value for c in row] for row in workbook["参训记录"].iter_rows(min_row=4)]
    assert classes[0][0] == "QJ-A1"
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.actor == operator_a and entry.object_id == str(trainee.pk) and entry.detail["masked"] is True


@pytest.mark.parametrize("typed", ["5002", "50022219900101", "500222199001011230"])
def test_partial_or_invalid_id_search_is_not_offered(world, bureau_staff, client_for, typed):
    client = client_for(bureau_staff)
    for response in (client.post("/trainees/search/", {"q": typed}), client.get("/trainees/", {"q": typed})):
        html = response.content.decode()
        assert response.status_code == 200 and "不支持按部分号码查找" in html
        assert "data-trainee=" not in html and f'value="{typed}"' not in html
    response = client.get("/api/v1/trainees/", {"search": typed})
    assert response.status_code == 400 and "不支持按部分号码查找" in response.json()["search"][0]
    response = client.post("/api/v1/trainees/lookup/", {"id_number": typed})
    assert response.status_code == 400 and "不支持按部分号码查找" in response.json()["id_number"][0]
