"""Policy as data: the seeded standards, parameters, fund sources and holidays."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from subsidies import selectors, services
from subsidies.models import FundSource, PolicyParameter, PublicHoliday, SubsidyStandard
from subsidies.seed import holiday_rows

pytestmark = pytest.mark.django_db


def test_parameters_from_the_notice_are_in_force():
    values = selectors.policy_values_on(datetime.date(2019, 3, 4))
    assert values.annual_cap == 3
    assert values.apprenticeship_minimum == Decimal("4000.00")
    assert values.work_based_max_months == 6
    assert values.advance_ratio == Decimal("0.50")
    assert (values.min_age, values.retirement_age_male, values.district_name) == (16, 60, "綦江")
    assert selectors.policy_parameter_on("notice_working_days", datetime.date(2020, 1, 1)) == 5


def test_the_four_fund_sources_start_empty():
    assert list(FundSource.objects.values_list("name", "balance")) == [
        ("就业补助资金", 0), ("失业保险基金结余", 0), ("地方人才经费", 0), ("行业产业发展经费", 0)
    ]


def test_standards_are_seeded_for_every_type_except_the_per_day_living_allowance():
    types = set(SubsidyStandard.objects.values_list("subsidy_type", flat=True))
    assert types == {"training", "project", "insured_upgrade", "apprenticeship", "work_based"}
    standard = selectors.standard_in_force(
        subsidy_type="apprenticeship", programme_id=0, level_id=0, day=datetime.date(2020, 1, 1)
    )
    assert standard.amount == Decimal("4000.00") and standard.basis == "per_year"


def test_a_programme_standard_wins_over_the_level_standard(world, bureau_admin):
    klass = world.klass
    services.policy_row_save(
        obj=SubsidyStandard(subsidy_type="training", programme=klass.programme, amount=Decimal("1800.00"),
                            valid_from=datetime.date(2019, 1, 1)),
        actor=bureau_admin,
    )
    claim = services.claim_create(training_class=klass, subsidy_type="training", actor=world.applicant)
    assert claim.total == Decimal("5400.00")


def test_holidays_of_2019_to_2025_with_make_up_working_days():
    assert PublicHoliday.objects.get(date=datetime.date(2019, 10, 1)).name == "国庆节"
    assert PublicHoliday.objects.get(date=datetime.date(2019, 9, 29)).kind == "workday"
    assert PublicHoliday.objects.get(date=datetime.date(2020, 2, 2)).kind == "holiday"  # the extended spring festival
    assert PublicHoliday.objects.filter(date__year=2021, kind="holiday").count() == 3 + 7 + 3 + 5 + 3 + 3 + 7
    assert PublicHoliday.objects.count() == len(holiday_rows())
    assert {d.year for d in PublicHoliday.objects.values_list("date", flat=True)} == set(range(2018, 2026))


def test_loading_again_changes_nothing_and_keeps_the_bureaus_edits(bureau_admin):
    parameter = PolicyParameter.objects.get(code="spot_check_rate")
    parameter.value = "0.20"
    services.policy_row_save(obj=parameter, actor=bureau_admin)
    PublicHoliday.objects.filter(date=datetime.date(2019, 10, 1)).update(name="国庆")
    out = StringIO()
    call_command("load_reference_data", stdout=out)
    assert "“补贴标准与政策参数”已是最新，无需变更。" in out.getvalue()
    assert "“节假日安排”已是最新，无需变更。" in out.getvalue()
    assert PolicyParameter.objects.get(code="spot_check_rate").value == "0.20"
    assert PublicHoliday.objects.get(date=datetime.date(2019, 10, 1)).name == "国庆"


def test_parameter_values_are_validated():
    for code, value, message in [
        ("annual_cap", "2.5", "应填写整数"), ("advance_ratio", "1.5", "不能大于 1"), ("annual_cap", "x", "应填写数字"),
        ("district_name", " ", "不能为空"),
    ]:
        with pytest.raises(ValidationError, match=message):
            PolicyParameter(code=code, value=value, valid_from=datetime.date(2030, 1, 1)).full_clean()


def test_only_bureau_admins_change_the_policy(bureau_staff, finance):
    parameter = PolicyParameter.objects.get(code="annual_cap")
    parameter.value = "4"
    for user in (bureau_staff, finance):
        with pytest.raises(PermissionDenied, match="只有局管理员可以修改补贴标准"):
            services.policy_row_save(obj=parameter, actor=user)
    assert PolicyParameter.objects.get(code="annual_cap").value == "3"


def test_a_new_parameter_value_applies_from_its_date(bureau_admin):
    old = PolicyParameter.objects.get(code="annual_cap")
    old.valid_to = datetime.date(2020, 12, 31)
    services.policy_row_save(obj=old, actor=bureau_admin)
    services.policy_row_save(
        obj=PolicyParameter(code="annual_cap", value="4", valid_from=datetime.date(2021, 1, 1)), actor=bureau_admin
    )
    assert selectors.policy_values_on(datetime.date(2020, 6, 1)).annual_cap == 3
    assert selectors.policy_values_on(datetime.date(2021, 6, 1)).annual_cap == 4
