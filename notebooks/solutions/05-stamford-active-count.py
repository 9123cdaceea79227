from sync_app.client import Filter

enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
stamford = Filter(filter=f'{enterprise}:division eq "Stamford" and active eq true')
stamford_active = client.get_users(filter=stamford, count=0).to_dict()["totalResults"]
stamford_active
