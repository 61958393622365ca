"""The error codes of ``calendar`` — the working calendar and deadline arithmetic. Kept complete by
tests/test_error_codes.py; see docs/architecture.md, "Errors"."""

from __future__ import annotations

from enum import StrEnum


class CalendarErrorCode(StrEnum):
    AMOUNT_TOO_LARGE = "amount_too_large"
    CALENDAR_CONFLICT = "calendar_conflict"
    CALENDAR_HOURS_CONFLICT = "calendar_hours_conflict"
    CALENDAR_OUT_OF_RANGE = "calendar_out_of_range"
    CALENDAR_OVERRIDE_CONFLICT = "calendar_override_conflict"
    CALENDAR_OVERRIDE_INVALID = "calendar_override_invalid"
    INVALID_AMOUNT = "invalid_amount"
    INVALID_NUMBER = "invalid_number"
    INVALID_PROVINCE = "invalid_province"
    INVALID_RANGE = "invalid_range"
    INVALID_TIME_LIMIT = "invalid_time_limit"
    INVALID_WORKING_HOURS = "invalid_working_hours"
    NAIVE_DATETIME = "naive_datetime"
    NEGATIVE_AMOUNT = "negative_amount"
    NOT_FOUND = "not_found"
