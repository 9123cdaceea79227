def as_boolean(value):
    """Entra ID's default mode sends "True" and "False" as strings."""
    return value.lower() == "true" if isinstance(value, str) else value


def apply_patch(resource, operations):
    """Apply a PATCH request's operations to the resource (RFC 7644 §3.5.2)."""
    for operation in operations:
        op = operation["op"].lower()  # Entra ID sends "Add", "Replace", "Remove"
        path, value = operation.get("path"), operation.get("value")
        if op in ("add", "replace") and path is None:
            for key, item in value.items():
                set_attribute(resource, key, as_boolean(item) if key == "active" else item)
        elif op == "add" and path == "members":
            add_members(resource, [member["value"] for member in value])
        elif op in ("add", "replace"):
            set_attribute(resource, path, as_boolean(value) if path == "active" else value)
        elif op == "remove" and member_filter(path):
            remove_members(resource, [member_filter(path)])
        elif op == "remove" and path == "members" and value:
            # Entra ID's default mode: the members to remove, as a value list.
            remove_members(resource, [member["value"] for member in value])
        else:
            raise ScimProblem(400, "invalidPath", f"This app cannot {op} {path}.")


infinity.apply_patch = apply_patch
