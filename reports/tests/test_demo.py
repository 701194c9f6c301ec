"""manage.py load_demo fills a fresh database with a living programme, and refuses a second time."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from programs import demo as programs_demo
from programs.models import Institution, TrainingClass
from reports.models import QuarterlyReturn, ReturnTransition, UnitProgress
from trainees.idnumbers import parse_id_number
from trainees.models import Certificate, Enrolment, Trainee


@pytest.fixture
def small_demo(db, monkeypatch):
    monkeypatch.setattr(programs_demo, "SCALE", 0.05)


def test_load_demo_fills_a_fresh_database(small_demo, client_for, bureau_staff):
    out = StringIO()
    call_command("load_demo", stdout=out)
    text = out.getvalue()
    assert "培训机构 12 个" in text and "已汇总完成进度" in text
    # 12 from the programs demo, 1 for the project-based classes of the subsidies demo.
    assert Institution.objects.count() == 13 and TrainingClass.objects.count() > 100
    assert Enrolment.objects.filter(status=Enrolment.Status.COMPLETED).count() > 1000
    assert Certificate.objects.exists()
    assert all(parse_id_number(number) for number in Trainee.objects.values_list("id_number", flat=True))
    assert set(QuarterlyReturn.objects.values_list("status", flat=True)) == set(QuarterlyReturn.Status.values)
    assert QuarterlyReturn.objects.filter(submitted_late=True).exists()
    assert ReturnTransition.objects.filter(action="reopen").count() == 1
    assert UnitProgress.objects.count() == 18 * 3 * 4
    approved_2019 = sum(UnitProgress.objects.filter(year=2019, quarter=4).values_list("approved_person_times", flat=True))
    assert approved_2019 > 0
    html = client_for(bureau_staff).get("/?year=2019").content.decode()
    assert html.count("data-progress-unit=") == 18 and "数据汇总于" in html


def test_load_demo_refuses_a_database_with_data_and_changes_nothing(small_demo):
    call_command("load_demo", stdout=StringIO())
    before = (TrainingClass.objects.count(), Trainee.objects.count(), QuarterlyReturn.objects.count())
    with pytest.raises(CommandError) as excinfo:
        call_command("load_demo", stdout=StringIO())
    assert "数据库中已有业务数据" in str(excinfo.value) and "演示数据只能载入空数据库，本次未做任何修改" in str(excinfo.value)
    assert (TrainingClass.objects.count(), Trainee.objects.count(), QuarterlyReturn.objects.count()) == before
