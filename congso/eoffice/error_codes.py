"""The error codes of ``eoffice`` — official documents, registers and the edXML exchange. Kept
complete by tests/test_error_codes.py; see docs/architecture.md, "Errors"."""

from __future__ import annotations

from enum import StrEnum


class EofficeErrorCode(StrEnum):
    COMMENT_REQUIRED = "comment_required"
    DOCUMENT_CHANGED = "document_changed"
    EXCHANGE_UNAVAILABLE = "exchange_unavailable"
    FORBIDDEN = "forbidden"
    INVALID_ASSIGNEE = "invalid_assignee"
    INVALID_COMPETENCE = "invalid_competence"
    INVALID_DEADLINE = "invalid_deadline"
    INVALID_FIELD = "invalid_field"
    INVALID_RECIPIENT = "invalid_recipient"
    INVALID_REPLY = "invalid_reply"
    INVALID_REVIEWER = "invalid_reviewer"
    INVALID_SIGNER = "invalid_signer"
    INVALID_STATE = "invalid_state"
    NO_MAIN_FILE = "no_main_file"
    NO_NOTATION = "no_notation"
    NO_RECALL_REQUEST = "no_recall_request"
    NO_SEAL = "no_seal"
    NO_SEAL_PROFILE = "no_seal_profile"
    NO_SIGNER_PROFILE = "no_signer_profile"
    NO_TRUST_ANCHORS = "no_trust_anchors"
    NOT_ASSIGNED = "not_assigned"
    NOT_FAILED = "not_failed"
    NOT_FOUND = "not_found"
    NOT_THE_SIGNER = "not_the_signer"
    NOT_YOUR_TURN = "not_your_turn"
    PDF_UNSIGNABLE = "pdf_unsignable"
    REASON_REQUIRED = "reason_required"
    SESSION_FINISHED = "session_finished"
    SESSION_NOT_FOUND = "session_not_found"
    RECALL_AFTER_DONE = "recall_after_done"
    SIGNER_MISCONFIGURED = "signer_misconfigured"
    SUBJECT_REQUIRED = "subject_required"
    UNKNOWN_DOC_TYPE = "unknown_doc_type"
