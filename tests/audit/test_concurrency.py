"""Parallel appends on PostgreSQL: the advisory lock keeps a single chain."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from congso.audit.models import AuditEvent
from congso.audit.services import record
from congso.audit.verify import verify_chain

THREADS = 8
EVENTS_PER_THREAD = 15


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_records_never_fork_the_chain():
    user_model = get_user_model()
    users = [user_model.objects.create_user(username=f"u{i}") for i in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def work(user) -> None:
        try:
            barrier.wait()
            for n in range(EVENTS_PER_THREAD):
                with transaction.atomic():
                    user_model.objects.filter(pk=user.pk).update(full_name=f"n{n}")
                    record(actor=user, action="test.parallel", target=user, after={"n": n})
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    total = THREADS * EVENTS_PER_THREAD
    assert AuditEvent.objects.count() == total
    result = verify_chain(batch_size=7)
    assert result.ok, result.broken
    assert result.count == total
    assert sorted(AuditEvent.objects.values_list("seq", flat=True)) == list(range(1, total + 1))
