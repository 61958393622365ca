"""Files: type from content, per-slot limits, SHA-256, versions kept, storage under MEDIA_ROOT."""

from __future__ import annotations

import hashlib
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from congso.core.errors import DomainError
from congso.dossiers import attachments, services
from congso.dossiers.models import Attachment, Dossier
from congso.dossiers.services import intake
from tests.dossiers.conftest import EXE, JPEG, PDF, PNG, at, pdf, png, submit


def test_sniffing_reads_magic_bytes():
    assert attachments.sniff(PDF) == "application/pdf"
    assert attachments.sniff(PNG) == "image/png"
    assert attachments.sniff(JPEG) == "image/jpeg"
    assert attachments.sniff(EXE) is None
    assert attachments.sniff(b"") is None


def test_stored_with_size_type_and_sha256_under_media_root(world, clock, media):
    dossier = submit(world)
    item = Attachment.objects.get(component__dossier=dossier, component__code="to-khai")
    assert item.size == len(PDF)
    assert item.mime_type == "application/pdf"
    assert item.sha256 == hashlib.sha256(PDF).hexdigest()
    assert item.version == 1
    assert item.original_name == "to-khai.pdf"
    assert item.file.name.startswith(f"dossiers/2026/03/{dossier.pk}/to-khai/v1-")
    assert item.file.name.endswith(".pdf")
    path = item.file.path
    assert path.startswith(str(media))
    with open(path, "rb") as handle:
        assert handle.read() == PDF


def test_a_disguised_file_is_refused_by_its_content(world, clock, media):
    fake = SimpleUploadedFile("to-khai.pdf", EXE, content_type="application/pdf")
    with pytest.raises(DomainError) as refused:
        submit(world, files={"to-khai": [fake], "giay-chung-sinh": [png()]})
    assert refused.value.code == "file_type_not_allowed"
    assert refused.value.field == "files.to-khai"
    assert "theo nội dung" in refused.value.message
    assert Dossier.objects.count() == 0
    assert not os.path.exists(media / "dossiers")


def test_a_slot_limited_to_pdf_refuses_a_real_png(world, clock):
    with pytest.raises(DomainError) as refused:
        submit(world, files={"to-khai": [png("to-khai.png")], "giay-chung-sinh": [png()]})
    assert refused.value.code == "file_type_not_allowed"
    assert "PDF" in refused.value.message


def test_too_big_and_empty_files(world, clock):
    big = SimpleUploadedFile("uy-quyen.pdf", PDF + b"0" * 200, content_type="application/pdf")
    files = {"to-khai": [pdf()], "giay-chung-sinh": [png()], "giay-uy-quyen": [big]}
    with pytest.raises(DomainError) as too_big:
        submit(world, files=files)
    assert too_big.value.code == "file_too_large"
    assert too_big.value.field == "files.giay-uy-quyen"
    empty = SimpleUploadedFile("trong.png", b"", content_type="image/png")
    with pytest.raises(DomainError) as nothing:
        submit(world, files={"to-khai": [pdf()], "giay-chung-sinh": [empty]})
    assert nothing.value.code == "file_empty"


def test_missing_mandatory_and_unknown_components(world, clock):
    with pytest.raises(DomainError) as missing:
        submit(world, files={"to-khai": [pdf()]})
    assert missing.value.code == "component_missing"
    assert missing.value.field == "files.giay-chung-sinh"
    with pytest.raises(DomainError) as unknown:
        submit(world, files={"to-khai": [pdf()], "giay-chung-sinh": [png()], "khac": [png()]})
    assert unknown.value.code == "unknown_component"


def test_form_errors_name_the_field(world, clock):
    from congso.catalog.formschema import FormInvalid

    with pytest.raises(FormInvalid) as invalid:
        submit(world, form_data={"ngay_sinh": "không phải ngày"})
    fields = {error["field"] for error in invalid.value.errors}
    assert {"ho_ten_tre", "ngay_sinh"} <= fields


def test_a_supplement_adds_versions_and_never_overwrites(world, clock):
    clock.set(at(2026, 3, 2, 9, 0))
    dossier = services.dossier_receive(actor=world.reception_a, dossier=submit(world))
    first = Attachment.objects.get(component__dossier=dossier, component__code="to-khai")
    dossier = services.dossier_request_supplement(
        actor=world.reception_a,
        dossier=dossier,
        reason="Tờ khai thiếu chữ ký.",
        missing_items=[{"component": "to-khai"}],
    )
    second_pdf = b"%PDF-1.5\nsigned\n%%EOF\n"
    services.dossier_supplement(
        actor=world.citizen_user, dossier=dossier, files={"to-khai": [pdf("ky.pdf", second_pdf)]}
    )
    items = list(
        Attachment.objects.filter(component__dossier=dossier, component__code="to-khai").order_by(
            "version"
        )
    )
    assert [item.version for item in items] == [1, 2]
    assert items[0].pk == first.pk and items[0].sha256 == hashlib.sha256(PDF).hexdigest()
    assert items[1].sha256 == hashlib.sha256(second_pdf).hexdigest()
    assert items[1].supplement is not None
    assert items[0].file.name != items[1].file.name
    with items[0].file.open("rb") as handle:
        assert handle.read() == PDF


def test_files_of_a_failed_call_are_removed(world, clock, media, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(intake, "_log", broken)
    with pytest.raises(RuntimeError):
        submit(world)
    stored = [name for _, _, names in os.walk(media) for name in names]
    assert stored == []
