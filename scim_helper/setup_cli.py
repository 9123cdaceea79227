"""``scim-course setup`` and ``scim-course reset``: course_setup from the command line.

The server is found as in the notebooks (``--server-url``, else ``SCIM_SERVER_URL``, else the
course's own local server). A token is only ever read from ``SCIM_AUTH_TOKEN``: a token on the
command line would end up in the shell's history.
"""

from __future__ import annotations

import argparse
import sys

from scim_helper.connection import ServerNotConfigured, course_server

__all__ = ["add_arguments", "add_arguments_for", "run", "run_for"]


def add_arguments_for(name: str, parser: argparse.ArgumentParser) -> None:
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


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_arguments_for("setup", parser)


def run_for(name: str, args: argparse.Namespace) -> int:
    from scim_helper.setup import CourseSetupError, course_setup
    from sync_app.errors import SCIMError

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
            from scim_helper.directory import seed_directory

            print(
                seed_directory(
                    connection.token, server_url=connection.url, progress=not args.no_progress
                )
            )
    except (ServerNotConfigured, CourseSetupError, SCIMError) as error:
        print(f"scim-course {name}: {error}", file=sys.stderr)
        return 1
    return 0


def run(args: argparse.Namespace) -> int:
    return run_for("setup", args)
