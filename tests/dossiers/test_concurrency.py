"""Concurrency: optimistic versions on one dossier, and gap-free codes under many submitters."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from congso.core.errors import Conflict
from congso.dossiers import codes, services
from congso.dossiers.models import CodeCounter, CodeRule, Dossier, DossierHistory
from congso.dossiers.workflow import Status
from tests.dossiers.conftest import Clock, at, build_world, fresh, receive, submit


def test_a_stale_copy_gets_a_conflict(world, clock):
    dossier = submit(world)
    first = Dossier.objects.get(pk=dossier.pk)
    second = Dossier.objects.get(pk=dossier.pk)
    receive(world, first)
    with pytest.raises(Conflict) as stale:
        services.dossier_not_accept(actor=world.reception_a, dossier=second, reason="Trùng")
    assert stale.value.code == "concurrent_update"
    assert stale.value.status == 409
    assert fresh(dossier).status == Status.RECEIVED


def test_an_explicit_expected_version_is_checked(world, clock):
    dossier = submit(world)
    with pytest.raises(Conflict) as stale:
        services.dossier_receive(actor=world.reception_a, dossier=dossier, expected_version=7)
    assert stale.value.code == "concurrent_update"
    assert stale.value.field == "expected_version"
    received = services.dossier_receive(
        actor=world.reception_a, dossier=dossier, expected_version=dossier.version
    )
    assert received.version == dossier.version + 1


def run_parallel(count: int, work: Callable[[int], Any]) -> tuple[list[Any], list[BaseException]]:
    barrier = threading.Barrier(count)
    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def target(index: int) -> None:
        try:
            barrier.wait()
            value = work(index)
            with lock:
                results.append(value)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.fixture
def tworld(transactional_db: Any, monkeypatch: pytest.MonkeyPatch):
    # A transactional test's database is flushed between tests, data migrations included.
    CodeRule.objects.get_or_create(
        effective_from=codes.TT01_2018_EFFECTIVE, defaults={"pattern": codes.TT01_2018_PATTERN}
    )
    clock = Clock(monkeypatch)
    clock.set(at(2026, 3, 2, 9, 0))
    return build_world()


@pytest.mark.postgres_only
def test_two_officers_acting_at_once_exactly_one_wins(tworld):
    dossier = submit(tworld)
    copies = [Dossier.objects.get(pk=dossier.pk) for _ in range(2)]
    actions = [
        lambda: services.dossier_receive(actor=tworld.reception_a, dossier=copies[0]),
        lambda: services.dossier_not_accept(
            actor=tworld.reception_a, dossier=copies[1], reason="Không hợp lệ"
        ),
    ]
    results, errors = run_parallel(2, lambda index: actions[index]())
    assert len(results) == 1
    assert len(errors) == 1
    assert isinstance(errors[0], Conflict) and errors[0].code == "concurrent_update"
    final = fresh(dossier)
    assert final.version == dossier.version + 1
    assert final.status in (Status.RECEIVED, Status.NOT_ACCEPTED)
    assert DossierHistory.objects.filter(dossier=dossier).count() == 2


@pytest.mark.postgres_only
def test_64_concurrent_submitters_get_gap_free_unique_codes(tworld):
    count = 64
    results, errors = run_parallel(count, lambda index: submit(tworld).code)
    assert errors == []
    codes = sorted(results)
    expected = [f"000.00.51.H51-260302-{n:04d}" for n in range(1, count + 1)]
    assert codes == expected
    assert sorted(Dossier.objects.values_list("code", flat=True)) == expected
    assert Dossier.objects.count() == count
    assert CodeCounter.objects.get(agency_code="000.00.51.H51").last == count
