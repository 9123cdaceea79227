# Without a filter, this server applies emails.value to every email: both change.
prediction = 2

everything = PatchOp(
    operations=[
        Operation(op="replace", path="emails.value", value="michael@michaelscottpaper.com"),
    ]
)
client.update_user(id=user_ids["Michael Scott"], ops=everything)
emails_of("Michael Scott")
