"""Fixtures of the indicator tests: the dossier tests' world and clock, and the hand-computed
month of ``dataset.py``."""

from __future__ import annotations

from typing import Any

import pytest

from tests.dossiers.conftest import Clock, World, clock, media, world  # noqa: F401 (fixtures)
from tests.indicators.dataset import Month, build_month


@pytest.fixture
def month(world: World, clock: Clock) -> Month:  # noqa: F811 (the fixtures above)
    return build_month(world, clock)


@pytest.fixture
def month_dept(world: World, clock: Clock) -> Month:  # noqa: F811 (the fixtures above)
    """The month with the department's two dossiers (the index's worked examples)."""
    return build_month(world, clock, department=True)


@pytest.fixture
def no_second_factor(settings: Any) -> None:
    settings.OFFICER_2FA_REQUIRED = False


@pytest.fixture
def notified(month: Month, world: World, clock: Clock) -> dict[str, list[Any]]:  # noqa: F811
    """The month's "received" notices created by the notify service (on 20 March), then moved
    by delivery reports through the same service: SMS 1 delivered, SMS 2 undeliverable, the
    other SMS only accepted (sent); every e-mail accepted (sent)."""
    from congso.dossiers.models import DossierEvent
    from congso.notify import services as notify
    from tests.dossiers.conftest import at

    world.citizen.email = "congdan.mot@example.vn"
    world.citizen.save()
    clock.set(at(2026, 3, 20, 9, 0))
    messages = []
    for event in DossierEvent.objects.filter(payload__action="receive").order_by("pk"):
        messages += notify.messages_for_event(event=event)
    sms = [m for m in messages if m.channel == "sms"]
    email = [m for m in messages if m.channel == "email"]
    for n, message in enumerate(sms):
        dlr = {0: 1, 1: 16}.get(n, 8)
        notify.delivery_report_record(key=str(message.key), attempt=1, dlr_type=dlr, answer="")
    for message in email:
        notify.delivery_report_record(key=str(message.key), attempt=1, dlr_type=8, answer="250")
    return {"sms": sms, "email": email}


@pytest.fixture
def index_without_store(monkeypatch: pytest.MonkeyPatch) -> None:
    """The index as the one-stop data alone computes it: the formulas the citizen's store
    registers (4.3 reuse, 4.4 the store, tested in tests/docstore) are taken out, so the
    hand-worked expected points of these tests stay those of the dossiers."""
    from congso.indicators import index

    formulas = {k: v for k, v in index.FORMULAS.items() if k not in STORE_FORMULAS}
    monkeypatch.setattr(index, "FORMULAS", formulas)
    monkeypatch.setattr(index, "PROVIDED_INPUTS", index.PROVIDED_INPUTS - STORE_INPUTS)


STORE_FORMULAS = frozenset({"data_reused", "data_warehouse"})
STORE_INPUTS = frozenset({"data_reuse", "data_warehouse"})
