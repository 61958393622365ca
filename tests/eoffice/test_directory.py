"""The agency directory kept in sync from the axis; a recipient of this instance reached
without the axis; the demo seals command."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from congso.core.errors import DomainError
from congso.eoffice import exchange, services
from congso.eoffice.models import AxisAgency, Direction, Document, OutboxItem, State, StatusEvent
from congso.eoffice.services import Recipient, Upload
from congso.org.models import Agency
from simulators.docaxis.process import DocAxisSimulator
from tests.eoffice.conftest import OTHER_PROVINCE, SO, UBND, World, pdf_bytes
from tests.eoffice.test_flow import issue

pytestmark = pytest.mark.django_db


def test_the_directory_follows_the_axis(world: World, on_axis: DocAxisSimulator) -> None:
    assert exchange.sync_directory() > 0
    other = AxisAgency.objects.get(code=OTHER_PROVINCE)
    assert other.name == "Ủy ban nhân dân tỉnh Hai" and other.active
    assert AxisAgency.objects.get(code="000.00.01.H52").parent_code == OTHER_PROVINCE
    assert AxisAgency.objects.get(code=SO).parent_code == UBND
    assert exchange.sync_directory() == 0  # nothing changed
    # An agency the axis no longer lists becomes inactive; a draft cannot address it.
    AxisAgency.objects.create(
        code="000.00.00.H99", name="Cơ quan đã giải thể", active=True, synced_at=other.synced_at
    )
    assert exchange.sync_directory() == 1
    assert not AxisAgency.objects.get(code="000.00.00.H99").active
    office = world.ubnd
    with pytest.raises(DomainError) as refused:
        services.draft_create(
            actor=office.specialist,
            agency_id=office.agency.pk,
            doc_type_code="CV",
            subject="Về việc phối hợp",
            main=Upload("cv.pdf", pdf_bytes()),
            signer_id=office.leader.pk,
            signer_position="Chủ tịch",
            recipients=[Recipient(name="Cơ quan đã giải thể", code="000.00.00.H99")],
        )
    assert refused.value.code == "invalid_recipient"
    assert "danh bạ" in str(refused.value.message)


def test_a_recipient_of_this_instance_is_reached_without_the_axis(
    world: World, on_axis: DocAxisSimulator, pump: Callable[[], None], settings: Any
) -> None:
    settings.EOFFICE_INTERNAL_ROUTING = True
    document = issue(world)
    pump()
    # Nothing went through the simulator: both recipients are agencies of this instance.
    assert on_axis.state()["packages"] == []
    received = Document.objects.get(agency=world.so.agency, direction=Direction.INCOMING)
    assert received.state == State.ARRIVED
    services.incoming_register(actor=world.so.clerk, document_id=received.pk)
    pump()
    codes = set(
        StatusEvent.objects.filter(document=document, dispatch__recipient_code=SO).values_list(
            "code", flat=True
        )
    )
    assert codes == {"01", "03"}
    refs = set(OutboxItem.objects.values_list("remote_ref", flat=True))
    assert refs and all(ref.startswith("internal:") for ref in refs)
    # Delivered once even when the job runs again.
    for item in OutboxItem.objects.all():
        exchange.deliver(item.pk)
    copies = Document.objects.filter(agency=world.so.agency, direction=Direction.INCOMING)
    assert copies.count() == 1


def test_the_demo_seals_cover_the_agencies(world: World, settings: Any, tmp_path: Path) -> None:
    settings.EOFFICE_SEALS_DIR = str(tmp_path / "seals")
    Agency.objects.create(code="not-an-id", name="Đơn vị không có mã", short_name="X")
    out = io.StringIO()
    call_command("eoffice_demo_seals", OTHER_PROVINCE, stdout=out)
    made = sorted(p.name for p in (tmp_path / "seals").glob("*.crt.pem"))
    codes = (UBND, SO, world.xa.agency.code, OTHER_PROVINCE)
    assert made == sorted(f"{code}.crt.pem" for code in codes)
    assert (tmp_path / "seals" / "ca.pem").exists()
