"""The workshop server: the SCIM server plus progress reports and the instructor's view.

Learners (their own tenant token, checked by :class:`~.auth.BearerAuth` like every SCIM call):

- ``GET <base>/Workshop``: says this is a workshop server, with the learner's own progress;
  any other server answers 404, and the course's checks then report nothing.
- ``POST <base>/Workshop/Progress``: ``{"exercise", "outcome": "pass"|"hint", "hint",
  "seconds"}`` from a check; 204.

The instructor (the instructor token, which is no tenant's token: it reads progress only):

- ``/workshop/``: a sign-in form, then the live table; the token is kept in an HttpOnly,
  SameSite=Strict cookie limited to ``/workshop``, never in a URL.
- ``/workshop/progress.json`` and ``/workshop/progress.csv`` (the cookie, or
  ``Authorization: Bearer``).

``scim-course workshop serve`` runs :func:`app_from_environment` in each server process.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import parse_qs

from scim2_models import InvalidSyntaxException, UnauthorizedException
from sqlalchemy import Connection
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from . import progress, roster, workshop_page
from .app import BASE_PATH, create_app
from .auth import bearer_token

if TYPE_CHECKING:  # pragma: no cover
    from .store import Store

T = TypeVar("T")

#: The database of ``scim-course workshop serve``'s processes (set by the command).
DB_ENV = "SCIM_COURSE_WORKSHOP_DB"
LOG_LEVEL_ENV = "SCIM_COURSE_WORKSHOP_LOG_LEVEL"
VIEW = "/workshop"
COOKIE = "scim_workshop"
_COOKIE_SECONDS = 12 * 3600
_NO_STORE = {"Cache-Control": "no-store"}
#: The header on every response of a workshop server: where a learner's checks report, relative
#: to the SCIM base URL (``scim_helper.workshop.reporter`` reads it).
ADVERTISED = "scim-course-workshop"
PROGRESS_PATH = "/Workshop/Progress"
_ADVERTISEMENT = (ADVERTISED.encode(), PROGRESS_PATH.encode())
CSV_HEADER = ["learner", "exercise", "outcome", "reports", "same_hint", "hint", "seconds"]
CSV_HEADER += ["updated", "stuck"]


def _read(store: Store, work: Callable[[Connection], T]) -> T:
    with store.engine.connect() as conn, conn.begin():
        return work(conn)


def _write(store: Store, work: Callable[[Connection], T]) -> T:
    with store.engine.connect() as conn:
        conn.execution_options(scim_write=True)  # SQLite: BEGIN IMMEDIATE (see db.py)
        with conn.begin():
            return work(conn)


# -- learners -----------------------------------------------------------------------------


async def learner_progress(request: Request) -> Response:
    """GET <base>/Workshop: this is a workshop server; the learner's own progress."""
    store: Store = request.app.state.store
    tenant: str = request.state.tenant

    def read(conn: Connection) -> dict[str, Any]:
        return {
            "workshop": True,
            "learner": roster.learner_of(conn, tenant),
            "progress": progress.of_tenant(conn, tenant),
        }

    found = await run_in_threadpool(_read, store, read)
    return JSONResponse(found, headers=_NO_STORE)


async def report_progress(request: Request) -> Response:
    """POST <base>/Workshop/Progress: count one check's outcome for the learner's tenant."""
    try:
        body = json.loads(await request.body())
    except ValueError:
        raise InvalidSyntaxException(
            detail="A progress report must be a JSON object; this body is not JSON."
        ) from None
    report = progress.Report.parse(body)
    store: Store = request.app.state.store
    tenant: str = request.state.tenant
    await run_in_threadpool(_write, store, lambda conn: progress.record(conn, tenant, report))
    return Response(status_code=204)


# -- the instructor -------------------------------------------------------------------------


async def _instructor(request: Request) -> bool:
    token = request.cookies.get(COOKIE) or bearer_token(request.scope["headers"])
    if not token:
        return False
    known: set[str] = request.app.state.instructors
    if token in known:  # an instructor token stays one: a positive answer is never stale
        return True
    store: Store = request.app.state.store
    if await run_in_threadpool(_read, store, lambda conn: roster.is_instructor(conn, token)):
        known.add(token)
        return True
    return False


async def _require_instructor(request: Request) -> None:
    if not await _instructor(request):
        raise UnauthorizedException(
            detail="This is the instructor's view: sign in at /workshop/ with the instructor "
            "token (role 'instructor' in the tokens file). Learner tokens do not open it."
        )


async def page(request: Request) -> Response:
    if not await _instructor(request):
        return HTMLResponse(workshop_page.sign_in(), headers=_NO_STORE)
    return HTMLResponse(
        workshop_page.view(progress.SAME_HINT, progress.QUIET_MINUTES), headers=_NO_STORE
    )


async def script(request: Request) -> Response:
    return Response(workshop_page.SCRIPT, media_type="text/javascript", headers=_NO_STORE)


async def login(request: Request) -> Response:
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    token = (form.get("token") or [""])[0].strip()
    store: Store = request.app.state.store
    if not token or not await run_in_threadpool(
        _read, store, lambda conn: roster.is_instructor(conn, token)
    ):
        message = (
            "That is not this room's instructor token. Use the row with role 'instructor' "
            "in the tokens file that 'scim-course workshop prepare' wrote."
        )
        return HTMLResponse(workshop_page.sign_in(message), status_code=401, headers=_NO_STORE)
    response = RedirectResponse(f"{VIEW}/", status_code=303)
    # Secure when the instructor reached the view over HTTPS (directly, or through a TLS
    # proxy on this machine that says so in X-Forwarded-Proto): the browser then never sends
    # the cookie over plain HTTP. A room on a LAN without TLS keeps a cookie it can use.
    response.set_cookie(
        COOKIE,
        token,
        max_age=_COOKIE_SECONDS,
        path=VIEW,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


async def logout(request: Request) -> Response:
    response = RedirectResponse(f"{VIEW}/", status_code=303)
    response.delete_cookie(COOKIE, path=VIEW, httponly=True, samesite="strict")
    return response


async def room_json(request: Request) -> Response:
    await _require_instructor(request)
    store: Store = request.app.state.store
    return JSONResponse(await run_in_threadpool(_read, store, progress.room), headers=_NO_STORE)


def _cell(value: Any) -> str:
    """A CSV cell a spreadsheet will not run as a formula (hints come from learners)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _when(stamp: float | None) -> str:
    return "" if stamp is None else datetime.fromtimestamp(stamp, UTC).isoformat(timespec="seconds")


def room_csv(room: dict[str, Any]) -> str:
    """One row per learner and exercise they reported (a learner with none: one empty row)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for learner in room["learners"]:
        entries = [learner["progress"][e] for e in room["exercises"] if e in learner["progress"]]
        for entry in entries or [None]:
            e = entry or {}
            writer.writerow(
                _cell(v)
                for v in (
                    learner["name"],
                    e.get("exercise"),
                    e.get("outcome"),
                    e.get("reports"),
                    e.get("same_hint"),
                    e.get("hint"),
                    e.get("seconds"),
                    _when(e.get("updated_at")),
                    learner["stuck"],
                )
            )
    return out.getvalue()


async def export_csv(request: Request) -> Response:
    await _require_instructor(request)
    store: Store = request.app.state.store
    room = await run_in_threadpool(_read, store, progress.room)
    return Response(
        room_csv(room),
        media_type="text/csv; charset=utf-8",
        headers={**_NO_STORE, "Content-Disposition": 'attachment; filename="progress.csv"'},
    )


def workshop_routes(base_path: str = BASE_PATH) -> list[BaseRoute]:
    return [
        Route(f"{base_path}/Workshop", learner_progress, methods=["GET"]),
        Route(f"{base_path}{PROGRESS_PATH}", report_progress, methods=["POST"]),
        Route(VIEW, lambda _request: RedirectResponse(f"{VIEW}/"), methods=["GET"]),
        Route(f"{VIEW}/", page, methods=["GET"]),
        Route(f"{VIEW}/view.js", script, methods=["GET"]),
        Route(f"{VIEW}/login", login, methods=["POST"]),
        Route(f"{VIEW}/logout", logout, methods=["POST"]),
        Route(f"{VIEW}/progress.json", room_json, methods=["GET"]),
        Route(f"{VIEW}/progress.csv", export_csv, methods=["GET"]),
    ]


def create_workshop_app(store: Store) -> Starlette:
    """The SCIM server of :func:`~.app.create_app` with the workshop's routes."""
    # Every response says this is a workshop server, and where progress goes (the header
    # ADVERTISED): the checks learn it from their own requests.
    app = create_app(
        store, extra_routes=workshop_routes(), open_prefixes=(VIEW,), headers=[_ADVERTISEMENT]
    )
    app.state.instructors = set()
    return app


def app_from_environment() -> Starlette:
    """The app of one ``scim-course workshop serve`` process (a uvicorn factory).

    The process owns its store: the app's lifespan closes it when the process stops (its
    database connections closed, SQLite's log checkpointed), as ``scim-course serve`` does.
    """
    from .store import Store  # imported late: the store pulls in SQLAlchemy

    level = os.environ.get(LOG_LEVEL_ENV, "warning").upper()
    logging.basicConfig(level=level, format="%(levelname)s %(process)d %(name)s: %(message)s")
    store = Store(os.environ[DB_ENV])
    app = create_workshop_app(store)

    @asynccontextmanager
    async def closing(_app: object) -> AsyncIterator[None]:
        try:
            yield
        finally:
            store.close()

    app.router.lifespan_context = closing
    return app
