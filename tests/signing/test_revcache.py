"""The validator's OCSP/CRL cache: a second validation of the same document asks the CA nothing,
entries end at the earlier of their nextUpdate and the configured maximum age, the cache is
bounded (least recently used dropped) and can be turned off."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from pyhanko_certvalidator.fetchers.aiohttp_fetchers.crl_client import AIOHttpCRLFetcher
from pyhanko_certvalidator.fetchers.aiohttp_fetchers.ocsp_client import AIOHttpOCSPFetcher

from congso.signing import pki, revcache, validation
from congso.signing.validation import PASSED
from tests.signing.conftest import sign_level


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts the requests pyhanko-certvalidator's own fetchers make to the CA."""
    calls = {"ocsp": 0, "crl": 0}
    ocsp_fetch, crl_fetch = AIOHttpOCSPFetcher._fetch, AIOHttpCRLFetcher._single_fetch

    async def counting_ocsp(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls["ocsp"] += 1
        return await ocsp_fetch(self, *args, **kwargs)

    async def counting_crl(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls["crl"] += 1
        return await crl_fetch(self, *args, **kwargs)

    monkeypatch.setattr(AIOHttpOCSPFetcher, "_fetch", counting_ocsp)
    monkeypatch.setattr(AIOHttpCRLFetcher, "_single_fetch", counting_crl)
    return calls


def test_second_validation_is_served_from_the_cache(
    unsigned_pdf: bytes, network: dict[str, int], settings: Any
) -> None:
    signed = sign_level(unsigned_pdf, "B-B")
    first = validation.validate_pdf(signed, online=True)
    assert first.indication == PASSED
    asked = dict(network)
    assert asked["ocsp"] + asked["crl"] > 0
    assert len(revcache.OCSP_CACHE) + len(revcache.CRL_CACHE) > 0
    second = validation.validate_pdf(signed, online=True)
    assert second.indication == PASSED
    assert network == asked  # nothing fetched again
    assert revcache.OCSP_CACHE.hits + revcache.CRL_CACHE.hits > 0

    # Turned off: every validation fetches.
    settings.SIGNING_REVOCATION_CACHE_SIZE = 0
    revcache.OCSP_CACHE.clear()
    revcache.CRL_CACHE.clear()
    validation.validate_pdf(signed, online=True)
    validation.validate_pdf(signed, online=True)
    assert network["ocsp"] + network["crl"] == 3 * (asked["ocsp"] + asked["crl"])


def test_expiry_honours_next_update_and_the_maximum_age(
    demo_pki: pki.DemoPKI, settings: Any
) -> None:
    from asn1crypto import ocsp
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509 import ocsp as x509_ocsp

    request = (
        x509_ocsp.OCSPRequestBuilder()
        .add_certificate(demo_pki.officer("chu-tich"), demo_pki.ca.cert, hashes.SHA256())
        .build()
        .public_bytes(serialization.Encoding.DER)
    )
    response = ocsp.OCSPResponse.load(demo_pki.ocsp_response(request))
    single = response["response_bytes"]["response"].parsed["tbs_response_data"]["responses"][0]
    next_update = single["next_update"].native
    settings.SIGNING_REVOCATION_CACHE_SECONDS = 10 * 24 * 3600
    assert revcache.ocsp_expiry(response) == next_update  # the response's own limit
    settings.SIGNING_REVOCATION_CACHE_SECONDS = 60
    capped = revcache.ocsp_expiry(response)
    assert capped is not None and capped < next_update
    assert capped <= datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=60)

    cache = revcache.ExpiringCache()
    now = datetime.datetime.now(datetime.UTC)
    cache.put("k", "v", now + datetime.timedelta(minutes=5))
    assert cache.get("k", now=now) == "v"
    assert cache.get("k", now=now + datetime.timedelta(minutes=5)) is None  # expired, dropped
    assert len(cache) == 0
    cache.put("never", "v", None)  # no nextUpdate: never cached
    assert cache.get("never") is None


def test_cache_is_bounded_least_recently_used_first(settings: Any) -> None:
    settings.SIGNING_REVOCATION_CACHE_SIZE = 2
    cache = revcache.ExpiringCache()
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)
    cache.put("a", 1, later)
    cache.put("b", 2, later)
    assert cache.get("a") == 1  # "a" used: "b" is now the oldest
    cache.put("c", 3, later)
    assert len(cache) == 2
    assert cache.get("b") is None and cache.get("a") == 1 and cache.get("c") == 3
