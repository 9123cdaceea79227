from uuid import NAMESPACE_X500, uuid5

from sync_app.scim.messages import BulkOperation
from sync_app.scim.patchop import Operation, PatchOp
from sync_app.scim.resource import ResourceMeta
from sync_app.scim.user import Email, Name, User

holly_uuid = uuid5(NAMESPACE_X500, "uid=Holly.Flax,DC=dundermifflin,DC=com")
holly = User(
    meta=ResourceMeta.create_meta("User", "https://duo.local/Users/{}".format(holly_uuid)),
    user_id=holly_uuid, displayName="Holly Flax", active=True, userName="hflax",
    name=Name(formatted="Holly Flax", familyName="Flax", givenName="Holly"),
    emails=[Email(value="holly.flax@dundermifflin.com", type="work", primary=True)],
)
join = PatchOp(operations=[Operation(op="add", path="members", value=[{"value": "bulkId:holly"}])])
response = client.bulk([
    BulkOperation(method="POST", path="/Users", bulkId="holly", data=holly),
    BulkOperation(method="PATCH", path="/Groups/{}".format(dunder_mifflin_group_id), data=join),
])
[result["status"] for result in response.to_dict()["Operations"]]
