"""The appointment date across Tết Bính Ngọ 2026 (days off Monday 16/02 – Friday 20/02, with the
weekends 14/02 – 22/02; Thông báo 9441/TB-BNV, see docs/calendar.md and docs/deadlines.md)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from congso.catalog.models import ProcedureVersion
from congso.catalog.selectors import estimate_due, time_limit_of
from congso.core.errors import DomainError

VN = ZoneInfo("Asia/Ho_Chi_Minh")
FRIDAY_AFTER_CUTOFF = datetime(2026, 2, 13, 16, 59, tzinfo=VN)
FRIDAY_BEFORE_CUTOFF = datetime(2026, 2, 13, 14, 59, tzinfo=VN)


def at(day: int, hour: int, minute: int = 0, month: int = 2) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VN)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "unit", "received", "due"),
    [
        # RULES.md §2: from the reception instant, the same clock time on the N-th working day
        # after the reception day (the Tết break skipped); 15:00 moves nothing.
        (1, "working_days", FRIDAY_AFTER_CUTOFF, at(23, 16, 59)),
        (5, "working_days", FRIDAY_AFTER_CUTOFF, at(27, 16, 59)),
        (1, "working_days", FRIDAY_BEFORE_CUTOFF, at(23, 14, 59)),
        (5, "working_days", FRIDAY_BEFORE_CUTOFF, at(27, 14, 59)),
        (1, "working_days", at(13, 18, 5), at(24, 7, 30)),  # evening: from Monday's opening
        (2, "working_hours", FRIDAY_AFTER_CUTOFF, at(23, 9, 29)),
        (4, "working_hours", FRIDAY_BEFORE_CUTOFF, at(23, 9, 29)),
        (0.5, "working_days", FRIDAY_AFTER_CUTOFF, at(23, 11, 29)),
        # Same-day procedures: the same working day, or the next one after the 15:00 cut-off.
        (None, "instant", FRIDAY_AFTER_CUTOFF, at(23, 17)),
        (None, "instant", FRIDAY_BEFORE_CUTOFF, at(13, 17)),
        # Calendar days (Civil Code): 13/02 + 10 = Monday 23/02, a working day.
        (10, "days", FRIDAY_AFTER_CUTOFF, at(23, 17)),
        # 13/02 + 3 = Monday 16/02, in the Tết break: the period ends on the next working day.
        (3, "days", FRIDAY_AFTER_CUTOFF, at(23, 17)),
    ],
)
def test_estimate_across_tet_2026(
    make_version: Callable[..., ProcedureVersion],
    value: float | None,
    unit: str,
    received: datetime,
    due: datetime,
) -> None:
    version = make_version(time_limit={"value": value, "unit": unit, "text": ""})
    assert estimate_due(version, received_at=received, province_code="51") == due
    assert estimate_due(version, received_at=received) == due


@pytest.mark.django_db
def test_no_fixed_limit_gives_no_date(make_version: Callable[..., ProcedureVersion]) -> None:
    version = make_version(time_limit={"value": None, "unit": None, "text": "Theo trường hợp"})
    assert estimate_due(version, received_at=FRIDAY_AFTER_CUTOFF) is None


@pytest.mark.django_db
def test_naive_instant_is_refused(make_version: Callable[..., ProcedureVersion]) -> None:
    version = make_version()
    with pytest.raises(DomainError) as caught:
        estimate_due(version, received_at=datetime(2026, 2, 13, 16, 59))
    assert caught.value.code == "naive_datetime"


@pytest.mark.django_db
def test_same_day_procedure_with_its_own_cutoff(
    make_version: Callable[..., ProcedureVersion],
) -> None:
    """Certification of copies (trả trong ngày) with a 16:00 cut-off kept as catalogue data."""
    version = make_version(
        time_limit={"value": None, "unit": "instant", "text": "", "same_day_cutoff": "16:00"}
    )
    assert version.same_day_cutoff is not None and f"{version.same_day_cutoff:%H:%M}" == "16:00"
    assert estimate_due(version, received_at=at(13, 15, 30)) == at(13, 17)
    assert estimate_due(version, received_at=at(13, 16, 5)) == at(23, 17)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("limit", "message"),
    [
        ({"value": 3, "unit": "working_days", "same_day_cutoff": "16:00"}, "trong ngày"),
        ({"value": None, "unit": "instant", "same_day_cutoff": "4pm"}, "giờ:phút"),
    ],
)
def test_same_day_cutoff_is_checked(
    make_version: Callable[..., ProcedureVersion], limit: dict, message: str
) -> None:
    with pytest.raises(DomainError) as caught:
        make_version(time_limit={"text": "", **limit})
    assert caught.value.field == "time_limit.same_day_cutoff"
    assert message in caught.value.message


DEATH_CASES = [
    {"case_code": "1.000656.01", "value": 5, "unit_raw": "WORKING_DAY"},
    {"case_code": "1.000656.02", "value": 1, "unit_raw": "DAY"},
    {"case_code": "1.000656.03", "value": 2, "unit_raw": "DAY"},
]


@pytest.mark.django_db
def test_a_limit_per_case_gives_the_longest_case_or_the_chosen_one(
    make_version: Callable[..., ProcedureVersion],
) -> None:
    """Death registration (1.000656) has no single limit, only three cases: a dossier still gets
    a due instant — the longest case's unless the case is known — and the page says so."""
    version = make_version(
        time_limit={
            "value": None,
            "unit": None,
            "text": "CSDLQG ghi 3 trường hợp",
            "cases": DEATH_CASES,
        }
    )
    assert version.has_computable_limit
    assert version.time_limit_label == "tối đa 5 ngày làm việc, tùy trường hợp"
    assert estimate_due(version, received_at=FRIDAY_BEFORE_CUTOFF) == at(27, 14, 59)
    one_day = time_limit_of(version, "1.000656.02")
    assert (one_day.value, one_day.unit) == (1, "days")


@pytest.mark.django_db
def test_nothing_to_count_is_flagged_not_shown_as_an_editor_note(
    make_version: Callable[..., ProcedureVersion],
) -> None:
    version = make_version(
        time_limit={"value": None, "unit": None, "text": "CSDLQG ghi '1 Khác' – value = null."}
    )
    assert not version.has_computable_limit
    assert "CSDLQG" not in version.time_limit_label
    assert estimate_due(version, received_at=FRIDAY_BEFORE_CUTOFF) is None
