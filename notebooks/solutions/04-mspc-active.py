from sync_app.scim.patchop import Operation, PatchOp

# Michael is the only one of the three who was switched off; Pam and Ryan left Dunder Mifflin
# earlier in this chapter, Michael in chapter 3.
reactivate = PatchOp(operations=[Operation(op="replace", path="active", value=True)])
client.update_user(id=user_ids["Michael Scott"], ops=reactivate)
[client.get_user(user_ids[n]).to_dict()["active"] for n in ("Michael Scott", "Pam Beesly", "Ryan Howard")]
