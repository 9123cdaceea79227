from uuid import NAMESPACE_X500, uuid5

from sync_app.scim.group import Group
from sync_app.scim.patchop import Operation, PatchOp
from sync_app.scim.resource import ResourceMeta

sales_uuid = uuid5(NAMESPACE_X500, "cn=ScrantonSales,DC=dundermifflin,DC=com")
scranton_sales = Group(
    displayName="Scranton Sales",
    group_id=sales_uuid,
    meta=ResourceMeta.create_meta("Group", "https://duo.local/Groups/{}".format(sales_uuid)),
)
scranton_sales_id = client.create_group(scranton_sales).to_dict()["id"]

salespeople = ["Jim Halpert", "Dwight Schrute", "Andy Bernard", "Phyllis Vance", "Stanley Hudson"]
add_sales = PatchOp(
    operations=[
        Operation(op="add", path="members", value=[{"value": user_ids[n]} for n in salespeople])
    ]
)
client.update_group(id=scranton_sales_id, ops=add_sales)
members_of(scranton_sales_id)
