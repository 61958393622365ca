"""The error codes of ``catalog`` — procedures, forms, internal processes, import/export. Kept
complete by tests/test_error_codes.py; see docs/architecture.md, "Errors"."""

from __future__ import annotations

from enum import StrEnum


class CatalogErrorCode(StrEnum):
    AGENCY_NOT_FOUND = "agency_not_found"
    CELL_TOO_LONG = "cell_too_long"
    COMPONENT_IN_USE = "component_in_use"
    DEMO_ORG_MISSING = "demo_org_missing"
    DEPARTMENT_NOT_FOUND = "department_not_found"
    DUPLICATE = "duplicate"
    FIELD_EXISTS = "field_exists"
    FORBIDDEN = "forbidden"
    INVALID_CHOICE = "invalid_choice"
    INVALID_DATE = "invalid_date"
    INVALID_FORM_SCHEMA = "invalid_form_schema"
    INVALID_NUMBER = "invalid_number"
    INVALID_PROCESS = "invalid_process"
    INVALID_PROVINCE = "invalid_province"
    INVALID_RANGE = "invalid_range"
    INVALID_VALUE = "invalid_value"
    NATIONAL_IMPORT_BUSY = "national_import_busy"
    NATIONAL_IMPORT_DONE = "national_import_done"
    NATIONAL_SOURCE_MISSING = "national_source_missing"
    NATIONAL_SOURCE_NOT_FOUND = "national_source_not_found"
    NO_PROCESS = "no_process"
    OUT_OF_RANGE = "out_of_range"
    PHRASING_EXISTS = "phrasing_exists"
    PROCEDURE_EXISTS = "procedure_exists"
    PROCEDURE_NOT_FOUND = "procedure_not_found"
    PROCEDURE_NOT_IN_FORCE = "procedure_not_in_force"
    PROCESS_EXCEEDS_TIME_LIMIT = "process_exceeds_time_limit"
    PROCESS_IN_USE = "process_in_use"
    REQUIRED = "required"
    STEP_IN_USE = "step_in_use"
    TOO_LONG = "too_long"
    UNKNOWN_KEY = "unknown_key"
    VERSION_EXISTS = "version_exists"
    VERSION_OVERLAP = "version_overlap"
    VERSION_STARTS_TOO_EARLY = "version_starts_too_early"
