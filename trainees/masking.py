"""Masking of personal data for screens, public lists and exports (one import place)."""

from __future__ import annotations

from trainees.idnumbers import mask_id_number
from trainees.phones import mask_mobile

__all__ = ["mask_id_number", "mask_mobile", "mask_name"]


def mask_name(name: str) -> str:
    """Keep the first and last character: 张三 → 张*, 张小三 → 张*三, 欧阳小明 → 欧**明."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
