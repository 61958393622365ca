"""Parallel attempts on PostgreSQL: no lost increments, and no more password checks than slots."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import timezone

from congso.accounts import services
from congso.accounts.models import User
from congso.audit.models import AuditEvent
from congso.audit.verify import verify_chain
from tests.accounts.helpers import make_user


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_failures_lock_exactly_once(settings):
    settings.LOGIN_MAX_FAILURES = 10
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
    user.refresh_from_db()
    assert user.locked_until is not None and user.locked_until > timezone.now()
    assert user.failed_logins == 0
    assert AuditEvent.objects.filter(action="accounts.login.failure").count() == threads_count
    assert AuditEvent.objects.filter(action="accounts.login.lockout").count() == 1
    assert User.objects.get(pk=user.pk).locked_until == user.locked_until
    assert verify_chain().ok


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_burst_of_parallel_guesses_checks_at_most_the_limit(settings):
    settings.LOGIN_MAX_FAILURES = 3
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
    # Only three passwords were checked; every other attempt met the lock.
    assert AuditEvent.objects.filter(action="accounts.login.failure").count() == 3
    assert AuditEvent.objects.filter(action="accounts.login.lockout").count() == 1
    assert codes.count(services.INVALID_CREDENTIALS) <= 3
    assert verify_chain().ok
