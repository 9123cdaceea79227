"""``scim-course setup`` and ``scim-course reset``: course_setup from the command line.

The server is found as in the notebooks (``--server-url``, else ``SCIM_SERVER_URL``, else the
course's own local server). A token is only ever read from ``SCIM_AUTH_TOKEN``: a token on the
command line would end up in the shell's history.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from functools import partial
from typing import NamedTuple

from scim_helper.connection import ServerNotConfigured, course_server
from scim_helper.directory import seed_directory
from scim_helper.setup import CourseSetupError, course_setup
from sync_app.errors import SCIMError

__all__ = ["reset", "setup"]


class _Subcommand(NamedTuple):
    """What ``scim-course`` needs of a subcommand (see ``scim_helper.cli``)."""

    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def _add_arguments(name: str, parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--server-url",
        metavar="URL",
        help="the SCIM base URL (default: $SCIM_SERVER_URL, else the course's local server); "
        "the token comes from $SCIM_AUTH_TOKEN",
    )
    if name == "setup":
        parser.add_argument(
            "--directory",
            action="store_true",
            help="also load the wider company directory (about 2,000 people, through /Bulk)",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="no progress bar while loading"
        )


def _run(name: str, args: argparse.Namespace) -> int:
    try:
        connection = course_server(args.server_url)
        _group_id, user_ids = course_setup(
            connection.token, server_url=connection.url, reset=name == "reset"
        )
        done = "Restored" if name == "reset" else "Ready:"
        print(f"{done} {len(user_ids)} Dunder Mifflin staff and their group on {connection.url}")
        if name == "reset" and connection.is_sandbox:
            print("Everything else learners created on this tenant was removed.")
        elif name == "reset":
            print("Only what the course created was changed; everything else is as it was.")
        if getattr(args, "directory", False):
            print(
                seed_directory(
                    connection.token, server_url=connection.url, progress=not args.no_progress
                )
            )
    except (ServerNotConfigured, CourseSetupError, SCIMError) as error:
        print(f"scim-course {name}: {error}", file=sys.stderr)
        return 1
    return 0


setup = _Subcommand(partial(_add_arguments, "setup"), partial(_run, "setup"))
reset = _Subcommand(partial(_add_arguments, "reset"), partial(_run, "reset"))
