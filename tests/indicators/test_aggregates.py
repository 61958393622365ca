"""Counter semantics on a small hand-built week, with every number worked out by hand.

The world is the dossier tests' (procedure of 3 working days, commune A with a 4-step process,
commune B on the one-step fallback). Monday 02/03/2026 – Thursday 05/03/2026:

=====  ========  ========================================================================
 D     channel   life
=====  ========  ========================================================================
 D1    online    submitted Mon 08:00, received Mon 09:00, completed Tue 14:00 (early),
                 returned online Tue 15:00, rated 5
 D2    postal    received Mon 10:00 at commune B with every component scanned (digitised),
                 refused after appraisal Thu 09:30, due Thu 10:00 (stopped, on time)
 D3    online    submitted Mon 11:00, not accepted Mon 11:30
 D4    in person received Mon 13:00 (one scan of three), supplement requested Mon 14:00
 D5    online    submitted Tue 09:00, still waiting for reception
 D6    online    received Mon 09:00, processing, due Thu 09:00
 D7    online    received Tue 09:00, processing, due Fri 09:00
 D8    online    received Mon 09:30, withdrawn Mon 10:30
=====  ========  ========================================================================
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from congso.dossiers import services
from congso.dossiers.models import Channel
from congso.indicators import aggregates
from congso.indicators.selectors import COUNTERS, figures, live_figures
from tests.dossiers import conftest as dossier_fixtures
from tests.dossiers.conftest import (
    FORM,
    at,
    pdf,
    png,
    receive,
    submit,
)

# The dossier tests' fixtures: a clock replacing timezone.now, the media root, the world.
clock = dossier_fixtures.clock
media = dossier_fixtures.media
world = dossier_fixtures.world


def in_person(world, *, channel=Channel.IN_PERSON, commune="a", files=None):
    return services.dossier_receive_in_person(
        actor=getattr(world, f"reception_{commune}"),
        procedure=world.procedure,
        competent_agency=getattr(world, f"commune_{commune}"),
        desk=getattr(world, f"desk_{commune}"),
        citizen=world.citizen,
        channel=channel,
        form_data=dict(FORM),
        files=files or {"to-khai": [pdf()]},
    )


@pytest.fixture
def week(world, clock):
    d = {}
    clock.set(at(2026, 3, 2, 8, 0))
    d[1] = submit(world)
    clock.set(at(2026, 3, 2, 9, 0))
    d[1] = receive(world, d[1])
    d[6] = receive(world, submit(world))
    d[6] = services.dossier_start_processing(actor=world.reception_a, dossier=d[6])
    clock.set(at(2026, 3, 2, 9, 30))
    d[8] = receive(world, submit(world))
    d[8] = services.dossier_start_processing(actor=world.reception_a, dossier=d[8])
    d[8] = services.dossier_request_withdrawal(
        actor=world.citizen_user, dossier=d[8], reason="Không cần nữa."
    )
    clock.set(at(2026, 3, 2, 10, 0))
    d[2] = in_person(
        world,
        channel=Channel.POSTAL,
        commune="b",
        files={
            "to-khai": [pdf()],
            "giay-chung-sinh": [png()],
            "giay-uy-quyen": [pdf("uq.pdf")],
        },
    )
    d[2] = services.dossier_start_processing(actor=world.reception_b, dossier=d[2])
    clock.set(at(2026, 3, 2, 10, 30))
    d[8] = services.dossier_confirm_withdrawal(actor=world.reception_a, dossier=d[8])
    clock.set(at(2026, 3, 2, 11, 0))
    d[3] = submit(world)
    clock.set(at(2026, 3, 2, 11, 30))
    d[3] = services.dossier_not_accept(
        actor=world.reception_a, dossier=d[3], reason="Không thuộc thẩm quyền."
    )
    clock.set(at(2026, 3, 2, 13, 0))
    d[4] = in_person(world)
    d[4] = services.dossier_start_processing(actor=world.reception_a, dossier=d[4])
    clock.set(at(2026, 3, 2, 14, 0))
    d[4] = services.dossier_request_supplement(
        actor=world.specialist_a,
        dossier=d[4],
        reason="Thiếu văn bản ủy quyền.",
        missing_items=[{"component": "giay-uy-quyen"}],
    )
    d[1] = services.dossier_start_processing(actor=world.reception_a, dossier=d[1])
    clock.set(at(2026, 3, 3, 9, 0))
    d[5] = submit(world)
    d[7] = receive(world, submit(world))
    d[7] = services.dossier_start_processing(actor=world.reception_a, dossier=d[7])
    clock.set(at(2026, 3, 3, 10, 0))
    d[1] = services.dossier_forward(actor=world.specialist_a, dossier=d[1])
    clock.set(at(2026, 3, 3, 14, 0))
    d[1] = services.dossier_complete(actor=world.leader_a, dossier=d[1], result_summary="Cấp.")
    clock.set(at(2026, 3, 3, 15, 0))
    d[1] = services.dossier_return_result(actor=world.reception_a, dossier=d[1], method="online")
    services.dossier_rate(actor=world.citizen_user, dossier=d[1], score=5)
    clock.set(at(2026, 3, 5, 9, 30))  # due Thursday 10:00 (3 working days from Monday 10:00)
    d[2] = services.dossier_refuse(actor=world.specialist_b, dossier=d[2], reason="Không đủ.")
    clock.set(at(2026, 3, 5, 17, 30))
    return d


def test_preconditions_of_the_week(week, world):
    assert week[1].timeliness == "early" and week[1].return_method == "online"
    assert week[2].status == "stopped" and week[2].timeliness == "on_time"
    assert week[6].due_at == at(2026, 3, 5, 9, 0)
    assert week[7].due_at == at(2026, 3, 6, 9, 0)
    assert week[8].status == "withdrawn"


def _zero(**values):
    row = dict.fromkeys(COUNTERS, 0)
    row.update(values)
    return row


def test_month_totals(week):
    (total,) = figures(start=date(2026, 3, 1), end=date(2026, 3, 31))
    assert total == _zero(
        received=6,
        received_online=4,
        received_in_person=1,
        received_postal=1,
        not_accepted=1,
        processed=2,
        processed_early=1,
        processed_on_time=1,
        returned=1,
        returned_online=1,
        digitised=1,
        supplement_requested=1,
        withdrawn=1,
        stopped=1,
        # D1: Mon 09:00 → Tue 14:00 = 29 h; D2: Mon 10:00 → Thu 09:30 = 71.5 h.
        processing_seconds=int((29 + 71.5) * 3600),
        rating_count=1,
        rating_sum=5,
        rating_satisfied=1,
    )


def test_by_day_agency_and_channel(week, world):
    by_day = {
        row["day"]: row
        for row in figures(start=date(2026, 3, 2), end=date(2026, 3, 5), group_by=["day"])
    }
    assert sorted(by_day) == [date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 5)]
    assert by_day[date(2026, 3, 2)] == {
        "day": date(2026, 3, 2),
        **_zero(
            received=5,
            received_online=3,
            received_in_person=1,
            received_postal=1,
            not_accepted=1,
            digitised=1,
            supplement_requested=1,
            withdrawn=1,
        ),
    }
    assert by_day[date(2026, 3, 3)] == {
        "day": date(2026, 3, 3),
        **_zero(
            received=1,
            received_online=1,
            processed=1,
            processed_early=1,
            processing_seconds=29 * 3600,
            returned=1,
            returned_online=1,
            rating_count=1,
            rating_sum=5,
            rating_satisfied=1,
        ),
    }
    assert by_day[date(2026, 3, 5)]["stopped"] == 1
    agencies = {
        row["agency_id"]: row["received"]
        for row in figures(start=date(2026, 3, 1), end=date(2026, 3, 31), group_by=["agency"])
    }
    assert agencies == {world.commune_a.pk: 5, world.commune_b.pk: 1}
    channels = {
        row["channel"]: row["received"]
        for row in figures(start=date(2026, 3, 1), end=date(2026, 3, 31), group_by=["channel"])
    }
    assert channels == {"online": 4, "in_person": 1, "postal": 1}
    # A partial month (ragged ends read the daily table) and the permission scope.
    (tuesday,) = figures(
        start=date(2026, 3, 3), end=date(2026, 3, 3), scope_agency_ids=[world.commune_a.pk]
    )
    assert tuesday["received"] == 1 and tuesday["processed"] == 1
    (scoped,) = figures(
        start=date(2026, 2, 15), end=date(2026, 4, 10), scope_agency_ids=[world.commune_b.pk]
    )
    assert scoped["received"] == 1 and scoped["stopped"] == 1
    months = figures(start=date(2026, 1, 1), end=date(2026, 12, 31), group_by=["quarter"])
    assert [(row["quarter"], row["received"]) for row in months] == [(date(2026, 1, 1), 6)]


def test_live_figures(week, world, clock):
    (live,) = live_figures(now=clock.now)
    assert live == {
        "waiting_reception": 1,  # D5
        "in_progress": 3,  # D4, D6, D7
        "overdue_now": 1,  # D6, due today 09:00, now 17:30
        "due_soon": 1,  # D7, due tomorrow 09:00
        "waiting_supplement": 1,  # D4
        "waiting_payment": 0,
        "withdrawal_requested": 0,
        "processed_not_returned": 0,
    }
    # Earlier the same day D6 is only due soon.
    (morning,) = live_figures(now=at(2026, 3, 5, 8, 0))
    assert (morning["overdue_now"], morning["due_soon"]) == (0, 2)
    # The day after, both are overdue from the table alone.
    (friday,) = live_figures(now=at(2026, 3, 6, 9, 30))
    assert (friday["overdue_now"], friday["due_soon"]) == (2, 0)
    rows = live_figures(now=clock.now, group_by=["agency"])
    assert [(r["agency_id"], r["in_progress"]) for r in rows] == [(world.commune_a.pk, 3)]
    assert live_figures(now=clock.now, scope_agency_ids=[world.commune_b.pk])[0] == dict.fromkeys(
        live, 0
    )


def test_incremental_equals_rebuilt(week):
    incremental = aggregates.table_contents()
    assert incremental["daily"] and incremental["live"]
    aggregates.rebuild()
    assert aggregates.table_contents() == incremental


def test_figures_never_read_the_dossier_table(week):
    with CaptureQueriesContext(connection) as queries:
        figures(start=date(2026, 1, 1), end=date(2026, 12, 31), group_by=["month", "agency"])
        figures(start=date(2026, 3, 2), end=date(2026, 3, 20), group_by=["unit", "channel"])
        figures(start=date(2026, 3, 1), end=date(2026, 3, 31))
    assert len(queries.captured_queries) >= 3
    assert not [q for q in queries.captured_queries if "dossiers_" in q["sql"]]


def test_signed_result_counts_as_an_e_result(week, world):
    aggregates.record_signed_result(week[1].pk, signed_at=at(2026, 3, 3, 14, 30))
    (total,) = figures(start=date(2026, 3, 3), end=date(2026, 3, 3))
    assert total["e_results"] == 1
