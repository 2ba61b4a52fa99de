"""Hot statements: Core statements a busy path runs on every request, executed on the session's
own DBAPI connection with SQLAlchemy's compiled SQL and type processors, without its
execution machinery.

Measured on this project's machines, SQLAlchemy's per-statement machinery (execution context,
result object, event dispatch) costs ~50 µs a statement on SQLite and ~85 µs on PostgreSQL, and
an ORM query another 50–110 µs on top — more than the statements themselves on SQLite
(~4 µs). The kiosk's card read runs 6 to 11 statements, so that machinery was most of its time
(tests/bench/bench_signin.py). A `Hot` statement keeps what matters of SQLAlchemy: the SQL its
compiler writes for each dialect (FOR UPDATE, ON CONFLICT, RETURNING, expanding IN), the bind
and result processors of the column types, the session's transaction and connection (SQLite's
BEGIN IMMEDIATE and writer gate included), autoflush, `before_cursor_execute` listeners, and
its exception classes. What it gives up is a Result object: rows come back as tuples.

`adopt()` turns a row into the session's ORM object without a query, so the rules that take
ORM objects (shifts.operations.sign_locked and the rest) work on hot reads unchanged.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import event, exc, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_state
from sqlalchemy.sql import ClauseElement

from ..extensions import db


class _Plan(NamedTuple):
    compiled: Any
    positional: bool
    expands: bool  # an expanding IN: the SQL is written anew for each parameter set
    bind_processors: dict
    result_types: list  # the TypeEngine of each result column ([] for no rows)
    result_processors: list  # filled at the first execution (they need cursor.description)


class Hot:
    """A statement built once and run many times: `rows(params)`, `first()`, `scalar()`.

    `statement` is a Core statement, or a mapping of dialect name to statement for SQL the
    dialects spell differently. An INSERT or UPDATE without .values() takes its columns from
    the parameters' keys, and every column with a Python-side default must be given: a hot
    statement does not run column defaults (the plan refuses to build without them)."""

    def __init__(self, statement: ClauseElement | Mapping[str, ClauseElement]):
        self._statements = statement if isinstance(statement, Mapping) else None
        self._statement = None if isinstance(statement, Mapping) else statement
        self._plans: dict[tuple, _Plan] = {}

    def _plan(self, dialect, keys: tuple[str, ...]) -> _Plan:
        statement = self._statement if self._statements is None \
            else self._statements[dialect.name]
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
        defaults = [c.key for c in (*compiled.insert_prefetch, *compiled.update_prefetch)]
        if defaults:
            raise ValueError(f"hot statement needs explicit values for {', '.join(defaults)}")
        types = [entry.type for entry in compiled._result_columns]
        expands = bool(compiled.post_compile_params or compiled.literal_execute_params)
        processors = {name: fn for name, fn in compiled._bind_processors.items()
                      if callable(fn)}
        plan = _Plan(compiled, bool(compiled.positional), expands, processors, types, [])
        self._plans[(dialect.name, keys)] = plan
        return plan

    def rows(self, params: Mapping[str, Any] | None = None, *, connection=None
             ) -> list[tuple]:
        """Run it in the session's transaction, or on `connection`: a SQLAlchemy Connection,
        or a pooled DBAPI connection (engine.raw_connection(), as core.db.read_apart gives).
        The result rows as tuples (none for DML without RETURNING)."""
        params = params or {}
        if connection is None:
            session = db.session()  # the request's own session, not its scoped proxy
            session.flush()  # as an ORM query would autoflush: pending objects count
            connection = session.info.get(_CONNECTION)
            if connection is None or connection.invalidated:
                connection = session.info[_CONNECTION] = session.connection()
        if isinstance(connection, Connection):
            pooled, dialect, listened = connection.connection, connection.dialect, connection
            dispatch = connection.dispatch \
                if connection._has_events or connection.engine._has_events else None
        else:  # a pooled DBAPI connection: listeners get no Connection
            engine = db.engine
            pooled, dialect, listened = connection, engine.dialect, None
            dispatch = engine.dispatch if engine._has_events else None
        keys = tuple(params)
        plan = self._plans.get((dialect.name, keys)) or self._plan(dialect, keys)
        compiled, processors = plan.compiled, plan.bind_processors
        if plan.expands:
            state = compiled.construct_expanded_state(params)
            sql, values, order = state.statement, state.parameters, state.positiontup
            processors = {**processors, **state.processors}
        else:
            sql, values, order = compiled.string, compiled.construct_params(params), \
                compiled.positiontup
        if plan.positional:
            args = tuple(processors[name](values[name]) if name in processors else values[name]
                         for name in order)
        else:
            args = {name: processors[name](value) if name in processors else value
                    for name, value in values.items()}
        cursor = _cursor(pooled)
        try:
            if dispatch is not None:
                dispatch.before_cursor_execute(listened, cursor, sql, args, None, False)
            cursor.execute(sql, args)
            # Rows only where the SQL returns them (SELECT, RETURNING): psycopg builds the
            # cursor's description anew on each access, a column object per column.
            found = cursor.fetchall() if plan.result_types else []
            if found and not plan.result_processors:
                plan.result_processors.extend(
                    kind._cached_result_processor(dialect, column[1])
                    for kind, column in zip(plan.result_types, cursor.description, strict=True))
        except BaseException as error:
            _drop_cursor(pooled)
            if isinstance(error, dialect.loaded_dbapi.Error):
                # The same exception classes as a statement run through SQLAlchemy.
                raise exc.DBAPIError.instance(sql, args, error, dialect.loaded_dbapi.Error,
                                              dialect=dialect) from error
            raise
        if not any(plan.result_processors):
            return found
        convert = plan.result_processors
        return [tuple(value if fn is None else fn(value)
                      for fn, value in zip(convert, row, strict=True)) for row in found]

    def first(self, params: Mapping[str, Any] | None = None, *, connection=None
              ) -> tuple | None:
        found = self.rows(params, connection=connection)
        return found[0] if found else None

    def scalar(self, params: Mapping[str, Any] | None = None) -> Any:
        row = self.first(params)
        return None if row is None else row[0]


def insert_or_nothing(table, *, returning, index_elements=None, values=None) -> Hot:
    """INSERT … ON CONFLICT DO NOTHING RETURNING `returning` (no row back: a conflict). Both
    databases spell it the same; SQLAlchemy builds it with each dialect's own insert().
    `index_elements`: the unique columns whose conflict is expected (any, when None)."""
    statements = {}
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite)):
        statement = dialect.insert(table)
        if values:
            statement = statement.values(**values)
        statements[name] = statement.on_conflict_do_nothing(index_elements=index_elements) \
            .returning(returning)
    return Hot(statements)


# Session.connection() costs ~25 µs of state bookkeeping, more than a SQLite statement: the
# connection it gave is kept in session.info until a transaction or savepoint begins or ends,
# when the next statement asks again (which is also when a savepoint is emitted).
_CONNECTION = "hot_connection"


@event.listens_for(Session, "after_transaction_create")
@event.listens_for(Session, "after_transaction_end")
def _forget_connection(session, transaction) -> None:
    session.info.pop(_CONNECTION, None)


def _cursor(pooled):
    """A cursor kept with the pooled DBAPI connection (its info lives as long as it does):
    psycopg builds an adapters map for each new cursor (~10 us). Rows are always fetched at
    once, so statements never interleave on it."""
    info, raw = pooled.info, pooled.dbapi_connection
    kept = info.get(_CURSOR)
    if kept is None or kept[0] is not raw:
        kept = info[_CURSOR] = (raw, raw.cursor())
    return kept[1]


def _drop_cursor(pooled) -> None:
    kept = pooled.info.pop(_CURSOR, None)
    if kept is not None:
        with contextlib.suppress(Exception):  # a broken connection's cursor: nothing to keep
            kept[1].close()


_CURSOR = "hot_cursor"


class _Layout(NamedTuple):
    mapper: Any
    keys: list[str]  # attribute names, in columns_of() order
    pk: list[int]  # positions of the primary key's columns in a row


@functools.cache
def _layout(model) -> _Layout:
    mapper = inspect(model)
    columns = [prop.columns[0] for prop in mapper.column_attrs]
    return _Layout(mapper, [prop.key for prop in mapper.column_attrs],
                   [columns.index(column) for column in mapper.primary_key])


def columns_of(model) -> list:
    """The model's mapped columns in a fixed order: select them to adopt() the rows."""
    return [prop.columns[0] for prop in _layout(model).mapper.column_attrs]


def adopt(model, row: Sequence[Any]):
    """The session's object for a row of columns_of(model): the one it already holds (as a
    query without populate_existing returns it), else a new persistent object, with no query.
    Relationships load as usual; a many-to-one whose target is in the session needs no SQL.
    The session holds clean objects weakly: keep a reference (or set it as a relationship's
    value with set_committed_value) to an adopted object that is to be found there later."""
    layout = _layout(model)
    session = db.session()
    key = layout.mapper.identity_key_from_primary_key([row[i] for i in layout.pk])
    held = session.identity_map.get(key)
    if held is not None:
        return held
    instance = layout.mapper.class_manager.new_instance()
    # Straight into the instance's dict: no attribute events, so nothing counts as changed.
    instance.__dict__.update(zip(layout.keys, row, strict=True))
    if _ATTACH is None:  # a SQLAlchemy without the private hook: the public way, ~3x dearer
        make_transient_to_detached(instance)
        session.add(instance)
        return instance
    # What a query's loading does for a new row: the identity key set, the state attached to
    # the session's identity map. Session.add() would also walk the cascades (nothing to find
    # on a new object) and expire the unloaded relationships (they load lazily either way):
    # two thirds of its cost, on the kiosk's busiest path (SQLAlchemy pinned in requirements;
    # tests/test_hot.py checks the result behaves as loaded).
    state = instance_state(instance)
    state.key = key
    _ATTACH(session, state)
    return instance


_ATTACH = getattr(Session, "_update_impl", None)


def adopt_values(model, values: Mapping[str, Any]):
    """adopt() for a row the caller has just written (an INSERT … RETURNING id): every
    column by attribute name, the database-made ones included."""
    keys = _layout(model).keys
    missing = [key for key in keys if key not in values]
    if missing:  # a missing column would read as None, not as what the database holds
        raise ValueError(f"adopt_values({model.__name__}) needs {', '.join(missing)}")
    return adopt(model, [values[key] for key in keys])
