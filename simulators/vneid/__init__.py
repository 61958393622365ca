"""A local OpenID provider standing for VNeID and the national portal's SSO (issue 17)."""
