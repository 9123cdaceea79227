from scim_helper import course_external_id
from sync_app.scim.messages import BulkOperation
from sync_app.scim.patchop import Operation, PatchOp
from sync_app.scim.user import Email, Name, User

# The server assigns Holly's id; externalId is the client's own key for her.
holly = User(
    externalId=course_external_id("hflax"),
    displayName="Holly Flax",
    active=True,
    userName="hflax",
    name=Name(formatted="Holly Flax", familyName="Flax", givenName="Holly"),
    emails=[Email(value="holly.flax@dundermifflin.com", type="work", primary=True)],
)
join = PatchOp(operations=[Operation(op="add", path="members", value=[{"value": "bulkId:holly"}])])
response = client.bulk([
    BulkOperation(method="POST", path="/Users", bulkId="holly", data=holly),
    BulkOperation(method="PATCH", path="/Groups/{}".format(dunder_mifflin_group_id), data=join),
])
[result["status"] for result in response.to_dict()["Operations"]]
