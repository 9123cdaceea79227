row = tuesday.by_id["S002"]
current = state.managed[row.employee_id]  # matched by externalId office-course:sabre:S002
operations, changed = user_operations(current, row, SOURCE, manager_id=None)
print(changed)
client.update_user(current.user_id, PatchOp(operations=operations))
