"""The seam through which apps below the integration app reach a national service *through the
province's integration platform* (LGSP) — the population database, the document axis — with
the one LGSP client (session, message id, circuit breaker, request log) that the integration
app owns (``congso.integration.lgsp``).

The integration app sits above the identity and e-office apps (``congso/layers.py``), so they
cannot import its client; the client registers itself here in ``IntegrationConfig.ready()`` and
the adapters call :func:`call`. Whether an adapter goes through the platform or straight to its
endpoint is a setting of the adapter (``CONGSO_POPULATION_VIA_LGSP``,
``CONGSO_DOCAXIS_VIA_LGSP``): a province whose platform does not bridge a service keeps the
direct path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class PlatformError(Exception):
    """The platform did not carry the call (``unavailable``: try again later) or refused it."""

    def __init__(self, message: str, *, unavailable: bool) -> None:
        super().__init__(message)
        self.unavailable = unavailable


#: ``caller(service, data, subject=…)`` → the service's answer (a dict); raises PlatformError.
Caller = Callable[..., dict[str, Any]]

_caller: list[Caller] = []


def register(caller: Caller) -> Caller:
    """Install the platform client (once; a second registration replaces the first)."""
    _caller[:] = [caller]
    return caller


def call(service: str, data: dict[str, Any], *, subject: str = "") -> dict[str, Any]:
    """Call ``service`` through the platform; :class:`PlatformError` when it is not reachable,
    not configured or refuses."""
    if not _caller:
        raise PlatformError("Chưa có máy khách nền tảng tích hợp (LGSP).", unavailable=False)
    return _caller[0](service, data, subject=subject)
