from sync_app.scim.patchop import Operation, PatchOp

# There is no work email left for a value path to match (400 noTarget): add one instead.
# A PATCH leaves the rest of Ryan, his externalId included, as it is.
work = {"value": "ryan.howard@michaelscottpaper.com", "type": "work", "primary": True}
client.update_user(
    id=user_ids["Ryan Howard"],
    ops=PatchOp(operations=[Operation(op="add", path="emails", value=[work])]),
)
emails_of("Ryan Howard")
