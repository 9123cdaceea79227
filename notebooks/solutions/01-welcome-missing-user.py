# RFC 7644 §3.12: 404 when the resource does not exist. scimType is OPTIONAL, and its keywords
# are defined for errors such as 400 and 409, so a 404 usually carries none.
prediction = (404, None)

from sync_app.errors import ProtocolError

try:
    client.get_user("no-such-person-works-here")
except ProtocolError as error:
    print("status", error.status, "scimType", error.scim_type)
