"""Where officers' keys live: signing back-ends behind a registry.

* ``soft_token`` — a PKCS#12 file per officer (demo and small deployments).
* ``pkcs11`` — an HSM or USB token through its PKCS#11 module (tested on SoftHSM2).
* ``external`` — the key never reaches the server: the server prepares the document, the
  officer's own device or a remote signing service returns a CMS signature
  (:mod:`congso.signing.services` ``result_external_prepare`` / ``result_external_finish``).

Each back-end builds a pyHanko :class:`~pyhanko.sign.signers.Signer` from a
:class:`~congso.signing.models.SignerProfile`. Parsed keys are cached per process (a PKCS#12
file is read again only when it changes on disk): pyHanko's own signer re-parses the key for
every signature, which costs more than the signature itself.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings
from pyhanko.sign.signers import Signer
from pyhanko_certvalidator.registry import SimpleCertificateStore

from congso.core.errors import DomainError

if TYPE_CHECKING:
    from congso.signing.models import SignerProfile

_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


def to_asn1(cert: Any) -> asn1_x509.Certificate:
    """An ``asn1crypto`` certificate from a ``cryptography`` one."""
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def certificates_from_pem(text: str) -> list[asn1_x509.Certificate]:
    """Every certificate of a PEM bundle (leaf first), or none for empty text."""
    data = text.encode()
    if not data.strip():
        return []
    return [asn1_x509.Certificate.load(der) for _t, _h, der in pem.unarmor(data, multiple=True)]


class CachedKeySigner(Signer):
    """A software key parsed once: raw RSA/ECDSA signatures through ``cryptography``.

    Dry runs (pyHanko's size estimate) return zeros of the final length without signing."""

    def __init__(
        self, *, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, cert: Any, chain: list[Any]
    ):
        self._key = key
        if isinstance(key, rsa.RSAPrivateKey):
            self._size = key.key_size // 8
        else:
            self._size = 8 + 2 * ((key.curve.key_size + 7) // 8 + 1)
        super().__init__(
            signing_cert=to_asn1(cert),
            cert_registry=SimpleCertificateStore.from_certs([to_asn1(item) for item in chain]),
        )

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        if dry_run:
            return bytes(self._size)
        algorithm = _HASHES[digest_algorithm.lower()]()
        if isinstance(self._key, rsa.RSAPrivateKey):
            return self._key.sign(data, padding.PKCS1v15(), algorithm)
        return self._key.sign(data, ec.ECDSA(algorithm))


# --- The registry ---------------------------------------------------------------------------------


class Backend(ABC):
    """A signing back-end: turns a signer profile into a pyHanko signer."""

    id: ClassVar[str]
    label: ClassVar[str]
    #: True when the key is inside the server's reach (the server signs in one step).
    local: ClassVar[bool] = True

    @abstractmethod
    def signer(self, profile: SignerProfile) -> Signer:
        """The pyHanko signer for ``profile``."""


REGISTRY: dict[str, Backend] = {}
BackendT = TypeVar("BackendT", bound=Backend)


def register(cls: type[BackendT]) -> type[BackendT]:
    """Class decorator adding a back-end; a second back-end with the same id is refused."""
    if cls.id in REGISTRY:
        raise ValueError(f"signing back-end {cls.id!r} is already registered")
    REGISTRY[cls.id] = cls()
    return cls


def backend(backend_id: str) -> Backend:
    try:
        return REGISTRY[backend_id]
    except KeyError:
        raise DomainError(
            "signer_backend_unknown", f"Không có phương thức ký số “{backend_id}”.", field="backend"
        ) from None


def signer_for(profile: SignerProfile) -> Signer:
    """The pyHanko signer of a profile (only for back-ends whose key the server can use)."""
    chosen = backend(profile.backend)
    if not chosen.local:
        raise DomainError(
            "signer_external",
            "Chữ ký của người này được tạo trên thiết bị của họ: dùng quy trình ký từ xa.",
        )
    return chosen.signer(profile)


def _config(profile: SignerProfile, key: str) -> str:
    config: Mapping[str, Any] = profile.config or {}
    value = config.get(key)
    if not value:
        raise DomainError(
            "signer_misconfigured",
            f"Hồ sơ chữ ký số của {profile} thiếu cấu hình “{key}”.",
            field=f"config.{key}",
        )
    return str(value)


@dataclass(frozen=True)
class _SoftKey:
    mtime_ns: int
    signer: CachedKeySigner


@register
class SoftToken(Backend):
    """A PKCS#12 file per officer; its passphrase from ``CONGSO_SIGNING_P12_PASSPHRASE``
    (or the profile's ``passphrase_env``, the name of another environment variable)."""

    id = "soft_token"
    label = "Tệp khóa PKCS#12"

    def __init__(self) -> None:
        self._cache: dict[Path, _SoftKey] = {}
        self._lock = threading.Lock()

    def signer(self, profile: SignerProfile) -> Signer:
        path = Path(_config(profile, "p12_path"))
        if not path.is_absolute():
            path = Path(settings.SIGNING_DEMO_PKI_DIR) / path
        try:
            mtime = path.stat().st_mtime_ns
        except FileNotFoundError:
            raise DomainError(
                "signer_key_missing", "Không tìm thấy tệp khóa ký số của người ký."
            ) from None
        with self._lock:
            cached = self._cache.get(path)
            if cached is not None and cached.mtime_ns == mtime:
                return cached.signer
        passphrase = _passphrase(profile)
        try:
            key, cert, extra = pkcs12.load_key_and_certificates(path.read_bytes(), passphrase)
        except ValueError:
            raise DomainError(
                "signer_key_unreadable", "Không mở được tệp khóa ký số (sai mật khẩu?)."
            ) from None
        if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) or cert is None:
            raise DomainError("signer_key_unreadable", "Tệp khóa ký số không có khóa RSA/ECDSA.")
        signer = CachedKeySigner(key=key, cert=cert, chain=list(extra))
        with self._lock:
            self._cache[path] = _SoftKey(mtime_ns=mtime, signer=signer)
        return signer


def _passphrase(profile: SignerProfile) -> bytes:
    import os

    variable = (profile.config or {}).get("passphrase_env")
    value = os.environ.get(variable) if variable else None
    return (value if value is not None else settings.SIGNING_P12_PASSPHRASE).encode()


@register
class Pkcs11Token(Backend):
    """A key on a PKCS#11 token (HSM, USB token, SoftHSM2). Config: ``module`` (the .so),
    ``token_label``, ``key_label`` (and ``cert_label``, default the key label); the PIN from the
    environment variable named by ``pin_env`` (default ``CONGSO_SIGNING_PKCS11_PIN``).

    One session per (module, token) stays open for the process; signing is serialised on it."""

    id = "pkcs11"
    label = "Thiết bị ký số PKCS#11 (HSM, USB token)"

    def __init__(self) -> None:
        self._sessions: dict[tuple[str, str], Any] = {}
        self._signers: dict[tuple[str, str, str], Signer] = {}
        self._lock = threading.Lock()

    def _session(self, module: str, token_label: str, pin: str) -> Any:
        from pyhanko.sign import pkcs11 as pk11

        key = (module, token_label)
        session = self._sessions.get(key)
        if session is None:
            try:
                session = pk11.open_pkcs11_session(
                    module, token_criteria=pk11.TokenCriteria(label=token_label), user_pin=pin
                )
            except Exception as exc:  # the PKCS#11 library raises many unrelated types
                raise DomainError(
                    "signer_token_unavailable", f"Không mở được thiết bị ký số: {exc}."
                ) from exc
            self._sessions[key] = session
        return session

    def signer(self, profile: SignerProfile) -> Signer:
        import os

        from pyhanko.sign import pkcs11 as pk11

        module = _config(profile, "module")
        token_label = _config(profile, "token_label")
        key_label = _config(profile, "key_label")
        cert_label = (profile.config or {}).get("cert_label") or key_label
        pin_env = (profile.config or {}).get("pin_env") or "CONGSO_SIGNING_PKCS11_PIN"
        pin = os.environ.get(pin_env, settings.SIGNING_PKCS11_PIN)
        with self._lock:
            cache_key = (module, token_label, key_label)
            cached = self._signers.get(cache_key)
            if cached is not None:
                return cached
            session = self._session(module, token_label, pin)
            chain = certificates_from_pem(profile.certificate_pem)
            if chain:
                # The certificate (and its CA chain) kept with the profile, not on the token.
                signer = pk11.PKCS11Signer(
                    session, key_label=key_label, signing_cert=chain[0], ca_chain=chain[1:]
                )
            else:
                signer = pk11.PKCS11Signer(
                    session, key_label=key_label, cert_label=cert_label, other_certs_to_pull=None
                )
            self._signers[cache_key] = signer
            return signer

    def close(self) -> None:
        with self._lock:
            for session in self._sessions.values():
                session.close()
            self._sessions.clear()
            self._signers.clear()


@register
class ExternalDevice(Backend):
    """The officer's own device or a remote signing service returns a CMS signature over the
    prepared document; the server never holds the key. The profile stores the certificate
    (``certificate_pem``) so the server can prepare the stamp and check the returned signature."""

    id = "external"
    label = "Ký từ xa / trên thiết bị của người ký"
    local = False

    def signer(self, profile: SignerProfile) -> Signer:
        raise DomainError("signer_external", "Chữ ký này được tạo bên ngoài máy chủ.")


def clear_caches() -> None:
    """Forget cached keys and close token sessions (tests, key rotation)."""
    soft = REGISTRY["soft_token"]
    assert isinstance(soft, SoftToken)
    with soft._lock:
        soft._cache.clear()
    token = REGISTRY["pkcs11"]
    assert isinstance(token, Pkcs11Token)
    token.close()
