"""Parallel attempts on PostgreSQL: no lost count, and no more password checks than the free
failures before the first wait."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import timezone

from congso.accounts import services, throttle
from congso.audit.models import AuditEvent
from congso.audit.verify import verify_chain
from tests.accounts.helpers import make_user


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_failures_are_all_counted_and_announced_once(settings):
    settings.LOGIN_FREE_FAILURES = 10
    user = make_user()
    threads_count = 10
    barrier = threading.Barrier(threads_count)
    refused: list[str] = []
    errors: list[BaseException] = []

    def attempt() -> None:
        try:
            barrier.wait()
            services.login_attempt(username="congdan", password="sai", ip="10.1.1.1")
        except services.LoginRefused as exc:
            refused.append(exc.code)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(refused) == threads_count
    key = services.account_key("congdan")
    assert throttle.failures(key) == threads_count
    assert services.delayed_until(user) is not None
    assert services.delayed_until(user) > timezone.now()
    assert AuditEvent.objects.filter(action="accounts.login.failure").count() == threads_count
    assert AuditEvent.objects.filter(action="accounts.login.throttled").count() == 1
    assert verify_chain().ok


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_burst_of_parallel_guesses_checks_at_most_the_free_failures(settings):
    settings.LOGIN_FREE_FAILURES = 3
    settings.LOGIN_IP_FREE_FAILURES = 100
    make_user()
    threads_count = 12
    barrier = threading.Barrier(threads_count)
    codes: list[str] = []
    errors: list[BaseException] = []

    def attempt(n: int) -> None:
        try:
            barrier.wait()
            services.login_attempt(username="congdan", password=f"doan-{n}", ip="10.1.1.2")
        except services.LoginRefused as exc:
            codes.append(exc.code)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(codes) == threads_count
    # Only three passwords were checked; every other attempt was told to wait.
    assert AuditEvent.objects.filter(action="accounts.login.failure").count() == 3
    assert AuditEvent.objects.filter(action="accounts.login.throttled").count() == 1
    assert codes.count(services.INVALID_CREDENTIALS) == 3
    assert codes.count(services.TOO_MANY_ATTEMPTS) == threads_count - 3
    assert verify_chain().ok
