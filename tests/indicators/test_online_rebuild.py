"""``rebuild_indicators`` without stopping dossier writes (issue 22): submissions and officers'
actions go on in other threads while the rebuild computes — the rebuild waits, inside its
build transaction, until writers have committed more changes — and afterwards the figures
equal a rebuild from scratch. Runs on SQLite (WAL) and PostgreSQL."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import close_old_connections

from congso.dossiers import codes, services
from congso.dossiers.models import CodeRule
from congso.indicators import aggregates
from congso.indicators.models import LiveFigure, MonthlyFigure, RebuildDelta, RebuildState
from tests.dossiers.conftest import Clock, at, build_world, submit

#: Bounded waits for the writer threads (a failure, not a measurement, if they are reached).
WAIT = 120


@pytest.mark.django_db(transaction=True)
def test_writes_during_the_rebuild_are_neither_lost_nor_doubled(
    monkeypatch: pytest.MonkeyPatch, media: Any
) -> None:
    CodeRule.objects.get_or_create(
        effective_from=codes.TT01_2018_EFFECTIVE, defaults={"pattern": codes.TT01_2018_PATTERN}
    )
    clock = Clock(monkeypatch)
    clock.set(at(2026, 3, 2, 9, 0))
    world = build_world()
    for _ in range(4):
        services.dossier_receive(actor=world.reception_a, dossier=submit(world))
    # Damage the figures: only the rebuild can put them right.
    MonthlyFigure.objects.all().delete()
    LiveFigure.objects.update(count=42)

    done = threading.Semaphore(0)
    stop = threading.Event()
    errors: list[BaseException] = []
    writes = [0]
    lock = threading.Lock()

    def writer(kind: int) -> None:
        try:
            while not stop.is_set():
                dossier = submit(world)
                done.release()
                if kind:
                    dossier = services.dossier_receive(actor=world.reception_a, dossier=dossier)
                    done.release()
                    services.dossier_start_processing(actor=world.reception_a, dossier=dossier)
                    done.release()
                with lock:
                    writes[0] += 1
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            close_old_connections()

    def wait_for(count: int) -> None:
        for _ in range(count):
            assert done.acquire(timeout=WAIT), f"writers stalled during the rebuild: {errors}"

    steps: list[str] = []

    def progress(message: str) -> None:
        # Inside the build transaction (after its snapshot, before the swap): let the writers
        # commit changes the snapshot cannot see.
        steps.append(message)
        if message != "swap…":
            wait_for(3)

    threads = [threading.Thread(target=writer, args=(i % 2,)) for i in range(2)]
    for thread in threads:
        thread.start()
    try:
        wait_for(2)
        result = aggregates.rebuild(progress=progress)
        wait_for(3)  # and some writes after the swap
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert not errors
    assert steps == ["daily figures…", "monthly figures…", "live figures…", "swap…"]
    assert result["replayed"] >= 1
    assert not RebuildState.objects.filter(active=True).exists()
    assert not RebuildDelta.objects.exists()
    after = aggregates.table_contents()
    aggregates.rebuild_locked()
    assert after == aggregates.table_contents()
    received = sum(row[0] for row in after["daily"].values())
    assert received >= 4 + 1


@pytest.mark.django_db(transaction=True)
def test_a_writer_outside_a_rebuild_logs_nothing(
    monkeypatch: pytest.MonkeyPatch, media: Any
) -> None:
    CodeRule.objects.get_or_create(
        effective_from=codes.TT01_2018_EFFECTIVE, defaults={"pattern": codes.TT01_2018_PATTERN}
    )
    clock = Clock(monkeypatch)
    clock.set(at(2026, 3, 2, 9, 0))
    world = build_world()
    aggregates.rebuild()
    submit(world)
    assert not RebuildDelta.objects.exists()
    figures = aggregates.table_contents()
    aggregates.rebuild()
    assert aggregates.table_contents() == figures
