from sync_app.scim.patchop import Operation, PatchOp

# The RFC form: name the member in the path, send no value.
leave = PatchOp(
    operations=[
        Operation(op="remove", path='members[value eq "{}"]'.format(user_ids["Michael Scott"]))
    ]
)
client.update_group(id=management_id, ops=leave)
members_of(management_id)
