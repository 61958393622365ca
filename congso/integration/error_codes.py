"""The error codes of ``integration`` — the LGSP client, the national-portal sync and the
webhooks. Kept complete by tests/test_error_codes.py; see docs/integration.md."""

from __future__ import annotations

from enum import StrEnum


class IntegrationErrorCode(StrEnum):
    CIRCUIT_OPEN = "circuit_open"
    FORBIDDEN = "forbidden"
    INVALID_CALLBACK_URL = "invalid_callback_url"
    INVALID_EVENT_TYPE = "invalid_event_type"
    LGSP_NOT_CONFIGURED = "lgsp_not_configured"
    LGSP_REFUSED = "lgsp_refused"
    LGSP_UNAVAILABLE = "lgsp_unavailable"
    LOGIN_REQUIRED = "login_required"
    NOT_FOUND = "not_found"
    NOTHING_TO_RESEND = "nothing_to_resend"
    PROCEDURE_NOT_NATIONAL = "procedure_not_national"
    STATUS_NOT_MAPPED = "status_not_mapped"
    TRANSFER_AGENCY_UNKNOWN = "transfer_agency_unknown"
    TRANSFER_FILE_CORRUPT = "transfer_file_corrupt"
    TRANSFER_KIND_UNKNOWN = "transfer_kind_unknown"
    TRANSFER_MESSAGE_INVALID = "transfer_message_invalid"
    TRANSFER_PARTNER_UNKNOWN = "transfer_partner_unknown"
    TRANSFER_SENDER_UNKNOWN = "transfer_sender_unknown"
    TRANSFER_SIGNATURE_INVALID = "transfer_signature_invalid"
    TRANSFER_UNKNOWN = "transfer_unknown"
