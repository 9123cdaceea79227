"""SCIMClient against each SCIM server on loopback: RFC 7644 operations end to end."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests

from sync_app.client import ClientConfiguration, Filter, SCIMClient
from sync_app.errors import (
    InvalidFilter,
    NotFound,
    PreconditionFailed,
    Unauthorized,
    Uniqueness,
    ValidationError,
)
from sync_app.scim.group import Group, Member
from sync_app.scim.messages import BulkOperation, BulkResponse, ListResponse
from sync_app.scim.patchop import Operation, PatchOp
from sync_app.scim.user import Email, EnterpriseUser, Name, User
from tests.fixtures.servers import ServerUnderTest

Unique = Callable[[str], str]


def _user(user_name: str, **fields: object) -> User:
    return User(
        userName=user_name,
        displayName=user_name.title(),
        active=True,
        name=Name(givenName="Dwight", familyName="Schrute"),
        emails=[Email(value=f"{user_name}@dundermifflin.com", type="work", primary=True)],
        **fields,  # type: ignore[arg-type]
    )


def test_rfc7644_3_3_create_user(client: SCIMClient, unique: Unique) -> None:
    """POST /Users answers 201 with the created User, its id and meta assigned by the server."""
    response = client.create_user(_user(unique("dschrute"), externalId="hr-42"))
    assert response.status_code == 201
    user = response.resource
    assert isinstance(user, User)
    assert user.user_id == response.to_dict()["id"]
    assert user.externalId == "hr-42"
    assert user.meta is not None and user.meta.resourceType == "User"
    assert response.location and response.location.endswith(f"/Users/{user.user_id}")


def test_rfc7643_3_1_read_only_attributes_not_sent(client: SCIMClient, unique: Unique) -> None:
    """id, meta and groups are not sent on POST: the server assigns them (RFC 7643 §3.1)."""
    user = _user(unique("cminer"), user_id="chosen-by-client")
    client.create_user(user)
    sent = client.wire_log[-1].request_body
    assert "id" not in sent and "meta" not in sent and "groups" not in sent
    assert sent["schemas"] == ["urn:ietf:params:scim:schemas:core:2.0:User"]


def test_rfc7644_3_4_1_get_user(client: SCIMClient, unique: Unique) -> None:
    """GET /Users/{id} answers the User; a User built from its JSON equals the typed resource."""
    user_id = client.create_user(_user(unique("jhalpert"))).resource.user_id
    response = client.get_user(user_id)
    assert response.status_code == 200
    assert response.resource.user_id == user_id
    assert User.from_dict(response.to_dict()) == response.resource


def test_rfc7644_3_4_1_get_missing_user_raises_not_found(client: SCIMClient) -> None:
    """A missing User raises NotFound, saying which one and how to find the right id."""
    with pytest.raises(NotFound) as caught:
        client.get_user("no-such-user")
    assert caught.value.status == 404
    assert "User 'no-such-user' was not found (404)" in str(caught.value)
    assert "get_users()" in str(caught.value)


def test_rfc7644_3_3_duplicate_user_raises_uniqueness(client: SCIMClient, unique: Unique) -> None:
    """Creating a userName twice raises Uniqueness (409) naming it and how to find it."""
    user_name = unique("mscott")
    client.create_user(_user(user_name))
    with pytest.raises(Uniqueness) as caught:
        client.create_user(_user(user_name))
    error = caught.value
    assert (error.status, error.scim_type) == (409, "uniqueness")
    assert str(error).startswith("POST /Users was refused (409 uniqueness). The server says: ")
    assert str(error).count("409") == 1
    assert f"get_users(filter=Filter(filter='userName eq \"{user_name}\"'))" in str(error)
    assert error.response is not None and error.response.status_code == 409


def test_rfc7644_3_5_2_patch_replace_active(client: SCIMClient, unique: Unique) -> None:
    """update_user answers the patched User, fetching it when the server answers 204."""
    user_id = client.create_user(_user(unique("rhoward"))).resource.user_id
    ops = PatchOp(operations=[Operation(op="replace", path="active", value=False)])
    response = client.update_user(id=user_id, ops=ops)
    assert response.resource.active is False
    assert response.status_code == 200
    patch_status = [r.status_code for r in response.history]
    assert patch_status in ([], [204])


def test_rfc7644_3_5_2_patch_without_path(client: SCIMClient, unique: Unique) -> None:
    """An operation without a path carries a dict of attributes to replace."""
    user_id = client.create_user(_user(unique("kmalone"))).resource.user_id
    ops = PatchOp(operations=[Operation(op="replace", value={"title": "Accountant"})])
    assert client.update_user(user_id, ops).resource.title == "Accountant"


def test_rfc7644_3_5_2_patch_204_is_fetched(
    client: SCIMClient, scim_server: ServerUnderTest, unique: Unique
) -> None:
    """After a 204 PATCH answer, the client GETs the resource and keeps the 204 in history."""
    user_id = client.create_user(_user(unique("abernard"))).resource.user_id
    response = client.update_user(
        user_id, Operation(op="replace", path="nickName", value="Nard Dog")
    )
    assert response.resource.nickName == "Nard Dog"
    if scim_server.deviates("patch-204"):
        # scim2-server always answers PATCH with 204 (RFC 7644 §3.5.2 allows it).
        assert [r.status_code for r in response.history] == [204]
        assert [e.method for e in list(client.wire_log)[-2:]] == ["PATCH", "GET"]


def test_rfc7644_3_5_1_replace_user(client: SCIMClient, unique: Unique) -> None:
    """PUT replaces the User; attributes left out are cleared."""
    created = client.create_user(_user(unique("omartinez"), title="Accountant")).resource
    created.title = None
    created.displayName = "Oscar Martinez"
    response = client.replace_user(created)
    assert response.status_code == 200
    assert response.resource.displayName == "Oscar Martinez"
    assert response.resource.title is None
    assert "id" not in client.wire_log[-1].request_body


def test_rfc7644_3_14_if_match_current_version(client: SCIMClient, unique: Unique) -> None:
    """if_match=True sends the resource's meta.version; the current version is accepted."""
    created = client.create_user(_user(unique("amartin"))).resource
    assert created.version
    created.title = "Head of the Party Planning Committee"
    response = client.replace_user(created, if_match=True)
    assert client.wire_log[-1].request_headers["If-Match"] == created.version
    assert response.resource.title == "Head of the Party Planning Committee"
    assert response.etag and response.etag != created.version


def test_rfc7644_3_14_stale_version_raises_precondition_failed(
    client: SCIMClient, unique: Unique
) -> None:
    """A write with an outdated If-Match raises PreconditionFailed (412)."""
    created = client.create_user(_user(unique("shudson"))).resource
    stale = created.version
    client.update_user(created.user_id, Operation(op="replace", path="title", value="Sales"))
    with pytest.raises(PreconditionFailed) as caught:
        client.update_user(
            created.user_id, Operation(op="replace", path="title", value="x"), if_match=stale
        )
    assert caught.value.status == 412
    assert "changed on the server since you read it" in str(caught.value)
    with pytest.raises(PreconditionFailed):
        client.delete_user(created, if_match=True)


def test_rfc7644_3_14_version_exposed(client: SCIMClient, unique: Unique) -> None:
    """The ETag header and meta.version are exposed as response.etag / response.version."""
    response = client.create_user(_user(unique("pvance")))
    assert response.etag == response.version == response.resource.meta.version
    assert response.etag == response.headers["ETag"]


def test_rfc7644_3_6_delete_user(client: SCIMClient, unique: Unique) -> None:
    """DELETE answers 204 with no body; the User is then gone."""
    user = client.create_user(_user(unique("mpalmer"))).resource
    response = client.delete_user(user.user_id)
    assert response.status_code == 204
    assert response.to_dict() == {}
    assert response.resource is None
    with pytest.raises(NotFound):
        client.get_user(user.user_id)


def test_rfc7644_3_4_2_filter_and_paging(client: SCIMClient, unique: Unique) -> None:
    """startIndex and count select one page; totalResults counts every match."""
    prefix = unique("page")
    for i in range(5):
        client.create_user(_user(f"{prefix}-{i}"))
    response = client.get_users(
        filter=Filter(filter=f'userName sw "{prefix}"'), start_index=2, count=2, sort_by="userName"
    )
    page = response.resource
    assert isinstance(page, ListResponse)
    assert page.totalResults == 5
    assert [u.userName for u in page] == [f"{prefix}-1", f"{prefix}-2"]
    assert page.startIndex == 2


def test_rfc7644_3_4_2_iter_users_walks_every_page(client: SCIMClient, unique: Unique) -> None:
    """iter_users fetches page after page until totalResults are seen."""
    prefix = unique("iter")
    for i in range(5):
        client.create_user(_user(f"{prefix}-{i}"))
    before = len(client.wire_log)
    names = [
        u.userName
        for u in client.iter_users(f'userName sw "{prefix}"', page_size=2, sort_by="userName")
    ]
    assert names == [f"{prefix}-{i}" for i in range(5)]
    assert len(client.wire_log) - before == 3


def test_rfc7644_3_4_2_3_sort_descending(client: SCIMClient, unique: Unique) -> None:
    """sortBy and sortOrder order the results."""
    prefix = unique("sort")
    for i in range(3):
        client.create_user(_user(f"{prefix}-{i}"))
    response = client.get_users(
        f'userName sw "{prefix}"', sort_by="userName", sort_order="descending"
    )
    assert [u.userName for u in response.resource] == [f"{prefix}-{i}" for i in (2, 1, 0)]


def test_rfc7644_3_4_2_5_attributes(client: SCIMClient, unique: Unique) -> None:
    """attributes= returns only those (and id); excluded_attributes= leaves some out."""
    user_id = client.create_user(_user(unique("kkapoor"))).resource.user_id
    only = client.get_user(user_id, attributes=["userName"]).to_dict()
    assert only["userName"] and "emails" not in only and only["id"] == user_id
    without = client.get_user(user_id, excluded_attributes="emails").to_dict()
    assert "emails" not in without and without["userName"]


def test_rfc7644_3_4_3_search(client: SCIMClient, unique: Unique) -> None:
    """search() POSTs a SearchRequest to /.search or /Users/.search."""
    user_name = unique("cbratton")
    client.create_user(_user(user_name))
    for resource_type in (None, "User"):
        response = client.search(Filter.eq("userName", user_name), resource_type=resource_type)
        assert [u.userName for u in response.resource] == [user_name]
        sent = client.wire_log[-1]
        assert sent.method == "POST" and sent.path.endswith("/.search")
        assert sent.request_body["filter"] == f'userName eq "{user_name}"'


def test_rfc7644_3_4_2_server_rejects_unknown_filter_attribute(client: SCIMClient) -> None:
    """A filter on an attribute the server does not know raises InvalidFilter (400)."""
    with pytest.raises(InvalidFilter) as caught:
        client.get_users(Filter(filter='favoriteBeet eq "x"'))
    assert (caught.value.status, caught.value.scim_type) == (400, "invalidFilter")
    assert "double quotes" in str(caught.value)


def test_rfc7643_4_3_enterprise_extension(client: SCIMClient, unique: Unique) -> None:
    """The Enterprise User extension is sent under its URN and comes back typed."""
    user = _user(
        unique("tflenderson"), enterprise=EnterpriseUser(department="HR", employeeNumber="7")
    )
    response = client.create_user(user)
    sent = client.wire_log[-1].request_body
    urn = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    assert urn in sent["schemas"] and sent[urn] == {"employeeNumber": "7", "department": "HR"}
    assert response.resource.enterprise == EnterpriseUser(department="HR", employeeNumber="7")


def test_rfc7644_4_discovery(client: SCIMClient) -> None:
    """ServiceProviderConfig, ResourceTypes and Schemas are readable and typed."""
    config = client.service_provider_config().resource
    assert config.patch.supported is True
    types = client.resource_types().resource
    assert {t.name for t in types} >= {"User", "Group"}
    schemas = client.schemas().resource
    assert "urn:ietf:params:scim:schemas:core:2.0:User" in {s.id for s in schemas}


def test_rfc7644_3_7_bulk(client: SCIMClient, unique: Unique) -> None:
    """bulk() sends operations in one request and answers each one's outcome."""
    first, second = unique("bulk"), unique("bulk")
    response = client.bulk(
        [
            BulkOperation(method="POST", path="/Users", bulkId="one", data=_user(first)),
            BulkOperation(method="POST", path="/Users", bulkId="two", data=_user(second)),
        ]
    )
    outcome = response.resource
    assert isinstance(outcome, BulkResponse)
    assert [(op.bulkId, op.status_code) for op in outcome.operations] == [
        ("one", 201),
        ("two", 201),
    ]
    assert client.get_users(Filter.eq("userName", second)).resource.totalResults == 1


def test_rfc7644_3_3_create_group_with_members(client: SCIMClient, unique: Unique) -> None:
    """A Group is created with members; get_groups finds it by displayName."""
    user_id = client.create_user(_user(unique("jhalpert"))).resource.user_id
    name = unique("Scranton Branch")
    created = client.create_group(Group(displayName=name, members=[Member(value=user_id)])).resource
    assert [m.value for m in created.members] == [user_id]
    found = client.get_groups(filter=Filter.eq("displayName", name)).resource
    assert [g.group_id for g in found] == [created.group_id]
    assert [g.group_id for g in client.iter_groups(Filter.eq("displayName", name))] == [
        created.group_id
    ]


def test_rfc7644_3_5_1_replace_and_delete_group(client: SCIMClient, unique: Unique) -> None:
    """PUT renames a Group; DELETE removes it."""
    group = client.create_group(Group(displayName=unique("Stamford"))).resource
    group.displayName = unique("Stamford Branch (closed)")
    assert client.replace_group(group, if_match=True).resource.displayName == group.displayName
    assert client.delete_group(group).status_code == 204
    with pytest.raises(NotFound) as caught:
        client.get_group(group.group_id)
    assert f"Group '{group.group_id}' was not found" in str(caught.value)


def test_rfc7644_3_5_2_2_remove_member_by_filter(client: SCIMClient, unique: Unique) -> None:
    """The RFC's own remove form (a filter in the path) works as well as the bare id."""
    ids = [client.create_user(_user(unique("sales"))).resource.user_id for _ in range(2)]
    group = client.create_group(
        Group(displayName=unique("Sales"), members=[Member(value=i) for i in ids])
    ).resource
    ops = PatchOp(operations=[Operation(op="remove", path=f'members[value eq "{ids[0]}"]')])
    updated = client.update_group(group.group_id, ops).resource
    assert [m.value for m in updated.members] == [ids[1]]


def test_rfc7644_2_wrong_token_raises_unauthorized(scim_server: ServerUnderTest) -> None:
    """A wrong token raises Unauthorized (401) with a hint; the token never shows."""
    config = ClientConfiguration(server_url=scim_server.url, auth_token="not-the-token")
    with SCIMClient(config) as client, pytest.raises(Unauthorized) as caught:
        client.get_users()
    assert caught.value.status == 401
    assert str(caught.value).startswith("The server refused the credentials (401)")
    assert "token" in str(caught.value).removeprefix("The server refused the credentials (401)")
    assert "not-the-token" not in str(caught.value) + repr(client.wire_log[-1].request_headers)


def test_client_validates_before_sending(client: SCIMClient) -> None:
    """A User without userName is refused before any request is made."""
    before = len(client.wire_log)
    with pytest.raises(ValidationError) as caught:
        client.create_user(User(displayName="Nobody"))
    assert caught.value.field == "userName"
    assert len(client.wire_log) == before


def test_client_uses_given_session(scim_server: ServerUnderTest) -> None:
    """A given requests.Session carries the requests and is left open for its owner."""
    calls: list[str] = []
    with requests.Session() as session:
        session.hooks["response"].append(lambda r, *a, **k: calls.append(r.request.method))
        config = ClientConfiguration(server_url=scim_server.url, auth_token=scim_server.token)
        with SCIMClient(config, session=session) as client:
            client.get_users(count=1)
        assert calls == ["GET"]
        assert session.get(scim_server.url + "/ServiceProviderConfig").status_code in (200, 401)


def test_client_owns_one_session_reused_and_closed_on_exit(scim_server: ServerUnderTest) -> None:
    """The client's own Session carries every request over one connection; exit closes it."""
    config = ClientConfiguration(server_url=scim_server.url, auth_token=scim_server.token)
    with SCIMClient(config) as client:
        session = client.session
        assert isinstance(session, requests.Session)
        for _ in range(3):
            client.get_users(count=1)
        pools = session.get_adapter(scim_server.url).poolmanager.pools
        # urllib3's pool container refuses plain iteration; keys() is its way.
        pools = [pools[key] for key in pools.keys()]  # noqa: SIM118
        assert [(p.num_connections, p.num_requests) for p in pools] == [(1, 3)], (
            "one keep-alive connection serves every request"
        )
    assert len(session.get_adapter(scim_server.url).poolmanager.pools) == 0
