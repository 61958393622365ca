"""API access tokens live in :mod:`congso.accounts.models` (credentials are the accounts' domain;
the table keeps its name ``api_apitoken``). Re-exported here for the API's own modules."""

from __future__ import annotations

from congso.accounts.models import ApiToken

__all__ = ["ApiToken"]
