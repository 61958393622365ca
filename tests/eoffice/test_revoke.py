"""A revocation (BussinessDocType 1): the issuer annuls an issued document; each recipient's
clerk sees what it changes and accepts it (the record's next version, withdrawn, status 15)
or refuses it (16)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from congso.core.errors import DomainError
from congso.eoffice import edxml, services
from congso.eoffice.models import IncomingUpdate, Package, State, StatusEvent
from tests.eoffice.conftest import SO, XA, World
from tests.eoffice.test_flow import incoming, issue

pytestmark = pytest.mark.django_db


def test_a_revoked_document_is_withdrawn_where_the_clerk_accepts_it(
    world: World, pump: Callable[[], None]
) -> None:
    document = issue(world)
    pump()
    with pytest.raises(DomainError):
        services.document_revoke(actor=world.ubnd.clerk, document_id=document.pk, reason=" ")
    with pytest.raises(DomainError):  # only the clerk
        services.document_revoke(
            actor=world.ubnd.specialist, document_id=document.pk, reason="Ban hành nhầm"
        )
    revoked = services.document_revoke(
        actor=world.ubnd.clerk, document_id=document.pk, reason="Ban hành nhầm đối tượng"
    )
    assert revoked.state == State.RECALLED and revoked.version == 2
    pump()
    sent = Package.objects.get(document=document, business_type=edxml.REVOKE)
    assert edxml.read(bytes(sent.data), ca_pem_file=world_ca()).document is not None

    so_copy, xa_copy = incoming(world, SO), incoming(world, XA)
    for copy in (so_copy, xa_copy):
        update = IncomingUpdate.objects.get(document=copy)
        assert update.business_type == edxml.REVOKE
        assert update.reason == "Ban hành nhầm đối tượng"
        assert update.diff == {"state": ["Đã đến, chờ vào sổ", "Bị nơi ban hành thu hồi, hủy bỏ"]}
        assert copy.state == State.ARRIVED  # nothing applied by itself

    accepted = services.incoming_update_decide(
        actor=world.so.clerk,
        update_id=IncomingUpdate.objects.get(document=so_copy).pk,
        accept=True,
    )
    assert accepted.state == State.WITHDRAWN and accepted.version == 2
    assert accepted.versions.count() == 2
    assert accepted.files.filter(version=2).count() == accepted.files.filter(version=1).count()
    services.incoming_update_decide(
        actor=world.xa.clerk,
        update_id=IncomingUpdate.objects.get(document=xa_copy).pk,
        accept=False,
    )
    xa_copy.refresh_from_db()
    assert xa_copy.state == State.ARRIVED
    pump()
    answers = {
        event.dispatch.recipient_code: event.code
        for event in StatusEvent.objects.filter(document=document, code__in=["15", "16"])
        if event.dispatch is not None
    }
    assert answers == {SO: "15", XA: "16"}


def world_ca() -> str:
    from congso.eoffice import seals

    return seals.trust_anchors()
