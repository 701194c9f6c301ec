"""The seeded plan is the notice's attachment table, cell by cell."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum

from programs.models import ActionPlan, Assignment, Cooperation, OutcomeIndicator, PlanYear, Quota, Unit
from programs.plan_files import PLANS_DIR

NOTICE = Path(__file__).resolve().parents[1] / "data" / "notice-qijiang-2019-39.txt"

# (order, unit, cooperating units, 2019, 2020, 2021), typed from the attachment table.
ATTACHMENT = [
    (1, "区人力社保局", "领导小组成员单位、各街镇", 6700, 7000, 7500),
    (2, "区经济信息委", "区工业园区管委会、区食品园区管委会、区人力社保局", 600, 800, 1200),
    (3, "区教委", "区人力社保局", 500, 600, 700),
    (4, "区住房城乡建委", "区人力社保局、各街镇", 500, 1000, 1300),
    (5, "区农业农村委", "各街镇", 800, 1000, 1200),
    (6, "区商务委", "区人力社保局", 200, 300, 500),
    (7, "区文化旅游委", "区人力社保局、各街镇", 100, 300, 400),
    (8, "区卫生健康委", "区人力社保局、各街镇", 200, 200, 200),
    (9, "区国资委", "区人力社保局", 300, 500, 600),
    (10, "区扶贫办", "区人力社保局、各街镇", 400, 400, 500),
    (11, "区应急局", "各街镇", 200, 1000, 1100),
    (12, "区司法局", "区人力社保局、各街镇", 100, 100, 100),
    (13, "区交通局", "区人力社保局", 200, 300, 400),
    (14, "区退役军人事务局", "各街镇", 100, 100, 100),
    (15, "区总工会", "区人力社保局", 200, 300, 400),
    (16, "团区委", "区人力社保局、各街镇", 100, 200, 300),
    (17, "区妇联", "区人力社保局、各街镇", 100, 100, 300),
    (18, "区市场监管局", "区人力社保局、区商务委、各街镇", 100, 100, 200),
]


@pytest.fixture
def plan(db):
    return ActionPlan.objects.get(code="qijiang-2019-2021")


def test_every_row_and_cell_of_the_attachment_table(plan):
    rows = []
    for a in Assignment.objects.filter(plan=plan).order_by("order"):
        quotas = dict(Quota.objects.filter(plan=plan, unit=a.unit).values_list("year", "target"))
        cooperating = "、".join(c.unit.name for c in a.cooperations.order_by("position"))
        rows.append((a.order, a.unit.name, cooperating, quotas[2019], quotas[2020], quotas[2021]))
    assert rows == ATTACHMENT


def test_totals_row_and_three_year_total(plan):
    by_year = dict(Quota.objects.filter(plan=plan).values_list("year").annotate(s=Sum("target")))
    assert by_year == {2019: 11400, 2020: 14300, 2021: 17000}
    assert dict(PlanYear.objects.filter(plan=plan).values_list("year", "target")) == by_year
    assert Quota.objects.filter(plan=plan).aggregate(s=Sum("target"))["s"] == 42700


def test_plan_header_and_outcome_indicators(plan):
    assert plan.document_number == "綦江府办发〔2019〕39号"
    assert plan.years == [2019, 2020, 2021]
    indicators = {i.code: (str(i.target_percent), i.due_date.isoformat()) for i in plan.indicators.all()}
    assert indicators == {"skilled-share": ("24.00", "2021-12-31"), "high-skilled-share": ("29.00", "2021-12-31")}


def test_duties_are_copied_verbatim_from_the_notice(plan):
    notice = NOTICE.read_text(encoding="utf-8")
    duties = list(Assignment.objects.filter(plan=plan).values_list("duties", flat=True))
    assert len(duties) == 18
    assert [d for d in duties if d not in notice] == []


def test_group_entries_and_other_named_bodies_exist(db):
    groups = set(Unit.objects.filter(kind=Unit.Kind.GROUP).values_list("name", flat=True))
    assert groups == {"各街镇", "领导小组成员单位"}
    for name in ["区民政局", "区残联", "区科技局", "区大数据发展局", "区财政局", "区发展改革委", "区审计局", "区府办"]:
        assert Unit.objects.filter(name=name).exists(), name


def _row_counts() -> dict[str, int]:
    models = [m for m in apps.get_app_config("programs").get_models()]
    return {m._meta.label: m.objects.count() for m in models}


def test_loading_twice_changes_nothing(plan):
    before = _row_counts()
    out = StringIO()
    call_command("load_plan", stdout=out)
    assert _row_counts() == before
    assert "已是最新，无需变更" in out.getvalue()
    # History tables are in the counts: no silent re-saves either.
    assert before["programs.HistoricalQuota"] == Quota.objects.count()


def test_changed_file_updates_only_what_changed_and_keeps_history(plan, tmp_path):
    data = json.loads((PLANS_DIR / "qijiang-2019-2021.json").read_text(encoding="utf-8"))
    data["assignments"][2]["quotas"]["2019"] = 550
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = StringIO()
    call_command("load_plan", str(path), stdout=out)
    quota = Quota.objects.get(plan=plan, unit__name="区教委", year=2019)
    assert quota.target == 550
    assert "更新 1 条" in out.getvalue()
    assert [h.target for h in quota.history.order_by("history_date")] == [500, 550]


def test_a_later_plan_is_added_as_data(db, tmp_path):
    later = {
        "plan": {
            "code": "qijiang-2022-2025", "name": "职业技能提升行动（2022—2025年）", "start_year": 2022,
            "end_year": 2025, "yearly_targets": {"2022": 300, "2023": 300, "2024": 300, "2025": 300},
            "indicators": [],
        },
        "units": [{"name": "区教委", "kind": "department"}, {"name": "区数字经济局", "kind": "department"}],
        "assignments": [
            {"order": 1, "unit": "区数字经济局", "cooperating_units": ["区教委"], "duties": "数字技能培训。",
             "quotas": {"2022": 100, "2023": 100, "2024": 100, "2025": 100}},
            {"order": 2, "unit": "区教委", "cooperating_units": [], "duties": "职业院校培训。",
             "quotas": {"2022": 200, "2023": 200, "2024": 200, "2025": 200}},
        ],
    }
    path = tmp_path / "later.json"
    path.write_text(json.dumps(later, ensure_ascii=False), encoding="utf-8")
    call_command("load_plan", str(path), stdout=StringIO())
    new = ActionPlan.objects.get(code="qijiang-2022-2025")
    assert new.years == [2022, 2023, 2024, 2025]
    assert Quota.objects.filter(plan=new).aggregate(s=Sum("target"))["s"] == 1200
    # The earlier plan keeps its own duties and quotas for the same unit.
    old = ActionPlan.objects.get(code="qijiang-2019-2021")
    assert Assignment.objects.get(plan=old, unit__name="区教委").order == 3
    assert Quota.objects.filter(plan=old, unit__name="区教委").aggregate(s=Sum("target"))["s"] == 1800


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda d: d["assignments"][0]["cooperating_units"].append("区不存在局"), "单位“区不存在局”未在 units 中列出"),
        (lambda d: d["assignments"][0]["quotas"].update({"2030": 1}), "指导计划的年度超出 2019—2021"),
        (lambda d: d["assignments"][0]["quotas"].update({"2019": "很多"}), "年度和人次必须是整数"),
        (lambda d: d["plan"]["yearly_targets"].pop("2020"), "年度目标应覆盖 2019—2021 每一年"),
    ],
)
def test_a_broken_plan_file_is_refused_and_changes_nothing(plan, tmp_path, damage, message):
    data = json.loads((PLANS_DIR / "qijiang-2019-2021.json").read_text(encoding="utf-8"))
    damage(data)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    before = _row_counts()
    with pytest.raises(CommandError, match=message):
        call_command("load_plan", str(path), stdout=StringIO())
    assert _row_counts() == before
