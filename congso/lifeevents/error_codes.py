"""The error codes of ``lifeevents`` — procedure groups (liên thông) and proactive offers.
Kept complete by tests/test_error_codes.py."""

from __future__ import annotations

from enum import StrEnum


class LifeeventsErrorCode(StrEnum):
    GROUP_NOT_FOUND = "group_not_found"
    GROUP_NOT_IN_FORCE = "group_not_in_force"
    GROUP_INVALID = "group_invalid"
    NO_AGENCY = "no_agency"
    APPLICATION_NOT_FOUND = "application_not_found"
    OFFER_NOT_FOUND = "offer_not_found"
    OFFER_CLOSED = "offer_closed"
    OFFER_NOT_PREPARED = "offer_not_prepared"
    LEVEL_NOT_ALLOWED = "level_not_allowed"
    NOT_REVIEWER = "not_reviewer"
    CITIZEN_REQUIRED = "citizen_required"
    COMPONENT_MISSING = "component_missing"
    DEMO_ORG_MISSING = "demo_org_missing"
