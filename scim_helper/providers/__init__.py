"""Be the service provider: replay what Microsoft Entra ID and Okta send, against any SCIM server.

::

    from scim_helper.providers import validate
    report = validate("http://127.0.0.1:8000/scim/v2", token, "okta")
    report            # a table in a notebook; print(report) in a terminal

The same from a shell: ``scim-course validate URL --as okta`` (token from ``--token`` or
``SCIM_AUTH_TOKEN``). Each profile is a tuple of :class:`Step`, each citing the vendor's page.
"""

from __future__ import annotations

from .citations import Citation
from .profile import NAMES, Profile, get_profile, profiles
from .report import Report, StepResult
from .run import Run, validate
from .step import Probe, Reply, Request, Step

__all__ = [
    "NAMES",
    "Citation",
    "Probe",
    "Profile",
    "Reply",
    "Report",
    "Request",
    "Run",
    "Step",
    "StepResult",
    "get_profile",
    "profiles",
    "validate",
]
