"""The error codes of ``api`` — the HTTP layer's own: authentication, parameters, bodies. Kept
complete by tests/test_error_codes.py; see docs/architecture.md, "Errors"."""

from __future__ import annotations

from enum import StrEnum


class ApiErrorCode(StrEnum):
    AGENCY_NOT_FOUND = "agency_not_found"
    AMBIGUOUS_AMOUNT = "ambiguous_amount"
    ATTACHMENT_NOT_FOUND = "attachment_not_found"
    BAD_SIGNATURE = "bad_signature"
    CALENDAR_OUT_OF_RANGE = "calendar_out_of_range"
    CITIZEN_NOT_FOUND = "citizen_not_found"
    DEPARTMENT_NOT_FOUND = "department_not_found"
    DESK_NOT_FOUND = "desk_not_found"
    FILE_TOO_LARGE = "file_too_large"
    INVALID_CHOICE = "invalid_choice"
    INVALID_DATE = "invalid_date"
    INVALID_DATETIME = "invalid_datetime"
    INVALID_FILE = "invalid_file"
    INVALID_JSON = "invalid_json"
    INVALID_LIMIT = "invalid_limit"
    INVALID_NUMBER = "invalid_number"
    INVALID_OFFSET = "invalid_offset"
    INVALID_RANGE = "invalid_range"
    INVALID_TEXT = "invalid_text"
    INVALID_TOKEN = "invalid_token"  # noqa: S105 (a code, not a secret)
    MISSING_AMOUNT = "missing_amount"
    NAIVE_DATETIME = "naive_datetime"
    NEGATIVE_AMOUNT = "negative_amount"
    ON_BEHALF_REQUIRED = "on_behalf_required"
    ORGANISATION_NOT_FOUND = "organisation_not_found"
    PROFILE_NOT_FOUND = "profile_not_found"
    RANGE_TOO_LONG = "range_too_long"
    REGISTER_NOT_FOUND = "register_not_found"
    SECOND_FACTOR_REQUIRED = "second_factor_required"
    SESSION_NOT_FOUND = "session_not_found"
    TOO_DEEP = "too_deep"
    UNAUTHENTICATED = "unauthenticated"
    UNKNOWN_ACTION = "unknown_action"
    UNKNOWN_FIELD = "unknown_field"
    UNKNOWN_FILE_FIELD = "unknown_file_field"
    USER_NOT_FOUND = "user_not_found"
    USE_OTHER_ENDPOINT = "use_other_endpoint"
