"""All persistent state of the local SCIM server: tenants, tokens, Users and Groups.

- :mod:`.core`: :class:`Store`, the one object the HTTP layer talks to, and its
  :class:`Transaction` (several writes as one, for Bulk).
- :mod:`.rows`: how a resource maps to table rows and back to a SCIM document.
- :mod:`.members`: Group membership changes as row inserts and deletes.
- :mod:`.execute`: one statement on the driver's cursor (SQLAlchemy compiles it).
- :mod:`.cursors`: the tokens of cursor-based pagination (RFC 9865).
"""

from .core import Store, Transaction
from .rows import version_tag

__all__ = ["Store", "Transaction", "version_tag"]
