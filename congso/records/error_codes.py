"""The error codes of ``records`` — file plans, filing, closing, disposition and the transfer to
the archive. Kept complete by tests/test_error_codes.py; see docs/architecture.md, "Errors"."""

from __future__ import annotations

from enum import StrEnum


class RecordsErrorCode(StrEnum):
    ALREADY_FILED = "already_filed"
    DECISION_REQUIRED = "decision_required"
    DOCUMENT_NOT_FINAL = "document_not_final"
    DOSSIER_NOT_FINISHED = "dossier_not_finished"
    EMPTY_RECORD = "empty_record"
    FORBIDDEN = "forbidden"
    INVALID_FIELD = "invalid_field"
    INVALID_RETENTION = "invalid_retention"
    NO_RETENTION = "no_retention"
    NOT_DUE = "not_due"
    NOT_FOUND = "not_found"
    OTHER_AGENCY = "other_agency"
    RECORD_CLOSED = "record_closed"
    RECORD_NOT_CLOSED = "record_not_closed"
    SERIES_EXISTS = "series_exists"
    SOURCE_CHANGED = "source_changed"
    VALIDATION_UNAVAILABLE = "validation_unavailable"
