"""The messages of RFC 7644: list responses, searches, bulk requests and errors.

One module per message, as in scim2-models' ``messages/``.
"""

from sync_app.scim.messages.bulk import BulkOperation, BulkRequest, BulkResponse
from sync_app.scim.messages.error import Error
from sync_app.scim.messages.list_response import ListResponse, resource_from_dict
from sync_app.scim.messages.search_request import SearchRequest

__all__ = [
    "BulkOperation",
    "BulkRequest",
    "BulkResponse",
    "Error",
    "ListResponse",
    "SearchRequest",
    "resource_from_dict",
]
