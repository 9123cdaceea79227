try:
    client.create_user(backup_dwight)
except SCIMError as error:
    uniqueness_error = error
show(uniqueness_error)
