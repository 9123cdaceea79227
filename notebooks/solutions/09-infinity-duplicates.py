def check_new_user(users, body):
    """Refuse a userName that is taken, in any case: 409 uniqueness (RFC 7644 §3.3)."""
    wanted = str(body.get("userName", "")).lower()
    if any(str(user.get("userName", "")).lower() == wanted for user in users):
        raise ScimProblem(409, "uniqueness", f"The userName {body['userName']} is taken.")


infinity.check_new_user = check_new_user
