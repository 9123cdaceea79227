# active is the account's status (RFC 7643 §4.1.1); membership lives on the group. Switching
# Michael back on changes no group, so Dunder Mifflin keeps its twelve.
prediction = 12

back_to_work = PatchOp(operations=[Operation(op="replace", path="active", value=True)])
client.update_user(id=user_ids["Michael Scott"], ops=back_to_work)
print(len(members_of(dunder_mifflin_group_id)), "members in Dunder Mifflin")
