"""python manage.py import_roster FILE --unit UNIT_NAME [--class CLASS_ID]"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from trainees.models import Enrolment, Trainee
from trainees.tests.rosters import make_id, people, person, registry_counts, xlsx


def write(tmp_path, fileobj, name="花名册.xlsx"):
    path = tmp_path / name
    path.write_bytes(fileobj.getvalue())
    return path


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("import_roster", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_good_roster_prints_the_counts(tmp_path, class_a1):
    path = write(tmp_path, xlsx(people(4)))
    out, _ = run(str(path), "--unit", "区教委", "--class", str(class_a1.pk))
    assert out.strip() == "导入完成：新登记学员 4 人，更新 0 人，报名 4 人。"
    assert Enrolment.objects.filter(training_class=class_a1).count() == 4
    out, _ = run(str(path), "--unit", "区教委", "--class", str(class_a1.pk))
    assert out.strip() == "导入完成：新登记学员 0 人，更新 0 人，报名 0 人。"


def test_without_class_registers_for_the_unit(tmp_path, unit_b):
    out, _ = run(str(write(tmp_path, xlsx(people(2)))), "--unit", "区农业农村委")
    assert "新登记学员 2 人" in out and "报名 0 人" in out
    assert set(Trainee.objects.values_list("registered_by_unit", flat=True)) == {unit_b.pk}


def test_errors_print_one_line_per_row_and_write_nothing(tmp_path, class_a1):
    before = registry_counts()
    rows = [person(id_number=make_id(seq="041")), person(name="李", id_number="123"), person(id_number=make_id(seq="041"), mobile="")]
    path = write(tmp_path, xlsx(rows))
    err = StringIO()
    with pytest.raises(CommandError, match="花名册有4处错误，未导入任何数据"):
        call_command("import_roster", str(path), "--unit", "区教委", "--class", str(class_a1.pk), stderr=err)
    lines = err.getvalue().strip().splitlines()
    assert lines == [
        "第3行【姓名】：姓名应为2至30个字，当前为1个字，请填写与身份证一致的姓名",
        "第3行【身份证号码】：身份证号码应为18位（或旧版15位），当前为3位，请核对是否多填或漏填",
        "第4行【身份证号码】：与第2行身份证号码重复，同一人只填写一行，请删除重复的行",
        "第4行【手机号码】：手机号码不能为空，请填写11位大陆手机号",
    ]
    assert registry_counts() == before


def test_file_level_error_gets_its_own_line(tmp_path, class_a1):
    path = tmp_path / "名单.xlsx"
    path.write_text("姓名,身份证号码\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_roster", str(path), "--unit", "区教委", stderr=err)
    [line] = err.getvalue().strip().splitlines()
    assert line.startswith("“名单.xlsx”：文件不是Excel 2007及以上的 .xlsx 格式")


def test_exit_codes_in_a_real_process(tmp_path, class_a1, settings):
    """The command as an operator runs it: exit 0 on success, non-zero with 第N行 lines on errors."""
    import subprocess
    import sys

    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database is not visible to another process")
    db = connection.settings_dict
    env = {"DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
           "PATH": "/usr/bin:/bin"}
    bad = write(tmp_path, xlsx([person(name="王")]), "bad.xlsx")
    result = subprocess.run([sys.executable, "manage.py", "import_roster", str(bad), "--unit", "区教委"],
                            cwd=settings.BASE_DIR, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert result.stderr.splitlines()[0] == "第2行【姓名】：姓名应为2至30个字，当前为1个字，请填写与身份证一致的姓名"


def test_unknown_unit_class_or_file_is_explained(tmp_path, class_a1):
    path = write(tmp_path, xlsx(people(1)))
    with pytest.raises(CommandError, match="单位“区外星委”不存在"):
        run(str(path), "--unit", "区外星委")
    with pytest.raises(CommandError, match="培训班 999999 不存在"):
        run(str(path), "--unit", "区教委", "--class", "999999")
    with pytest.raises(CommandError, match="找不到文件"):
        run(str(tmp_path / "nope.xlsx"), "--unit", "区教委")
    with pytest.raises(CommandError, match="属于区教委，不属于区农业农村委"):
        run(str(path), "--unit", "区农业农村委", "--class", str(class_a1.pk))


def test_acting_as_an_auditor_is_refused(tmp_path, class_a1, auditor):
    path = write(tmp_path, xlsx(people(1)))
    with pytest.raises(CommandError, match="审计人员只能查看数据"):
        run(str(path), "--unit", "区教委", "--class", str(class_a1.pk), "--user", "auditor")
    assert Trainee.objects.count() == 0
