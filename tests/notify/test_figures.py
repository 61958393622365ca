"""The notification figures kept in the transaction of every status change equal the figures
rebuilt from the messages, after a workload through the real services: SMS through a real
Kannel with real DLRs, e-mail through a real SMTP server, an invalid number, e-mails given up
(SMTP down) and resent by hand, a failure DLR, an SMS without a delivery report."""

from __future__ import annotations

import io
from typing import Any

from django.core.management import call_command

from congso.notify import figures, selectors, services
from congso.notify.models import Message, NotifyDailyFigure
from tests.dossiers.conftest import at, receive, submit
from tests.notify.conftest import wait_for
from tests.notify.test_delivery import _lifecycle, nworld  # noqa: F401 - fixture

S = Message.Status


def _drained(**statuses: Any) -> bool:
    return all(
        Message.objects.filter(channel=channel).exclude(status__in=wanted).count() == 0
        for channel, wanted in statuses.items()
    )


def test_incremental_figures_equal_rebuilt_after_a_workload(nworld, clock, gateways):  # noqa: F811
    # 1. A whole lifecycle (messages created when the worker runs, 3 March): 4 SMS delivered
    #    (real DLRs), 4 e-mails sent.
    _lifecycle(nworld, clock)
    assert wait_for(
        lambda: _drained(sms=[S.DELIVERED], email=[S.SENT])
        and Message.objects.filter(status=S.DELIVERED).count() == 5  # + the acknowledgement
    ), list(Message.objects.values("channel", "status", "last_error"))

    # 2. 4 March: the SMTP server is down and one attempt is allowed: the e-mail is given up
    #    (dead); the number is a landline: the SMS fails at once.
    clock.set(at(2026, 3, 4, 9, 0))
    gateways.NOTIFY_MAX_ATTEMPTS = 1
    port = gateways.EMAIL_PORT
    gateways.EMAIL_PORT = 1
    nworld.citizen.phone = "0241234567"
    nworld.citizen.save()
    second = receive(nworld, submit(nworld))
    received = Message.objects.filter(kind="received")
    assert wait_for(lambda: received.filter(dossier=second, status=S.DEAD).exists())
    assert received.get(dossier=second, channel="sms").status == S.FAILED

    # 3. The e-mail is resent by hand once the server is back: sent.
    gateways.EMAIL_PORT = port
    dead = received.get(dossier=second, status=S.DEAD)
    assert services.message_resend(actor=nworld.leader_a, message_ids=[dead.pk]) == 1
    assert wait_for(lambda: Message.objects.get(pk=dead.pk).status == S.SENT)

    # 4. 5 March, quiet hours: two SMS wait (queued); the operator reports one undeliverable
    #    and only "accepted" for the other, which gets no final report for 48 hours.
    gateways.NOTIFY_QUIET_HOURS = "00:00-23:59"
    nworld.citizen.phone = "0912345678"
    nworld.citizen.save()
    clock.set(at(2026, 3, 5, 9, 0))
    third = receive(nworld, submit(nworld))
    fourth = receive(nworld, submit(nworld))
    assert wait_for(lambda: received.filter(dossier=fourth, channel="sms").exists())
    undeliverable = received.get(dossier=third, channel="sms")
    silent = received.get(dossier=fourth, channel="sms")
    services.delivery_report_record(key=str(undeliverable.key), attempt=1, dlr_type=16, answer="")
    services.delivery_report_record(key=str(silent.key), attempt=1, dlr_type=8, answer="ACK")
    clock.set(at(2026, 3, 7, 10, 0))
    assert services.messages_reconcile()["no_report"] == 1

    incremental = figures.table_contents()
    call_command("rebuild_notify_figures", stdout=io.StringIO())
    assert figures.table_contents() == incremental
    # rebuild_indicators rebuilds these too (unless --no-notify): a lost table comes back.
    NotifyDailyFigure.objects.all().delete()
    call_command("rebuild_indicators", "--no-notify", stdout=io.StringIO())
    assert figures.table_contents() == {}
    call_command("rebuild_indicators", stdout=io.StringIO())
    assert figures.table_contents() == incremental
    assert sum(sum(values) for values in incremental.values()) == Message.objects.count()
    assert Message.objects.exclude(kind="submitted").count() == 14

    rows = selectors.daily_counts(at(2026, 3, 2).date(), at(2026, 3, 5).date())
    got = [(r["day"].day, r["channel"], r["sent"], r["delivered"], r["failed"]) for r in rows]
    assert got == [
        # The worker drained the lifecycle's events on 3 March (4 notices and the
        # acknowledgement of the online submission, issue 12); every later dossier is
        # acknowledged too (4 March: its e-mail given up, its SMS to the landline failed).
        (3, "email", 5, 0, 0),
        (3, "sms", 5, 5, 0),
        (4, "email", 1, 0, 1),
        (4, "sms", 0, 0, 2),
        (5, "email", 4, 0, 0),
        (5, "sms", 1, 0, 1),
    ]
    other = second.competent_agency_id + 1000
    assert (
        selectors.daily_counts(at(2026, 3, 2).date(), at(2026, 3, 5).date(), agency_ids=[other])
        == []
    )
