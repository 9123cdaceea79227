from sync_app.scim.messages import BulkOperation

club = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
    "displayName": "Finer Things Club",
    "members": [{"value": user_ids[n]} for n in ("Pam Beesly", "Oscar Martinez", "Toby Flenderson")],
}
response = client.bulk([BulkOperation(method="POST", path="/Groups", bulkId="club", data=club)])
[result["status"] for result in response.to_dict()["Operations"]]
