"""A dossier through its lifecycle: SMS through a real Kannel with real DLRs, e-mail through a
real SMTP server."""

from __future__ import annotations

import importlib
import os
import signal
import uuid
from typing import Any

import pytest
from django.apps import apps as django_apps

from congso.audit.models import AuditEvent
from congso.dossiers import services as dossiers
from congso.notify import selectors, services
from congso.notify.models import Message, Preference, Template
from tests.core.test_celery import BROKERS, _database_url, _publishing_to
from tests.dossiers.conftest import at, build_world, receive, submit
from tests.notify.conftest import wait_for
from tests.notify.test_faults import _spawn_worker

S = Message.Status


@pytest.fixture
def nworld(transactional_db: Any, clock: Any) -> Any:
    # A transactional test starts from a flushed database: put back the seeded code rule.
    seed = importlib.import_module("congso.dossiers.migrations.0002_tt01_2018_code_rule")
    seed.seed(django_apps, None)
    world = build_world()
    world.citizen.email = "congdan.mot@example.vn"
    world.citizen.save()
    return world


def _lifecycle(world: Any, clock: Any) -> Any:
    clock.set(at(2026, 3, 2, 8, 0))
    dossier = submit(world)
    clock.set(at(2026, 3, 2, 9, 0))
    dossier = receive(world, dossier)
    dossier = dossiers.dossier_start_processing(actor=world.reception_a, dossier=dossier)
    clock.set(at(2026, 3, 3, 10, 0))
    dossier = dossiers.dossier_forward(actor=world.specialist_a, dossier=dossier)
    dossier = dossiers.dossier_complete(
        actor=world.leader_a, dossier=dossier, result_summary="Cấp Giấy khai sinh."
    )
    clock.set(at(2026, 3, 3, 15, 0))
    return dossiers.dossier_return_result(actor=world.reception_a, dossier=dossier, method="desk")


def test_lifecycle_messages_go_out_through_kannel_and_smtp(
    nworld, clock, gateways, kannel, smtp_server
):
    dossier = _lifecycle(nworld, clock)
    kinds = ["received", "processing", "result_ready", "returned"]

    def settled() -> bool:
        # The acknowledgement of the online submission (issue 12) comes first; counted apart.
        sms = Message.objects.filter(dossier=dossier, channel="sms").exclude(kind="submitted")
        mails = Message.objects.filter(dossier=dossier, channel="email").exclude(kind="submitted")
        return (
            sms.count() == 4
            and all(m.status == S.DELIVERED for m in sms)
            and mails.count() == 4
            and all(m.status == S.SENT for m in mails)
        )

    assert wait_for(settled), list(
        Message.objects.values("channel", "kind", "status", "last_error")
    )
    sms = list(
        Message.objects.filter(dossier=dossier, channel="sms")
        .exclude(kind="submitted")
        .order_by("pk")
    )
    assert [m.kind for m in sms] == kinds
    assert Message.objects.filter(dossier=dossier, kind="submitted").count() == 2
    for message in sms:
        assert message.recipient == "0912345678"
        assert dossier.code in message.body
        assert message.body.isascii()  # no diacritics by default
        assert message.segments == 1
        assert message.operator_answer  # the SMSC's answer from the DLR
        assert message.duplicates == 0
        assert {r.dlr_type for r in message.reports.all()} >= {1}
    assert "Hen tra ket qua: 09:00 05/03/2026" in sms[0].body
    # fakesmsc, the fake operator, printed each message it received from bearerbox.
    expected = [f"<CONGSO 84912345678 text {m.body}>" for m in sms]
    assert wait_for(
        lambda: all(any(e in line for line in kannel.delivered_texts()) for e in expected),
        drain=False,
    ), kannel.delivered_texts()

    assert wait_for(lambda: len(smtp_server.messages) == 5, drain=False)
    first = next(m for m in smtp_server.messages if "tiếp nhận" in m["Subject"])
    assert first["Subject"].strip() == f"[{dossier.code}] Hồ sơ đã được tiếp nhận"
    assert first["To"] == "congdan.mot@example.vn"
    mail = Message.objects.get(dossier=dossier, channel="email", kind="received")
    assert first["Message-ID"] == f"<{mail.key}@congso.local>"
    text = first.get_body(preferencelist=("plain",)).get_content()
    html = first.get_body(preferencelist=("html",)).get_content()
    assert "Ngày hẹn trả kết quả: 09:00 05/03/2026" in text
    assert f"<strong>{dossier.code}</strong>" in html

    shown = selectors.dossier_messages(dossier_id=dossier.pk)
    assert [(m.channel, m.status) for m in shown][:2] == [("sms", S.DELIVERED), ("email", S.SENT)]
    counts = selectors.counts_per_day(since=at(2026, 3, 1).date(), until=at(2026, 3, 9).date())
    # The four notices of the lifecycle and the acknowledgement of the online submission.
    assert {(c["channel"], c["total"]) for c in counts} == {("sms", 5), ("email", 5)}


@pytest.mark.postgres_only
@pytest.mark.services
@pytest.mark.parametrize("broker", ["redis", "rabbitmq"])
def test_lifecycle_messages_through_a_celery_worker(
    broker, nworld, clock, gateways, kannel, smtp_server
):
    """The same lifecycle with the events and the sending run by a real Celery worker process
    on Redis or RabbitMQ."""
    queue = f"congso-notify-{uuid.uuid4().hex[:8]}"
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="congso.settings.base",
        DATABASE_URL=_database_url(),
        CONGSO_BROKER_URL=BROKERS[broker],
        CONGSO_CELERY_QUEUE=queue,
        CONGSO_NOTIFY_KANNEL_URL=kannel.sendsms_url,
        CONGSO_NOTIFY_KANNEL_USER=kannel.username,
        CONGSO_NOTIFY_KANNEL_PASSWORD=kannel.password,
        CONGSO_NOTIFY_DLR_BASE_URL=gateways.NOTIFY_DLR_BASE_URL,
        CONGSO_NOTIFY_QUIET_HOURS="",
        CONGSO_EMAIL_HOST="127.0.0.1",
        CONGSO_EMAIL_PORT=str(smtp_server.port),
    )
    proc = _spawn_worker(env, "celery", queue)
    try:
        with _publishing_to(BROKERS[broker], queue):
            dossier = _lifecycle(nworld, clock)

            def settled() -> bool:
                # The acknowledgement of the online submission (issue 12) is counted apart.
                notices = Message.objects.filter(dossier=dossier).exclude(kind="submitted")
                statuses = list(notices.values_list("channel", "status"))
                return sorted(statuses) == [("email", S.SENT)] * 4 + [("sms", S.DELIVERED)] * 4

            assert wait_for(settled, 60, drain=False), list(
                Message.objects.values("channel", "kind", "status", "last_error")
            )
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)
    kinds = ["received", "processing", "result_ready", "returned"]
    sms = (
        Message.objects.filter(dossier=dossier, channel="sms")
        .exclude(kind="submitted")
        .order_by("pk")
    )
    assert [m.kind for m in sms] == kinds
    assert all(m.reports.filter(dlr_type=1).exists() and m.duplicates == 0 for m in sms)
    assert Message.objects.filter(dossier=dossier, kind="submitted").count() == 2
    subjects = [m["Subject"].strip() for m in smtp_server.messages]
    assert f"[{dossier.code}] Hồ sơ đã được tiếp nhận" in subjects and len(subjects) == 5


def test_preferences_unsubscribe_and_invalid_numbers(nworld, clock, gateways):
    Preference.objects.create(citizen=nworld.citizen, channels={"email": False})
    nworld.citizen.phone = "0241234567"  # a landline
    nworld.citizen.save()
    clock.set(at(2026, 3, 2, 9, 0))
    dossier = receive(nworld, submit(nworld))
    wait_for(lambda: Message.objects.filter(dossier=dossier, kind="received").exists())
    (message,) = Message.objects.filter(dossier=dossier, kind="received")
    assert message.channel == "sms" and message.status == S.FAILED
    assert "không phải đầu số di động" in message.last_error
    assert message in list(selectors.failures())

    nworld.citizen.phone = "0987654321"
    nworld.citizen.save()
    preference = Preference.objects.get(citizen=nworld.citizen)
    services.unsubscribe(token=str(preference.unsubscribe_token))
    dossier = dossiers.dossier_start_processing(actor=nworld.reception_a, dossier=dossier)
    wait_for(lambda: False, 1)
    # The acknowledgement and "received" only: processing is not mandatory.
    assert Message.objects.filter(dossier=dossier).count() == 2


def test_quiet_hours_defer_non_urgent_sms(nworld, clock, gateways):
    gateways.NOTIFY_QUIET_HOURS = "21:00-07:00"
    clock.set(at(2026, 3, 2, 22, 0))
    dossier = receive(nworld, submit(nworld))
    wait_for(lambda: False, 1)
    sms = Message.objects.exclude(kind="submitted").get(dossier=dossier, channel="sms")
    assert sms.status == S.QUEUED and sms.not_before == at(2026, 3, 3, 7, 0)
    assert (
        Message.objects.exclude(kind="submitted").get(dossier=dossier, channel="email").status
        == S.SENT
    )


def test_templates_are_versioned_and_previewed(nworld):
    current = services.template_current(event="received", channel="sms")
    new = services.template_publish(
        actor=nworld.leader_a, event="received", channel="sms", body="Ho so {{ code }} OK"
    )
    assert new.version == current.version + 1
    assert Template.objects.filter(event="received", channel="sms").count() == 2
    preview = services.template_preview(new)
    assert preview["body"] == "Ho so 000.00.51.H51-260302-0001 OK"
    assert preview["segments_label"] == "34 ký tự GSM-7, 1 tin"
    email = services.template_preview(services.template_current(event="refused", channel="email"))
    assert email["subject"].startswith("[000.00.51.H51-260302-0001]")
    assert "Thiếu bản sao" in email["body_html"]


def test_manual_resend_is_audited(nworld):
    message = Message.objects.create(
        kind="received", channel="sms", recipient="0912345678", body="x",
        status=S.DEAD, attempts=6, created_at=at(2026, 3, 2, 9, 0),
    )  # fmt: skip
    assert services.message_resend(actor=nworld.leader_a, message_ids=[message.pk]) == 1
    message.refresh_from_db()
    assert message.status == S.QUEUED and message.attempt_limit == 12
    assert AuditEvent.objects.filter(action="notify.message.resend").count() == 1
