"""An HTTP request from a gateway (a payment return or notification, an exchange push) as a
plugin sees it: plain data, no Django request object, so a plugin is testable without a server
and the domain never depends on the web layer. A view builds it with :func:`from_django`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class InboundRequest:
    method: str
    path: str
    query: Mapping[str, str] = field(default_factory=dict)
    form: Mapping[str, str] = field(default_factory=dict)
    #: Header names in lower case.
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    remote_addr: str = ""


def from_django(request: Any) -> InboundRequest:
    """The plain view of a Django ``HttpRequest`` (last value of a repeated parameter)."""
    return InboundRequest(
        method=str(request.method),
        path=str(request.path),
        query={key: request.GET.get(key, "") for key in request.GET},
        form={key: request.POST.get(key, "") for key in request.POST}
        if request.method == "POST" and request.content_type != "application/json"
        else {},
        headers={key.lower(): value for key, value in request.headers.items()},
        body=bytes(request.body),
        remote_addr=str(request.META.get("REMOTE_ADDR", "")),
    )
