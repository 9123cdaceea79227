from sync_app.scim.patchop import Operation, PatchOp

# add appends to a multi-valued attribute: the work email stays.
add_home = PatchOp(
    operations=[
        Operation(op="add", path="emails", value=[{"value": "pam@example.com", "type": "home"}])
    ]
)
client.update_user(id=user_ids["Pam Beesly"], ops=add_home)
emails_of("Pam Beesly")
