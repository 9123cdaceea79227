"""The profiles ``scim-course validate --as`` knows: a name, a title and the steps."""

from __future__ import annotations

from dataclasses import dataclass

from .step import Step


@dataclass(frozen=True)
class Profile:
    """One provider's request sequence."""

    name: str
    title: str
    steps: tuple[Step, ...]


def profiles() -> dict[str, Profile]:
    """Every profile by name (built on demand: the steps import the runner)."""
    from . import entra, okta

    return {
        "entra": Profile("entra", "Microsoft Entra ID (default mode)", entra.steps(False)),
        "entra-compliant": Profile(
            "entra-compliant",
            "Microsoft Entra ID (compliant mode, aadOptscim062020)",
            entra.steps(True),
        ),
        "okta": Profile("okta", "Okta", okta.steps()),
    }


NAMES = ("entra", "entra-compliant", "okta")


def get_profile(name: str) -> Profile:
    """The profile called ``name``; ValueError naming the known ones otherwise."""
    known = profiles()
    if name not in known:
        raise ValueError(f"No profile {name!r}. Choose one of: {', '.join(NAMES)}.")
    return known[name]
