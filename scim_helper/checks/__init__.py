"""Exercise checks: each looks at the live server and answers with a ✓ or a hint.

Call them from a chapter with its client, and the answer where the exercise asks for one::

    checks.charles_joined(client)
    checks.stamford_active_count(client, answer)
    checks.caught_uniqueness(answer)

A check never raises for a wrong or missing answer and never shows the solution; its result
has ``.ok`` and ``.message``, reads ``✓ …`` or ``Hint: …`` as text, and is coloured in Jupyter.
``CHECKS`` maps every check's name to it. The contract with the chapters is in
``notebooks/EXERCISES.md``.
"""

from scim_helper.checks._framework import CHECKS as _REGISTERED
from scim_helper.checks._framework import Check, CheckResult, Hint, check
from scim_helper.checks.bulk import finer_things_club, holly_returns
from scim_helper.checks.charles import (
    charles_created,
    charles_display_name,
    charles_in_dunder_mifflin,
    charles_joined,
    wallace_created,
)
from scim_helper.checks.emails import (
    emails_updated,
    pam_home_email,
    replace_all_predicted,
    ryan_emails_restored,
)
from scim_helper.checks.errors import caught_uniqueness, duplicate_group_predicted, fixed_filter
from scim_helper.checks.finding import first_inactive_usernames, stamford_active_count
from scim_helper.checks.infinity import (
    infinity_duplicates,
    infinity_patch,
    infinity_search,
    okta_prediction,
)
from scim_helper.checks.michael import (
    michael_deactivated,
    michael_left_management,
    michael_removed_from_dunder_mifflin,
    practice_group_restored,
)
from scim_helper.checks.paper_company import (
    mspc_active,
    pam_ryan_left_dunder_mifflin,
    paper_company_created,
    paper_company_members,
    scranton_sales,
)
from scim_helper.checks.sabre import sabre_gabe, sabre_quiet_friday, sabre_toby
from scim_helper.checks.welcome import welcome_bulk_limit, welcome_missing_user

#: Every check by name, in chapter order.
CHECKS: dict[str, Check] = dict(sorted(_REGISTERED.items(), key=lambda item: item[1].chapter))

__all__ = [
    "CHECKS",
    "Check",
    "CheckResult",
    "Hint",
    "caught_uniqueness",
    "charles_created",
    "charles_display_name",
    "charles_in_dunder_mifflin",
    "charles_joined",
    "check",
    "duplicate_group_predicted",
    "emails_updated",
    "finer_things_club",
    "first_inactive_usernames",
    "fixed_filter",
    "holly_returns",
    "infinity_duplicates",
    "infinity_patch",
    "infinity_search",
    "michael_deactivated",
    "michael_left_management",
    "michael_removed_from_dunder_mifflin",
    "mspc_active",
    "okta_prediction",
    "pam_home_email",
    "pam_ryan_left_dunder_mifflin",
    "paper_company_created",
    "paper_company_members",
    "practice_group_restored",
    "replace_all_predicted",
    "ryan_emails_restored",
    "sabre_gabe",
    "sabre_quiet_friday",
    "sabre_toby",
    "scranton_sales",
    "stamford_active_count",
    "wallace_created",
    "welcome_bulk_limit",
    "welcome_missing_user",
]
