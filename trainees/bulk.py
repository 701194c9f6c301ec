"""Bulk inserts for the roster import, without model instances.

Django's ``bulk_create`` builds a model instance and prepares every value of every row in
Python; for a 50,000-person roster (about 270,000 rows with history, group links and
enrolments) that alone takes longer than reading the workbook. Here each row is a tuple of
plain values (str, int, bool, None, dates and datetimes); the columns the rows do not give
take a constant or the field's default, prepared once.

On PostgreSQL the rows go in with ``COPY … FROM STDIN (FORMAT csv)`` (BENCHMARKS.md: COPY is
the physical limit for loading), primary keys taken from the table's sequence beforehand;
elsewhere with multi-row ``INSERT … VALUES … RETURNING``. Either way the statements run in
the caller's transaction through Django's cursor, so query counters and logs see them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import nullcontext
from typing import Any

from django.db import connection, models
from django.db.models.expressions import RawSQL

ROWS_PER_STATEMENT = 2000


def prepared(model: type[models.Model], attname: str, value: Any) -> Any:
    """``value`` as the database driver should receive it for this field (e.g. a date on SQLite)."""
    field = next(f for f in model._meta.concrete_fields if f.attname == attname)
    return field.get_db_prep_save(value, connection)


def _constant_columns(model, columns: Sequence[str], constants: Mapping[str, Any]) -> tuple[list[str], list[Any]]:
    """Every concrete column not given per row: a constant, or the field's default (prepared once)."""
    meta = model._meta
    fields = {f.attname: f for f in meta.concrete_fields}
    unknown = [name for name in (*columns, *constants) if name not in fields]
    if unknown:
        raise ValueError(f"{meta.label} has no columns {unknown}")
    names: list[str] = []
    values: list[Any] = []
    for attname, field in fields.items():
        if attname in columns:
            continue
        if attname in constants:
            value = constants[attname]
        elif field.primary_key and isinstance(field, models.AutoField):
            continue  # the database numbers the row
        elif field.has_default() or field.null or (field.blank and field.empty_strings_allowed):
            value = field.get_default()
        else:
            raise ValueError(f"{meta.label}.{attname} has no default: give it as a column or a constant")
        names.append(attname)
        values.append(field.get_db_prep_save(value, connection))
    return names, values


def bulk_insert(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    constants: Mapping[str, Any] | None = None,
    returning_pk: bool = False,
) -> list[int]:
    """Insert ``rows`` (tuples in the order of ``columns``, attnames) into ``model``'s table.

    ``constants`` (attname → Python value) apply to every row. Every other concrete field
    except an auto primary key takes its default; a field with neither is a programming
    error and raises ValueError before anything is written. With ``returning_pk`` the new
    rows' primary keys are returned in the order of ``rows``.
    """
    rows = list(rows)
    if not rows:
        return []
    constants = dict(constants or {})
    if connection.vendor == "postgresql":
        return _copy(model, columns, rows, constants, returning_pk)
    return _insert_values(model, columns, rows, constants, returning_pk)


def _insert_values(model, columns, rows, constants, returning_pk: bool) -> list[int]:
    meta = model._meta
    fields = {f.attname: f for f in meta.concrete_fields}
    constant_names, constant_values = _constant_columns(model, columns, constants)
    names = [*columns, *constant_names]
    quote = connection.ops.quote_name
    placeholder = "(" + ", ".join(["%s"] * len(names)) + ")"
    head = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(fields[n].column) for n in names)}) VALUES "
    tail = f" RETURNING {quote(meta.pk.column)}" if returning_pk else ""
    limit = connection.features.max_query_params
    per_statement = ROWS_PER_STATEMENT if not limit else max(1, min(ROWS_PER_STATEMENT, limit // len(names)))
    returned: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            batch = rows[start:start + per_statement]
            params = [value for row in batch for value in (*row, *constant_values)]
            cursor.execute(head + ", ".join([placeholder] * len(batch)) + tail, params)
            if returning_pk:
                returned.extend(value for (value,) in cursor.fetchall())
    return returned


class _CsvStream(io.TextIOBase):
    """The rows as CSV text, produced as COPY reads it (the whole table never sits in memory)."""

    def __init__(self, rows: Iterable[Sequence[Any]], tail: tuple[Any, ...]) -> None:
        self._rows = iter(rows)
        self._tail = tail
        self._buffer = io.StringIO()
        # Strings are quoted, numbers and booleans are not; NULL is "" in a nullable column.
        self._writer = csv.writer(self._buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
        self._pending = ""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> str:
        """Up to ``size`` characters; "" only at the end (COPY reads until then)."""
        if not self._pending:
            chunk = [(*row, *self._tail) for _, row in zip(range(1000), self._rows)]
            if chunk:
                self._buffer.seek(0)
                self._buffer.truncate()
                self._writer.writerows(chunk)
                self._pending = self._buffer.getvalue()
        if size is None or size < 0 or size >= len(self._pending):
            text, self._pending = self._pending, ""
        else:
            text, self._pending = self._pending[:size], self._pending[size:]
        return text


def _copy(model, columns, rows, constants, returning_pk: bool) -> list[int]:
    meta = model._meta
    fields = {f.attname: f for f in meta.concrete_fields}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        pks: list[int] = []
        if returning_pk:
            # Numbers from the table's own sequence, so concurrent inserts never collide.
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(rows)],
            )
            pks = [value for (value,) in cursor.fetchall()]
            columns = [meta.pk.attname, *columns]
            rows = ((pk, *row) for pk, row in zip(pks, rows))
        constant_names, constant_values = _constant_columns(model, columns, constants)
        names = [*columns, *constant_names]
        buffer = _CsvStream(rows, tuple(constant_values))
        nullable = [quote(fields[n].column) for n in names if fields[n].null]
        options = "FORMAT csv" + (f", FORCE_NULL ({', '.join(nullable)})" if nullable else "")
        sql = (
            f"COPY {quote(meta.db_table)} ({', '.join(quote(fields[n].column) for n in names)}) "
            f"FROM STDIN WITH ({options})"
        )

        def copy(sql, params, many, context):
            return cursor.cursor.copy_expert(sql, buffer, size=1 << 20)

        debug = getattr(cursor, "debug_sql", None)
        with debug(sql) if debug else nullcontext(), connection.wrap_database_errors:
            connection.validate_no_broken_transaction()
            cursor._execute_with_wrappers(sql, None, False, copy)
    return pks


def filter_in(queryset: models.QuerySet, field: str, values: Sequence[Any], *, db_type: str) -> Iterator[models.QuerySet]:
    """``queryset`` filtered on ``field`` being one of ``values``, as few queries as the database allows.

    On PostgreSQL that is one query whatever the number of values (they travel as one
    array parameter); elsewhere one per ROWS_PER_STATEMENT values, under SQLite's limit on
    parameters per statement.
    """
    values = list(values)
    if not values:
        return
    if connection.vendor == "postgresql":
        yield queryset.filter(**{f"{field}__in": RawSQL(f"SELECT unnest(%s::{db_type}[])", [values])})
        return
    for start in range(0, len(values), ROWS_PER_STATEMENT):
        yield queryset.filter(**{f"{field}__in": values[start:start + ROWS_PER_STATEMENT]})
