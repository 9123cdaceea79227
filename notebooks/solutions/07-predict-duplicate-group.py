# This course's server keeps group names unique (its choice): 409. On scim2-server, 201.
prediction = 409

from sync_app.scim.group import Group

copy = Group(
    displayName="Dunder Mifflin", externalId=course_external_id("group:dunder-mifflin-copy")
)
try:
    created = client.create_group(copy).to_dict()
    print("201: a second group named", created["displayName"])
    client.delete_group(created["id"])
except SCIMError as error:
    show(error)
