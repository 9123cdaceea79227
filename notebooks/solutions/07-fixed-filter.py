# Strings in a filter go in double quotes.
found = client.get_users(filter=Filter(filter='userName eq "dschrute"')).to_dict()
dwight_found = found["Resources"][0]["id"]
