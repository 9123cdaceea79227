"""The course's SCIM 2.0 service provider (RFC 7643, RFC 7644), on Starlette and uvicorn.

In-process (notebooks, tests)::

    from scim_helper.server import LocalServer
    with LocalServer("course.db") as server:
        print(server.url, server.token)

From a shell: ``scim-course serve`` or ``python -m scim_helper.server``.
"""

from .app import create_app
from .limits import Limits
from .runner import LocalServer

__all__ = ["Limits", "LocalServer", "create_app"]
