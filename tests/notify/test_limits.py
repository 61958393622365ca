"""The per-number rate limit under concurrent workers, SMS without delivery reports, and the
daily counts for the indicators."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from congso.notify import figures, selectors, services
from congso.notify.models import Message, RateWindow
from tests.dossiers.conftest import at

S = Message.Status


def _sms(n: int, recipient: str = "0912345678", **extra: Any) -> Message:
    values: dict[str, Any] = {
        "kind": "received", "channel": "sms", "recipient": recipient, "body": f"Tin {n}",
        "created_at": timezone.now(),
    }  # fmt: skip
    values.update(extra)
    return Message.objects.create(**values)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_rate_limit_holds_when_workers_race_for_the_same_number(settings, gateways):
    """Ten workers send ten SMS to one number at the same instant with a limit of three per
    hour: exactly three go out, the others wait for the next hour."""
    settings.NOTIFY_SMS_PER_NUMBER_PER_HOUR = 3
    messages = [_sms(n) for n in range(10)]
    barrier = threading.Barrier(len(messages))
    results: dict[int, str] = {}
    errors: list[BaseException] = []

    def send(pk: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[pk] = services.message_send(message_id=pk)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(m.pk,)) for m in messages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert sorted(results.values()) == ["deferred"] * 7 + ["sent"] * 3
    # Sent (or already delivered: the DLR may be quicker than this check), each exactly once.
    gone = Message.objects.filter(status__in=[S.SENT, S.DELIVERED])
    assert gone.count() == 3 and {m.attempts for m in gone} == {1}
    waiting = Message.objects.filter(status=S.QUEUED)
    next_hour = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    assert {m.not_before for m in waiting} == {next_hour}
    assert RateWindow.objects.get(recipient="0912345678").sent == 3


@pytest.mark.django_db
def test_rate_limit_counts_per_number_and_hour(settings, gateways):
    settings.NOTIFY_SMS_PER_NUMBER_PER_HOUR = 1
    first, second, other = _sms(1), _sms(2), _sms(3, recipient="0987654321")
    assert services.message_send(message_id=first.pk) == "sent"
    assert services.message_send(message_id=second.pk) == "deferred"
    assert services.message_send(message_id=other.pk) == "sent"


@pytest.mark.django_db
def test_sms_without_delivery_report_becomes_no_report_not_pending(settings):
    settings.NOTIFY_DLR_TIMEOUT_HOURS = 48
    long_ago = timezone.now() - timedelta(hours=49)
    silent = _sms(1, status=S.SENT, attempts=1, sent_at=long_ago)
    recent = _sms(2, status=S.SENT, attempts=1, sent_at=timezone.now() - timedelta(hours=1))
    mail = Message.objects.create(
        kind="received", channel="email", recipient="a@example.vn", body="x",
        status=S.SENT, attempts=1, sent_at=long_ago, created_at=long_ago,
    )  # fmt: skip
    assert services.messages_reconcile()["no_report"] == 1
    silent.refresh_from_db()
    assert silent.status == S.NO_REPORT and silent.attempts == 1  # shown, never resent
    assert "không gửi báo cáo phát" in silent.last_error
    assert Message.objects.get(pk=recent.pk).status == S.SENT
    assert Message.objects.get(pk=mail.pk).status == S.SENT  # e-mail has no delivery report

    # A report that arrives late still settles it.
    services.delivery_report_record(key=str(silent.key), attempt=1, dlr_type=1, answer="late")
    silent.refresh_from_db()
    assert silent.status == S.DELIVERED and silent.last_error == ""


@pytest.mark.django_db
def test_daily_counts_per_day_and_channel():
    def make(channel: str, status: str, day: int, hour: int) -> None:
        Message.objects.create(
            kind="received", channel=channel, recipient="x", body="x", status=status,
            created_at=at(2026, 3, day, hour, 0),
        )  # fmt: skip

    make("sms", S.DELIVERED, 2, 8)
    make("sms", S.SENT, 2, 9)
    make("sms", S.NO_REPORT, 2, 10)
    make("sms", S.DEAD, 2, 11)
    make("sms", S.QUEUED, 2, 12)
    make("email", S.SENT, 2, 23)  # 23:00 local: still 2 March
    make("email", S.FAILED, 3, 0)  # midnight local: 3 March
    make("sms", S.DELIVERED, 5, 9)  # outside the range
    # Rows written behind the services' back: the figures are rebuilt from them.
    figures.rebuild()
    rows = selectors.daily_counts(at(2026, 3, 2).date(), at(2026, 3, 3).date())
    assert [(r["day"].day, r["channel"], r["sent"], r["delivered"], r["failed"]) for r in rows] == [
        (2, "email", 1, 0, 0),
        (2, "sms", 3, 1, 1),
        (3, "email", 0, 0, 1),
    ]
