from sync_app.client import Filter

page = client.get_users(
    filter=Filter(filter="active eq false"),
    sort_by="userName",
    sort_order="ascending",
    count=5,
    attributes=["userName"],
).to_dict()
first_inactive = [user["userName"] for user in page["Resources"]]
first_inactive
