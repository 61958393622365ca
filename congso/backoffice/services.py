"""Writes made from the officer workspace: those that span two domains, composing the domains'
own services in one transaction, and the counter's scans kept between two posts of its page
(:class:`congso.backoffice.models.CounterScan`, the workspace's own rows)."""

from __future__ import annotations

import datetime
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.base import File
from django.db import transaction
from django.utils import timezone

from congso.backoffice.models import STALE_AFTER, CounterScan
from congso.catalog.models import Component, Procedure
from congso.core.errors import DomainError, NotFound
from congso.dossiers import attachments
from congso.dossiers import services as dossier_services
from congso.dossiers.models import Dossier
from congso.org import services as org_services
from congso.org.identity import validate_personal_id, validate_tax_code
from congso.org.models import Agency, Citizen, Desk, Organisation


@dataclass(frozen=True)
class CounterApplicant:
    """The applicant as typed at the desk: a citizen (personal ID) or an organisation (tax
    code). Identity fields are checked by :mod:`congso.org.identity`."""

    kind: str  # "citizen" or "organisation"
    id_number: str
    name: str
    birth_date: datetime.date | None = None
    gender: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""


def _citizen(actor: Any, desk: Desk, applicant: CounterApplicant) -> Citizen:
    """The citizen with this personal ID (the card is shown at the desk), or a new record
    registered by the desk's agency."""
    info = validate_personal_id(
        applicant.id_number, birth_date=applicant.birth_date, gender=applicant.gender or None
    )
    existing = Citizen.objects.filter(personal_id=info.number).first()
    if existing is not None:
        return existing
    return org_services.citizen_create(
        actor=actor,
        full_name=applicant.name,
        personal_id=info.number,
        birth_date=applicant.birth_date,
        gender=applicant.gender or None,
        phone=applicant.phone,
        email=applicant.email,
        address=applicant.address,
        agency=desk.agency,
    )


def _organisation(actor: Any, desk: Desk, applicant: CounterApplicant) -> Organisation:
    code = validate_tax_code(applicant.id_number)
    existing = Organisation.objects.filter(tax_code=code).first()
    if existing is not None:
        return existing
    return org_services.organisation_create(
        actor=actor,
        name=applicant.name,
        tax_code=code,
        address=applicant.address,
        phone=applicant.phone,
        email=applicant.email,
        agency=desk.agency,
    )


# --- Scans kept between two posts of the counter page ---------------------------------------

#: Most scans one component takes at the counter.
MAX_SCANS_PER_COMPONENT = 10
_BATCH = re.compile(r"[A-Za-z0-9_-]{16,64}")


def counter_batch(value: str | None = None) -> str:
    """The counter form's batch token: ``value`` when it is one, else a new one."""
    if value and _BATCH.fullmatch(value):
        return value
    return secrets.token_urlsafe(24)


def counter_scans(*, actor: Any, batch: str, procedure: Procedure) -> list[CounterScan]:
    """The scans this officer keeps in ``batch`` for ``procedure``, by component."""
    return list(CounterScan.objects.filter(batch=batch, officer_id=actor.pk, procedure=procedure))


def counter_scan_keep(
    *, actor: Any, batch: str, procedure: Procedure, slot: Component, upload: Any
) -> CounterScan:
    """Check one scan against its component (type from the content, size, active PDF content;
    :func:`congso.dossiers.attachments.check`) and keep it in the batch."""
    if not _BATCH.fullmatch(batch):
        raise DomainError("invalid_batch", "Phiên nhập hồ sơ không hợp lệ; hãy mở lại trang.")
    field = f"files.{slot.code}"
    kept = CounterScan.objects.filter(
        batch=batch, officer_id=actor.pk, procedure=procedure, component_code=slot.code
    ).count()
    if kept >= MAX_SCANS_PER_COMPONENT:
        raise DomainError(
            "too_many_files",
            f"Mỗi thành phần hồ sơ nhận tối đa {MAX_SCANS_PER_COMPONENT} tệp.",
            field=field,
        )
    checked = attachments.check_for_slot(upload, slot)
    scan = CounterScan(
        batch=batch,
        officer=actor,
        procedure=procedure,
        component_code=slot.code,
        original_name=checked.name,
        size=checked.size,
        mime_type=checked.mime_type,
        sha256=checked.sha256,
        uploaded_at=timezone.now(),
    )
    stored = checked.sha256[:16] + attachments.EXTENSIONS[checked.mime_type]
    scan.file.save(stored, File(upload, name=stored), save=False)
    try:
        scan.save()
    except BaseException:
        scan.file.delete(save=False)
        raise
    return scan


def counter_scan_drop(*, actor: Any, batch: str, scan_id: int) -> None:
    """Take one kept scan out of the batch (the officer picked the wrong file)."""
    scan = CounterScan.objects.filter(pk=scan_id, batch=batch, officer_id=actor.pk).first()
    if scan is None:
        raise NotFound("scan_not_found", "Không tìm thấy tệp đã đính kèm.")
    scan.file.delete(save=False)
    scan.delete()


def _discard(scans: Iterable[CounterScan]) -> None:
    """Delete the rows now and their files once the transaction commits."""
    files = []
    for scan in scans:
        files.append((scan.file.storage, scan.file.name))
        scan.delete()
    if files:
        transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])


def counter_scans_purge(*, actor: Any) -> int:
    """Remove this officer's batches abandoned for longer than ``STALE_AFTER``."""
    with transaction.atomic():
        stale = list(
            CounterScan.objects.filter(
                officer_id=actor.pk, uploaded_at__lt=timezone.now() - STALE_AFTER
            )
        )
        _discard(stale)
    return len(stale)


def counter_receive(
    *,
    actor: Any,
    desk: Desk,
    procedure: Procedure,
    competent_agency: Agency,
    applicant: CounterApplicant,
    form_data: Mapping[str, Any],
    files: Mapping[str, Sequence[Any]],
    paper_components: Iterable[str],
    note: str = "",
    batch: str = "",
) -> Dossier:
    """Counter reception (tiếp nhận trực tiếp): register the applicant if new
    (``org.services``) and receive the dossier at once
    (``dossiers.services.dossier_receive_in_person``: code, appointment, form 01), all or
    nothing. The scans kept in ``batch`` are attached with ``files`` and the batch is emptied
    once the dossier exists (it stays as it was when receiving fails)."""
    if applicant.kind not in ("citizen", "organisation"):
        raise DomainError(
            "applicant_kind", "Chọn người nộp là công dân hay tổ chức.", field="applicant_kind"
        )
    kept = counter_scans(actor=actor, batch=batch, procedure=procedure) if batch else []
    merged: dict[str, list[Any]] = {code: list(items) for code, items in files.items()}
    handles = []
    try:
        for scan in kept:
            handle = scan.file.open("rb")
            handles.append(handle)
            merged.setdefault(scan.component_code, []).append(
                File(handle.file, name=scan.original_name)
            )
        with transaction.atomic():
            citizen = organisation = None
            if applicant.kind == "citizen":
                citizen = _citizen(actor, desk, applicant)
            else:
                organisation = _organisation(actor, desk, applicant)
            dossier = dossier_services.dossier_receive_in_person(
                actor=actor,
                procedure=procedure,
                competent_agency=competent_agency,
                desk=desk,
                form_data=form_data,
                files=merged,
                citizen=citizen,
                organisation=organisation,
                paper_components=list(paper_components),
                note=note,
                contact_phone=applicant.phone,
                contact_email=applicant.email,
            )
            _discard(kept)
    finally:
        for handle in handles:
            handle.close()
    return dossier
