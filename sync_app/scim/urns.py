"""Every schema and message URN of RFC 7643 and RFC 7644 the course uses, defined once.

The client's models name them (``USER_SCHEMA`` in :mod:`sync_app.scim.user` is
:data:`USER`), and so does the course's local server, which imports this module: the client
owns it because the client never imports course code.
"""

__all__ = [
    "BULK_REQUEST",
    "BULK_RESPONSE",
    "ENTERPRISE_USER",
    "ERROR",
    "GROUP",
    "LIST_RESPONSE",
    "PATCH_OP",
    "RESOURCE_TYPE",
    "SEARCH_REQUEST",
    "SERVICE_PROVIDER_CONFIG",
    "USER",
]

# RFC 7643 §8.7.1 (resources) and §8.7.2 (service provider configuration).
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE_USER = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
SERVICE_PROVIDER_CONFIG = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
RESOURCE_TYPE = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"

# RFC 7644 §3.1 and §8.2: the messages.
LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
SEARCH_REQUEST = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
BULK_REQUEST = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
BULK_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:BulkResponse"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
