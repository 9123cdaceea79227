# The features are in /ServiceProviderConfig; bulk.maxOperations is one of Bulk's limits.
features = client.service_provider_config().to_dict()
bulk_max_operations = features["bulk"]["maxOperations"]
bulk_max_operations
