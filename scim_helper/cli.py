"""``scim-course``: the course's command line.

Each subcommand lives in the module that owns the concept; this file only lists them.
A subcommand is ``"module"`` (or ``"module:object"``) whose ``add_arguments(parser)`` and
``run(args) -> int`` implement it. Registering one is one line in :data:`COMMANDS`.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from typing import Any

from scim_helper import __version__

#: What ``scim-course --help`` says above the commands: plain text, as a terminal shows it.
DESCRIPTION = "The Office SCIM course's command line: the local SCIM server, setup, chapters."
EPILOG = (
    "Each command has its own --help. To open the course: scim-course lab "
    "(or python3 bootstrap.py course in the course's folder)."
)

# name -> (where it is implemented, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "serve": ("scim_helper.server.cli", "run the local SCIM server in the foreground"),
    "token": ("scim_helper.server.tokens_cli", "mint a new bearer token (a new tenant)"),
    "setup": ("scim_helper.setup_cli:setup", "seed the Dunder Mifflin staff and group"),
    "reset": ("scim_helper.setup_cli:reset", "restore the starting state of your tenant"),
    "check": ("scim_helper.readiness", "check the installation and say how to fix what is wrong"),
    "lab": ("scim_helper.lab", "start the local server and open the course in JupyterLab"),
    "run": ("scim_helper.chapters", "run every chapter headless and print each result and time"),
    "update": (
        "scim_helper.workspace",
        "bring your workspace's chapters up to this version, keeping your edits",
    ),
    "workshop": (
        "scim_helper.workshop.cli",
        "prepare a room of learners (a token each) and serve it, with the instructor's view",
    ),
    "sync": ("scim_helper.sync_cli", "make a SCIM server match an HR roster (CSV or JSON)"),
    "validate": (
        "scim_helper.providers.cli",
        "replay what Entra ID or Okta sends against a SCIM server, step by step",
    ),
}


def load(name: str) -> Any:
    """The object implementing subcommand ``name``; an import error propagates, never hidden."""
    target, _help = COMMANDS[name]
    module_name, _, attribute = target.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attribute) if attribute else module


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser; only the ``only`` subcommand's module is imported (its options are added).

    Importing every subcommand pulls in nbformat and papermill, which would make
    ``scim-course serve`` take seconds to start instead of a fraction of one; ``--help``
    needs none of them.
    """
    parser = argparse.ArgumentParser(prog="scim-course", description=DESCRIPTION, epilog=EPILOG)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_target, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        if name == only:
            implementation = load(name)
            implementation.add_arguments(command)
            command.set_defaults(_implementation=implementation)
    return parser


def main(argv: list[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else argv
    name = given[0] if given and given[0] in COMMANDS else None
    try:
        parser = build_parser(name)
    except ImportError as error:
        traceback.print_exc()
        print(
            f"scim-course {name}: the command could not be loaded ({error}). "
            "The installation is incomplete: run `python3 bootstrap.py course` again, "
            "or `pip install -e .` in the course folder.",
            file=sys.stderr,
        )
        return 1
    args = parser.parse_args(given)
    implementation = getattr(args, "_implementation", None)
    if implementation is None:
        parser.print_help()
        return 2
    return int(implementation.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
