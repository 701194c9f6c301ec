"""Reading and checking a plan data file (programs/data/plans/*.json).

The file is the attachment table of a notice written as data; see
``qijiang-2019-2021.json`` for 綦江府办发〔2019〕39号.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
import json
from pathlib import Path

from django.core.exceptions import ValidationError

PLANS_DIR = Path(__file__).resolve().parent / "data" / "plans"


@dataclass(frozen=True)
class AssignmentRow:
    order: int
    unit: str
    cooperating_units: tuple[str, ...]
    duties: str
    quotas: dict[int, int]


@dataclass(frozen=True)
class PlanFile:
    plan: dict
    yearly_targets: dict[int, int]
    indicators: list[dict]
    units: list[dict]
    assignments: list[AssignmentRow] = field(default_factory=list)


def plan_file_paths() -> list[Path]:
    return sorted(PLANS_DIR.glob("*.json"))


def _int_map(raw: dict, where: str) -> dict[int, int]:
    try:
        result = {int(year): int(value) for year, value in raw.items()}
    except (TypeError, ValueError, AttributeError):
        raise ValidationError(f"{where}：年度和人次必须是整数。")
    if any(value < 0 for value in result.values()):
        raise ValidationError(f"{where}：人次不能为负数。")
    return result


def plan_file_read(path: Path) -> PlanFile:
    """Parse and check one plan file; any problem raises ValidationError naming the place."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError(f"无法读取计划数据文件 {path}：{exc}")
    try:
        plan = dict(raw["plan"])
        units = list(raw["units"])
        assignments_raw = list(raw["assignments"])
        start, end = int(plan["start_year"]), int(plan["end_year"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ValidationError(f"计划数据文件 {path} 缺少必要内容：{exc}")

    years = set(range(start, end + 1))
    yearly_targets = _int_map(plan.pop("yearly_targets", {}), "年度目标")
    if set(yearly_targets) != years:
        raise ValidationError(f"年度目标应覆盖 {start}—{end} 每一年。")
    indicators = list(plan.pop("indicators", []))
    for indicator in indicators:
        try:
            indicator["target_percent"] = Decimal(str(indicator["target_percent"]))
            indicator["due_date"] = date.fromisoformat(indicator["due_date"])
        except (KeyError, InvalidOperation, ValueError) as exc:
            raise ValidationError(f"目标指标“{indicator.get('name', '')}”数据有误：{exc}")

    known = {unit["name"] for unit in units}
    assignments = []
    for item in assignments_raw:
        where = f"序号{item.get('order')}（{item.get('unit')}）"
        names = [item.get("unit"), *item.get("cooperating_units", [])]
        unknown = [name for name in names if name not in known]
        if unknown:
            raise ValidationError(f"{where}：单位“{'、'.join(map(str, unknown))}”未在 units 中列出。")
        quotas = _int_map(item.get("quotas", {}), where)
        if not set(quotas) <= years:
            raise ValidationError(f"{where}：指导计划的年度超出 {start}—{end}。")
        assignments.append(
            AssignmentRow(
                order=int(item["order"]),
                unit=item["unit"],
                cooperating_units=tuple(item.get("cooperating_units", [])),
                duties=item.get("duties", ""),
                quotas=quotas,
            )
        )
    return PlanFile(plan=plan, yearly_targets=yearly_targets, indicators=indicators, units=units, assignments=assignments)
