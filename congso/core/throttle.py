"""Request throttles: fixed-window counters per key (a client address, a dossier code…).

Counters live in the ``throttle`` cache (``settings.CACHES``): a shared Redis cache when
``CONGSO_THROTTLE_CACHE_URL`` is set, otherwise each server process's memory — then every
process counts alone and a limit applies per process (with ``CONGSO_WEB_WORKERS`` = 2, an address
gets at most twice the limit). A window is ``seconds`` long and aligned on the clock
(``timezone.now()``), so a counter never needs resetting: the next window is a new key.

:func:`client_address` is the address throttles count by: the one the sign-in throttle uses too
(:func:`congso.core.clients.client_ip`: ``REMOTE_ADDR``, or behind the reverse proxies named in
``CONGSO_PROXY_ADDRESSES`` the right-most ``X-Forwarded-For`` hop that is not a proxy).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import caches
from django.http import HttpRequest
from django.utils import timezone

from congso.core.clients import client_ip

CACHE_ALIAS = "throttle"


def client_address(request: HttpRequest) -> str:
    """The client's address (:func:`congso.core.clients.client_ip`); "unknown" without one."""
    return client_ip(request) or "unknown"


@dataclass(frozen=True)
class Window:
    """At most ``limit`` counted events per ``seconds`` for one key; ``limit`` 0 turns it off."""

    name: str
    limit: int
    seconds: int

    def _index(self, now: datetime) -> int:
        return int(now.timestamp()) // max(1, self.seconds)

    def _key(self, key: str, now: datetime) -> str:
        return f"congso:{self.name}:{self._index(now)}:{key}"

    def ends_at(self, now: datetime | None = None) -> datetime:
        moment = now or timezone.now()
        start = self._index(moment) * max(1, self.seconds)
        return datetime.fromtimestamp(start, tz=moment.tzinfo) + timedelta(seconds=self.seconds)

    def count(self, key: str, now: datetime | None = None) -> int:
        if self.limit <= 0:
            return 0
        return int(caches[CACHE_ALIAS].get(self._key(key, now or timezone.now()), 0))

    def exceeded(self, key: str, now: datetime | None = None) -> bool:
        """Whether ``key`` has used up the window (without counting anything)."""
        return self.limit > 0 and self.count(key, now) >= self.limit

    def hit(self, key: str, now: datetime | None = None) -> int:
        """Count one event for ``key``; the count in this window, this event included (0 when
        the throttle is off)."""
        if self.limit <= 0:
            return 0
        cache = caches[CACHE_ALIAS]
        name = self._key(key, now or timezone.now())
        cache.add(name, 0, timeout=self.seconds + 60)
        try:
            return int(cache.incr(name))
        except ValueError:  # expired between add and incr
            cache.add(name, 1, timeout=self.seconds + 60)
            return 1

    def retry_after(self, now: datetime | None = None) -> int:
        moment = now or timezone.now()
        return max(1, int((self.ends_at(moment) - moment).total_seconds()))
