from scim_helper import course_external_id
from sync_app.scim.messages import BulkOperation

# One Bulk request: the POST carries the members, and the course's externalId marks the group.
club = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
    "displayName": "Finer Things Club",
    "externalId": course_external_id("group:finer-things-club"),
    "members": [{"value": user_ids[n]} for n in ("Pam Beesly", "Oscar Martinez", "Toby Flenderson")],
}
response = client.bulk([BulkOperation(method="POST", path="/Groups", bulkId="club", data=club)])
[result["status"] for result in response.to_dict()["Operations"]]
