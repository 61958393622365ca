"""The error codes of ``identity`` — national sign-in (OpenID Connect), account linking and
levels of assurance. Kept complete by tests/test_error_codes.py."""

from __future__ import annotations

from enum import StrEnum


class IdentityErrorCode(StrEnum):
    ACCESS_DENIED = "access_denied"
    CLAIMS_INVALID = "claims_invalid"
    LEVEL_TOO_LOW = "level_too_low"
    MERGE_REFUSED = "merge_refused"
    NONCE_REPLAYED = "nonce_replayed"
    PROVIDER_UNAVAILABLE = "provider_unavailable"
    PROVIDER_UNKNOWN = "provider_unknown"
    STATE_INVALID = "state_invalid"
    STEP_UP_OTHER_PERSON = "step_up_other_person"
    TOKEN_INVALID = "token_invalid"  # noqa: S105 (a code, not a secret)
    POPULATION_FORBIDDEN = "population_forbidden"
    POPULATION_MISMATCH = "population_mismatch"
    POPULATION_NOT_CONFIGURED = "population_not_configured"
    POPULATION_NOT_FOUND = "population_not_found"
    POPULATION_UNAVAILABLE = "population_unavailable"
