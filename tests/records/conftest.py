"""The records tests' world: the dossier tests' small province (commune A keeps the records),
its clerk, its leader signing with the signing tests' demo PKI (OCSP, CRL on loopback), an
official document issued through the e-office's services and a dossier returned through the
dossiers' services — both as real as the platform makes them."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from pypdf import PdfWriter

from congso.dossiers import services as dossier_services
from congso.dossiers.models import Dossier
from congso.eoffice import services as eoffice
from congso.eoffice.models import Channel, Document
from congso.org.models import Role, RoleAssignment
from congso.signing.models import SignatureRole, SignerProfile
from tests.dossiers.conftest import Clock, World
from tests.signing.conftest import (  # noqa: F401 (fixtures)
    clock,
    demo_pki,
    fresh_revocation_cache,
    signing_settings,
    world,
)


def pdf_bytes(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@dataclass
class Archive:
    world: World
    clerk: Any
    leader: Any
    outsider: Any  # the clerk of commune B


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0)


def make_archive(world: World, clock: Clock) -> Archive:  # noqa: F811
    clock.set(now())
    agency = world.commune_a
    agency.short_name = "UBND"
    agency.save()
    users = get_user_model().objects
    clerk = users.create_user(username="vanthu.a", password="x", full_name="Trần Thị Văn Thư")
    RoleAssignment.objects.create(
        user=clerk, role=Role.CLERK, agency=agency, valid_from=datetime.date(2020, 1, 1)
    )
    outsider = users.create_user(username="vanthu.b", password="x", full_name="Lê Văn Thư B")
    RoleAssignment.objects.create(
        user=outsider,
        role=Role.CLERK,
        agency=world.commune_b,
        valid_from=datetime.date(2020, 1, 1),
    )
    leader = world.leader_a
    SignerProfile.objects.create(
        user=leader,
        agency=agency,
        role=SignatureRole.APPROVAL,
        backend="soft_token",
        display_name="Nguyễn Văn Bình",
        title="Chủ tịch",
        config={"p12_path": "officers/chu-tich.p12"},
    )
    return Archive(world=world, clerk=clerk, leader=leader, outsider=outsider)


@pytest.fixture
def archive(world: World, clock: Clock) -> Archive:  # noqa: F811
    return make_archive(world, clock)


def issued_document(
    archive: Archive, subject: str = "Kế hoạch chuyển đổi số xã A năm 2027"
) -> Document:
    """A kế hoạch of commune A drafted by its specialist, signed by its leader (PAdES), numbered
    and issued by its clerk (paper recipients: no axis needed)."""
    world = archive.world  # noqa: F811
    document = eoffice.draft_create(
        actor=world.specialist_a,
        agency_id=world.commune_a.pk,
        doc_type_code="KH",
        subject=subject,
        main=eoffice.Upload("ke-hoach.pdf", pdf_bytes(2)),
        attachments=[eoffice.Upload("phu-luc.pdf", pdf_bytes())],
        signer_id=archive.leader.pk,
        signer_position="Chủ tịch",
        signer_competence="TM.",
        recipients=[eoffice.Recipient(name="Các thôn, tổ dân phố", channel=Channel.PAPER)],
        to_places=["Như trên;", "Lưu: VT."],
        place="Xã A",
    )
    eoffice.draft_submit(actor=world.specialist_a, document_id=document.pk, reviewer_ids=[])
    eoffice.document_sign(actor=archive.leader, document_id=document.pk)
    return eoffice.document_issue(actor=archive.clerk, document_id=document.pk)


def returned_dossier(archive: Archive, clock: Clock) -> Dossier:  # noqa: F811
    """A birth registration submitted online, received, appraised, signed off and returned."""
    from tests.dossiers.conftest import submit

    world = archive.world  # noqa: F811
    start = now() - datetime.timedelta(days=3)
    clock.set(start)
    dossier = submit(world)
    dossier = dossier_services.dossier_receive(actor=world.reception_a, dossier=dossier)
    dossier = dossier_services.dossier_start_processing(actor=world.reception_a, dossier=dossier)
    clock.set(start + datetime.timedelta(hours=2))
    dossier = dossier_services.dossier_forward(
        actor=world.specialist_a, dossier=dossier, note="Hồ sơ hợp lệ."
    )
    clock.set(start + datetime.timedelta(hours=3))
    dossier = dossier_services.dossier_complete(
        actor=world.leader_a, dossier=dossier, result_summary="Cấp Giấy khai sinh bản chính."
    )
    clock.set(start + datetime.timedelta(hours=4))
    dossier = dossier_services.dossier_return_result(
        actor=world.reception_a, dossier=dossier, method="desk"
    )
    clock.set(now())
    return dossier
