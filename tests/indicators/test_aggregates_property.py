"""Incremental == rebuilt: a seeded random workload over the real dossier services (every action
of the lifecycle, two communes, three channels, ~two months of a moving clock, refused actions
included), then the tables maintained transaction by transaction must equal the tables rebuilt
from the raw rows, and so must ``figures()`` at several groupings and ``live_figures()``."""

from __future__ import annotations

import random
import threading
from datetime import date, timedelta

import pytest
from django.db import close_old_connections

from congso.core.errors import DomainError
from congso.dossiers import codes, services
from congso.dossiers.models import Channel, CodeRule, Dossier
from congso.indicators import aggregates
from congso.indicators.models import DailyFigure, LiveFigure, MonthlyFigure
from congso.indicators.selectors import figures, live_figures
from tests.dossiers import conftest as dossier_fixtures
from tests.dossiers.conftest import (
    FORM,
    at,
    build_world,
    pdf,
    png,
    submit,
)

# The dossier tests' fixtures: a clock replacing timezone.now, the media root, the world.
clock = dossier_fixtures.clock
media = dossier_fixtures.media
world = dossier_fixtures.world

GROUPINGS = [
    (),
    ("month",),
    ("day", "channel"),
    ("agency", "procedure", "field"),
    ("unit", "quarter"),
    ("year", "agency", "channel"),
]


def _actors(world, dossier, role):
    commune = "a" if dossier.competent_agency_id == world.commune_a.pk else "b"
    return getattr(world, f"{role}_{commune}")


def _new_dossier(world, rng):
    commune = rng.choice("ab")
    if rng.random() < 0.5:
        agency = getattr(world, f"commune_{commune}")
        return submit(world, competent_agency=agency, desk=getattr(world, f"desk_{commune}"))
    scans = {"to-khai": [pdf()]}
    if rng.random() < 0.5:
        scans |= {"giay-chung-sinh": [png()], "giay-uy-quyen": [pdf("uq.pdf")]}
    return services.dossier_receive_in_person(
        actor=getattr(world, f"reception_{commune}"),
        procedure=world.procedure,
        competent_agency=getattr(world, f"commune_{commune}"),
        desk=getattr(world, f"desk_{commune}"),
        citizen=world.citizen,
        channel=rng.choice([Channel.IN_PERSON, Channel.POSTAL]),
        form_data=dict(FORM),
        files=scans,
    )


def _act(world, rng, d):
    reception = _actors(world, d, "reception")
    specialist = _actors(world, d, "specialist")
    leader = _actors(world, d, "leader")
    citizen = world.citizen_user
    status = d.status
    if status in ("submitted", "received", "processing") and rng.random() < 0.08:
        return services.dossier_request_withdrawal(actor=citizen, dossier=d, reason="Đổi ý.")
    if status == "submitted":
        choice = rng.random()
        if choice < 0.75:
            return services.dossier_receive(actor=reception, dossier=d)
        if choice < 0.9:
            return services.dossier_not_accept(actor=reception, dossier=d, reason="Sai.")
        return services.dossier_request_supplement(
            actor=reception, dossier=d, reason="Thiếu.", missing_items=[{"component": "to-khai"}]
        )
    if status == "received":
        if rng.random() < 0.1:
            return services.dossier_refuse(actor=leader, dossier=d, reason="Không đủ điều kiện.")
        return services.dossier_start_processing(actor=reception, dossier=d)
    if status == "processing":
        choice = rng.random()
        if choice < 0.1:
            return services.dossier_request_supplement(
                actor=specialist,
                dossier=d,
                reason="Thiếu.",
                missing_items=[{"component": "giay-uy-quyen"}],
            )
        if choice < 0.18:
            return services.dossier_request_payment(actor=specialist, dossier=d, reason="Lệ phí.")
        if choice < 0.25:
            return services.dossier_refuse(actor=specialist, dossier=d, reason="Không đạt.")
        if choice < 0.3:
            services.dossier_component_mark(
                actor=reception,
                dossier=d,
                component_code=rng.choice(["to-khai", "giay-chung-sinh", "giay-uy-quyen"]),
                digitised=rng.random() < 0.7,
            )
            return d
        try:
            return services.dossier_forward(actor=specialist, dossier=d)
        except DomainError:
            return services.dossier_complete(actor=leader, dossier=d, result_summary="Xong.")
    if status == "supplement_requested":
        code = d.supplements.order_by("-pk").first().items[0].get("component", "to-khai")
        upload = pdf() if code == "to-khai" else pdf("uq.pdf")
        return services.dossier_supplement(actor=citizen, dossier=d, files={code: [upload]})
    if status == "payment_requested":
        return services.dossier_confirm_payment(actor=None, dossier=d, note="Cổng thanh toán")
    if status == "withdrawal_requested":
        if rng.random() < 0.6:
            return services.dossier_confirm_withdrawal(actor=reception, dossier=d)
        return services.dossier_decline_withdrawal(actor=reception, dossier=d, reason="Không.")
    if status == "processed":
        method = rng.choice(["desk", "post", "online"])
        return services.dossier_return_result(actor=reception, dossier=d, method=method)
    if status == "returned" and not hasattr(d, "rating_done"):
        services.dossier_rate(actor=citizen, dossier=d, score=rng.randint(1, 5))
        d.rating_done = True
    return d


def _workload(world, clock, seed: int, steps: int) -> tuple[int, int]:
    rng = random.Random(seed)
    now = at(2026, 3, 2, 8, 0)
    clock.set(now)
    dossiers: list[Dossier] = []
    failures = successes = 0
    for _ in range(steps):
        now += timedelta(minutes=rng.randint(5, 400))
        clock.set(now)
        try:
            if not dossiers or rng.random() < 0.25:
                dossiers.append(_new_dossier(world, rng))
            else:
                index = rng.randrange(len(dossiers))
                current = Dossier.objects.get(pk=dossiers[index].pk)
                if hasattr(dossiers[index], "rating_done"):
                    current.rating_done = True
                dossiers[index] = _act(world, rng, current)
            successes += 1
        except DomainError:  # refused actions roll back, aggregates included
            failures += 1
    return successes, failures


def _figures_and_live(now):
    out = {}
    for grouping in GROUPINGS:
        out[grouping] = figures(start=date(2026, 2, 20), end=date(2026, 6, 15), group_by=grouping)
    out["ragged"] = figures(start=date(2026, 3, 5), end=date(2026, 4, 17), group_by=["agency"])
    for days in (0, 1, 3, 30):
        moment = now + timedelta(days=days)
        out[f"live+{days}"] = live_figures(now=moment, group_by=["agency", "procedure"])
        out[f"live-total+{days}"] = live_figures(now=moment)
    return out


@pytest.mark.parametrize("seed", [7, 2026])
def test_random_workload_incremental_equals_rebuild(world, clock, seed):
    successes, failures = _workload(world, clock, seed, steps=260)
    assert successes > 200  # the workload really exercised the services
    statuses = set(Dossier.objects.values_list("status", flat=True))
    assert {"returned", "processing", "withdrawn", "stopped"} <= statuses
    incremental = aggregates.table_contents()
    seen = _figures_and_live(clock.now)
    assert seen[()][0]["received"] > 0 and seen[()][0]["rating_count"] > 0
    aggregates.rebuild()
    assert aggregates.table_contents() == incremental
    assert _figures_and_live(clock.now) == seen


def test_rebuild_replaces_corrupted_content(world, clock):
    _workload(world, clock, 11, steps=60)
    good = aggregates.table_contents()
    DailyFigure.objects.update(received=999)
    MonthlyFigure.objects.all().delete()
    LiveFigure.objects.update(count=42)
    assert aggregates.table_contents() != good
    aggregates.rebuild()
    assert aggregates.table_contents() == good


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_changes_lose_no_update(clock, media):
    """Eight threads receive dossiers of the same agency, day and channel at once: every one of
    them updates the same daily, monthly and live rows; none is lost."""
    # A transactional test's database is flushed between tests, data migrations included.
    CodeRule.objects.get_or_create(
        effective_from=codes.TT01_2018_EFFECTIVE, defaults={"pattern": codes.TT01_2018_PATTERN}
    )
    world = build_world()
    clock.set(at(2026, 3, 2, 9, 0))
    submitted = [submit(world) for _ in range(16)]
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def work(chunk):
        try:
            barrier.wait()
            for dossier in chunk:
                services.dossier_receive(actor=world.reception_a, dossier=dossier)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=work, args=(submitted[i::8],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    (total,) = figures(start=date(2026, 3, 2), end=date(2026, 3, 2))
    assert total["received"] == total["received_online"] == 16
    (live,) = live_figures(now=clock.now)
    assert live["in_progress"] == 16 and live["waiting_reception"] == 0
    incremental = aggregates.table_contents()
    aggregates.rebuild()
    assert aggregates.table_contents() == incremental
