"""``scim-course sync ROSTER``: make a SCIM server match an HR roster (issue 15).

The engine is the client's (:mod:`sync_app.sync`); this module only reads the arguments, prints
the plan and the report, and turns them into an exit status: 0 done (or nothing to do), 1 some
changes failed or the run was interrupted, 2 the roster was refused, 3 the guard refused the run.
"""

from __future__ import annotations

import argparse
import sys

from scim_helper.connection import ServerNotConfigured, course_server
from sync_app import ClientConfiguration, SCIMClient
from sync_app.errors import SCIMError
from sync_app.sync import RosterError, apply_plan, load_roster, plan_sync

__all__ = ["add_arguments", "run"]

#: How many changes the terminal shows before "… and N more".
SHOWN = 200


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("roster", metavar="ROSTER", help="the HR export: a .csv or .json file")
    parser.add_argument(
        "--server-url",
        metavar="URL",
        help="the SCIM base URL (default: $SCIM_SERVER_URL, else the course's local server)",
    )
    parser.add_argument(
        "--token",
        metavar="T",
        help="the bearer token (default: $SCIM_AUTH_TOKEN; prefer the variable, as a token "
        "typed here stays in the shell's history)",
    )
    parser.add_argument(
        "--source",
        default="hr",
        help="the name the sync marks its users with: externalId <source>:<employee_id> "
        "(default: hr)",
    )
    parser.add_argument("--dry-run", action="store_true", help="show the plan; write nothing")
    parser.add_argument(
        "--allow-mass-deactivation",
        action="store_true",
        help="run even if it deactivates more than 20%% of the active users it manages",
    )


def run(args: argparse.Namespace) -> int:
    try:
        roster = load_roster(args.roster)
    except RosterError as error:
        print(error, file=sys.stderr)
        return 2
    try:
        url, token = course_server(args.server_url, args.token)
    except ServerNotConfigured as error:
        print(f"scim-course sync: {error}", file=sys.stderr)
        return 2
    config = ClientConfiguration(server_url=url, auth_token=token, timeout=60)
    with SCIMClient(config) as client:
        try:
            plan = plan_sync(
                client,
                roster,
                source=args.source,
                allow_mass_deactivation=args.allow_mass_deactivation,
            )
        except SCIMError as error:
            print(f"scim-course sync: could not read the directory: {error}", file=sys.stderr)
            return 1
        print(plan.text(limit=SHOWN))
        if plan.refused:
            return 3
        report = apply_plan(client, plan, dry_run=args.dry_run, progress=sys.stderr.isatty())
    print(report.text())
    return 0 if report.ok else 1
