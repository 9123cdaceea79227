from scim_helper import course_external_id
from sync_app.scim.group import Group
from sync_app.scim.patchop import Operation, PatchOp

# Marked with the course's externalId, so that reset finds it on any server.
scranton_sales = Group(
    displayName="Scranton Sales",
    externalId=course_external_id("group:scranton-sales"),
)
scranton_sales_id = client.create_group(scranton_sales).to_dict()["id"]

# One add operation carrying all five members: one request, one change to the group.
salespeople = ["Jim Halpert", "Dwight Schrute", "Andy Bernard", "Phyllis Vance", "Stanley Hudson"]
add_sales = PatchOp(
    operations=[
        Operation(op="add", path="members", value=[{"value": user_ids[n]} for n in salespeople])
    ]
)
client.update_group(id=scranton_sales_id, ops=add_sales)
members_of(scranton_sales_id)
