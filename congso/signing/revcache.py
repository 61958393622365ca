"""A process-wide cache of fetched OCSP responses and CRLs for validation, so the public
verification page and the API do not ask the CA again for every upload.

Bounded twice: at most ``CONGSO_SIGNING_REVOCATION_CACHE_SIZE`` entries (least recently used
go first; 0 turns caching off), and an entry is served only until the earlier of its
``nextUpdate`` (the OCSP single responses' or the CRLs') and
``CONGSO_SIGNING_REVOCATION_CACHE_SECONDS`` after it was fetched. A response without
``nextUpdate`` is never cached (the responder promises nothing about it). Only successful OCSP
responses are kept. The fetching itself is pyhanko-certvalidator's aiohttp backend; this wraps
its OCSP and CRL fetchers (issuer certificates are fetched as before).
"""

from __future__ import annotations

import datetime
import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable
from typing import Any, TypeAlias

from asn1crypto import cms, crl, ocsp, x509
from django.conf import settings
from pyhanko_certvalidator.authority import Authority
from pyhanko_certvalidator.fetchers import FetcherBackend, Fetchers
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
from pyhanko_certvalidator.fetchers.api import CRLFetcher, OCSPFetcher
from pyhanko_certvalidator.util import get_relevant_crl_dps, issuer_serial

Certificate: TypeAlias = x509.Certificate | cms.AttributeCertificateV2


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


class ExpiringCache:
    """A small thread-safe LRU map whose entries carry their own expiry."""

    def __init__(self) -> None:
        self._items: OrderedDict[Hashable, tuple[datetime.datetime, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def capacity() -> int:
        return max(0, int(settings.SIGNING_REVOCATION_CACHE_SIZE))

    def get(self, key: Hashable, *, now: datetime.datetime | None = None) -> Any:
        moment = now or _now()
        with self._lock:
            entry = self._items.get(key)
            if entry is None or entry[0] <= moment:
                if entry is not None:
                    del self._items[key]
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return entry[1]

    def put(self, key: Hashable, value: Any, expires_at: datetime.datetime | None) -> None:
        limit = self.capacity()
        if expires_at is None or limit == 0 or expires_at <= _now():
            return
        with self._lock:
            self._items[key] = (expires_at, value)
            self._items.move_to_end(key)
            while len(self._items) > limit:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._items)


OCSP_CACHE = ExpiringCache()
CRL_CACHE = ExpiringCache()


def _cap(next_updates: list[datetime.datetime | None]) -> datetime.datetime | None:
    """The earlier of the data's own ``nextUpdate`` and the configured maximum age."""
    if not next_updates or any(item is None for item in next_updates):
        return None
    earliest = min(item for item in next_updates if item is not None)
    return min(
        earliest, _now() + datetime.timedelta(seconds=settings.SIGNING_REVOCATION_CACHE_SECONDS)
    )


def ocsp_expiry(response: ocsp.OCSPResponse) -> datetime.datetime | None:
    if response["response_status"].native != "successful":
        return None
    data = response["response_bytes"]["response"].parsed["tbs_response_data"]
    return _cap([single["next_update"].native for single in data["responses"]])


def crl_expiry(crls: list[crl.CertificateList]) -> datetime.datetime | None:
    return _cap([item["tbs_cert_list"]["next_update"].native for item in crls])


class CachingOCSPFetcher(OCSPFetcher):
    def __init__(self, inner: OCSPFetcher, cache: ExpiringCache = OCSP_CACHE):
        self.inner = inner
        self.cache = cache
        self._served: dict[tuple[Any, Any], ocsp.OCSPResponse] = {}

    async def fetch(self, cert: Certificate, authority: Authority) -> ocsp.OCSPResponse:
        key = (issuer_serial(cert), authority.hashable)
        response = self.cache.get(("ocsp", key))
        if response is None:
            response = await self.inner.fetch(cert, authority)
            self.cache.put(("ocsp", key), response, ocsp_expiry(response))
        self._served[key] = response
        return response

    def fetched_responses(self) -> Iterable[ocsp.OCSPResponse]:
        return list(self._served.values())

    def fetched_responses_for_cert(self, cert: Certificate) -> Iterable[ocsp.OCSPResponse]:
        target = issuer_serial(cert)
        return [response for (subject, _), response in self._served.items() if subject == target]


class CachingCRLFetcher(CRLFetcher):
    def __init__(self, inner: CRLFetcher, cache: ExpiringCache = CRL_CACHE):
        self.inner = inner
        self.cache = cache
        self._served: dict[bytes, list[crl.CertificateList]] = {}

    async def fetch(
        self, cert: Certificate, *, use_deltas: bool | None = None
    ) -> Iterable[crl.CertificateList]:
        deltas = True if use_deltas is None else use_deltas
        # CRLs belong to their distribution points, not to the certificate asking.
        points = tuple(point.dump() for point in get_relevant_crl_dps(cert, use_deltas=deltas))
        key = ("crl", points)
        crls = self.cache.get(key)
        if crls is None:
            crls = list(await self.inner.fetch(cert, use_deltas=deltas))
            if crls:
                self.cache.put(key, crls, crl_expiry(crls))
        self._served[issuer_serial(cert)] = crls
        return crls

    def fetched_crls(self) -> Iterable[crl.CertificateList]:
        return [item for crls in self._served.values() for item in crls]

    def fetched_crls_for_cert(self, cert: Certificate) -> Iterable[crl.CertificateList]:
        return self._served[issuer_serial(cert)]


class CachingFetcherBackend(FetcherBackend):
    """pyhanko-certvalidator's aiohttp backend with the process-wide OCSP/CRL cache."""

    def __init__(self) -> None:
        self.inner = AIOHttpFetcherBackend()

    def get_fetchers(self) -> Fetchers:
        fetchers = self.inner.get_fetchers()
        return Fetchers(
            ocsp_fetcher=CachingOCSPFetcher(fetchers.ocsp_fetcher),
            crl_fetcher=CachingCRLFetcher(fetchers.crl_fetcher),
            cert_fetcher=fetchers.cert_fetcher,
        )

    async def close(self) -> None:
        await self.inner.close()
