def search(resources, clauses):
    """The resources every (attribute, value) clause matches: none is an empty list, not a 404."""

    def matches(resource, name, value):
        found = attribute(resource, name)
        if name.lower() == "username":  # caseExact false: RFC 7643 §4.1.1
            return isinstance(found, str) and found.lower() == value.lower()
        return found == value

    # Active or not, every user matching the filter is in the answer.
    return [r for r in resources if all(matches(r, name, value) for name, value in clauses)]


infinity.search = search
