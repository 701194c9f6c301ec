"""Demo returns in every state, deadlines caught up on, indicators, and the roll-up (manage.py load_demo).

Runs last (INSTALLED_APPS order), after the demo classes and enrolments exist. Returns follow the
real-name records of each quarter, some declare a little more with an explanation; 2019 and
2020 are approved (a few after being sent back, one reopened and approved again, some late with
leave), 2021 ends with returns still in review, sent back, in draft and missing.
"""

import datetime

from django.contrib.auth.models import Group
from django.db.models import Count
from django.db.models.functions import ExtractQuarter, ExtractYear
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from programs.models import ActionPlan, Assignment
from trainees.models import Enrolment

from . import selectors, services
from .models import (
    DeadlineException, IndicatorValue, QuarterlyReturn, ReturnGroupLine, ReturnTransition, ReturnTypeLine,
    quarter_end,
)

PLAN_CODE = "qijiang-2019-2021"
Status = QuarterlyReturn.Status

# District statistics (illustrative) reaching the 一（二） targets by 2021.
INDICATORS = {
    2019: (412000, 90640, 24470, "区统计局年度统计公报（演示）"),
    2020: (418500, 96255, 27430, "区统计局年度统计公报（演示）"),
    2021: (421000, 102303, 30060, "区统计局年度统计公报（演示）"),
}


def _user(username: str, role: Role, full_name: str, unit=None) -> User:
    """Demo accounts have no usable password: a security admin sets one if anybody needs to sign in."""
    user = User(username=username, full_name=full_name, unit=unit, is_staff=False)
    user.set_unusable_password()
    user.save()
    user.groups.add(Group.objects.get(name=role.label))
    return user


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 30)))


def demo_load(*, rng, faker) -> str:
    plan = ActionPlan.objects.get(code=PLAN_CODE)
    admin = _user("demo_admin", Role.BUREAU_ADMIN, faker.name())
    staff = _user("demo_staff", Role.BUREAU_STAFF, faker.name())
    assignments = list(Assignment.objects.filter(plan=plan).select_related("unit").order_by("order"))
    operators = {
        a.unit_id: _user(f"demo_unit{a.order:02d}", Role.UNIT_OPERATOR, faker.name(), unit=a.unit) for a in assignments
    }
    real_name = {
        (row["training_class__unit_id"], row["year"], row["quarter"]): row["n"]
        for row in Enrolment.objects.filter(status=Enrolment.Status.COMPLETED)
        .annotate(year=ExtractYear("completion_date"), quarter=ExtractQuarter("completion_date"))
        .values("training_class__unit_id", "year", "quarter")
        .annotate(n=Count("id"))
        .order_by()
    }
    counts = {status: 0 for status in Status.values}
    reopened_done = False
    for assignment in assignments:
        unit, operator = assignment.unit, operators[assignment.unit_id]
        for year in plan.years:
            for quarter in (1, 2, 3, 4):
                fate = _fate(rng, year, quarter, assignment.order)
                if fate is None:
                    continue
                actual = real_name.get((unit.pk, year, quarter), 0)
                extra = rng.choice([0, 0, 0, 0, rng.randint(1, max(1, actual // 20))]) if actual else 0
                figures = selectors.real_name_figures(user=staff, unit=unit, year=year, quarter=quarter)
                quarterly_return = QuarterlyReturn.objects.create(
                    plan=plan, unit=unit, year=year, quarter=quarter, person_times=actual + extra,
                    completions=actual, certificates_issued=figures.certificates,
                    explanation="部分学员在市级培训平台登记，实名制信息正在补录。" if extra else "",
                    created_by=operator, created_at=_at(quarter_end(year, quarter), 9),
                )
                groups = dict(figures.by_target_group)
                groups[None] = groups.get(None, 0) + extra
                types = dict(figures.by_training_type)
                if extra:
                    biggest = max(types, key=types.get)
                    types[biggest] += extra
                ReturnGroupLine.objects.bulk_create(
                    ReturnGroupLine(quarterly_return=quarterly_return, target_group_id=k, person_times=v)
                    for k, v in groups.items() if v
                )
                ReturnTypeLine.objects.bulk_create(
                    ReturnTypeLine(quarterly_return=quarterly_return, training_type_id=k, person_times=v)
                    for k, v in types.items() if v
                )
                if fate == "reopened" and not reopened_done:
                    reopened_done = True
                elif fate == "reopened":
                    fate = "approved"
                _history(rng, quarterly_return, fate, operator=operator, staff=staff, actual=actual)
                counts[quarterly_return.status] += 1
    # Catching up: the bureau admin lifts the last quarter's deadline so the late units can still report.
    services.deadline_set(plan=plan, year=plan.end_year, quarter=4, lifted=True, actor=admin)
    for year, (employed, skilled, high, note) in INDICATORS.items():
        if year in plan.years:
            IndicatorValue.objects.create(
                plan=plan, year=year, employed_persons=employed, skilled_workers=skilled,
                high_skilled_workers=high, note=note, updated_by=staff,
            )
    services.progress_rollup(plan=plan)
    summary = "，".join(f"{Status(status).label} {n} 份" for status, n in counts.items())
    return f"统计季报：{summary}；演示账号 {2 + len(operators)} 个（未设密码）；已汇总完成进度"


LAST_QUARTER_FATES = (None, "draft", "submitted", "returned", "approved", "submitted")


def _fate(rng, year: int, quarter: int, order: int) -> str | None:
    """What happened to a unit's return for a quarter (None: not filed at all)."""
    if year < 2021 or quarter <= 2:
        roll = rng.random()
        if roll < 0.05:
            return "late"
        if roll < 0.12:
            return "returned_then_approved"
        if roll < 0.14:
            return "reopened"
        return "approved"
    if quarter == 3:
        return rng.choice(["approved", "approved", "approved", "submitted", "returned", "late"])
    return LAST_QUARTER_FATES[order % len(LAST_QUARTER_FATES)]  # every state is on show


def _history(rng, quarterly_return: QuarterlyReturn, fate: str, *, operator: User, staff: User, actual: int) -> None:
    """Write the transitions that lead to ``fate`` with plausible dates around the quarter's deadline."""
    due = quarter_end(quarterly_return.year, quarterly_return.quarter) + datetime.timedelta(days=10)
    steps: list[tuple[str, str, str, User, str, datetime.datetime]] = []
    submitted = _at(due - datetime.timedelta(days=rng.randint(0, 8)), 10)
    if fate == "draft":
        pass
    elif fate == "late":
        until = due + datetime.timedelta(days=15)
        DeadlineException.objects.create(
            plan=quarterly_return.plan, unit=quarterly_return.unit, year=quarterly_return.year,
            quarter=quarterly_return.quarter, until=until, reason="单位经办人调整，申请延期报送。", granted_by=staff,
            granted_at=_at(due + datetime.timedelta(days=2), 15),
        )
        late_day = _at(due + datetime.timedelta(days=rng.randint(4, 14)), 10)
        steps = [("submit", "draft", "submitted", operator, "", late_day),
                 ("approve", "submitted", "approved", staff, "", late_day + datetime.timedelta(days=2))]
        quarterly_return.submitted_late = True
    else:
        steps.append(("submit", "draft", "submitted", operator, "", submitted))
        when = submitted + datetime.timedelta(days=rng.randint(1, 5))
        if fate in ("returned", "returned_then_approved"):
            steps.append(("return", "submitted", "returned", staff, "按培训类型分的人次与实名制记录不符，请核对后重新报送。", when))
        if fate == "returned_then_approved":
            steps.append(("submit", "returned", "submitted", operator, "", when + datetime.timedelta(days=2)))
            steps.append(("approve", "submitted", "approved", staff, "", when + datetime.timedelta(days=4)))
        if fate in ("approved", "reopened"):
            steps.append(("approve", "submitted", "approved", staff, "", when))
        if fate == "reopened":
            later = when + datetime.timedelta(days=40)
            steps.append(("reopen", "approved", "returned", staff, "审计抽查发现重复登记2人次，请更正。", later))
            steps.append(("submit", "returned", "submitted", operator, "", later + datetime.timedelta(days=3)))
            steps.append(("approve", "submitted", "approved", staff, "", later + datetime.timedelta(days=5)))
    ReturnTransition.objects.bulk_create(
        ReturnTransition(quarterly_return=quarterly_return, sequence=n, action=action, from_status=source,
                         to_status=target, actor=actor, reason=reason, created_at=at)
        for n, (action, source, target, actor, reason, at) in enumerate(steps, start=1)
    )
    if steps:
        quarterly_return.status = steps[-1][2]
        quarterly_return.transition_count = len(steps)
        quarterly_return.real_name_person_times = actual
        quarterly_return.submitted_at = next(at for action, *_, at in reversed(steps) if action == "submit")
        quarterly_return.approved_at = steps[-1][5] if quarterly_return.status == Status.APPROVED else None
        quarterly_return.updated_at = steps[-1][5]
        quarterly_return.save()
