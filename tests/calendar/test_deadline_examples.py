"""The worked examples of docs/deadlines.md, on the national calendar as shipped (database rows
included): the document and the engine cannot drift apart."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from congso.calendar.limits import TimeLimit, due_instant
from congso.calendar.selectors import get_calendar
from tests.calendar.helpers import at

pytestmark = pytest.mark.django_db

EXAMPLES = [
    (at(2026, 2, 12, 9, 10), 3, "working_days", at(2026, 2, 24, 9, 10)),
    (at(2026, 2, 13, 10, 0), 3, "working_days", at(2026, 2, 25, 10, 0)),
    (at(2026, 2, 13, 16, 40), 1, "working_days", at(2026, 2, 23, 16, 40)),
    (at(2026, 2, 13, 17, 20), 5, "working_days", at(2026, 3, 2, 7, 30)),
    (at(2026, 2, 14, 9, 0), 2, "working_days", at(2026, 2, 25, 7, 30)),
    (at(2026, 2, 13, 14, 0), 4, "working_hours", at(2026, 2, 23, 8, 30)),
    (at(2026, 2, 13, 10, 0), Decimal("0.5"), "working_days", at(2026, 2, 13, 15, 30)),
    (at(2026, 2, 13, 14, 30), None, "instant", at(2026, 2, 13, 17, 0)),
    (at(2026, 2, 13, 15, 30), None, "instant", at(2026, 2, 23, 17, 0)),
    (at(2026, 2, 13, 10, 0), 10, "days", at(2026, 2, 23, 17, 0)),
    (at(2026, 4, 29, 10, 15), 3, "working_days", at(2026, 5, 6, 10, 15)),
    (at(2026, 4, 29, 12, 5), 1, "working_days", at(2026, 5, 4, 13, 0)),
    (at(2026, 8, 21, 14, 0), 2, "working_days", at(2026, 8, 24, 14, 0)),
    (at(2026, 8, 22, 8, 0), 1, "working_days", at(2026, 8, 24, 8, 0)),
    (at(2026, 8, 28, 9, 0), 1, "working_days", at(2026, 9, 3, 9, 0)),
    (at(2026, 8, 28, 16, 10), 5, "working_days", at(2026, 9, 9, 16, 10)),
    (at(2026, 1, 9, 23, 30), 1, "working_days", at(2026, 1, 12, 7, 30)),
]


@pytest.mark.parametrize(("received", "value", "unit", "due"), EXAMPLES)
def test_worked_example(received: datetime, value, unit: str, due: datetime) -> None:
    calendar = get_calendar("51", years=[2025, 2026, 2027])
    assert due_instant(calendar, received, TimeLimit.of(value, unit)) == due
