"""Checks for chapter 01, Welcome: discovery (ServiceProviderConfig, Schemas)."""

from __future__ import annotations

from typing import Any

from scim_helper.checks._framework import Hint, check
from scim_helper.tenant import Tenant

CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User"


@check("01-welcome")
def welcome_bulk_limit(tenant: Tenant, answer: Any) -> str:
    """✓ when ``answer`` is the server's ``bulk.maxOperations``."""
    if answer is None:
        raise Hint("No answer yet: read bulk.maxOperations from the ServiceProviderConfig.")
    if isinstance(answer, bool) or not isinstance(answer, int):
        raise Hint(
            f"The answer is a {type(answer).__name__}; it should be the number itself "
            "(an int), read from the bulk section."
        )
    limit = tenant.service_provider_config().get("bulk", {}).get("maxOperations")
    if answer != limit:
        raise Hint(
            "That is not the server's bulk.maxOperations. Look at the bulk section of "
            "the ServiceProviderConfig, not at maxPayloadSize or the filter section."
        )
    return "That is how many operations one Bulk request may carry on this server."


@check("01-welcome")
def welcome_required_attributes(tenant: Tenant, answer: Any) -> str:
    """✓ when ``set(answer)`` is the set of required top-level User attributes in /Schemas."""
    if answer is None:
        raise Hint("No answer yet: collect the names of the User schema's required attributes.")
    if isinstance(answer, str) or not hasattr(answer, "__iter__"):
        raise Hint(
            "The answer should be a set of attribute names such as {'someName'}, "
            f"not a {type(answer).__name__}."
        )
    given = {str(a) for a in answer}
    schema = tenant.schema(CORE_USER)
    attributes = schema.get("attributes") or []
    required = {a["name"] for a in attributes if a.get("required")}
    known = {a["name"] for a in attributes}
    unknown = given - known
    if unknown:
        raise Hint(
            f"{', '.join(sorted(unknown))} is not an attribute of the User schema. "
            "Use the names as /Schemas spells them, top level only (no sub-attributes)."
        )
    extra = given - required
    if extra:
        raise Hint(f"{', '.join(sorted(extra))} is in the User schema but not required.")
    if required - given:
        raise Hint("A required attribute is still missing: look at every attribute's 'required'.")
    return "Those are the attributes every User must have on this server."
