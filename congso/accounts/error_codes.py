"""The error codes of ``accounts`` — users, passwords, second factors, API tokens. Kept complete
by tests/test_error_codes.py; see docs/architecture.md, "Errors"."""

from __future__ import annotations

from enum import StrEnum


class AccountsErrorCode(StrEnum):
    EXPIRY_TOO_LONG = "expiry_too_long"
    INSUFFICIENT_SCOPE = "insufficient_scope"
    INVALID_EXPIRY = "invalid_expiry"
    INVALID_SCOPE = "invalid_scope"
    PASSWORD_COMMON_WORDS = "password_common_words"  # noqa: S105 (a code, not a secret)
    PASSWORD_REPETITIVE = "password_repetitive"  # noqa: S105
    SECOND_FACTOR_REQUIRED = "second_factor_required"
    TOKEN_NOT_FOUND = "token_not_found"  # noqa: S105
    USER_INACTIVE = "user_inactive"
