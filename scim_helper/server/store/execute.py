"""One statement on the driver's own cursor: the store's hot path under SQLAlchemy's execution.

SQLAlchemy builds and compiles the store's statements (its compiled cache is used as it is);
:func:`run` then sends the compiled SQL on the DBAPI cursor of the same connection, inside the
same transaction, with SQLAlchemy's own bind and result processors. What it leaves out is the
execution context and result machinery the store does not use: 137 µs of CPU for a
GET /Users/{id} statement through ``Connection.execute`` against 62 µs here (PostgreSQL,
in-process; bench/RESULTS.md, session 5).

Errors come out as ``Connection.execute``'s do (``sqlalchemy.exc.DBAPIError`` and its
subclasses, the driver's error as ``.orig``), and a lost connection is invalidated as it would
invalidate it; ``before_cursor_execute`` and ``after_cursor_execute`` listeners are called
(without an execution context). Statements whose columns take Python-side defaults fall back to
``Connection.execute``; so do lists of parameter sets (executemany), which the store sends
there itself (SQLAlchemy batches them into one INSERT).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterator, Mapping
from typing import Any, NoReturn

from sqlalchemy import Connection, exc
from sqlalchemy.sql import compiler
from sqlalchemy.sql.base import Executable

# Row class and result processors by compiled statement (a namedtuple is slow to make, quick
# to fill). Compiled statements live in SQLAlchemy's bounded cache; this one is bounded too.
_ROW_CLASSES: dict[Any, tuple[Any, list[Any]]] = {}
_MAX_ROW_CLASSES = 2000


class Result:
    """The rows of one statement, fetched: the part of SQLAlchemy's ``Result`` the store uses."""

    __slots__ = ("_rows",)

    def __init__(self, rows: list[Any]) -> None:
        self._rows = rows

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)

    def all(self) -> list[Any]:
        return list(self._rows)

    def first(self) -> Any:
        return self._rows[0] if self._rows else None

    def scalar_one(self) -> Any:
        if len(self._rows) != 1:
            raise (exc.NoResultFound if not self._rows else exc.MultipleResultsFound)(
                "expected exactly one row"
            )
        return self._rows[0][0]

    def scalar_one_or_none(self) -> Any:
        if len(self._rows) > 1:
            raise exc.MultipleResultsFound("expected at most one row")
        return self._rows[0][0] if self._rows else None

    def scalars(self) -> Result:
        return Result([row[0] for row in self._rows])


def run(conn: Connection, statement: Executable, params: Mapping[str, Any] | None = None) -> Any:
    """Execute ``statement`` with ``params`` on ``conn``'s transaction, as
    ``conn.execute(statement, params)`` would; a :class:`Result` (or, for the shapes it
    falls back on, SQLAlchemy's own)."""
    given = dict(params or {})
    dialect = conn.dialect
    compiled: Any
    compiled, extracted, param_dict, _hit = statement._compile_w_cache(  # type: ignore[attr-defined]
        dialect=dialect,
        compiled_cache=conn.engine._compiled_cache,
        column_keys=sorted(given),
        for_executemany=False,
        schema_translate_map=None,
        linting=dialect.compiler_linting | compiler.WARN_LINTING,
    )
    if compiled.insert_prefetch or compiled.update_prefetch or compiled.schema_translate_map:
        return conn.execute(statement, params)  # Python-side defaults: SQLAlchemy's own path
    values: dict[str, Any] = compiled.construct_params(
        given, escape_names=False, extracted_parameters=extracted, _collected_params=param_dict
    )
    sql = compiled.string
    processors = compiled._bind_processors
    positions = compiled.positiontup if compiled.positional else None
    if compiled.literal_execute_params or compiled.post_compile_params:
        expanded = compiled._process_parameters_for_postcompile(values)
        sql = expanded.statement
        processors = {**processors, **expanded.processors}
        positions = expanded.positiontup
    bound = {
        key: processors[key](value) if key in processors else value for key, value in values.items()
    }
    if positions is not None:  # SQLite: "?" placeholders
        sent: Any = tuple(bound[key] for key in positions)
    else:  # psycopg: %(name)s, names escaped where SQLAlchemy had to
        escaped = compiled.escaped_bind_names
        sent = {escaped.get(key, key): value for key, value in bound.items()}
    connection = conn.connection  # raises as execute() would on a closed or invalid one
    # SQLAlchemy's cursor events, for whatever listens (tracing, tests counting statements).
    events = conn.dispatch.before_cursor_execute or conn.dispatch.after_cursor_execute
    cursor = None
    try:
        # Inside: a connection the database dropped fails here already (as in execute()).
        cursor = connection.driver_connection.cursor()  # type: ignore[union-attr]
        if events:
            conn.dispatch.before_cursor_execute(conn, cursor, sql, sent, None, False)
        cursor.execute(sql, sent)
        if events:
            conn.dispatch.after_cursor_execute(conn, cursor, sql, sent, None, False)
        if cursor.description is None:  # no rows to return (an UPDATE without RETURNING)
            return Result([])
        return Result(_rows(compiled, dialect, cursor.description, cursor.fetchall()))
    except dialect.loaded_dbapi.Error as error:
        _raise(conn, error, cursor, sql, sent)
    finally:
        if cursor is not None:
            cursor.close()


def _rows(compiled: Any, dialect: Any, description: Any, rows: list[Any]) -> list[Any]:
    """``rows`` as named tuples (``row.pk``, ``row[0]``), through SQLAlchemy's result
    processors for their types (JSON and booleans on SQLite; none on PostgreSQL)."""
    known = _ROW_CLASSES.get(compiled)
    if known is None:
        columns = compiled._result_columns
        if len(columns) != len(description):
            raise AssertionError(
                f"{len(description)} columns returned, {len(columns)} known: run() takes "
                "statements whose columns SQLAlchemy knows (select(), not text())"
            )
        if len(_ROW_CLASSES) >= _MAX_ROW_CLASSES:
            _ROW_CLASSES.clear()
        names = [column[0] for column in columns]
        processors = [
            column[3]._cached_result_processor(dialect, entry[1])
            for column, entry in zip(columns, description, strict=True)
        ]
        known = (namedtuple("Row", names, rename=True), processors)  # type: ignore[misc]
        _ROW_CLASSES[compiled] = known
    row_class, processors = known
    if not any(processors):
        return [row_class(*row) for row in rows]
    return [
        row_class(*(p(v) if p else v for p, v in zip(processors, row, strict=True))) for row in rows
    ]


def _raise(conn: Connection, error: Any, cursor: Any, sql: str, sent: Any) -> NoReturn:
    """Raise ``error`` as ``Connection.execute`` would: wrapped, the connection invalidated
    if the database is gone."""
    dialect = conn.dialect
    lost = dialect.is_disconnect(error, conn.connection.dbapi_connection, cursor)
    if lost:
        conn.invalidate(error)
    raise exc.DBAPIError.instance(
        sql,
        sent,
        error,
        dialect.loaded_dbapi.Error,
        hide_parameters=conn.engine.hide_parameters,
        connection_invalidated=lost,
        dialect=dialect,
        ismulti=False,
    ) from error
