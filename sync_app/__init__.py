"""SCIM 2.0 client on requests: the models of RFC 7643 and the protocol of RFC 7644."""
