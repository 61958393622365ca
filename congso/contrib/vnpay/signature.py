"""VNPay's signature (API version 2.1.0): every ``vnp_*`` parameter but ``vnp_SecureHash`` and
``vnp_SecureHashType``, sorted by name, each ``urlencode(name)=urlencode(value)`` (spaces as
``+``, as PHP's ``urlencode`` and Python's ``quote_plus``), joined by ``&``; HMAC-SHA512 with
the merchant's hash secret, lower-case hex. Standard library only; no state."""

from __future__ import annotations

import hashlib
import hmac
import urllib.parse
from collections.abc import Mapping

UNSIGNED = frozenset({"vnp_SecureHash", "vnp_SecureHashType"})


def signed_text(params: Mapping[str, str]) -> str:
    pairs = sorted(
        (key, value)
        for key, value in params.items()
        if key.startswith("vnp_") and key not in UNSIGNED and value != ""
    )
    return "&".join(
        f"{urllib.parse.quote_plus(key)}={urllib.parse.quote_plus(value)}" for key, value in pairs
    )


def sign(params: Mapping[str, str], secret: str) -> str:
    return hmac.new(
        secret.encode("utf-8"), signed_text(params).encode("utf-8"), hashlib.sha512
    ).hexdigest()


def verify(params: Mapping[str, str], secret: str) -> bool:
    """Whether ``vnp_SecureHash`` is the signature of the other parameters (constant time)."""
    given = params.get("vnp_SecureHash", "").lower()
    if not given or not secret:
        return False
    return hmac.compare_digest(given.encode("ascii", "replace"), sign(params, secret).encode())


def pipe_sign(params: Mapping[str, str], fields: list[str], secret: str) -> str:
    """The merchant API's signature (querydr, refund and their answers): the values of
    ``fields`` in that order, joined by ``|`` (a missing one as empty), HMAC-SHA512 hex."""
    text = "|".join(str(params.get(name, "")) for name in fields)
    return hmac.new(secret.encode("utf-8"), text.encode("utf-8"), hashlib.sha512).hexdigest()
