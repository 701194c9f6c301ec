"""Reference data of the subsidies app: standards, policy parameters, fund sources, holidays.

Figures the notice fixes are seeded from it (3 a year, 4,000 yuan, 6 months, 50%, the four
fund sources); the amounts per level, the living allowance per day, the notice length and the
spot-check rate are the bureau's to set (四（二） "调整享受职业培训补贴标准") and are seeded as
starting values it edits in the admin. Seeded rows are created once (keyed by ``seed_key``
or by date) and never overwritten, so loading again keeps every change the bureau made.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from programs.models import SkillLevel
from programs.seeding import SeedResult, upsert_row

from .models import FundSource, PolicyParameter, PublicHoliday, SubsidyStandard, SubsidyType

HOLIDAYS = Path(__file__).resolve().parent / "data" / "holidays.json"
POLICY_START = date(2019, 1, 1)
NOTICE = "綦江府办发〔2019〕39号"
STARTING_VALUE = "初始标准，区人力社保局按市级规定核定后可调整"

PARAMETERS = [
    ("annual_cap", "3", f"{NOTICE} 四（二）：每人每年可享受不超过3次"),
    ("apprenticeship_minimum", "4000.00", f"{NOTICE} 四（一）：每人每年4000元以上"),
    ("work_based_max_months", "6", f"{NOTICE} 四（一）：最长不超过6个月"),
    ("advance_ratio", "0.50", f"{NOTICE} 四（二）：可先拨付50%的补贴资金"),
    ("living_allowance_per_day", "30.00", STARTING_VALUE),
    ("notice_working_days", "5", "补贴申领公示5个工作日"),
    ("spot_check_rate", "0.10", f"{NOTICE} 四（四）：加强监督检查，按比例随机抽查"),
    ("min_age", "16", "《劳动法》第十五条：禁止招用未满十六周岁的未成年人"),
    ("retirement_age_male", "60", "国发〔1978〕104号：男年满60周岁"),
    ("retirement_age_female", "55", "国发〔1978〕104号：女干部年满55周岁、女工人年满50周岁，取较高者避免误报"),
    ("district_name", "綦江", "户籍地、常住地含此名称即视为在本区"),
]

LEVEL_AMOUNTS = {
    "special": "600.00",
    "level-5": "1000.00",
    "level-4": "1500.00",
    "level-3": "2000.00",
    "level-2": "3000.00",
    "level-1": "4000.00",
}
# 人社部发〔2017〕40号: 参保职工技能提升补贴 初级1000、中级1500、高级2000元.
INSURED_UPGRADE_AMOUNTS = {"level-5": "1000.00", "level-4": "1500.00", "level-3": "2000.00"}

FUND_SOURCES = [
    ("employment-subsidy", "就业补助资金"),
    ("unemployment-insurance-surplus", "失业保险基金结余"),
    ("local-talent", "地方人才经费"),
    ("industry-development", "行业产业发展经费"),
]


def _create_missing(model, result: SeedResult, lookup: dict, values: dict):
    """Create the row when it is missing; an existing row (maybe edited by the bureau) is kept as it is."""
    obj = model.objects.filter(**lookup).first()
    if obj is not None:
        return obj
    return upsert_row(model, result, lookup, values)


@transaction.atomic
def policy_load() -> SeedResult:
    result = SeedResult(label="补贴标准与政策参数")
    for code, value, note in PARAMETERS:
        _create_missing(
            PolicyParameter, result, {"seed_key": f"param-{code}"},
            {"code": code, "value": value, "valid_from": POLICY_START, "note": note},
        )
    levels = {level.code: level for level in SkillLevel.objects.all()}
    per_level = [
        (SubsidyType.TRAINING, LEVEL_AMOUNTS),
        (SubsidyType.PROJECT, LEVEL_AMOUNTS),
        (SubsidyType.INSURED_UPGRADE, INSURED_UPGRADE_AMOUNTS),
    ]
    for subsidy_type, amounts in per_level:
        for level_code, amount in amounts.items():
            if level_code not in levels:
                continue
            _create_missing(
                SubsidyStandard, result, {"seed_key": f"standard-{subsidy_type}-{level_code}"},
                {
                    "subsidy_type": subsidy_type, "level": levels[level_code], "amount": Decimal(amount),
                    "basis": SubsidyStandard.Basis.PER_PERSON, "valid_from": POLICY_START, "note": STARTING_VALUE,
                },
            )
    _create_missing(
        SubsidyStandard, result, {"seed_key": "standard-apprenticeship"},
        {
            "subsidy_type": SubsidyType.APPRENTICESHIP, "amount": Decimal("4000.00"),
            "basis": SubsidyStandard.Basis.PER_YEAR, "valid_from": POLICY_START, "note": f"{NOTICE} 四（一）",
        },
    )
    _create_missing(
        SubsidyStandard, result, {"seed_key": "standard-work-based"},
        {
            "subsidy_type": SubsidyType.WORK_BASED, "amount": Decimal("500.00"),
            "basis": SubsidyStandard.Basis.PER_MONTH, "valid_from": POLICY_START, "note": STARTING_VALUE,
        },
    )
    return result


@transaction.atomic
def fund_sources_load() -> SeedResult:
    """四（三）: the four sources pooled into the special ledger; balances start at zero."""
    result = SeedResult(label="资金来源")
    for position, (code, name) in enumerate(FUND_SOURCES, start=1):
        _create_missing(FundSource, result, {"code": code}, {"name": name, "position": position})
    return result


def holiday_rows() -> list[tuple[date, str, str]]:
    """(date, kind, name) for every day off and every 调休 working day in the data file."""
    data = json.loads(HOLIDAYS.read_text(encoding="utf-8"))
    rows: list[tuple[date, str, str]] = []
    for entries in data["years"].values():
        for name, first, last, workdays in entries:
            day, end = date.fromisoformat(first), date.fromisoformat(last)
            while day <= end:
                rows.append((day, PublicHoliday.Kind.HOLIDAY, name))
                day += timedelta(days=1)
            rows.extend((date.fromisoformat(w), PublicHoliday.Kind.WORKDAY, name) for w in workdays)
    return rows


@transaction.atomic
def holidays_load() -> SeedResult:
    result = SeedResult(label="节假日安排")
    existing = set(PublicHoliday.objects.values_list("date", flat=True))
    for day, kind, name in holiday_rows():
        if day not in existing:
            upsert_row(PublicHoliday, result, {"date": day}, {"kind": kind, "name": name})
    return result


def seed_load() -> list[SeedResult]:
    return [policy_load(), fund_sources_load(), holidays_load()]
