from scim_helper import course_external_id
from sync_app.scim.user import Email, Name, User

# Ask first, with the client's own key: the server picks the id, so only externalId (or the
# unique userName) can tell us whether David is already there.
wallace_key = course_external_id("dwallace")
found = client.get_users(f'externalId eq "{wallace_key}"').to_dict()
if found["totalResults"]:
    user_ids["David Wallace"] = found["Resources"][0]["id"]
else:
    dwallace = User(
        displayName="David Wallace",
        active=True,
        userName="dwallace",
        name=Name(formatted="David Wallace", familyName="Wallace", givenName="David"),
        emails=[Email(value="david.wallace@dundermifflin.com", type="work", primary=True)],
        externalId=wallace_key,
    )
    user_ids["David Wallace"] = client.create_user(dwallace).to_dict()["id"]
print("David Wallace:", "found" if found["totalResults"] else "created")
