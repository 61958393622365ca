"""The error codes of ``results`` — the e-results of dossiers: preparing, whose turn it is to
sign, the register numbers, the officer's and the citizen's access. Kept complete by
tests/test_error_codes.py; see docs/architecture.md, "Errors"."""

from __future__ import annotations

from enum import StrEnum


class ResultsErrorCode(StrEnum):
    ALREADY_SIGNED = "already_signed"
    DOSSIER_NOT_READY = "dossier_not_ready"
    NOT_ALLOWED = "not_allowed"
    PROFILE_REQUIRED = "profile_required"
    REGISTER_BUSY = "register_busy"
    RESULT_CHANGED = "result_changed"
    RESULT_NOT_FOUND = "result_not_found"
    SESSION_FINISHED = "session_finished"
    WRONG_AGENCY = "wrong_agency"
    WRONG_TURN = "wrong_turn"
