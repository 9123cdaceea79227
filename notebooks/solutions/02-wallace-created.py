from uuid import NAMESPACE_X500, uuid5

from sync_app.scim.resource import ResourceMeta
from sync_app.scim.user import Email, Name, User

wallace_uuid = uuid5(NAMESPACE_X500, "uid=David.Wallace,DC=dundermifflin,DC=com")
dwallace = User(
    meta=ResourceMeta.create_meta("User", "https://duo.local/Users/{}".format(wallace_uuid)),
    user_id=wallace_uuid,
    displayName="David Wallace",
    active=True,
    userName="dwallace",
    name=Name(formatted="David Wallace", familyName="Wallace", givenName="David"),
    emails=[Email(value="david.wallace@dundermifflin.com", type="work", primary=True)],
)
response = client.create_user(dwallace)
user_ids["David Wallace"] = response.to_dict()["id"]
