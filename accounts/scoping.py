"""The one place that decides which units' and institutions' data a user may read.

Every read of unit-owned data is built on :func:`scope_to_units`. It fails
closed: an anonymous or inactive user, a user with no role, a unit operator not
bound to a unit, or an institution operator not bound to an institution (or
reading something that has no institution path) gets an empty queryset.
"""

from collections.abc import Sequence

from django.db.models import Q, QuerySet

ALL_UNITS_PERMISSION = "programs.view_all_units"
OWN_UNIT_PERMISSION = "programs.view_own_unit"
OWN_INSTITUTION_PERMISSION = "programs.view_own_institution"

Paths = str | Sequence[str] | None


def sees_all_units(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(ALL_UNITS_PERMISSION))


def _as_list(paths: Paths) -> list[str]:
    if not paths:
        return []
    return [paths] if isinstance(paths, str) else list(paths)


def _crosses_to_many(model, path: str) -> bool:
    for part in path.split("__")[:-1]:
        field = model._meta.get_field(part)
        if field.many_to_many or field.one_to_many:
            return True
        model = field.related_model
    return False


def scope_to_units(queryset: QuerySet, user, *, unit_field: Paths, institution_field: Paths = None) -> QuerySet:
    """Restrict ``queryset`` to the rows the user may see.

    ``unit_field`` is the lookup path (or several, any of which grants access)
    from the queryset's model to the owning unit's primary key, e.g. ``"pk"`` for
    units, ``"unit_id"`` for quotas. ``institution_field`` is the same for the
    owning institution; without it institution operators see nothing.
    """
    if not (user and user.is_authenticated and user.is_active):
        return queryset.none()
    if user.has_perm(ALL_UNITS_PERMISSION):
        return queryset
    paths: list[str] = []
    if user.has_perm(OWN_UNIT_PERMISSION) and user.unit_id:
        paths, value = _as_list(unit_field), user.unit_id
    elif user.has_perm(OWN_INSTITUTION_PERMISSION) and user.institution_id:
        paths, value = _as_list(institution_field), user.institution_id
    if not paths:
        return queryset.none()
    condition = Q()
    for path in paths:
        condition |= Q(**{path: value})
    if any(_crosses_to_many(queryset.model, path) for path in paths):
        # A path through a to-many relation would repeat rows; select by primary key instead.
        return queryset.filter(pk__in=queryset.model._base_manager.filter(condition).values("pk"))
    return queryset.filter(condition)
