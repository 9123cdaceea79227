from sync_app.scim.patchop import Operation, PatchOp

# One add operation carrying a list of members: everyone except Michael.
back = [{"value": user_id} for name, user_id in user_ids.items() if name != "Michael Scott"]
client.update_group(
    id=practice_remove_all,
    ops=PatchOp(operations=[Operation(op="add", path="members", value=back)]),
)
len(members_of(practice_remove_all))
