import pytest

from reports import services
from reports.tests.factories import plan_2019


@pytest.fixture
def plan(db):
    return plan_2019()


@pytest.fixture
def deadlines_lifted(plan, bureau_admin):
    """The 2019–2021 plan lies in the past: lift its deadlines as a bureau admin would to catch up."""
    services.plan_deadlines_set(plan=plan, actor=bureau_admin, lifted=True)
    return plan
