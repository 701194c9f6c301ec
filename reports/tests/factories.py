"""Helpers to put returns and real-name records in place for tests (states written directly)."""

import datetime

from django.utils import timezone

from programs.models import ActionPlan, TrainingType, Unit
from programs.tests.factories import TrainingClassFactory
from reports.models import QuarterlyReturn, ReturnGroupLine, ReturnTransition, ReturnTypeLine
from trainees.models import Enrolment
from trainees.tests.factories import EnrolmentFactory


def plan_2019() -> ActionPlan:
    return ActionPlan.objects.get(code="qijiang-2019-2021")


def make_return(
    unit: Unit, year: int = 2019, quarter: int = 1, person_times: int = 100, *,
    status: str = QuarterlyReturn.Status.DRAFT, plan: ActionPlan | None = None, explanation: str = "",
    real_name: int | None = None,
) -> QuarterlyReturn:
    """A consistent return (breakdowns add up) in the given state, with the transitions that lead there."""
    plan = plan or plan_2019()
    quarterly_return = QuarterlyReturn.objects.create(
        plan=plan, unit=unit, year=year, quarter=quarter, person_times=person_times,
        completions=person_times, certificates_issued=0, explanation=explanation, status=QuarterlyReturn.Status.DRAFT,
    )
    ReturnGroupLine.objects.create(quarterly_return=quarterly_return, target_group=None, person_times=person_times)
    ReturnTypeLine.objects.create(
        quarterly_return=quarterly_return, training_type=TrainingType.objects.get(code="employment-skills"),
        person_times=person_times,
    )
    path = {
        QuarterlyReturn.Status.DRAFT: [],
        QuarterlyReturn.Status.SUBMITTED: [("submit", "draft", "submitted")],
        QuarterlyReturn.Status.APPROVED: [("submit", "draft", "submitted"), ("approve", "submitted", "approved")],
        QuarterlyReturn.Status.RETURNED: [("submit", "draft", "submitted"), ("return", "submitted", "returned")],
    }[status]
    for sequence, (action, source, target) in enumerate(path, start=1):
        ReturnTransition.objects.create(
            quarterly_return=quarterly_return, sequence=sequence, action=action, from_status=source, to_status=target,
            reason="退回" if action == "return" else "",
        )
    if path:
        quarterly_return.status = status
        quarterly_return.transition_count = len(path)
        quarterly_return.submitted_at = timezone.now()
        quarterly_return.real_name_person_times = person_times if real_name is None else real_name
        if status == QuarterlyReturn.Status.APPROVED:
            quarterly_return.approved_at = timezone.now()
        quarterly_return.save()
    return quarterly_return


def completed_enrolments(unit: Unit, completion_date: datetime.date, count: int, **class_kwargs) -> list[Enrolment]:
    """``count`` completed enrolments in one class of the unit, finishing on ``completion_date``."""
    training_class = TrainingClassFactory(
        unit=unit, start_date=completion_date - datetime.timedelta(days=20), end_date=completion_date, **class_kwargs
    )
    return [
        EnrolmentFactory(training_class=training_class, status=Enrolment.Status.COMPLETED, completion_date=completion_date)
        for _ in range(count)
    ]
