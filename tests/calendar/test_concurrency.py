"""Two officers adding the same day at the same moment: one wins, the other gets a Conflict."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection

from congso.calendar import services
from congso.calendar.models import CalendarOverride
from congso.core.errors import Conflict

DAY = date(2027, 3, 3)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_simultaneous_creates_of_the_same_day() -> None:
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def add(kind: str) -> None:
        try:
            barrier.wait(timeout=10)
            services.override_create(
                actor=None, date=DAY, kind=kind, name=kind, legal_source="Thử đồng thời"
            )
            outcomes.append("created")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(kind,)) for kind in ("day_off", "working_day")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # The loser is refused by the explicit check or, when both checks ran before either insert,
    # by the unique constraint; never a 500, never two rows.
    assert len(outcomes) == 2
    assert sorted(outcomes)[1] == "created"
    assert sorted(outcomes)[0] in ("calendar_conflict", "calendar_override_conflict")
    assert CalendarOverride.objects.filter(date=DAY).count() == 1
