"""Discovery (RFC 7644 §4): the server describes itself completely and truthfully."""

from __future__ import annotations

from typing import Any

import requests
from scim2_models import ResourceType, Schema, ServiceProviderConfig

from scim_helper.server.runner import LocalServer

from .conftest import ENTERPRISE, GROUP, USER, Api, assert_scim_error

SPC = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"


def _get(server: LocalServer, path: str) -> dict[str, Any]:
    response = requests.get(server.url + path, timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/scim+json"
    return response.json()


def test_rfc7643_5_service_provider_config_says_what_the_server_does(
    local_server: LocalServer,
) -> None:
    """/ServiceProviderConfig announces PATCH, Bulk, filter, sort, ETags and bearer tokens."""
    config = _get(local_server, "/ServiceProviderConfig")
    ServiceProviderConfig.model_validate(config)
    assert config["schemas"] == [SPC]
    assert config["patch"] == {"supported": True}
    assert config["bulk"]["supported"] is True
    assert config["bulk"]["maxOperations"] == local_server.limits.max_operations
    assert config["bulk"]["maxPayloadSize"] == local_server.limits.max_payload_size
    assert config["filter"] == {"supported": True, "maxResults": local_server.limits.max_results}
    assert config["changePassword"] == {"supported": False}
    assert config["sort"] == {"supported": True}
    assert config["etag"] == {"supported": True}
    assert [s["type"] for s in config["authenticationSchemes"]] == ["oauthbearertoken"]
    assert config["meta"]["location"] == f"{local_server.url}/ServiceProviderConfig"


def test_rfc7643_6_resource_types_list_user_and_group(local_server: LocalServer) -> None:
    """/ResourceTypes lists User (with the enterprise extension) and Group."""
    body = _get(local_server, "/ResourceTypes")
    types = {r["id"]: ResourceType.model_validate(r) for r in body["Resources"]}
    assert set(types) == {"User", "Group"}
    assert body["totalResults"] == 2
    user = types["User"]
    assert (user.endpoint, user.schema_) == ("/Users", USER)
    assert [(e.schema_, e.required) for e in user.schema_extensions or []] == [(ENTERPRISE, False)]
    assert (types["Group"].endpoint, types["Group"].schema_) == ("/Groups", GROUP)


def test_rfc7644_4_resource_type_by_id(local_server: LocalServer) -> None:
    """/ResourceTypes/User returns that resource type with its location."""
    body = _get(local_server, "/ResourceTypes/User")
    assert body["meta"]["location"] == f"{local_server.url}/ResourceTypes/User"


def test_rfc7644_4_unknown_resource_type_is_404(local_server: LocalServer) -> None:
    """An unknown resource type id is a SCIM 404."""
    assert_scim_error(requests.get(f"{local_server.url}/ResourceTypes/Printer", timeout=30), 404)


def test_rfc7643_7_schemas_list_user_enterprise_and_group(local_server: LocalServer) -> None:
    """/Schemas lists the User, enterprise User and Group schemas, from scim2-models."""
    body = _get(local_server, "/Schemas")
    schemas = {s["id"]: Schema.model_validate(s) for s in body["Resources"]}
    assert set(schemas) == {USER, ENTERPRISE, GROUP}
    user_attributes = {a.name: a for a in schemas[USER].attributes or []}
    assert user_attributes["password"].returned.value == "never"
    assert user_attributes["groups"].mutability.value == "readOnly"


def test_rfc7644_4_schema_by_urn(local_server: LocalServer) -> None:
    """/Schemas/{urn} returns one schema with its location."""
    body = _get(local_server, f"/Schemas/{ENTERPRISE}")
    assert body["id"] == ENTERPRISE
    assert body["meta"]["location"] == f"{local_server.url}/Schemas/{ENTERPRISE}"


def test_rfc7644_4_unknown_schema_is_404(local_server: LocalServer) -> None:
    """An unknown schema URN is a SCIM 404."""
    response = requests.get(f"{local_server.url}/Schemas/urn:example:nothing", timeout=30)
    assert_scim_error(response, 404)


def test_rfc7644_4_filter_on_discovery_is_403(local_server: LocalServer) -> None:
    """A filter on /Schemas is refused with 403 rather than silently ignored."""
    response = requests.get(
        f"{local_server.url}/Schemas", params={"filter": 'id eq "x"'}, timeout=30
    )
    assert_scim_error(response, 403)


def test_rfc7644_4_discovery_takes_only_get(api: Api) -> None:
    """POST, PUT, PATCH and DELETE on discovery endpoints answer a SCIM 405."""
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        assert_scim_error(api.request(method, "/ServiceProviderConfig"), 405)


def test_rfc7644_4_discovery_lists_name_the_address_each_client_used(
    local_server: LocalServer,
) -> None:
    """/Schemas and /ResourceTypes are rendered once per base URL and kept: a client that
    reaches the server under another name still gets locations under its own name."""
    port = local_server.url.split(":")[2].split("/")[0]
    for path in ("/Schemas", "/ResourceTypes", "/Schemas", "/ResourceTypes"):
        for host in ("127.0.0.1", "localhost"):
            url = local_server.url.replace("127.0.0.1", host)
            answer = requests.get(url + path, timeout=30, headers={"Host": f"{host}:{port}"})
            assert answer.status_code == 200, answer.text
            assert answer.headers["content-type"] == "application/scim+json"
            locations = [r["meta"]["location"] for r in answer.json()["Resources"]]
            assert locations, path
            assert all(loc.startswith(f"http://{host}:{port}/scim/v2{path}/") for loc in locations)
