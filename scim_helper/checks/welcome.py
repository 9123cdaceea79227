"""Checks for chapter 01, Welcome: discovery (ServiceProviderConfig) and a first error."""

from __future__ import annotations

from typing import Any

from scim_helper.checks._framework import Hint, check, sent
from scim_helper.checks._technique import NO_LOG, answered, read_prediction
from scim_helper.tenant import Tenant


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
def welcome_missing_user(tenant: Tenant, answer: Any) -> str:
    """✓ when ``answer`` is the (status, scimType) the server gave the GET of an unknown id.

    Predict, then run: the check reads the failed ``GET /Users/{id}`` from the learner's wire
    log and compares the prediction with the server's answer, whatever server it is.
    """
    prediction = read_prediction(answer, '(409, "uniqueness")')
    if (
        not isinstance(prediction, tuple | list)
        or len(prediction) != 2
        or isinstance(prediction[0], bool)
        or not isinstance(prediction[0], int)
        or not (prediction[1] is None or isinstance(prediction[1], str))
    ):
        raise Hint(
            'The prediction should be a pair such as (409, "uniqueness"): the status as a '
            "number, then the scimType as a string, or None for no scimType."
        )
    failed = [
        e
        for e in sent(tenant, "GET", "/Users/")
        if e.status is not None and e.status >= 400 and "?" not in e.path
    ]
    if not failed:
        raise Hint(
            "Your client's wire log shows no failed GET /Users/{id} yet: run the cell, and "
            + NO_LOG
        )
    status, scim_type = answered(failed[-1])
    predicted_status, predicted_type = prediction[0], prediction[1] or None
    if predicted_status != status:
        raise Hint(
            f"Your prediction says {predicted_status}, but the server answered another status. "
            "Read the status in the cell's output, and look it up in RFC 7644 §3.12."
        )
    if predicted_type != scim_type:
        if scim_type is None:
            raise Hint(
                "The status is right, but the server sent no scimType: RFC 7644 §3.12 makes it "
                "OPTIONAL, and defines its keywords for errors such as 400 and 409."
            )
        raise Hint("The status is right, but not the scimType: compare it with the cell's output.")
    shown = f"{status} {scim_type}" if scim_type else f"{status}, with no scimType"
    return f"Predicted and answered: {shown}. The server has no User with that id."
