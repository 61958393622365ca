"""The Zalo channel (congso/contrib/zalo) against the Zalo simulator (simulators/zalo, its own
process): template messages with the OA's token, signed delivery callbacks to the live webhook,
every fault the simulator injects, forged callbacks refused, the citizen's choice respected and
the SMS fallback through the real Kannel."""

# ruff: noqa: F811  (the nworld fixture is imported from test_delivery)

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from congso.audit.models import AuditEvent
from congso.contrib.zalo import client as zalo_client
from congso.contrib.zalo.models import OaToken, ZnsSend
from congso.core.errors import DomainError
from congso.notify import services
from congso.notify.channels import channels
from congso.notify.models import DeliveryReport, Message, Preference, Template
from tests.dossiers.conftest import at, receive, submit
from tests.notify.conftest import wait_for
from tests.notify.test_delivery import nworld  # noqa: F401 - fixture

S = Message.Status


def _wants_zalo(world: Any, **channels_chosen: bool) -> None:
    Preference.objects.create(citizen=world.citizen, channels={"zalo": True, **channels_chosen})


def _received(world: Any, clock: Any) -> Any:
    clock.set(at(2026, 3, 2, 9, 0))
    return receive(world, submit(world))


def _notices(dossier: Any, kind: str = "received") -> dict[str, Message]:
    return {m.channel: m for m in Message.objects.filter(dossier=dossier, kind=kind)}


def _settled(dossier: Any, channel: str, *statuses: str, kind: str = "received") -> bool:
    message = _notices(dossier, kind).get(channel)
    return message is not None and message.status in statuses


def test_a_citizen_who_chose_zalo_gets_zalo_instead_of_sms(nworld, clock, zalo):
    _wants_zalo(nworld)
    dossier = _received(nworld, clock)
    assert wait_for(lambda: _settled(dossier, "zalo", S.DELIVERED)), list(
        Message.objects.values("channel", "kind", "status", "last_error")
    )
    notices = _notices(dossier)
    assert set(notices) == {"zalo", "email"}  # no SMS: Zalo reached the citizen
    message = notices["zalo"]
    assert message.recipient == "0912345678" and message.attempts == 1
    assert message.payload["template_id"] == "410002"
    (sent,) = [m for m in zalo.state()["messages"] if m["template_id"] == "410002"]
    assert sent["phone"] == "84912345678"
    agency = dossier.competent_agency
    assert sent["template_data"] == {
        "ma_ho_so": dossier.code,
        "co_quan": agency.short_name or agency.name,
        "ngay_hen": "09:00 05/03/2026",
    }
    assert sent["tracking_id"] == f"{message.key.hex}-1"
    assert ZnsSend.objects.get(message=message).msg_id == sent["msg_id"]
    assert sent["msg_id"] in message.operator_answer
    assert list(message.reports.values_list("attempt", "dlr_type")) == [(1, 1)]
    assert message.duplicates == 0 and message.delivered_at is not None
    assert {c["answer"] for c in zalo.state()["callbacks"]} == {"recorded"}
    assert dossier.code in message.body  # the readable text, shown on the dossier pages


def test_the_template_data_is_the_mapping_rendered_for_the_dossier(nworld, clock, zalo):
    _wants_zalo(nworld)
    dossier = _received(nworld, clock)
    assert wait_for(lambda: _settled(dossier, "zalo", S.DELIVERED))
    message = _notices(dossier)["zalo"]
    template = Template.objects.filter(event="received", channel="zalo").latest("version")
    assert message.template == template
    data = message.payload["template_data"]
    assert set(data) == set(template.params) == {"ma_ho_so", "co_quan", "ngay_hen"}
    assert data["ma_ho_so"] == dossier.code and data["ngay_hen"] == "09:00 05/03/2026"


def test_preferences_decide_the_channel(nworld, clock, zalo, gateways):
    # No choice saved and Zalo not on by default: SMS, as before the Zalo plugin.
    dossier = _received(nworld, clock)
    assert wait_for(lambda: _settled(dossier, "sms", S.DELIVERED))
    assert "zalo" not in _notices(dossier)

    # On by default for the province: a citizen who never chose gets Zalo first.
    gateways.ZALO_DEFAULT_ON = True
    second = _received(nworld, clock)
    assert wait_for(lambda: _settled(second, "zalo", S.DELIVERED))
    assert "sms" not in _notices(second)

    # A citizen who switched Zalo off keeps SMS even then.
    Preference.objects.create(citizen=nworld.citizen, channels={"zalo": False})
    third = _received(nworld, clock)
    assert wait_for(lambda: _settled(third, "sms", S.DELIVERED))
    assert "zalo" not in _notices(third)
    sent = {m["template_data"]["ma_ho_so"] for m in zalo.state()["messages"]}
    assert sent == {second.code}  # Zalo was used for the second dossier only


def test_no_zalo_account_falls_back_to_sms(nworld, clock, zalo, kannel):
    nworld.citizen.phone = "0987000111"  # the simulator knows no Zalo account for it
    nworld.citizen.save()
    _wants_zalo(nworld)
    dossier = _received(nworld, clock)
    assert wait_for(lambda: _settled(dossier, "sms", S.DELIVERED)), list(
        Message.objects.values("channel", "kind", "status", "last_error")
    )
    notices = _notices(dossier)
    assert notices["zalo"].status == S.FAILED
    assert "-118" in notices["zalo"].last_error and "không có tài khoản Zalo" in (
        notices["zalo"].last_error
    )
    assert notices["sms"].fallback_for == notices["zalo"]
    assert notices["sms"].recipient == "0987000111"
    assert notices["sms"].body.isascii() and dossier.code in notices["sms"].body


def test_no_fallback_when_the_citizen_refused_sms(nworld, clock, zalo):
    nworld.citizen.phone = "0987000111"
    nworld.citizen.email = "congdan.mot@example.vn"
    nworld.citizen.save()
    _wants_zalo(nworld, sms=False)
    dossier = _received(nworld, clock)
    assert wait_for(lambda: _settled(dossier, "zalo", S.FAILED))
    wait_for(lambda: False, 1)
    assert set(_notices(dossier)) == {"zalo", "email"}  # the e-mail still reaches them


def test_a_notice_kind_without_a_zalo_template_goes_by_sms(nworld, clock, zalo):
    Template.objects.filter(channel="zalo", event="received").delete()
    _wants_zalo(nworld)
    dossier = _received(nworld, clock)
    assert wait_for(lambda: _settled(dossier, "sms", S.DELIVERED))
    notices = _notices(dossier)
    assert notices["zalo"].status == S.SKIPPED
    assert notices["zalo"].last_error == "Chưa có mẫu thông báo cho kênh này."
    assert notices["sms"].fallback_for == notices["zalo"]


def test_gateway_5xx_is_retried(nworld, clock, zalo):
    _wants_zalo(nworld)
    zalo.faults("5xx", "5xx")  # the acknowledgement of the submission, then "received"
    dossier = _received(nworld, clock)
    assert wait_for(lambda: _settled(dossier, "zalo", S.QUEUED) and _tried(dossier))
    message = _notices(dossier)["zalo"]
    assert "HTTP 502" in message.last_error and message.attempts == 1
    # The job backs off; run the retry now rather than wait for it.
    assert services.message_send(message_id=message.pk) == "sent"
    assert wait_for(lambda: _settled(dossier, "zalo", S.DELIVERED), drain=False)
    message.refresh_from_db()
    assert message.attempts == 2 and message.last_error == ""
    assert "sms" not in _notices(dossier)


def _tried(dossier: Any) -> bool:
    message = _notices(dossier).get("zalo")
    return message is not None and message.attempts >= 1 and bool(message.last_error)


def test_a_timeout_is_settled_by_the_callback_without_a_duplicate(nworld, clock, zalo):
    """Zalo accepted the message but answered after our timeout: the callback (matched by the
    tracking id, as the msg_id never reached us) settles it, and it is not sent again."""
    _wants_zalo(nworld)
    zalo.faults("none", "timeout")  # the acknowledgement goes through; "received" times out
    dossier = _received(nworld, clock)
    assert wait_for(lambda: _settled(dossier, "zalo", S.DELIVERED)), list(
        Message.objects.values("channel", "kind", "status", "last_error", "attempts")
    )
    message = _notices(dossier)["zalo"]
    assert message.attempts == 1 and message.duplicates == 0
    assert not ZnsSend.objects.filter(message=message).exists()  # we never got the msg_id
    sent = [m for m in zalo.state()["messages"] if m["tracking_id"] == f"{message.key.hex}-1"]
    assert len(sent) == 1
    # The retry the timeout scheduled finds the message delivered and sends nothing.
    assert services.message_send(message_id=message.pk) == "done"
    assert len(zalo.state()["messages"]) == 2


def test_duplicate_callbacks_count_once(nworld, clock, zalo):
    _wants_zalo(nworld)
    zalo.faults("duplicate_callback", "duplicate_callback")
    dossier = _received(nworld, clock)
    assert wait_for(
        lambda: _settled(dossier, "zalo", S.DELIVERED)
        and DeliveryReport.objects.filter(message__dossier=dossier, message__kind="received")
        .filter(message__channel="zalo")
        .count()
        == 2
    )
    message = _notices(dossier)["zalo"]
    assert message.duplicates == 0 and message.attempts == 1  # one attempt, reported twice
    msg_id = ZnsSend.objects.get(message=message).msg_id
    answers = [
        (c["status"], c["answer"]) for c in zalo.state()["callbacks"] if c["msg_id"] == msg_id
    ]
    assert answers == [(200, "recorded"), (200, "recorded")]


def test_a_forged_callback_is_refused_and_silence_hands_over_to_sms(nworld, clock, zalo):
    _wants_zalo(nworld)
    zalo.faults("forged_callback", "forged_callback")
    dossier = _received(nworld, clock)
    assert wait_for(
        lambda: _settled(dossier, "zalo", S.SENT) and len(zalo.state()["callbacks"]) == 2
    )
    callbacks = zalo.state()["callbacks"]
    assert {(c["forged"], c["status"], c["answer"]) for c in callbacks} == {
        (True, 403, "bad_signature")
    }
    message = _notices(dossier)["zalo"]
    assert not message.reports.exists() and message.delivered_at is None
    # No receipt within CONGSO_ZALO_RECEIPT_TIMEOUT_MINUTES: no report, and the notice goes by
    # SMS (the reconciliation hands it over).
    clock.set(at(2026, 3, 2, 9, 31))
    assert services.messages_reconcile()["no_report"] == 2
    assert _notices(dossier)["zalo"].status == S.NO_REPORT
    assert wait_for(lambda: _settled(dossier, "sms", S.DELIVERED))
    assert _notices(dossier)["sms"].fallback_for == message


def test_an_expired_token_is_refreshed_once_and_kept_encrypted(nworld, clock, zalo):
    _wants_zalo(nworld)
    before = zalo.state()
    zalo.faults("expire_token")
    dossier = _received(nworld, clock)
    assert wait_for(lambda: _settled(dossier, "zalo", S.DELIVERED, kind="received"))
    after = zalo.state()
    assert after["refreshes"] == before["refreshes"] + 1
    assert after["refresh_token"] != before["refresh_token"]
    row = OaToken.objects.get()
    assert row.refreshes == 1 and row.expires_at is not None and row.last_error == ""
    assert after["access_token"] not in row.access_token  # stored encrypted
    assert after["refresh_token"] not in row.refresh_token
    assert AuditEvent.objects.filter(action="zalo.token.refresh").count() == 1
    # The next message uses the new token without another refresh; the used refresh token is
    # refused by Zalo (single use).
    dossier = receive(nworld, submit(nworld))
    assert wait_for(lambda: _settled(dossier, "zalo", S.DELIVERED))
    assert zalo.state()["refreshes"] == after["refreshes"]
    with pytest.raises(zalo_client.RefreshFailed):
        zalo_client.refresh(refresh_token=before["refresh_token"])


def test_a_revoked_refresh_token_sends_the_notice_by_sms(nworld, clock, zalo):
    _wants_zalo(nworld)
    zalo.revoke()
    dossier = _received(nworld, clock)
    assert wait_for(lambda: _settled(dossier, "sms", S.DELIVERED))
    message = _notices(dossier)["zalo"]
    assert message.status == S.FAILED and "từ chối làm mới token" in message.last_error
    assert "Refresh token is invalid" in OaToken.objects.get().last_error
    assert AuditEvent.objects.filter(action="zalo.token.refresh_failed").exists()


def test_zalo_waits_for_the_end_of_quiet_hours(nworld, clock, zalo, gateways):
    gateways.NOTIFY_QUIET_HOURS = "21:00-07:00"
    _wants_zalo(nworld)
    clock.set(at(2026, 3, 2, 22, 0))
    dossier = receive(nworld, submit(nworld))
    wait_for(lambda: False, 1)
    message = _notices(dossier)["zalo"]
    assert message.status == S.QUEUED and message.not_before == at(2026, 3, 3, 7, 0)


# --- Callbacks that are not Zalo's ---------------------------------------------------------


@pytest.fixture
def configured(settings: Any) -> Any:
    settings.ZALO_APP_ID = "3001234567890123456"
    settings.ZALO_OA_SECRET = "oa-secret"
    settings.ZALO_ACCESS_TOKEN = "token"
    return settings


def _event(msg_id: str = "abc", event: str = "user_received_message", app: str = "") -> str:
    return json.dumps(
        {
            "app_id": app or "3001234567890123456",
            "event_name": event,
            "message": {"msg_id": msg_id, "delivery_time": "1772416800000"},
            "timestamp": "1772416800000",
        }
    )


def _post(body: str, signature: str | None) -> Any:
    headers = {} if signature is None else {"HTTP_X_ZEVENT_SIGNATURE": signature}
    return Client().post(
        reverse("notify:zalo-webhook"), body, content_type="application/json", **headers
    )


def _signed(body: str, secret: str = "oa-secret", app: str = "3001234567890123456") -> str:
    return zalo_client.signature(app_id=app, body=body, timestamp="1772416800000", oa_secret=secret)


@pytest.mark.django_db
def test_forged_or_malformed_callbacks_are_refused(configured, world):
    message = Message.objects.create(
        kind="received", channel="zalo", recipient="0912345678", body="x", status=S.SENT,
        created_at=at(2026, 3, 2, 9, 0), attempts=1,
    )  # fmt: skip
    ZnsSend.objects.create(
        message=message, attempt=1, msg_id="abc", tracking_id="t", sent_at=at(2026, 3, 2, 9, 0)
    )
    body = _event()
    refused = [
        _post(body, None),  # no signature
        _post(body, _signed(body, secret="guessed")),  # signed with another key
        _post(body, _signed(body + " ")),  # signature of another body
        _post(body.replace("abc", "abd"), _signed(body)),  # body changed after signing
        _post("not json", _signed("not json")),
    ]
    assert [(r.status_code, r.content) for r in refused] == [
        (403, b"bad_signature"),
        (403, b"bad_signature"),
        (403, b"bad_signature"),
        (403, b"bad_signature"),
        (403, b"invalid_callback"),
    ]
    other_app = _event(app="999")
    assert _post(other_app, _signed(other_app, app="3001234567890123456")).status_code == 403
    assert not DeliveryReport.objects.exists()
    message.refresh_from_db()
    assert message.status == S.SENT

    # Genuine: a chat event of the OA is ignored, an unknown message is not ours, ours counts.
    chat = _event(event="user_send_text")
    assert _post(chat, _signed(chat)).content == b"ignored"
    unknown = _event(msg_id="zzz")
    assert _post(unknown, _signed(unknown)).content == b"unknown"
    assert _post(body, _signed(body)).content == b"recorded"
    message.refresh_from_db()
    assert message.status == S.DELIVERED and message.reports.get().dlr_type == 1
    # Only POST; and nothing is accepted while the channel is not configured.
    assert Client().get(reverse("notify:zalo-webhook")).status_code == 405
    configured.ZALO_OA_SECRET = ""
    assert _post(body, _signed(body)).status_code == 403


# --- Templates, preferences page, registration ---------------------------------------------


@pytest.mark.django_db
def test_zalo_templates_need_an_approved_id_and_parameters(world):
    publish = services.template_publish
    with pytest.raises(DomainError) as info:
        publish(actor=world.leader_a, event="received", channel="zalo", body="{{ code }}")
    assert (info.value.code, info.value.field) == ("zalo_template_id", "external_id")
    with pytest.raises(DomainError) as info:
        publish(
            actor=world.leader_a, event="received", channel="zalo", body="x", external_id="4100"
        )
    assert info.value.field == "params"
    with pytest.raises(DomainError, match="Mẫu không hợp lệ"):
        publish(
            actor=world.leader_a, event="received", channel="zalo", body="x",
            external_id="4100", params={"ma": "{% if %}"},
        )  # fmt: skip
    with pytest.raises(DomainError) as info:
        publish(actor=world.leader_a, event="received", channel="fax", body="x")
    assert info.value.code == "unknown_channel"
    row = publish(
        actor=world.leader_a, event="received", channel="zalo", body="Hồ sơ {{ code }}",
        external_id="4100", params={"ma_ho_so": "{{ code }}", "ngay": "{{ appointment }}"},
    )  # fmt: skip
    preview = services.template_preview(row)
    assert preview["payload"] == {
        "template_id": "4100",
        "template_data": {"ma_ho_so": "000.00.51.H51-260302-0001", "ngay": "17:00 05/03/2026"},
    }
    html = channels.get("zalo").preview_html(preview)
    assert "4100" in html and "ma_ho_so" in html
    event = AuditEvent.objects.get(action="notify.template.publish")
    assert event.after["external_id"] == "4100"


@pytest.mark.django_db
def test_the_preferences_page_offers_zalo_once_configured(configured, world):
    client = Client()
    client.force_login(world.citizen_user)
    assert "Nhận thông báo qua Zalo" in client.get("/ca-nhan/thong-bao/").content.decode()
    response = client.post("/ca-nhan/thong-bao/", {"sms": "on", "zalo": "on", "optional": "on"})
    assert response.status_code == 302
    preference = Preference.objects.get(citizen=world.citizen)
    assert preference.channels == {"sms": True, "email": False, "zalo": True}
    event = AuditEvent.objects.get(action="notify.preference.set")
    assert event.after == {"sms": True, "email": False, "zalo": True, "unsub": False}
    # Zalo alone is not enough for the mandatory notices: it depends on a Zalo account.
    refused = client.post("/ca-nhan/thong-bao/", {"zalo": "on"})
    assert refused.status_code == 200 and "Cần giữ ít nhất một kênh" in refused.content.decode()
    configured.ZALO_APP_ID = ""
    assert "Zalo" not in client.get("/ca-nhan/thong-bao/").content.decode()


def test_the_zalo_plugin_is_registered_from_its_app() -> None:
    from congso.notify.channels import provider_for, providers

    channel = channels.get("zalo")
    assert (channel.fallback, channel.contact, channel.assured) == ("sms", "phone", False)
    assert type(channel).__module__ == "congso.contrib.zalo.plugin"
    assert providers.get("zalo_zns").channel == "zalo"
    assert provider_for("zalo") is providers.get("zalo_zns")
    assert reverse("notify:zalo-webhook") == "/thong-bao/zalo/webhook/"
    assert reverse("notify:kannel-dlr", kwargs={"key": "00000000-0000-0000-0000-000000000000"})
