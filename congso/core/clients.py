"""Who is on the other end of a request: the client's address, and whether the peer is one of
the reverse proxies named in ``settings.PROXY_ADDRESSES`` (``CONGSO_PROXY_ADDRESSES``).

Without configured proxies the address is ``REMOTE_ADDR`` and every ``X-Forwarded-*`` header is
ignored (and removed by :class:`~congso.core.middleware.ProxyHeadersMiddleware`), so a client
cannot choose its own address or claim HTTPS. Behind configured proxies the client is the
right-most address of ``X-Forwarded-For`` that is not itself a proxy (each proxy appends the
peer it saw; what the client wrote itself is further left and never trusted).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in spec)


def proxy_networks() -> tuple[Network, ...]:
    return _networks(tuple(settings.PROXY_ADDRESSES))


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def is_proxy(address: str | None) -> bool:
    """Whether ``address`` is one of the configured reverse proxies."""
    parsed = _parse(address or "")
    return parsed is not None and any(parsed in net for net in proxy_networks())


def client_ip(request: Any) -> str | None:
    """The address the request came from (see the module's docstring); None without one."""
    if request is None:
        return None
    peer = request.META.get("REMOTE_ADDR") or ""
    if not is_proxy(peer):
        return str(_parse(peer)) if _parse(peer) is not None else None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed([part for part in forwarded.split(",") if part.strip()]):
        parsed = _parse(hop)
        if parsed is None:
            break  # garbage written by the client: stop, the proxy's own peer is the answer
        if not is_proxy(str(parsed)):
            return str(parsed)
    return str(_parse(peer))
