"""Reference data of the programs app: the plan files and the catalogs (五（二） 目录清单)."""

import json
from pathlib import Path

from django.db import transaction

from .models import CertificateType, Occupation, SkillLevel, TrainingType
from .plan_files import plan_file_paths, plan_file_read
from .seeding import SeedResult, upsert_row
from .services import plan_load

CATALOGS = Path(__file__).resolve().parent / "data" / "catalogs.json"


@transaction.atomic
def catalogs_load() -> SeedResult:
    """Seed the trades (二（四）), skill levels, training types and certificate types (四（二））.

    Rows the bureau added later are kept; seeded rows are created or corrected.
    """
    data = json.loads(CATALOGS.read_text(encoding="utf-8"))
    result = SeedResult(label="目录清单")
    for item in data["occupations"]:
        upsert_row(Occupation, result, {"name": item["name"]}, {"is_featured": item.get("featured", False)})
    for item in data["skill_levels"]:
        upsert_row(SkillLevel, result, {"code": item["code"]}, {"name": item["name"], "rank": item["rank"]})
    for position, item in enumerate(data["training_types"], start=1):
        upsert_row(TrainingType, result, {"code": item["code"]}, {"name": item["name"], "position": position})
    for position, item in enumerate(data["certificate_types"], start=1):
        upsert_row(CertificateType, result, {"code": item["code"]}, {"name": item["name"], "position": position})
    return result


def seed_load() -> list[SeedResult]:
    return [plan_load(data=plan_file_read(path)) for path in plan_file_paths()] + [catalogs_load()]
