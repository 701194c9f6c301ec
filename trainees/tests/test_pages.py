"""The registry's pages: class roster upload, template and error download, trainee list, archive."""

from __future__ import annotations

import io
import re
import types

import openpyxl
import pytest

from trainees import selectors, uploads
from trainees.models import Enrolment, Trainee
from trainees.tests.factories import EnrolmentFactory, TraineeFactory
from trainees.tests.rosters import make_id, people, person, registry_counts, xlsx

ID_1 = make_id(seq="021")


def upload(client, training_class, fileobj, name="花名册.xlsx"):
    fileobj.name = name
    return client.post(f"/classes/{training_class.pk}/roster/", {"file": fileobj})


def test_roster_page_shows_the_class_and_masked_roster(class_a1, operator_a, client_for):
    trainee = TraineeFactory(id_number=ID_1, name="张三", mobile="13812345678")
    EnrolmentFactory(training_class=class_a1, trainee=trainee, overlaps_other_class=True)
    html = client_for(operator_a).get(f"/classes/{class_a1.pk}/roster/").content.decode()
    assert "QJ-A1" in html and "綦江区第一职业培训学校" in html and "区教委" in html
    assert "计划人数</span>50 人，已报名 <strong id=\"taken\">1</strong> 人" in html
    assert f"{ID_1[:6]}********{ID_1[-4:]}" in html and "138****5678" in html
    assert "与其他培训班时间重叠" in html
    assert 'href="/classes/%d/roster/template.xlsx"' % class_a1.pk in html
    assert 'id="roster-upload"' in html
    assert 'css/trainees.css' in html and "style=" not in html and "<script>" not in html


def test_template_download(class_a1, school_op_1, client_for):
    response = client_for(school_op_1).get(f"/classes/{class_a1.pk}/roster/template.xlsx")
    assert response.status_code == 200
    assert "QJ-A1" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    assert workbook.sheetnames == ["花名册", "填写说明"]
    header = next(workbook["花名册"].iter_rows(max_row=1, values_only=True))
    assert header[:3] == ("姓名", "身份证号码", "手机号码")
    notes = [row[0] for row in workbook["填写说明"].iter_rows(values_only=True) if row[0]]
    assert any("QJ-A1" in line for line in notes)


def test_bad_upload_lists_errors_and_offers_the_marked_workbook_once(class_a1, school_op_1, client_for):
    client = client_for(school_op_1)
    before = registry_counts()
    # When a roster with a bad ID on row 3 is uploaded
    response = upload(client, class_a1, xlsx([person(id_number=ID_1), person(name="李四", id_number="123")]))
    html = response.content.decode()
    # Then the errors are listed by row and column, and nothing was saved
    assert response.status_code == 200
    assert "有 1 处错误，未导入任何数据" in html
    assert '第3行</td><td class="column">身份证号码</td><td>身份证号码应为18位' in html
    assert registry_counts() == before
    # and the uploaded workbook comes back with a 错误说明 column
    token = response.context["error_token"]
    download = client.get(f"/classes/{class_a1.pk}/roster/errors/{token}/")
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    marked = openpyxl.load_workbook(io.BytesIO(download.content))
    assert marked.sheetnames == ["错误汇总", "花名册"]
    assert marked["花名册"]["I1"].value == "错误说明"
    assert marked["花名册"]["I3"].value.startswith("【身份证号码】身份证号码应为18位")
    # and the kept copy is gone after the download
    assert client.get(f"/classes/{class_a1.pk}/roster/errors/{token}/").status_code == 404


def test_good_upload_saves_and_shows_the_roster(class_a1, school_op_1, client_for):
    client = client_for(school_op_1)
    response = upload(client, class_a1, xlsx(people(3)))
    assert response.status_code == 302
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "花名册已导入：新登记学员3人，更新0人，报名3人。" in html
    assert html.count('href="/trainees/') >= 3
    assert class_a1.enrolments.count() == 3


def test_a_non_xlsx_upload_gets_a_clear_message(class_a1, operator_a, client_for):
    response = upload(client_for(operator_a), class_a1, io.BytesIO(b"name,id\n"), name="名单.csv")
    html = response.content.decode()
    assert "“名单.csv”：文件不是Excel 2007及以上的 .xlsx 格式" in html
    assert Trainee.objects.count() == 0


def test_upload_without_a_file_says_so(class_a1, operator_a, client_for):
    response = client_for(operator_a).post(f"/classes/{class_a1.pk}/roster/", {})
    assert "请选择要上传的花名册 .xlsx 文件。" in response.content.decode()


def test_kept_uploads_older_than_a_day_are_purged(class_a1, operator_a, client_for, settings):
    import os
    import time

    client = client_for(operator_a)
    token = upload(client, class_a1, xlsx([person(name="张")])).context["error_token"]
    directory = settings.MEDIA_ROOT / uploads.DIRECTORY
    assert len(os.listdir(directory)) == 2
    old = time.time() - 2 * 24 * 3600
    for name in os.listdir(directory):
        os.utime(directory / name, (old, old))
    assert uploads.failed_uploads_purge() == 2
    assert client.get(f"/classes/{class_a1.pk}/roster/errors/{token}/").status_code == 404


def test_trainee_list_search_by_name_stays_a_get_link(world, bureau_staff, client_for):
    client = client_for(bureau_staff)
    # When a name is typed in the search box (the form posts)
    response = client.post("/trainees/search/", {"q": "登记", "group": "", "unit": "", "training_class": ""})
    # Then the page redirects to the GET list with the name, which may be linked and paged
    assert response.status_code == 302 and response["Location"] == "/trainees/?q=%E7%99%BB%E8%AE%B0"
    html = client.get(response["Location"]).content.decode()
    assert html.count("data-trainee=") == 2
    assert 'name="q" value="登记"' in html


def test_trainee_list_pages_newest_first_without_counting(bureau_staff, client_for, monkeypatch):
    from trainees import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    made = [TraineeFactory(name=f"分页{n}号") for n in "一二三四五"]
    client = client_for(bureau_staff)
    first = client.get("/trainees/", {"q": "分页"})
    assert [t.pk for t in first.context["trainees"]] == [made[4].pk, made[3].pk]
    second = client.get(f"/trainees/?{first.context['next_query']}")
    assert [t.pk for t in second.context["trainees"]] == [made[2].pk, made[1].pk]
    third = client.get(f"/trainees/?{second.context['next_query']}")
    assert [t.pk for t in third.context["trainees"]] == [made[0].pk] and third.context["next_query"] == ""


def test_archive_page_shows_groups_classes_certificates_and_overlap(world, operator_a, client_for):
    from trainees.models import TargetGroup

    trainee = world["a1"]
    trainee.target_groups.add(TargetGroup.objects.get(name="建档立卡贫困劳动力"))
    Enrolment.objects.filter(trainee=trainee).update(overlaps_other_class=True)
    html = client_for(operator_a).get(f"/trainees/{trainee.pk}/").content.decode()
    assert "职业培训电子档案" in html
    assert "建档立卡贫困劳动力<span class=\"flag\">免费培训</span><span class=\"flag\">生活费补贴</span>" in html
    assert "QJ-A1" in html and "綦江区第一职业培训学校" in html and "已结业" in html
    assert 'id="overlap-warning"' in html and "与其他培训班时间重叠，请核查" in html
    assert "CERT-A1" in html or "CERT-a1" in html


def test_upper_apps_add_archive_sections(world, bureau_staff, client_for, monkeypatch):
    # Given an upper app with an archive.py (as subsidies will have)
    seen = {}

    def archive_sections(*, trainee, user):
        seen["args"] = (trainee.pk, user.pk)
        return [{"title": "补贴享受记录", "columns": ["年度", "补贴类型", "金额"],
                 "rows": [["2019", "职业培训补贴", "1200.00"], ["2020", "=1+1", None]]}]

    fake = types.SimpleNamespace(archive_sections=archive_sections)
    real_find_spec, real_import = selectors.find_spec, selectors.import_module
    monkeypatch.setattr(selectors, "find_spec",
                        lambda name: object() if name == "subsidies.archive" else real_find_spec(name))
    monkeypatch.setattr(selectors, "import_module",
                        lambda name: fake if name == "subsidies.archive" else real_import(name))
    client = client_for(bureau_staff)
    trainee = world["a1"]
    # Then the page, the export and the API carry the section after the registry's own
    html = client.get(f"/trainees/{trainee.pk}/").content.decode()
    assert html.index("补贴享受记录") > html.index("证书")
    assert "职业培训补贴" in html and "1200.00" in html
    assert seen["args"] == (trainee.pk, bureau_staff.pk)
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(f"/trainees/{trainee.pk}/archive.xlsx").content))
    assert workbook.sheetnames[-1] == "补贴享受记录"
    sheet = workbook["补贴享受记录"]
    assert sheet["A1"].value == f"补贴享受记录：{trainee.name}"
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert rows == [["年度", "补贴类型", "金额"], ["2019", "职业培训补贴", "1200.00"], ["2020", "=1+1", None]]
    assert sheet["B5"].quotePrefix is True and sheet["B5"].data_type == "s"
    sections = client.get(f"/api/v1/trainees/{trainee.pk}/").json()["sections"]
    assert sections[0]["title"] == "补贴享受记录" and sections[0]["rows"][1] == ["2020", "=1+1", ""]


def test_navigation_has_the_registry_for_business_roles(operator_a, school_op_1, no_role_user, client_for):
    for user in (operator_a, school_op_1):
        html = client_for(user).get("/trainees/").content.decode()
        assert '<a href="/trainees/" aria-current="page">学员</a>' in html
    from trainees.navigation import nav_items

    assert nav_items(no_role_user) == []


@pytest.mark.parametrize("path", ["/trainees/", "/api/v1/trainees/"])
def test_anonymous_users_are_sent_to_login(db, client, path):
    response = client.get(path)
    assert response.status_code in (302, 401, 403)


def test_templates_have_no_inline_style_or_script():
    """CSP forbids inline scripts and styles: the registry's templates carry none."""
    from pathlib import Path

    from django.conf import settings

    for path in (Path(settings.BASE_DIR) / "templates" / "trainees").glob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "style=" not in text and "<style" not in text, path.name
        # Scripts only as files of our own static directory, never inline.
        for tag in re.findall(r"<script[^>]*>", text):
            assert re.fullmatch(r"""<script src="\{% static 'js/trainees\.js' %\}">""", tag), (path.name, tag)
        assert "http://" not in text and "https://" not in text, path.name
