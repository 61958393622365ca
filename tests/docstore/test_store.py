""" "Giấy tờ của tôi": e-results and digitised papers kept per citizen, a later dossier's
component satisfied from the store (recorded and audited), the citizen's consent, the index."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from congso.audit.models import AuditEvent
from congso.core.errors import DomainError, NotFound, PermissionDenied
from congso.docstore import hooks as store_hooks
from congso.docstore import services
from congso.docstore.models import DocumentKind, DocumentReuse, StoredDocument
from congso.dossiers import services as dossier_services
from congso.dossiers.models import Dossier
from congso.indicators.index import Filters
from congso.portal import services as portal
from congso.portal.models import DraftFile
from congso.results import hooks as result_hooks
from congso.results.models import ResultStatus, SignedResult
from tests.dossiers.conftest import FORM, PNG, pdf, submit


def _digitised(world: Any) -> StoredDocument:
    dossier = submit(world)
    component = dossier.components.get(code="giay-chung-sinh")
    return services.document_digitise(
        actor=world.reception_a,
        component=component,
        title="Giấy chứng sinh",
        issuer="Bệnh viện Đa khoa tỉnh Quảng Ngãi",
        number="GCS-2026/0415",
        issued_on=datetime.date(2026, 2, 20),
        valid_until=None,
    )


def _draft(world: Any) -> Any:
    draft = portal.draft_open(actor=world.citizen_user, procedure=world.procedure, initial=FORM)
    draft.competent_agency = world.commune_a
    draft.save()
    portal.draft_attach(
        actor=world.citizen_user, draft=draft, component_code="to-khai", upload=pdf()
    )
    return draft


def test_an_officer_digitises_a_paper_into_the_applicants_store(world) -> None:  # type: ignore[no-untyped-def]
    document = _digitised(world)
    assert document.citizen == world.citizen and document.kind == DocumentKind.DIGITISED
    assert document.file.read() == PNG
    assert AuditEvent.objects.filter(action="docstore.document.add").count() == 1
    component = document.source_dossier.components.get(code="giay-chung-sinh")
    # An officer of another commune may not; a blank issuer or a date in the future is refused.
    with pytest.raises(PermissionDenied):
        services.document_digitise(
            actor=world.reception_b, component=component, title="x", issuer="y", number="",
            issued_on=None, valid_until=None,
        )  # fmt: skip
    for issuer, issued_on in (("  ", None), ("BV", datetime.date(2030, 1, 1))):
        with pytest.raises(DomainError) as refused:
            services.document_digitise(
                actor=world.reception_a, component=component, title="", issuer=issuer,
                number="", issued_on=issued_on, valid_until=None,
            )  # fmt: skip
        assert refused.value.code == "digitise_invalid"
    assert StoredDocument.objects.count() == 1


def test_a_signed_result_goes_into_the_store(world) -> None:  # type: ignore[no-untyped-def]
    dossier = submit(world)
    result = SignedResult(
        dossier=dossier, number=1, code=f"{dossier.code}-KQ1", title="Giấy khai sinh",
        level="B-T", status=ResultStatus.SIGNED, size=10, sha256="0" * 64,
        created_at=dossier.submitted_at, signed_at=dossier.submitted_at,
    )  # fmt: skip
    result.file.save("kq.pdf", ContentFile(b"%PDF-1.7 signed"), save=False)
    result.save()
    result_hooks.result_signed(dossier.pk, signed_at=dossier.submitted_at)
    result_hooks.result_signed(dossier.pk, signed_at=dossier.submitted_at)  # once only
    document = StoredDocument.objects.get()
    assert document.kind == DocumentKind.RESULT and document.result == result
    assert document.number == result.code and document.issuer == world.commune_a.name


def test_a_component_is_satisfied_from_the_store_recorded_and_audited(world) -> None:  # type: ignore[no-untyped-def]
    document = _digitised(world)
    draft = _draft(world)
    item = portal.draft_reuse(
        actor=world.citizen_user, draft=draft, component_code="giay-chung-sinh",
        document_id=document.pk,
    )  # fmt: skip
    assert item.store_document == document
    dossier = portal.draft_submit(actor=world.citizen_user, draft=draft)
    reuse = DocumentReuse.objects.get()
    assert reuse.dossier == dossier and reuse.component_code == "giay-chung-sinh"
    assert reuse.attachment is not None
    assert reuse.attachment.sha256 == hashlib.sha256(PNG).hexdigest()
    event = AuditEvent.objects.get(action="docstore.document.reuse")
    assert event.after == {"dossier": dossier.code, "component": "giay-chung-sinh"}
    # The citizen's dossier page and the store page say so.
    client = Client()
    client.force_login(world.citizen_user)
    page = client.get("/ca-nhan/giay-to/").content.decode()
    assert "Bệnh viện Đa khoa tỉnh Quảng Ngãi" in page and dossier.code in page


def test_withdrawn_consent_stops_reuse_even_in_a_draft(world) -> None:  # type: ignore[no-untyped-def]
    document = _digitised(world)
    draft = _draft(world)
    portal.draft_reuse(
        actor=world.citizen_user, draft=draft, component_code="giay-chung-sinh",
        document_id=document.pk,
    )  # fmt: skip
    client = Client()
    client.force_login(world.citizen_user)
    answer = client.post(f"/ca-nhan/giay-to/{document.pk}/dong-y/", {"allow": "0"})
    assert answer.status_code == 302
    document.refresh_from_db()
    assert not document.reuse_allowed and document.consent_changed_at is not None
    assert AuditEvent.objects.filter(action="docstore.consent.withdraw").count() == 1
    before = Dossier.objects.count()
    with pytest.raises(DomainError) as refused:
        portal.draft_submit(actor=world.citizen_user, draft=draft)
    assert refused.value.code == "reuse_withdrawn"
    assert Dossier.objects.count() == before and not DocumentReuse.objects.exists()
    with pytest.raises(DomainError):
        portal.draft_reuse(
            actor=world.citizen_user, draft=draft, component_code="giay-chung-sinh",
            document_id=document.pk,
        )  # fmt: skip
    # Allowed again: usable again.
    services.reuse_set(actor=world.citizen_user, document_id=document.pk, allowed=True)
    assert portal.draft_submit(actor=world.citizen_user, draft=draft).code


def test_an_expired_or_someone_elses_paper_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    document = _digitised(world)
    document.valid_until = datetime.date(2026, 3, 1)
    document.save()
    with pytest.raises(DomainError) as refused:
        services.reusable(actor=world.citizen_user, document_id=document.pk)
    assert refused.value.code == "document_expired"
    with pytest.raises(NotFound):
        services.reusable(actor=world.other_user, document_id=document.pk)
    with pytest.raises(NotFound):
        services.reuse_set(actor=world.other_user, document_id=document.pk, allowed=False)
    assert Client().get(f"/ca-nhan/giay-to/{document.pk}/tep/").status_code == 302  # sign in


def test_the_files_step_offers_the_store_and_the_index_counts_reuse(world) -> None:  # type: ignore[no-untyped-def]
    document = _digitised(world)
    client = Client()
    client.force_login(world.citizen_user)
    start = client.get(f"/thu-tuc/{world.procedure.code}/nop-truc-tuyen/")
    draft = portal.draft_open(actor=world.citizen_user, procedure=world.procedure, initial=FORM)
    files_url = None
    for step in range(0, 6):
        url = f"/thu-tuc/{world.procedure.code}/nop-truc-tuyen/buoc-{step}/"
        if 'name="reuse"' in client.get(url).content.decode():
            files_url = url
            break
    assert start.status_code == 302 and files_url is not None
    page = client.get(files_url).content.decode()
    assert f'value="giay-chung-sinh:{document.pk}"' in page
    # Not offered for another kind of paper (nor is a PNG for the PDF-only slot).
    assert f'value="to-khai:{document.pk}"' not in page
    assert f'value="giay-uy-quyen:{document.pk}"' not in page
    client.post(files_url, {"reuse": f"giay-chung-sinh:{document.pk}"})
    assert DraftFile.objects.get(draft=draft).store_document == document
    assert "dùng lại từ Giấy tờ của tôi" in client.get(files_url).content.decode()
    # The index: 4.3 counts received dossiers with a reused component.
    draft.competent_agency = world.commune_a
    draft.data = dict(FORM)
    draft.save()
    portal.draft_attach(
        actor=world.citizen_user, draft=draft, component_code="to-khai", upload=pdf()
    )
    dossier = portal.draft_submit(actor=world.citizen_user, draft=draft)
    dossier_services.dossier_receive(actor=world.reception_a, dossier=dossier)
    dossier_services.dossier_receive(actor=world.reception_a, dossier=document.source_dossier)
    day = dossier.submitted_at.date()
    ratio = store_hooks.data_reused(Filters(start=day, end=day))
    assert (ratio.numerator, ratio.denominator) == (1, 2)
    assert store_hooks.data_warehouse(Filters(start=day, end=day)).numerator == 1


def test_the_officer_pages_digitise_and_show_the_reuse(world) -> None:  # type: ignore[no-untyped-def]
    dossier = submit(world)
    component = dossier.components.get(code="giay-chung-sinh")
    client = Client()
    client.force_login(world.reception_a)
    page = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    url = f"/can-bo/ho-so/{dossier.code}/so-hoa/{component.pk}/"
    assert url in page
    bad = client.post(url, {"title": "Giấy chứng sinh", "issuer": "", "issued_on": "2026-02-20"})
    assert bad.status_code == 422 and "Cần ghi cơ quan cấp" in bad.content.decode()
    done = client.post(
        url,
        {
            "title": "Giấy chứng sinh",
            "issuer": "Trạm Y tế xã A",
            "number": "15/GCS",
            "issued_on": "2026-02-20",
            "valid_until": "",
        },
    )
    assert done.status_code == 302
    document = StoredDocument.objects.get()
    assert (document.issuer, document.number) == ("Trạm Y tế xã A", "15/GCS")
    assert (
        "Đã lưu vào kho của công dân"
        in client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    )
    # Another commune's officer does not see the dossier at all.
    other = Client()
    other.force_login(world.reception_b)
    assert other.get(url).status_code == 404
    # A dossier reusing it shows where the component came from.
    draft = _draft(world)
    portal.draft_reuse(
        actor=world.citizen_user, draft=draft, component_code="giay-chung-sinh",
        document_id=document.pk,
    )  # fmt: skip
    second = portal.draft_submit(actor=world.citizen_user, draft=draft)
    page = client.get(f"/can-bo/ho-so/{second.code}/").content.decode()
    assert "Dùng lại từ kho dữ liệu của công dân: «Giấy chứng sinh», Trạm Y tế xã A" in page
