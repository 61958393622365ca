"""The error codes of ``feedback`` — citizen reports, routing, the hotline, Open311. Kept
complete by tests/test_error_codes.py; see docs/architecture.md, "Errors"."""

from __future__ import annotations

from enum import StrEnum


class FeedbackErrorCode(StrEnum):
    ACTION_NOT_ALLOWED = "action_not_allowed"
    ALREADY_IMPORTED = "already_imported"
    AGENCY_NOT_FOUND = "agency_not_found"
    ANSWER_REQUIRED = "answer_required"
    ASSIGNEE_INVALID = "assignee_invalid"
    CATEGORY_NOT_FOUND = "category_not_found"
    COORDINATES_INVALID = "coordinates_invalid"
    DESCRIPTION_REQUIRED = "description_required"
    DOSSIER_NOT_FOUND = "dossier_not_found"
    DUPLICATE_INVALID = "duplicate_invalid"
    FORBIDDEN = "forbidden"
    IMAGE_UNREADABLE = "image_unreadable"
    INVALID_API_KEY = "invalid_api_key"
    INVALID_TEXT = "invalid_text"
    NO_ROUTE = "no_route"
    PROCEDURE_NOT_FOUND = "procedure_not_found"
    PROVINCE_NOT_CONFIGURED = "province_not_configured"
    RATING_INVALID = "rating_invalid"
    REASON_REQUIRED = "reason_required"
    REOPEN_WINDOW_PASSED = "reopen_window_passed"
    REPORT_NOT_FOUND = "report_not_found"
    STALE_VERSION = "stale_version"
    STANDARD_ANSWER_INVALID = "standard_answer_invalid"
    TEXT_TOO_LONG = "text_too_long"
    TOO_MANY_FILES = "too_many_files"
    TOO_MANY_REPORTS = "too_many_reports"
    UNIT_NOT_FOUND = "unit_not_found"
    UNIT_OUTSIDE_PROVINCE = "unit_outside_province"
