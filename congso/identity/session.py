"""What the session remembers of a national sign-in: the provider, the level of assurance
reached (``acr``/``loAs``), the ID token for the logout hint; and the flows in progress."""

from __future__ import annotations

import datetime
from dataclasses import asdict
from typing import Any

from django.http import HttpRequest

from congso.identity.oidc import NationalIdentity, Pending

PENDING = "identity.pending"
SIGNED_IN = "identity.signed_in"
MERGE = "identity.merge"
MAX_PENDING = 5


def keep_pending(request: HttpRequest, pending: Pending) -> None:
    flows: dict[str, Any] = dict(request.session.get(PENDING) or {})
    flows[pending.state] = pending.as_dict()
    # A few tabs at once at most; the oldest flows are dropped.
    for state in sorted(flows, key=lambda s: flows[s]["created"])[:-MAX_PENDING]:
        del flows[state]
    request.session[PENDING] = flows


def take_pending(request: HttpRequest, state: str) -> Pending | None:
    """The flow ``state`` names, removed from the session (a state is used once)."""
    flows: dict[str, Any] = dict(request.session.get(PENDING) or {})
    found = flows.pop(state, None) if state else None
    request.session[PENDING] = flows
    return Pending(**found) if found else None


def remember_sign_in(request: HttpRequest, identity: NationalIdentity) -> None:
    request.session[SIGNED_IN] = {
        "provider": identity.provider,
        "level": identity.level,
        "id_token": identity.id_token,
    }


def signed_in(request: HttpRequest) -> dict[str, Any] | None:
    value = request.session.get(SIGNED_IN)
    return dict(value) if value else None


def current_level(request: HttpRequest) -> int:
    """The level of assurance of this session: 0 after a password sign-in."""
    value = signed_in(request)
    return int(value["level"]) if value else 0


def keep_merge(
    request: HttpRequest, identity: NationalIdentity, user_id: int, next_url: str
) -> None:
    data = asdict(identity)
    data["birth_date"] = identity.birth_date.isoformat() if identity.birth_date else None
    request.session[MERGE] = {"identity": data, "user_id": user_id, "next": next_url}


def merge_pending(request: HttpRequest) -> tuple[NationalIdentity, int, str] | None:
    value = request.session.get(MERGE)
    if not value:
        return None
    data = dict(value["identity"])
    data["birth_date"] = (
        datetime.date.fromisoformat(data["birth_date"]) if data["birth_date"] else None
    )
    return NationalIdentity(**data), int(value["user_id"]), str(value["next"])


def drop_merge(request: HttpRequest) -> None:
    request.session.pop(MERGE, None)
