"""The error codes of ``docstore`` — the citizen's document store ("Giấy tờ của tôi") and the
reuse of its papers in a dossier. Kept complete by tests/test_error_codes.py."""

from __future__ import annotations

from enum import StrEnum


class DocstoreErrorCode(StrEnum):
    DOCUMENT_NOT_FOUND = "document_not_found"
    DOCUMENT_EXPIRED = "document_expired"
    REUSE_WITHDRAWN = "reuse_withdrawn"
    NOTHING_TO_DIGITISE = "nothing_to_digitise"
    DIGITISE_FORBIDDEN = "digitise_forbidden"
    DIGITISE_INVALID = "digitise_invalid"
