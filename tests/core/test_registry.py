"""The typed plugin registry (congso.core.registry) every extension point uses."""

from __future__ import annotations

import datetime
from typing import ClassVar

import pytest

from congso.core.registry import Plugin, Registry


class Greeter(Plugin):
    greeting: ClassVar[str] = ""


class Other(Plugin):
    pass


def test_register_get_choices_in_registration_order() -> None:
    registry: Registry[Greeter] = Registry("tests.greeters", Greeter)

    @registry.register
    class Hello(Greeter):
        id = "hello"
        label = "Xin chào"

    @registry.register
    class Bye(Greeter):
        id = "bye"
        label = "Tạm biệt"

        def is_enabled(self) -> bool:
            return False

    assert registry.ids() == ["hello", "bye"]
    assert isinstance(registry.get("hello"), Hello)
    assert "bye" in registry and "nope" not in registry and len(registry) == 2
    assert registry.choices() == [("hello", "Xin chào"), ("bye", "Tạm biệt")]
    assert registry.choices(enabled_only=True) == [("hello", "Xin chào")]
    assert [type(p) for p in registry.enabled()] == [Hello]
    assert registry.label("bye") == "Tạm biệt" and registry.label("gone") == "gone"
    with pytest.raises(LookupError, match="no plugin 'nope'"):
        registry.get("nope")
    registry.unregister("bye")
    assert registry.ids() == ["hello"]


def test_registry_refuses_duplicates_wrong_bases_and_bad_ids() -> None:
    registry: Registry[Greeter] = Registry("tests.greeters", Greeter)

    class Hello(Greeter):
        id = "hello"
        label = "Xin chào"

    registry.register(Hello)
    registry.register(Hello)  # the same class again (a module imported twice): a no-op

    class Impostor(Greeter):
        id = "hello"
        label = "Giả mạo"

    with pytest.raises(ValueError, match="already registered"):
        registry.register(Impostor)
    assert type(registry.get("hello")) is Hello

    class Stranger(Other):
        id = "stranger"
        label = "Lạ"

    with pytest.raises(TypeError, match="is not a Greeter"):
        registry.register(Stranger)  # type: ignore[arg-type]

    for bad in ("Hello", "1st", "with-dash", "x" * 31, ""):
        cls = type("Bad", (Greeter,), {"id": bad, "label": "x"})
        with pytest.raises(ValueError, match="malformed plugin id"):
            registry.register(cls)
    unlabelled = type("Unlabelled", (Greeter,), {"id": "quiet", "label": ""})
    with pytest.raises(ValueError, match="has no label"):
        registry.register(unlabelled)


def test_the_platform_registries_hold_their_builtin_plugins() -> None:
    from congso.catalog.fieldtypes import registry as fieldtypes
    from congso.exchange.registry import registry as exchange
    from congso.notify.channels import channels, providers
    from congso.payments.registry import registry as payments

    assert fieldtypes.ids() == [
        "text", "textarea", "number", "date", "choice", "email", "phone", "personal_id",
        "address", "group", "file",
    ]  # fmt: skip
    assert {"sms", "email", "zalo"} <= set(channels.ids())
    assert {"kannel", "smtp", "zalo_zns"} <= set(providers.ids())
    # The shipped plugins: the VNPay-kind gateway and VietQR (issue 18), the document axis
    # (issue 16).
    assert {"vnpay", "vietqr"} <= set(payments.ids())
    assert "docaxis" in set(exchange.ids())


def test_payment_and_exchange_seams_are_typed() -> None:
    """A provider or back-end that leaves out a required method cannot be registered; a
    complete one can (in a registry of its own: the platform ships none yet)."""
    from congso.core.inbound import InboundRequest
    from congso.exchange.base import Envelope, ExchangeBackend, Receipt
    from congso.payments.base import (
        PaymentOrder,
        PaymentOutcome,
        PaymentProvider,
        PaymentStart,
        PaymentStatus,
    )

    payments: Registry[PaymentProvider] = Registry("tests.payments", PaymentProvider)

    class HalfGateway(PaymentProvider):
        id = "half"
        label = "Nửa cổng"

        def start(self, order: PaymentOrder) -> PaymentStart:
            return PaymentStart(url="https://gateway.invalid/pay")

    with pytest.raises(TypeError, match="abstract"):
        payments.register(HalfGateway)

    class Gateway(HalfGateway):
        id = "gateway"

        def verify_return(self, request: InboundRequest) -> PaymentOutcome:
            return self.verify_notification(request)

        def verify_notification(self, request: InboundRequest) -> PaymentOutcome:
            return PaymentOutcome(
                reference=request.query["ref"], status=PaymentStatus.PAID, amount_vnd=50_000
            )

    payments.register(Gateway)
    outcome = payments.get("gateway").verify_notification(
        InboundRequest(method="GET", path="/ipn", query={"ref": "TT-1"})
    )
    assert (outcome.reference, outcome.status, outcome.amount_vnd) == ("TT-1", "paid", 50_000)
    assert payments.get("gateway").acknowledge(None, "bad signature")[0] == 400
    assert (
        payments.get("gateway").query(
            "TT-1", datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
        )
        is None
    )

    exchange: Registry[ExchangeBackend] = Registry("tests.exchange", ExchangeBackend)

    class Bus(ExchangeBackend):
        id = "bus"
        label = "Trục"
        kinds = frozenset({"dvcqg.progress"})

        def send(self, envelope: Envelope) -> Receipt:
            return Receipt(message_id=envelope.message_id, accepted=True)

    exchange.register(Bus)
    receipt = exchange.get("bus").send(
        Envelope(message_id="m-1", kind="dvcqg.progress", party="000.00.51.H51", payload={})
    )
    assert receipt.accepted and exchange.get("bus").poll(None) == []
    with pytest.raises(NotImplementedError):
        exchange.get("bus").receive(InboundRequest(method="POST", path="/in"))
