from sync_app.scim.patchop import Operation, PatchOp

fix_name = PatchOp(operations=[Operation(op="replace", path="displayName", value="Charles Miner")])
client.update_user(id=user_ids["Charles Miner"], ops=fix_name).to_dict()["displayName"]
