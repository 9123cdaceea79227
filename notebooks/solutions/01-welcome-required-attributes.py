# Read the User schema from /Schemas and keep the names of the attributes marked required.
schemas = {schema["id"]: schema for schema in client.schemas().to_dict()["Resources"]}
user_schema = schemas["urn:ietf:params:scim:schemas:core:2.0:User"]
required_user_attributes = {a["name"] for a in user_schema["attributes"] if a.get("required")}
required_user_attributes
