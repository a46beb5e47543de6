"""Querysets compiled to SQL once and then run many times, for the few paths every request takes.

Django compiles a queryset to SQL each time it is evaluated. For the personal-token lookup that every API call
makes (a token with its user, account and person: four tables) compiling cost about 1 ms of CPU per request,
several times what the database spent answering, and it is the same SQL every time but for one value.

A `CompiledQuery` builds its queryset once per database alias with a placeholder value for each parameter,
compiles it, remembers where the placeholders landed among the SQL parameters, and from then on only executes
the SQL with the real values. The rows become the same model instances Django would build (the queryset's
`select_related` objects included) with the same database converters applied (decrypted fields, SQLite's
dates), through Django's own row populators. It runs on the request's connection and cursor wrapper, so
transactions, query logging and `CaptureQueriesContext` see it as any other query.

Only querysets whose SQL does not depend on the values can be compiled this way: plain equality on non-null
values (a None would compile to IS NULL), no annotations. Compiling checks that every placeholder appears exactly
once among the parameters, so a queryset that inlines or drops a value fails loudly the first time it is used.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

M = TypeVar("M", bound=Model)

_serial = itertools.count(1)


def _placeholder(kind: type, name: str) -> Any:
    # Values no real call would pass, distinct for every parameter of every compiled query.
    serial = next(_serial)
    if kind is str:
        return f"\x00compiled:{name}:{serial}\x00"
    if kind is int:
        return -(2**62) - serial
    raise TypeError(f"CompiledQuery parameters are str or int, not {kind!r} ({name})")


@dataclass(frozen=True)
class _Plan:
    sql: str
    params: tuple[Any, ...]
    slots: dict[str, int]  # parameter name -> index in params
    converters: dict[int, tuple[list[Any], Any]]
    model: type[Model]
    init_list: list[str]
    fields_start: int
    fields_end: int
    populators: list[Any]


class CompiledQuery(Generic[M]):
    """`build(**placeholders)` returns the queryset; `run(**values)` its objects for those values.

    `parameters` names each value and its type (str or int), e.g.
    `CompiledQuery(lambda token_hash: ApiToken.objects.filter(token_hash=token_hash), token_hash=str)`.
    """

    def __init__(self, build: Callable[..., QuerySet[M]], **parameters: type) -> None:
        self._build = build
        self._parameters = parameters
        self._plans: dict[str, _Plan] = {}
        self._lock = threading.Lock()

    def run(self, using: str = DEFAULT_DB_ALIAS, **values: Any) -> list[M]:
        plan = self._plan(using)
        params = list(plan.params)
        for name, slot in plan.slots.items():
            value = values[name]
            if value is None:
                raise ValueError(f"CompiledQuery: {name} is None; it would need IS NULL, another query")
            params[slot] = value
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, params)
            rows = cursor.fetchall()
        return [self._instance(plan, self._converted(plan, row, connection), using) for row in rows]

    def first(self, using: str = DEFAULT_DB_ALIAS, **values: Any) -> M | None:
        found = self.run(using, **values)
        return found[0] if found else None

    def _plan(self, using: str) -> _Plan:
        plan = self._plans.get(using)
        if plan is None:
            with self._lock:
                plan = self._plans.get(using) or self._compile(using)
                self._plans[using] = plan
        return plan

    def _compile(self, using: str) -> _Plan:
        placeholders = {name: _placeholder(kind, name) for name, kind in self._parameters.items()}
        queryset = self._build(**placeholders)
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots = {}
        for name, placeholder in placeholders.items():
            found = [i for i, p in enumerate(params) if type(p) is type(placeholder) and p == placeholder]
            if len(found) != 1:
                raise ValueError(f"CompiledQuery: {name} appears {len(found)} times among the SQL parameters")
            slots[name] = found[0]
        if compiler.annotation_col_map:
            raise ValueError("CompiledQuery does not support annotations")
        select, klass_info = compiler.select, compiler.klass_info
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        return _Plan(
            sql=sql,
            params=tuple(params),
            slots=slots,
            converters=compiler.get_converters([column for column, _sql, _alias in select]),
            model=klass_info["model"],
            init_list=[column.target.attname for column, _sql, _alias in select[start:end]],
            fields_start=start,
            fields_end=end,
            populators=get_related_populators(klass_info, select, using),  # type: ignore[call-arg]  # stubs: Django 6
        )

    @staticmethod
    def _converted(plan: _Plan, row: tuple[Any, ...], connection: Any) -> list[Any]:
        values = list(row)
        for position, (converters, expression) in plan.converters.items():
            value = values[position]
            for converter in converters:
                value = converter(value, expression, connection)
            values[position] = value
        return values

    @staticmethod
    def _instance(plan: _Plan, row: list[Any], using: str) -> Any:
        obj = plan.model.from_db(using, plan.init_list, row[plan.fields_start : plan.fields_end])
        for populator in plan.populators:
            populator.populate(row, obj)
        return obj


class CompiledInsert(Generic[M]):
    """INSERT of one new instance of `model`, its SQL built once per database alias.

    What `Model.objects.create` writes (every concrete column, `pre_save` filling auto_now_add and the like, values
    prepared by their fields), without compiling the statement on every call. No signals are sent: the project
    writes through services, not signals (STYLE.md).
    """

    def __init__(self, model: type[M]) -> None:
        self._model = model
        self._sql: dict[str, str] = {}
        pk = model._meta.pk
        assert pk is not None
        self._pk = pk
        self._fields = [
            f for f in model._meta.concrete_fields if f is not pk or not getattr(f, "db_returning", False)
        ]
        self._plain_tests: dict[str, list[Callable[[Any], bool]]] = {}

    def save(self, obj: M, using: str = DEFAULT_DB_ALIAS) -> M:
        connection = connections[using]
        values = self.prepared(obj, connection)
        returning = connection.features.can_return_columns_from_insert
        with connection.cursor() as cursor:
            cursor.execute(self._statement(using, connection, returning), values)
            pk = (
                cursor.fetchone()[0]
                if returning
                else connection.ops.last_insert_id(cursor, self._model._meta.db_table, str(self._pk.column))
            )
        return self.saved(obj, pk, using)

    def prepared(self, obj: M, connection: Any) -> list[Any]:
        """The values `save` would write, in the order of `columns`, for a caller writing its own INSERT."""
        values = []
        for field, plain in zip(self._fields, self._plain(connection), strict=True):
            value = field.pre_save(obj, True)
            values.append(value if plain(value) else field.get_db_prep_save(value, connection))
        return values

    def _plain(self, connection: Any) -> list[Callable[[Any], bool]]:
        tests = self._plain_tests.get(connection.vendor)
        if tests is None:
            tests = self._plain_tests[connection.vendor] = [_plain_test(f, connection) for f in self._fields]
        return tests

    def columns(self, connection: Any) -> list[tuple[str, str]]:
        """(quoted column, the type to CAST its value to) in the order of `prepared`: character columns as
        text, so that a value too long for its column fails as in a plain INSERT instead of being cut."""
        quote = connection.ops.quote_name
        return [
            (
                quote(f.column),
                "text" if f.get_internal_type() in ("CharField", "TextField") else str(f.db_type(connection)),
            )
            for f in self._fields
        ]

    def saved(self, obj: M, pk: Any, using: str = DEFAULT_DB_ALIAS) -> M:
        """`obj` as `save` leaves it, once a caller's own INSERT stored it as `pk`."""
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = using
        return obj

    def _statement(self, using: str, connection: Any, returning: bool) -> str:
        sql = self._sql.get(using)
        if sql is None:
            quote = connection.ops.quote_name
            columns = ", ".join(quote(f.column) for f in self._fields)
            sql = (
                f"INSERT INTO {quote(self._model._meta.db_table)} ({columns}) "
                f"VALUES ({', '.join(['%s'] * len(self._fields))})"
            )
            if returning:
                sql += f" RETURNING {quote(self._pk.column)}"
            self._sql[using] = sql
        return sql


def _never(value: Any) -> bool:
    return False


def _plain_test(field: Any, connection: Any) -> Callable[[Any], bool]:
    """Which values `field` would write exactly as given: preparing each value through Django's fields cost more
    than the rest of a small insert (5-9 µs for a date-time, a foreign key or even a None). Only the stock field
    classes, only the value types their preparation returns unchanged; anything else goes through
    `get_db_prep_save` (test_compiled holds the two equal)."""
    kind = type(field.target_field if field.is_relation else field)
    if kind in (models.CharField, models.TextField):
        plain: tuple[type, ...] = (str,)
    elif kind is models.BooleanField:
        plain = (bool,)
    elif kind in (models.IntegerField, models.BigIntegerField, models.AutoField, models.BigAutoField):
        plain = (int,)
    elif kind is models.DateTimeField and connection.vendor == "postgresql":
        # PostgreSQL takes an aware datetime as it is (a naive one is made aware, with a warning, by Django).
        return lambda v: v is None or (type(v) is dt.datetime and v.tzinfo is not None)
    else:
        return _never
    return lambda v: v is None or type(v) in plain
