"""The ceiling: a bare Starlette endpoint that answers a constant SCIM User.

It runs under the same uvicorn settings as the course's server
(``scim_helper.server.protocol.uvicorn_settings``), so the gap between the two is what our
routing, authentication, store and serialization cost on top of the stack itself::

    python -m bench.ceiling --port 8001    # GET http://127.0.0.1:8001/scim/v2/Users/<anything>
"""

from __future__ import annotations

import argparse

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from scim_helper.server.protocol import uvicorn_settings
from sync_app.scim import urns

USER = {
    "schemas": [urns.USER],
    "id": "2819c223-7f76-453a-919d-413861904646",
    "externalId": "bjensen",
    "userName": "bjensen@example.com",
    "name": {"familyName": "Jensen", "givenName": "Barbara"},
    "displayName": "Babs Jensen",
    "active": True,
    "emails": [{"value": "bjensen@example.com", "type": "work", "primary": True}],
    "meta": {
        "resourceType": "User",
        "created": "2024-01-23T04:56:22Z",
        "lastModified": "2024-05-13T04:42:34Z",
        "version": 'W/"3"',
        "location": "http://127.0.0.1/scim/v2/Users/2819c223-7f76-453a-919d-413861904646",
    },
}


async def user(request: Request) -> Response:
    """The same document every time, serialized per request like a real endpoint would."""
    return JSONResponse(USER, media_type="application/scim+json", headers={"ETag": 'W/"3"'})


app = Starlette(routes=[Route("/scim/v2/Users/{id}", user)])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ceiling", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args(argv)
    # The settings LocalServer uses for the course's server: the same protocol and loop.
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", **uvicorn_settings())


if __name__ == "__main__":
    main()
