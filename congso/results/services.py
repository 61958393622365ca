"""The write path of a dossier's electronic results: render, sign (local key or external
device) through the signing services (:mod:`congso.signing.services`), store with its SHA-256,
attach to the dossier and audit. Reads for pages and the API are at the bottom.

A result is rendered with every signature field it will need already in it (one per role of the
procedure's :class:`~congso.results.models.ResultTemplate`), so the first signature can certify
the document (DocMDP "fill forms") and the later ones sign pre-created fields without breaking
it. The level (B-B … B-LTA) is the template's. Whose turn it is (the roles in order, the
competent agency's signers) is decided here; signing checks the key and makes the signature.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterator
from functools import partial
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from congso.audit.services import record
from congso.core.errors import Conflict, NotFound, PermissionDenied
from congso.dossiers.models import Dossier
from congso.dossiers.permissions import holds_role, is_applicant
from congso.org.models import AdministrativeUnit
from congso.org.permissions import current_roles
from congso.printing import eresults
from congso.printing.context import agency_letterhead, place_name
from congso.results import hooks, render
from congso.results.models import (
    ExternalSigningSession,
    RegisterEntry,
    ResultStatus,
    ResultTemplate,
    SignatureRecord,
    SignedResult,
    TemplateKind,
)
from congso.results.selectors import signed_results_for_applicant
from congso.signing import archive, pades
from congso.signing import services as signing
from congso.signing.models import Level, SignatureRole, SignerProfile

#: Dossier statuses in which a result may be prepared: being processed or processed.
_RESULT_STATUSES = {"processing", "processed", "returned"}
_OFFICER_ROLES = ("specialist", "department_head", "leader", "clerk")


def verify_url(result: SignedResult) -> str:
    """The result's public verification page (the QR code printed on it)."""
    return signing.verify_url(result.public_token)


def _template(dossier: Dossier) -> ResultTemplate:
    procedure = dossier.procedure_version.procedure
    template = ResultTemplate.objects.filter(procedure=procedure).first()
    if template is None:
        return ResultTemplate(
            procedure=procedure,
            kind=TemplateKind.CERTIFICATE,
            title=f"Kết quả giải quyết {procedure.name[:1].lower()}{procedure.name[1:]}",
            level=Level.B_T,
            signature_roles=[SignatureRole.APPROVAL],
        )
    return template


def _unit_name(code: str) -> str:
    unit = AdministrativeUnit.objects.filter(code=code).select_related("parent").first()
    if unit is None:
        return ""
    province = unit.province
    if province is not None and province.pk != unit.pk:
        return f"{unit.name}, {province.name}"
    return unit.name


def _register_entry(d: Dossier, book: str, day: datetime.date, *, write: bool) -> RegisterEntry:
    """The dossier's number in the agency's ``book`` of the year; allocated once (the next free
    number), reused when the result is prepared again. ``write=False`` (previews) shows the
    number it would get without taking it."""
    entry = RegisterEntry.objects.filter(dossier=d, book=book).first()
    if entry is not None:
        return entry
    for _attempt in range(5):
        last = RegisterEntry.objects.filter(
            agency_id=d.competent_agency_id, book=book, year=day.year
        ).aggregate(last=Max("number"))["last"]
        entry = RegisterEntry(
            agency_id=d.competent_agency_id,
            book=book,
            year=day.year,
            number=(last or 0) + 1,
            dossier=d,
            entered_on=day,
        )
        if not write:
            return entry
        try:
            with transaction.atomic():
                entry.save()
        except IntegrityError:  # another dossier took that number just now: take the next one
            continue
        return entry
    raise Conflict("register_busy", "Sổ đăng ký đang được ghi; hãy thử lập lại kết quả.")


def _registration(
    d: Dossier, template: ResultTemplate, day: datetime.date, *, write: bool
) -> eresults.Registration:
    event_book, document_book = eresults.BOOKS.get(template.kind, eresults.BOOKS["certificate"])
    event = _register_entry(d, event_book, day, write=write)
    document = _register_entry(d, document_book, day, write=write)
    agency = d.competent_agency
    head = agency_letterhead(agency, event.entered_on)
    province = agency.province.name if agency.province is not None else ""
    place_full = agency.name
    if province and place_name(agency.province).lower() not in agency.name.lower():
        place_full = f"{agency.name}, {province}"
    # ND 30/2020: a people's committee heads its documents with its own name only.
    parent = "" if agency.name.lower().startswith("ủy ban nhân dân") else head.parent_name
    return eresults.Registration(
        issuer_parent=parent,
        issuer=head.name,
        place=head.place,
        place_full=place_full,
        registered_on=event.entered_on,
        register_number=event.number,
        extract_number=document.number,
    )


def result_document(
    d: Dossier, template: ResultTemplate, *, day: datetime.date, write: bool = False
) -> eresults.EResult:
    """The official document of a dossier's result, from its form (``write``: take the register
    numbers; otherwise a preview showing the numbers it would take)."""
    schema = d.procedure_version.form_schema or {}
    form = eresults.FormReader(schema.get("fields") or [], d.form_data, unit_name=_unit_name)
    registration = _registration(d, template, day, write=write)
    builder = eresults.BUILDERS.get(template.kind)
    if builder is not None:
        return builder(form, registration)
    return eresults.generic_result(
        form,
        registration,
        title=template.title,
        procedure_name=d.procedure_version.procedure.name,
        applicant_name=d.applicant_name,
        applicant_address=d.applicant_address,
        result_summary=d.result_summary,
    )


def result_preview(dossier: Dossier) -> eresults.EResult:
    """What «Lập kết quả điện tử» would print now (nothing is written)."""
    return result_document(dossier, _template(dossier), day=timezone.localdate(), write=False)


def _store(result: SignedResult, data: bytes, suffix: str) -> None:
    result.file.save(f"{result.code}{suffix}.pdf", ContentFile(data), save=False)
    result.size = len(data)
    result.sha256 = hashlib.sha256(data).hexdigest()


def _may_prepare(actor: Any, dossier: Dossier) -> bool:
    return holds_role(actor, _OFFICER_ROLES, dossier.competent_agency_id)


def result_prepare(*, actor: Any, dossier: Dossier) -> SignedResult:
    """Render the next result of a dossier (``<code>-KQ(n)``) with its signature fields."""
    if not _may_prepare(actor, dossier):
        raise PermissionDenied(
            "not_allowed", "Chỉ cán bộ của cơ quan giải quyết được lập kết quả điện tử."
        )
    with transaction.atomic():
        d = Dossier.objects.select_for_update().get(pk=dossier.pk)
        if d.status not in _RESULT_STATUSES:
            raise Conflict(
                "dossier_not_ready",
                "Hồ sơ chưa ở bước giải quyết nên chưa lập được kết quả điện tử.",
            )
        template = _template(d)
        last = SignedResult.objects.filter(dossier=d).aggregate(last=Max("number"))["last"] or 0
        number = last + 1
        now = timezone.now()
        result = SignedResult(
            dossier=d,
            number=number,
            code=f"{d.code}-KQ({number})",
            title=template.title,
            level=template.level,
            roles=template.roles(),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            created_at=now,
        )
        official = result_document(d, template, day=timezone.localdate(now), write=True)
        result.content = official.as_dict()
        document = render.ResultDocument(
            code=result.code,
            document=official,
            verify_url=verify_url(result),
            dossier_code=d.code,
            procedure_name=d.procedure_version.procedure.name,
            applicant_name=d.applicant_name,
            received_at=d.received_at,
            processed_at=d.processed_at,
            legal_basis=template.legal_basis,
            roles=result.roles,
        )
        pdf = signing.add_fields(
            render.render_result(document),
            {result.field_name(role): render.FIELD_BOXES[role] for role in result.roles},
        )
        _store(result, pdf, "")
        result.save()
        record(
            actor=actor,
            action="signing.result.prepare",
            target=result,
            after={"code": result.code, "level": result.level, "sha256": result.sha256},
        )
    return result


def _lock_for_signing(
    result: SignedResult, actor: Any, profile: SignerProfile
) -> tuple[SignedResult, str]:
    locked = SignedResult.objects.select_for_update().select_related("dossier").get(pk=result.pk)
    signing.check_signer(actor, profile)
    if profile.agency_id != locked.dossier.competent_agency_id:
        raise PermissionDenied(
            "wrong_agency", "Chữ ký số này không thuộc cơ quan giải quyết hồ sơ."
        )
    role = locked.next_role()
    if role is None:
        raise Conflict("already_signed", "Kết quả đã được ký đủ.")
    if role != profile.role:
        raise Conflict(
            "wrong_turn",
            f"Đến lượt chữ ký “{SignatureRole(role).label}”, "
            f"không phải “{profile.get_role_display()}”.",
        )
    return locked, role


def _finish(
    *,
    actor: Any,
    result: SignedResult,
    profile: SignerProfile,
    role: str,
    signed: signing.Signed,
    now: datetime.datetime,
) -> SignatureRecord:
    count = result.signatures.count() + 1
    certify, level = signed.certify, signed.level
    _store(result, signed.pdf, f"-ky{count}")
    result.status = ResultStatus.SIGNED if count == len(result.roles) else ResultStatus.PARTIAL
    if result.status == ResultStatus.SIGNED:
        result.signed_at = now
        hooks.result_signed(result.dossier_id, signed_at=now)
    result.save()
    info = signed.info
    signature = SignatureRecord.objects.create(
        result=result,
        role=role,
        field_name=result.field_name(role),
        certify=certify,
        profile=profile,
        signer_name=profile.display_name,
        signer_title=profile.title,
        certificate_subject=info.subject[:500],
        certificate_serial=info.serial,
        level=level,
        signed_at=now,
        sha256_after=result.sha256,
    )
    record(
        actor=actor,
        action="signing.result.sign",
        target=result,
        after={
            "role": role,
            "level": level,
            "certify": certify,
            "certificate_serial": info.serial,
            "sha256": result.sha256,
        },
    )
    return signature


def result_sign(
    *,
    actor: Any,
    result: SignedResult,
    profile: SignerProfile,
    expected_sha256: str | None = None,
) -> SignatureRecord:
    """Sign the result's next field with the profile's key (soft token or PKCS#11). The first
    signature certifies the document; the template's level applies to every signature.
    ``expected_sha256``: the file the signer looked at; refused if it changed since."""
    with transaction.atomic():
        locked, role = _lock_for_signing(result, actor, profile)
        if expected_sha256 is not None and expected_sha256 != locked.sha256:
            raise Conflict(
                "result_changed",
                "Kết quả điện tử vừa được người khác ký hoặc thay đổi; hãy xem lại rồi ký.",
            )
        certify = not locked.signatures.exists()
        now = timezone.now()
        with locked.file.open("rb") as handle:
            current = handle.read()
        signed = signing.sign_pdf(
            current,
            profile=profile,
            field_name=locked.field_name(role),
            level=locked.level,
            certify=certify,
            stamp=signing.profile_stamp(profile, moment=now),
            reason=f"Ký kết quả {locked.code}",
        )
        return _finish(
            actor=actor, result=locked, profile=profile, role=role, signed=signed, now=now
        )


def result_external_prepare(
    *, actor: Any, result: SignedResult, profile: SignerProfile
) -> ExternalSigningSession:
    """Prepare the next signature for an external device or remote service (B-B; the
    signer's key never reaches the server). The session's ``to_be_signed`` bytes are signed
    into a detached CMS and returned to :func:`result_external_finish`."""
    with transaction.atomic():
        locked, role = _lock_for_signing(result, actor, profile)
        certify = not locked.signatures.exists()
        now = timezone.now()
        with locked.file.open("rb") as handle:
            current = handle.read()
        prepared = signing.prepare_external(
            current,
            profile=profile,
            field_name=locked.field_name(role),
            certify=certify,
            stamp=signing.profile_stamp(profile, moment=now),
            reason=f"Ký kết quả {locked.code}",
        )
        session = ExternalSigningSession.objects.create(
            result=locked,
            profile=profile,
            role=role,
            prepared=prepared.pdf,
            region_start=prepared.region_start,
            region_end=prepared.region_end,
            digest=prepared.digest.hex(),
            based_on_sha256=locked.sha256,
            created_at=now,
        )
        record(actor=actor, action="signing.result.external_prepare", target=locked)
    return session


def session_prepared(session: ExternalSigningSession) -> pades.Prepared:
    return pades.Prepared(
        pdf=bytes(session.prepared),
        region_start=session.region_start,
        region_end=session.region_end,
        digest=bytes.fromhex(session.digest),
    )


def result_external_finish(
    *, actor: Any, session: ExternalSigningSession, signature_cms: bytes
) -> SignatureRecord:
    """Embed the CMS signature returned by the signer's device and check it before storing."""
    with transaction.atomic():
        locked = ExternalSigningSession.objects.select_for_update().get(pk=session.pk)
        if locked.finished_at is not None:
            raise Conflict("session_finished", "Phiên ký này đã hoàn tất.")
        result, role = _lock_for_signing(locked.result, actor, locked.profile)
        if result.sha256 != locked.based_on_sha256 or role != locked.role:
            raise Conflict("result_changed", "Kết quả đã thay đổi từ khi chuẩn bị ký; hãy làm lại.")
        signed = signing.finish_external(
            session_prepared(locked),
            signature_cms,
            profile=locked.profile,
            field_name=result.field_name(role),
            certify=not result.signatures.exists(),
        )
        now = timezone.now()
        locked.finished_at = now
        locked.save(update_fields=["finished_at"])
        return _finish(
            actor=actor, result=result, profile=locked.profile, role=role, signed=signed, now=now
        )


# --- Reads ----------------------------------------------------------------------------------------


def result_for_user(*, user: Any, code: str) -> SignedResult:
    """A result the user may see: the applicant's own, or within the officer's scope."""
    result = (
        SignedResult.objects.select_related("dossier")
        .filter(code=code, dossier__in=Dossier.objects.restrict(user, "view"))
        .first()
    )
    if result is None:
        raise NotFound("result_not_found", "Không tìm thấy kết quả điện tử này.")
    return result


def result_for_download(*, user: Any, code: str) -> SignedResult:
    """The file of a result: officers in scope get any revision (to check, to print); the
    applicant only a fully signed result of a processed or returned dossier (as the portal)."""
    result = result_for_user(user=user, code=code)
    officer = getattr(user, "is_superuser", False) or current_roles(user).exists()
    if (
        not officer
        and is_applicant(user, result.dossier)
        and result not in signed_results_for_applicant(result.dossier)
    ):
        raise NotFound("result_not_found", "Kết quả điện tử này chưa được trả cho người nộp.")
    return result


def result_bytes(result: SignedResult) -> bytes:
    with result.file.open("rb") as handle:
        return handle.read()


# --- The archive (PAdES-LTA re-time-stamping, congso.signing.archive) ----------------------------


def archived_results() -> Iterator[archive.ArchivedDocument]:
    """The fully signed results, lent to signing's archival re-time-stamping (registered on
    ``signing.archive.sources`` by ``ResultsConfig.ready()``)."""
    for result in SignedResult.objects.filter(status=ResultStatus.SIGNED).order_by("pk"):
        yield archive.ArchivedDocument(
            kind="results.signedresult",
            code=result.code,
            target=result,
            read=partial(_read_file, result),
            replace=partial(result_archive_store, result),
        )


def _read_file(result: SignedResult) -> bytes:
    with result.file.open("rb") as handle:
        data: bytes = handle.read()
    return data


def result_archive_store(result: SignedResult, pdf: bytes) -> None:
    """Keep the re-time-stamped file (an incremental update of the stored one) as the result's
    file; signing audits the re-time-stamp (``signing.archive.retimestamp``)."""
    with transaction.atomic():
        locked = SignedResult.objects.select_for_update().get(pk=result.pk)
        with locked.file.open("rb") as handle:
            current = handle.read()
        if not pdf.startswith(current):
            raise Conflict("result_changed", "Kết quả điện tử vừa thay đổi; hãy chạy lại.")
        _store(locked, pdf, "-lta")
        locked.save(update_fields=["file", "size", "sha256"])
