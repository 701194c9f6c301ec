"""The one place that decides which units' data a user may read.

Every read of unit-owned data is built on :func:`scope_to_units`. It fails
closed: an anonymous or inactive user, a user with no role, or a unit operator
not bound to a unit gets an empty queryset.
"""

from django.db.models import QuerySet

ALL_UNITS_PERMISSION = "programs.view_all_units"
OWN_UNIT_PERMISSION = "programs.view_own_unit"


def sees_all_units(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(ALL_UNITS_PERMISSION))


def scope_to_units(queryset: QuerySet, user, *, unit_field: str) -> QuerySet:
    """Restrict ``queryset`` to the rows whose ``unit_field`` the user may see.

    ``unit_field`` is the lookup path from the queryset's model to the owning
    unit's primary key, e.g. ``"pk"`` for units, ``"unit_id"`` for quotas.
    """
    if not (user and user.is_authenticated and user.is_active):
        return queryset.none()
    if user.has_perm(ALL_UNITS_PERMISSION):
        return queryset
    if user.has_perm(OWN_UNIT_PERMISSION) and user.unit_id:
        return queryset.filter(**{unit_field: user.unit_id})
    return queryset.none()
