from sync_app.errors import ProtocolError

# A member's "value" is the user's id (RFC 7643 §4.2), not the userName "mscott": the filter
# must compare it with Michael's id. Name him in the path and send no value.
leave = PatchOp(
    operations=[
        Operation(op="remove", path='members[value eq "{}"]'.format(user_ids["Michael Scott"]))
    ]
)
try:
    client.update_group(id=management_id, ops=leave)
except ProtocolError as error:
    print("status", error.status, "scimType", error.scim_type)
members_of(management_id)
