"""The error codes of ``signing`` — signatures and their validation, the signer profiles' keys,
the public verification page. Kept complete by tests/test_error_codes.py; see
docs/architecture.md, "Errors"."""

from __future__ import annotations

from enum import StrEnum


class SigningErrorCode(StrEnum):
    BAD_SIGNATURE = "bad_signature"
    CERTIFICATE_EXPIRED = "certificate_expired"
    CERTIFICATE_REVOKED = "certificate_revoked"
    CERTIFICATE_UNTRUSTED = "certificate_untrusted"
    FILE_REQUIRED = "file_required"
    FILE_TOO_LARGE = "file_too_large"
    NO_TRUST_ROOTS = "no_trust_roots"
    NOT_PDF = "not_pdf"
    NOT_YOUR_KEY = "not_your_key"
    PDF_UNREADABLE = "pdf_unreadable"
    RESULT_NOT_FOUND = "result_not_found"
    SIGNATURE_KEY_MISMATCH = "signature_key_mismatch"
    SIGNER_BACKEND_UNKNOWN = "signer_backend_unknown"
    SIGNER_EXTERNAL = "signer_external"
    SIGNER_KEY_MISSING = "signer_key_missing"
    SIGNER_KEY_UNREADABLE = "signer_key_unreadable"
    SIGNER_MISCONFIGURED = "signer_misconfigured"
    SIGNER_NOT_EXTERNAL = "signer_not_external"
    SIGNER_TOKEN_UNAVAILABLE = "signer_token_unavailable"  # noqa: S105 (a code, not a secret)
    SIGNING_FAILED = "signing_failed"
    TSA_UNAVAILABLE = "tsa_unavailable"
