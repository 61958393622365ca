"""The OpenID Connect relying party: VNeID and the national portal's SSO (docs/identity.md).

Authorization-code flow with ``state``, ``nonce`` and PKCE (S256), built with ``authlib``'s
OAuth 2 helpers; ID tokens verified with ``joserfc`` (RS256 against the provider's JWK set,
refetched once when a token names a key id the cached set does not hold — key rotation), the
claims ``iss``, ``aud``, ``exp``, ``iat`` and ``nonce`` checked with the configured clock skew.
Each provider is configured from the environment (``CONGSO_VNEID_*``, ``CONGSO_DVCQG_SSO_*``)
and described by its discovery document.

Nothing here writes to the database (``services`` links accounts); nothing logs a token or a
personal datum: failures are logged with the provider, the error code and the request id.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import logging
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from typing import Any

from authlib.common.security import generate_token, is_secure_transport
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.discovery import OpenIDProviderMetadata
from django.conf import settings
from django.utils.translation import gettext_noop
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from congso.core.errors import DomainError, Message

log = logging.getLogger("congso.identity")

PROVIDER_LABELS = {"vneid": "VNeID", "dvcqg": "Cổng Dịch vụ công quốc gia"}


class SignInFailed(DomainError):
    """A national sign-in that cannot go on: nothing was created or changed."""


def _error(code: str, message: str, **params: Any) -> SignInFailed:
    return SignInFailed(code, Message(message, **params))


def unavailable(provider: str) -> SignInFailed:
    return _error(
        "provider_unavailable",
        gettext_noop(
            "Hệ thống %(provider)s đang không trả lời. Bạn vui lòng thử lại sau ít phút, hoặc "
            "đăng nhập bằng tài khoản của cổng."
        ),
        provider=PROVIDER_LABELS.get(provider, provider),
    )


def token_invalid() -> SignInFailed:
    return _error(
        "token_invalid",
        gettext_noop(
            "Thông tin đăng nhập nhận từ hệ thống định danh không hợp lệ hoặc đã hết hạn, nên "
            "chưa đăng nhập được. Bạn vui lòng đăng nhập lại."
        ),
    )


@dataclass(frozen=True)
class Provider:
    key: str
    issuer: str
    client_id: str
    client_secret: str

    @property
    def label(self) -> str:
        return PROVIDER_LABELS[self.key]


def providers() -> dict[str, Provider]:
    """The configured providers (issuer and client id set), VNeID first."""
    found: dict[str, Provider] = {}
    for key, prefix in (("vneid", "VNEID"), ("dvcqg", "DVCQG_SSO")):
        issuer = getattr(settings, f"{prefix}_ISSUER", "")
        client_id = getattr(settings, f"{prefix}_CLIENT_ID", "")
        if issuer and client_id:
            found[key] = Provider(
                key=key,
                issuer=issuer.rstrip("/"),
                client_id=client_id,
                client_secret=getattr(settings, f"{prefix}_CLIENT_SECRET", ""),
            )
    return found


def provider(key: str) -> Provider:
    found = providers().get(key)
    if found is None:
        raise _error(
            "provider_unknown",
            gettext_noop("Cổng chưa được cấu hình đăng nhập bằng '%(provider)s'."),
            provider=key,
        )
    return found


# --- HTTP -----------------------------------------------------------------------------------------


def _request(p: Provider, request: urllib.request.Request, what: str) -> Any:
    try:
        with urllib.request.urlopen(  # noqa: S310 - the configured provider's URL
            request, timeout=settings.OIDC_TIMEOUT_SECONDS
        ) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        if exc.code >= 500:
            log.warning("oidc %s %s: HTTP %s", p.key, what, exc.code)
            raise unavailable(p.key) from None
        body: Any
        try:
            body = json.loads(exc.read() or b"{}")
        except ValueError:
            body = {}
        log.warning(
            "oidc %s %s: HTTP %s %s",
            p.key,
            what,
            exc.code,
            str(body.get("error", ""))[:40] if isinstance(body, dict) else "",
        )
        raise token_invalid() from None
    except (OSError, ValueError) as exc:  # refused, timed out, not JSON
        log.warning("oidc %s %s: %s", p.key, what, type(exc).__name__)
        raise unavailable(p.key) from None


def _get(p: Provider, url: str, what: str, headers: dict[str, str] | None = None) -> Any:
    _check_url(p, url)
    return _request(p, urllib.request.Request(url, headers=headers or {}), what)  # noqa: S310


def _check_url(p: Provider, url: str) -> None:
    """Endpoints over https only (plain http on loopback: the simulators)."""
    if not is_secure_transport(url):
        log.warning("oidc %s: refused an endpoint that is not https", p.key)
        raise unavailable(p.key)


# --- Discovery and keys ---------------------------------------------------------------------------

_lock = threading.Lock()
_metadata: dict[str, tuple[float, dict[str, Any]]] = {}
_keys: dict[str, KeySet] = {}


def forget_cached() -> None:
    """Drop the cached discovery documents and key sets (tests; a provider reconfigured)."""
    with _lock:
        _metadata.clear()
        _keys.clear()


def metadata(p: Provider) -> dict[str, Any]:
    """The provider's discovery document (cached for ``CONGSO_OIDC_DISCOVERY_SECONDS``)."""
    now = time.monotonic()
    with _lock:
        cached = _metadata.get(p.issuer)
    if cached is not None and now - cached[0] < settings.OIDC_DISCOVERY_SECONDS:
        return cached[1]
    document = _get(p, f"{p.issuer}/.well-known/openid-configuration", "discovery")
    try:
        checked = OpenIDProviderMetadata(document)
        checked.validate()
    except ValueError as exc:
        log.warning("oidc %s discovery: invalid (%s)", p.key, str(exc)[:80])
        raise unavailable(p.key) from None
    if checked["issuer"].rstrip("/") != p.issuer:
        log.warning("oidc %s discovery: issuer differs from the configured one", p.key)
        raise unavailable(p.key)
    with _lock:
        _metadata[p.issuer] = (now, dict(checked))
    return dict(checked)


def _key_set(p: Provider, *, refresh: bool = False) -> KeySet:
    jwks_uri = metadata(p)["jwks_uri"]
    with _lock:
        cached = _keys.get(jwks_uri)
    if cached is not None and not refresh:
        return cached
    document = _get(p, jwks_uri, "jwks")
    try:
        keys = KeySet.import_key_set(document)
    except (JoseError, ValueError, TypeError, KeyError):
        log.warning("oidc %s jwks: invalid key set", p.key)
        raise unavailable(p.key) from None
    with _lock:
        _keys[jwks_uri] = keys
    return keys


def _kids(keys: KeySet) -> set[str]:
    return {str(k.kid) for k in keys.keys if k.kid}


# --- The flow -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pending:
    """What the relying party keeps (in the session) between the redirect and the callback."""

    provider: str
    state: str
    nonce: str
    verifier: str
    level: int
    redirect_uri: str
    next_url: str
    created: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def begin(p: Provider, *, redirect_uri: str, level: int, next_url: str) -> tuple[str, Pending]:
    """The provider's authorization URL and what to keep until the callback."""
    endpoint = metadata(p)["authorization_endpoint"]
    _check_url(p, endpoint)
    pending = Pending(
        provider=p.key,
        state=generate_token(32),
        nonce=generate_token(32),
        verifier=generate_token(64),
        level=level,
        redirect_uri=redirect_uri,
        next_url=next_url,
        created=time.time(),
    )
    url = prepare_grant_uri(
        endpoint,
        p.client_id,
        "code",
        redirect_uri=redirect_uri,
        scope="openid profile",
        state=pending.state,
        nonce=pending.nonce,
        code_challenge=create_s256_code_challenge(pending.verifier),
        code_challenge_method="S256",
        acr_values=f"LoA{level}",
    )
    return url, pending


@dataclass(frozen=True)
class NationalIdentity:
    """A verified national sign-in: the claims the providers give, mapped."""

    provider: str
    subject: str
    personal_id: str
    full_name: str
    birth_date: datetime.date | None
    level: int
    gender: str = ""  # male | female | ""
    phone: str = ""
    email: str = ""
    permanent_address: str = ""
    current_address: str = ""
    nationality: str = ""
    tax_code: str = ""
    #: The enterprise the person represents (``MaSoDoanhNghiep``, ``TenDoanhNghiep``).
    organisation_tax_code: str = ""
    organisation_name: str = ""
    #: The provider's session id (``sid``), for the back-channel logout.
    sid: str = ""
    nonce_digest: str = ""
    expires_at: float = 0.0
    #: Kept in the session only, as the ``id_token_hint`` of the RP-initiated logout.
    id_token: str = field(default="", repr=False)


def _parse_date(value: Any) -> datetime.date | None:
    text = str(value or "").strip()[:10]
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%Y%m%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a date
        except ValueError:
            continue
    return None


def _level(claims: dict[str, Any]) -> int:
    """The level of assurance: ``acr`` (``LoA2``) or VNeID's ``loAs`` (``2``)."""
    for raw in (claims.get("acr"), claims.get("loAs")):
        digits = "".join(ch for ch in str(raw or "") if ch.isdigit())
        if digits:
            return int(digits)
    return 1


def map_claims(provider_key: str, claims: dict[str, Any]) -> NationalIdentity:
    """Both claim sets into one identity (VNeID's few claims; the portal SSO's more)."""
    gender = {"1": "male", "0": "female", "2": "female"}.get(str(claims.get("GioiTinh", "")), "")
    return NationalIdentity(
        provider=provider_key,
        subject=str(claims.get("sub", "")),
        personal_id=str(claims.get("SoDinhDanh") or "").strip(),
        full_name=" ".join(str(claims.get("HoVaTen") or "").split()),
        birth_date=_parse_date(claims.get("NgayThangNamSinh")),
        level=_level(claims),
        gender=gender,
        phone=str(claims.get("SoDienThoai") or "")[:20],
        email=str(claims.get("ThuDienTu") or "")[:254],
        permanent_address=str(claims.get("ThuongTru") or "")[:255],
        current_address=str(claims.get("NoiOHienNay") or "")[:255],
        nationality=str(claims.get("QuocTich") or "")[:10],
        tax_code=str(claims.get("MaSoThue") or "")[:14],
        organisation_tax_code=str(claims.get("MaSoDoanhNghiep") or "").strip()[:14],
        organisation_name=" ".join(str(claims.get("TenDoanhNghiep") or "").split())[:255],
        sid=str(claims.get("sid") or "")[:255],
    )


def _exchange(p: Provider, pending: Pending, code: str) -> dict[str, Any]:
    endpoint = metadata(p)["token_endpoint"]
    _check_url(p, endpoint)
    body = urllib.parse.urlencode(
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": pending.redirect_uri,
            "code_verifier": pending.verifier,
            "client_id": p.client_id,
        }
    ).encode()
    basic = base64.b64encode(
        f"{urllib.parse.quote(p.client_id)}:{urllib.parse.quote(p.client_secret)}".encode()
    ).decode()
    request = urllib.request.Request(  # noqa: S310 - checked above
        endpoint,
        data=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": f"Basic {basic}",
            "Accept": "application/json",
        },
        method="POST",
    )
    answer = _request(p, request, "token")
    if not isinstance(answer, dict) or not answer.get("id_token"):
        log.warning("oidc %s token: no id_token in the answer", p.key)
        raise token_invalid()
    return answer


def _decode(p: Provider, id_token: str) -> jwt.Token:
    keys = _key_set(p)
    try:
        header = json.loads(base64.urlsafe_b64decode(id_token.split(".")[0] + "=="))
    except (ValueError, IndexError):
        log.warning("oidc %s id_token: not a JWS", p.key)
        raise token_invalid() from None
    if header.get("kid") and str(header["kid"]) not in _kids(keys):
        # Key rotation: the provider signs with a key published after our fetch.
        keys = _key_set(p, refresh=True)
    try:
        return jwt.decode(id_token, keys, algorithms=["RS256"])
    except (JoseError, ValueError) as exc:
        log.warning("oidc %s id_token: %s", p.key, type(exc).__name__)
        raise token_invalid() from None


def verify_id_token(p: Provider, id_token: str, *, nonce: str) -> dict[str, Any]:
    """The claims of ``id_token`` when it is signed by the provider, for this client, current
    (with the clock skew allowed) and carries ``nonce``; :class:`SignInFailed` otherwise."""
    token = _decode(p, id_token)
    skew = settings.OIDC_CLOCK_SKEW_SECONDS
    registry = jwt.JWTClaimsRegistry(
        leeway=skew,
        iss={"essential": True, "value": metadata(p)["issuer"]},
        aud={"essential": True, "value": p.client_id},
        exp={"essential": True},
        iat={"essential": True},
        sub={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(token.claims)
    except JoseError as exc:
        log.warning("oidc %s id_token claims: %s", p.key, type(exc).__name__)
        raise token_invalid() from None
    claims = dict(token.claims)
    azp = claims.get("azp")
    if isinstance(claims.get("aud"), list) and len(claims["aud"]) > 1 and azp != p.client_id:
        log.warning("oidc %s id_token: several audiences, azp is not this client", p.key)
        raise token_invalid()
    return claims


def complete(p: Provider, pending: Pending, *, params: dict[str, str]) -> NationalIdentity:
    """The callback: the state, the code exchanged, the ID token verified, the userinfo read."""
    if not params.get("state") or not secrets.compare_digest(
        params["state"].encode(), pending.state.encode()
    ):
        log.warning("oidc %s callback: state does not match", p.key)
        raise _error(
            "state_invalid",
            gettext_noop(
                "Phiên đăng nhập không khớp hoặc đã được dùng. Bạn vui lòng bấm đăng nhập lại."
            ),
        )
    if params.get("error"):
        log.info("oidc %s callback: %s", p.key, params["error"][:40])
        raise _error(
            "access_denied",
            gettext_noop("Bạn đã hủy hoặc chưa hoàn tất đăng nhập bằng %(provider)s."),
            provider=p.label,
        )
    if time.time() - pending.created > settings.OIDC_FLOW_SECONDS:
        raise _error(
            "state_invalid",
            gettext_noop("Phiên đăng nhập đã quá hạn. Bạn vui lòng bấm đăng nhập lại."),
        )
    answer = _exchange(p, pending, params.get("code", ""))
    claims = verify_id_token(p, str(answer["id_token"]), nonce=pending.nonce)
    userinfo_endpoint = metadata(p).get("userinfo_endpoint")
    if userinfo_endpoint and answer.get("access_token"):
        info = _get(
            p,
            userinfo_endpoint,
            "userinfo",
            headers={"Authorization": f"Bearer {answer['access_token']}"},
        )
        if not isinstance(info, dict) or info.get("sub") != claims.get("sub"):
            log.warning("oidc %s userinfo: the subject differs from the ID token's", p.key)
            raise token_invalid()
        # The ID token's assurance level wins over the userinfo's.
        claims = {**info, **{k: v for k, v in claims.items() if k in {"acr", "loAs"}}} | {
            k: v for k, v in claims.items() if k not in info
        }
    identity = map_claims(p.key, claims)
    digest = hashlib.sha256(pending.nonce.encode()).hexdigest()
    return NationalIdentity(
        **{
            **asdict(identity),
            "nonce_digest": digest,
            "expires_at": float(claims.get("exp") or time.time()),
            "id_token": str(answer["id_token"]),
        }
    )


BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"


def verify_logout_token(p: Provider, logout_token: str) -> dict[str, Any]:
    """The claims of a back-channel logout token (OpenID Connect Back-Channel Logout 1.0 §2.6):
    signed by the provider (RS256, its JWK set, rotation as for ID tokens), ``iss`` the
    provider, ``aud`` this client, ``iat`` (and ``exp`` when present) current within the clock
    skew, a ``jti``, the back-channel logout event, ``sub`` or ``sid``, and no ``nonce``.
    :class:`SignInFailed` (``token_invalid``) otherwise; the ``jti`` is spent by the caller."""
    token = _decode(p, logout_token)
    registry = jwt.JWTClaimsRegistry(
        leeway=settings.OIDC_CLOCK_SKEW_SECONDS,
        iss={"essential": True, "value": metadata(p)["issuer"]},
        aud={"essential": True, "value": p.client_id},
        iat={"essential": True},
        jti={"essential": True},
    )
    try:
        registry.validate(token.claims)
    except JoseError as exc:
        log.warning("oidc %s logout_token claims: %s", p.key, type(exc).__name__)
        raise token_invalid() from None
    claims = dict(token.claims)
    events = claims.get("events")
    if not isinstance(events, dict) or not isinstance(events.get(BACKCHANNEL_EVENT), dict):
        log.warning("oidc %s logout_token: no back-channel logout event", p.key)
        raise token_invalid()
    if "nonce" in claims or not (claims.get("sub") or claims.get("sid")):
        log.warning("oidc %s logout_token: a nonce, or neither sub nor sid", p.key)
        raise token_invalid()
    return claims


def end_session_endpoint(p: Provider) -> str | None:
    """The end-session endpoint, when the provider publishes one."""
    try:
        endpoint = metadata(p).get("end_session_endpoint")
    except SignInFailed:
        return None
    return str(endpoint) if endpoint else None
