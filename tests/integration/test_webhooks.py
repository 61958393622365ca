"""Webhooks: signed CloudEvents delivered from the outbox to a receiver on loopback, once each,
across a worker restart and a receiver outage; suspension, resend and the API."""

from __future__ import annotations

import datetime
import json

import pytest
from django.contrib.auth.models import Permission
from django.core import mail

from congso.core import worker
from congso.core.errors import DomainError
from congso.core.models import Job
from congso.dossiers.models import DossierEvent
from congso.integration import webhooks
from congso.integration.models import Delivery, Subscription
from tests.api.tokens import bearer
from tests.dossiers.conftest import submit
from tests.integration.conftest import lifecycle
from tests.integration.receiver import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def partner(world, settings):
    settings.WEBHOOK_BACKOFF_SECONDS = 0
    settings.WEBHOOK_MAX_ATTEMPTS = 8
    settings.WEBHOOK_SUSPEND_AFTER = 3
    user = world.monitor
    user.email = "doitac@example.vn"
    user.save()
    user.user_permissions.add(Permission.objects.get(codename="add_subscription"))
    return type(user).objects.get(pk=user.pk)


def subscribe(partner, receiver, **filters):
    subscription, secret = webhooks.subscribe(
        actor=partner, name="Hệ thống đối tác", callback_url=receiver.url, **filters
    )
    receiver.secret = secret
    return subscription


def publish() -> None:
    """The dossiers' outbox jobs run (fan-out to deliveries), not the delivery jobs they queue:
    the tests deliver with ``deliver_due`` when they choose."""
    for job in Job.objects.filter(name="dossiers.publish_event", status=Job.Status.PENDING):
        worker.run_job(job.pk)


def test_every_event_once_signed_across_restart_and_outage(
    world, clock, partner, receiver, settings
):
    settings.WEBHOOK_BACKOFF_SECONDS = 30  # the clock is frozen: a failed delivery waits
    subscribe(partner, receiver, event_types=["vn.congso.dossier.*"])
    first = submit(world)
    lifecycle(world, first)
    publish()
    # The worker takes a batch and dies before sending it (a restart).
    claimed = webhooks.claim(clock.now, 3)
    assert len(claimed) == 3
    assert webhooks.deliver_due() == 3  # the rest; the claimed ones wait for their lease
    clock.set(clock.now + datetime.timedelta(minutes=3))  # the new worker, after the lease

    receiver.down = True  # an outage while the next dossier moves
    second = submit(world)
    lifecycle(world, second)
    publish()
    assert webhooks.deliver_due() == 9  # the 3 claimed before the restart, the 6 new
    assert receiver.refused_while_down == 9
    clock.set(clock.now + datetime.timedelta(minutes=2))
    assert webhooks.deliver_due() == 9  # due again (15–45 s), still down
    receiver.down = False
    clock.set(clock.now + datetime.timedelta(minutes=5))
    while webhooks.deliver_due():
        pass

    expected = {
        f"dossier-event-{pk}"
        for pk in DossierEvent.objects.filter(dossier__in=[first, second]).values_list(
            "pk", flat=True
        )
    }
    assert len(expected) == 12
    assert {e["id"] for e in receiver.accepted} == expected
    assert len(receiver.accepted) == 12 and receiver.duplicates == 0 and receiver.forged == 0
    event = next(
        e
        for e in receiver.accepted
        if e["type"] == "vn.congso.dossier.receive" and e["subject"] == first.code
    )
    assert event["specversion"] == "1.0" and event["source"].endswith("/api/v1/dossiers")
    assert event["data"]["status"] == "received" and event["data"]["national_status"] == 2
    assert event["datacontenttype"] == "application/json"
    assert set(Delivery.objects.values_list("state", flat=True)) == {Delivery.State.DELIVERED}


def test_filters_select_events(world, clock, partner, receiver):
    subscribe(partner, receiver, event_types=["vn.congso.dossier.receive"])
    other = Receiver()
    try:
        subscription, other.secret = webhooks.subscribe(
            actor=partner, name="Xã B", callback_url=other.url, agency_code="000.00.52.H51"
        )
        lifecycle(world, submit(world))
        publish()
        while webhooks.deliver_due():
            pass
        assert [e["type"] for e in receiver.accepted] == ["vn.congso.dossier.receive"]
        assert other.accepted == []  # the dossier is commune A's
    finally:
        other.close()


def test_signature_and_replay_checks():
    body = b'{"id":"x"}'
    headers = {
        "webhook-id": "x",
        "webhook-timestamp": "1000",
        "webhook-signature": webhooks.signature("k", "x", 1000, body),
    }
    assert webhooks.verify("k", headers, body, now=1100)
    assert not webhooks.verify("k", headers, body, now=1000 + 301)  # too old: a replay
    assert not webhooks.verify("other", headers, body, now=1100)
    assert not webhooks.verify("k", headers, body + b" ", now=1100)
    assert not webhooks.verify("k", {**headers, "webhook-id": "y"}, body, now=1100)


def test_dead_endpoint_is_suspended_and_owner_told(world, clock, partner, receiver, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    settings.WEBHOOK_SUSPEND_AFTER = 2
    subscription = subscribe(partner, receiver)
    receiver.down = True
    dossier = lifecycle(world, submit(world))
    publish()
    while webhooks.deliver_due():
        pass
    subscription.refresh_from_db()
    assert subscription.suspended_at is not None
    assert "liên tiếp không gửi được" in subscription.suspended_reason
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["doitac@example.vn"]
    assert "tạm dừng" in mail.outbox[0].subject
    dead = list(Delivery.objects.filter(state=Delivery.State.DEAD))
    assert len(dead) == 2
    waiting = Delivery.objects.filter(state=Delivery.State.PENDING)
    # Kept while suspended, not attempted again after the suspension (one pass each before).
    assert sorted(waiting.values_list("attempts", flat=True)) == [1, 1, 1, 1]
    assert receiver.refused_while_down == 8
    assert webhooks.deliver_due() == 0

    receiver.down = False
    webhooks.reactivate(actor=partner, subscription_id=subscription.pk)
    for delivery in dead:
        webhooks.resend(actor=partner, delivery_id=delivery.pk)
    with pytest.raises(DomainError) as again:
        webhooks.resend(actor=partner, delivery_id=dead[0].pk)
    assert again.value.code == "nothing_to_resend"
    while webhooks.deliver_due():
        pass
    assert {e["subject"] for e in receiver.accepted} == {dossier.code}
    assert len(receiver.accepted) == 6


def test_subscription_rules(world, partner, receiver):
    with pytest.raises(DomainError) as bad_url:
        webhooks.subscribe(actor=partner, name="x", callback_url="ftp://x")
    assert bad_url.value.code == "invalid_callback_url"
    with pytest.raises(DomainError) as plain:
        webhooks.subscribe(actor=partner, name="x", callback_url="http://example.vn/hook")
    assert plain.value.code == "invalid_callback_url"
    with pytest.raises(DomainError) as bad_type:
        webhooks.subscribe(
            actor=partner, name="x", callback_url=receiver.url, event_types=["dossier.receive"]
        )
    assert bad_type.value.code == "invalid_event_type"
    with pytest.raises(DomainError) as forbidden:
        webhooks.subscribe(actor=world.reception_a, name="x", callback_url=receiver.url)
    assert forbidden.value.code == "forbidden"


def test_api_subscribe_list_log_resend(world, clock, partner, receiver, client):
    client.defaults["HTTP_AUTHORIZATION"] = bearer(partner)["Authorization"]
    answer = client.post(
        "/api/v1/webhooks",
        data=json.dumps(
            {
                "name": "Đối tác",
                "callback_url": receiver.url,
                "event_types": ["vn.congso.dossier.*"],
            }
        ),
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    created = answer.json()
    assert created["secret"].startswith("whsec_")
    receiver.secret = created["secret"]
    listed = client.get("/api/v1/webhooks").json()
    assert [row["id"] for row in listed] == [created["id"]] and "secret" not in listed[0]

    submit(world)
    publish()
    while webhooks.deliver_due():
        pass
    log = client.get(f"/api/v1/webhooks/{created['id']}/deliveries").json()
    assert [row["state"] for row in log] == ["delivered"]
    again = client.post(f"/api/v1/webhooks/deliveries/{log[0]['id']}/resend")
    assert again.status_code == 200 and again.json()["state"] == "pending"
    webhooks.deliver_due()
    assert receiver.duplicates == 1  # the same id again: the receiver drops it

    client.defaults["HTTP_AUTHORIZATION"] = bearer(world.reception_a)["Authorization"]
    assert client.get(f"/api/v1/webhooks/{created['id']}/deliveries").status_code == 404
    refused = client.post(
        "/api/v1/webhooks",
        data=json.dumps({"name": "x", "callback_url": receiver.url}),
        content_type="application/json",
    )
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert Subscription.objects.count() == 1
