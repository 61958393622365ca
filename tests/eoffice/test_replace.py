"""A replacement (BussinessDocType 3): the signer signs a new main file for an issued
document; it goes to every axis recipient; each clerk sees the diff (the files by SHA-256)
and accepts it (the record's next version with the new files, status 15) or refuses it (16)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pypdf import PdfReader

from congso.audit.models import AuditEvent
from congso.core.errors import DomainError
from congso.eoffice import edxml, seals, services
from congso.eoffice.models import Channel, FileRole, IncomingUpdate, Package, State
from congso.eoffice.services import Upload
from tests.eoffice.conftest import SO, XA, World, pdf_bytes
from tests.eoffice.test_flow import incoming, issue

pytestmark = pytest.mark.django_db


def test_a_replacement_is_signed_sent_and_applied_where_accepted(
    world: World, pump: Callable[[], None]
) -> None:
    document = issue(world)
    pump()
    before = {f.sha256 for f in document.files.filter(version=document.version)}
    new_main = Upload("cong-van-thay-the.pdf", pdf_bytes(3))
    # Only the signer signs a replacement, with a reason, a PDF main file.
    with pytest.raises(DomainError) as not_signer:
        services.document_replace(
            actor=world.ubnd.clerk, document_id=document.pk, main=new_main, reason="Sai số liệu"
        )
    assert not_signer.value.code == "not_the_signer"
    with pytest.raises(DomainError) as no_reason:
        services.document_replace(
            actor=world.ubnd.leader, document_id=document.pk, main=new_main, reason="  "
        )
    assert no_reason.value.code == "reason_required"
    with pytest.raises(DomainError) as not_pdf:
        services.document_replace(
            actor=world.ubnd.leader,
            document_id=document.pk,
            main=Upload("x.pdf", b"MZ\x90\x00not a pdf"),
            reason="Sai số liệu",
        )
    assert not_pdf.value.code == "file_type_not_allowed"
    document.refresh_from_db()
    assert document.version == 1 and not Package.objects.filter(business_type=edxml.REPLACE)

    replaced = services.document_replace(
        actor=world.ubnd.leader,
        document_id=document.pk,
        main=new_main,
        changes={"page_count": 3},
        reason="Thay thế do sai số liệu phụ lục",
    )
    assert (replaced.version, replaced.state, replaced.page_count) == (2, State.ISSUED, 3)
    signed_main = replaced.files.get(version=2, role=FileRole.MAIN)
    assert signed_main.signed
    with signed_main.file.open("rb") as handle:
        assert len(PdfReader(handle).pages) == 3
    assert AuditEvent.objects.filter(action="eoffice.document.replace").count() == 1
    pump()
    package = Package.objects.get(document=document, business_type=edxml.REPLACE, direction="out")
    parsed = edxml.read(bytes(package.data), ca_pem_file=seals.trust_anchors())
    assert parsed.document is not None and parsed.document.business_type == edxml.REPLACE
    assert parsed.document.business_reason == "Thay thế do sai số liệu phụ lục"

    for code in (SO, XA):
        received = incoming(world, code)
        update = IncomingUpdate.objects.get(document=received)
        assert update.business_type == edxml.REPLACE
        old_files, new_files = update.diff["files"]
        assert set(old_files) == before and set(new_files) != before
        assert signed_main.sha256 in new_files
        assert update.diff["page_count"] == [2, 3]
        assert received.version == 1  # nothing applied by itself
        services.incoming_update_decide(
            actor=world.offices[code].clerk, update_id=update.pk, accept=code == SO
        )
    accepted = incoming(world, SO)
    assert (accepted.version, accepted.page_count) == (2, 3)
    assert accepted.files.get(version=2, role=FileRole.MAIN).sha256 == signed_main.sha256
    assert accepted.versions.order_by("-number").first().note == "Thay thế do sai số liệu phụ lục"
    assert incoming(world, XA).version == 1
    pump()
    answers = {
        d.recipient_code: d.status_code for d in document.dispatches.filter(channel=Channel.AXIS)
    }
    assert answers == {SO: "15", XA: "16"}
