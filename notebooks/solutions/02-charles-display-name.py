from sync_app.errors import ProtocolError
from sync_app.scim.patchop import Operation, PatchOp

# 404: there is no /Users/cminer. A resource's URL holds its id, which the server assigned
# (RFC 7643 §3.1), not its userName; user_ids has Charles's id.
rename = PatchOp(operations=[Operation(op="replace", path="displayName", value="Charles Miner")])
try:
    client.update_user(id=user_ids["Charles Miner"], ops=rename)
except ProtocolError as error:
    print("status", error.status, "scimType", error.scim_type)
client.get_user(user_ids["Charles Miner"]).to_dict()["displayName"]
