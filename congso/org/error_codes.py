"""The error codes of ``org`` — units, agencies, desks, roles, applicants. Kept complete by
tests/test_error_codes.py; see docs/architecture.md, "Errors"."""

from __future__ import annotations

from enum import StrEnum


class OrgErrorCode(StrEnum):
    ADDRESS_UNIT_LEVEL = "address_unit_level"
    AGENCY_CODE_TAKEN = "agency_code_taken"
    AGENCY_LEVEL_INVALID = "agency_level_invalid"
    AGENCY_PARENT_CYCLE = "agency_parent_cycle"
    AGENCY_UNIT_LEVEL_MISMATCH = "agency_unit_level_mismatch"
    AGENCY_UNIT_UNEXPECTED = "agency_unit_unexpected"
    CITIZEN_EXISTS = "citizen_exists"
    CSV_HEADER_MISSING = "csv_header_missing"
    DEMO_PASSWORD_EMPTY = "demo_password_empty"  # noqa: S105 (a code, not a secret)
    DEPARTMENT_EXISTS = "department_exists"
    DEPARTMENT_OTHER_AGENCY = "department_other_agency"
    DESK_EXISTS = "desk_exists"
    DESK_KIND_INVALID = "desk_kind_invalid"
    DESK_OTHER_AGENCY = "desk_other_agency"
    DESK_SERVES_OTHER_PROVINCE = "desk_serves_other_province"
    EMAIL_INVALID = "email_invalid"
    FILE_NOT_FOUND = "file_not_found"
    FORBIDDEN = "forbidden"
    GENDER_INVALID = "gender_invalid"
    INVALID_PERIOD = "invalid_period"
    NOT_REPRESENTATIVE = "not_representative"
    ORGANISATION_EXISTS = "organisation_exists"
    PROVINCE_NOT_FOUND = "province_not_found"
    REPRESENTATIVE_EXISTS = "representative_exists"
    REQUIRED = "required"
    ROLE_ALREADY_ENDED = "role_already_ended"
    ROLE_ALREADY_HELD = "role_already_held"
    ROLE_INVALID = "role_invalid"
    ROLE_NEEDS_PROVINCE = "role_needs_province"
    ROLE_PERIOD_INVALID = "role_period_invalid"
    SOURCE_INVALID = "source_invalid"
    TOO_LONG = "too_long"
    UNIT_CODE_INVALID = "unit_code_invalid"
    UNIT_NOT_FOUND = "unit_not_found"
    USER_HAS_CITIZEN = "user_has_citizen"
