from sync_app.scim.patchop import Operation, PatchOp

work = {"value": "ryan.howard@michaelscottpaper.com", "type": "work", "primary": True}
client.update_user(
    id=user_ids["Ryan Howard"],
    ops=PatchOp(operations=[Operation(op="add", path="emails", value=[work])]),
)
emails_of("Ryan Howard")
