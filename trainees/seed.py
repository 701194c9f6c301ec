"""Reference data of the registry: the target groups of DOMAIN.md with their policy flags."""

import json
from pathlib import Path

from django.db import transaction

from programs.seeding import SeedResult, upsert_row

from .models import TargetGroup

TARGET_GROUPS = Path(__file__).resolve().parent / "data" / "target_groups.json"
FLAGS = ("free_training", "living_allowance", "work_based_training")


@transaction.atomic
def target_groups_load() -> SeedResult:
    """Seed 重点群体 (二, 四（一）); the flags drive the subsidy rules of 四（一）."""
    result = SeedResult(label="人员类别")
    groups: dict[str, TargetGroup] = {}
    for position, item in enumerate(json.loads(TARGET_GROUPS.read_text(encoding="utf-8")), start=1):
        values = {flag: item.get(flag, False) for flag in FLAGS}
        values |= {"name": item["name"], "position": position, "parent": groups.get(item.get("parent"))}
        groups[item["code"]] = upsert_row(TargetGroup, result, {"code": item["code"]}, values)
    return result


def seed_load() -> list[SeedResult]:
    return [target_groups_load()]
