"""Sync: the HR roster is the source of truth (issue 15).

Load a roster, plan against what the server holds, apply::

    roster = load_roster("sabre.csv")
    plan = plan_sync(client, roster)          # reads only
    plan                                      # a table in a notebook, text in a terminal
    report = apply_plan(client, plan)         # POSTs and minimal PATCHes; never PUT or DELETE

The pieces, for building a sync by hand (chapter 10): ``read_state`` (what the server holds),
``external_id`` (the key a row matches by), ``user_operations`` (one person's minimal PATCH).
"""

from __future__ import annotations

from sync_app.client import SCIMClient
from sync_app.sync.apply import Failure, Report, apply_plan
from sync_app.sync.plan import GroupChange, Plan, UserChange, make_plan, user_operations
from sync_app.sync.roster import COLUMNS, Person, Roster, RosterError, load_roster
from sync_app.sync.state import Account, DirectoryState, ServerLimits, external_id, read_state

__all__ = [
    "COLUMNS",
    "Account",
    "DirectoryState",
    "Failure",
    "GroupChange",
    "Person",
    "Plan",
    "Report",
    "Roster",
    "RosterError",
    "ServerLimits",
    "UserChange",
    "apply_plan",
    "external_id",
    "load_roster",
    "make_plan",
    "plan_sync",
    "read_state",
    "user_operations",
]


def plan_sync(
    client: SCIMClient,
    roster: Roster,
    *,
    source: str = "hr",
    allow_mass_deactivation: bool = False,
) -> Plan:
    """Read the directory (paged, filtered lists) and work out the changes; writes nothing."""
    state = read_state(client, roster, source)
    return make_plan(roster, state, allow_mass_deactivation=allow_mass_deactivation)
