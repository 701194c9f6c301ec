"""Template filters for the subsidy pages: masked ID numbers and amounts in yuan."""

from decimal import Decimal

from django import template

from subsidies import policy
from trainees.masking import mask_id_number, mask_name

register = template.Library()


@register.filter
def masked_id(value: str) -> str:
    return mask_id_number(value or "")


@register.filter
def masked_name(value: str) -> str:
    return mask_name(value or "")


@register.filter
def yuan(value) -> str:
    """1200 → 1,200.00"""
    if value in (None, ""):
        return ""
    return policy.yuan(Decimal(value))


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
