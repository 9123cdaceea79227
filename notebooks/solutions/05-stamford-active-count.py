from sync_app.client import Filter

# Both conditions in the filter, and count=0: the server counts, and sends nobody.
enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
stamford = Filter(filter=f'{enterprise}:division eq "Stamford" and active eq true')
stamford_active = client.get_users(filter=stamford, count=0).to_dict()["totalResults"]
stamford_active
