"""The one write path of records: file plans and their series, opening a record, filing issued
or handled official documents and finished dossiers into it (their files copied into the
record store, each checked against the SHA-256 its source recorded), closing it, the transfer
to the archive as a BagIt bag (:mod:`congso.records.bag`), the disposition decisions and the
fixity check of the store.

Every function is atomic and audited (actions ``records.*``). A refusal changes nothing — the
transaction is rolled back and the files it wrote deleted — and is audited after the rollback
as ``records.<action>.refused`` with its code.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import get_valid_filename

from congso.audit.services import record as audit
from congso.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from congso.dossiers.attachments import StoredFiles
from congso.dossiers.models import Dossier
from congso.dossiers.workflow import TERMINAL, Status
from congso.eoffice.models import Direction, Document
from congso.eoffice.models import State as DocState
from congso.org.models import Agency, Role
from congso.org.permissions import current_roles, is_superuser
from congso.records import bag
from congso.records.models import (
    KEEPER_ROLES,
    Disposition,
    DispositionAction,
    FilePlan,
    ItemKind,
    Record,
    RecordFile,
    RecordItem,
    RecordSeries,
    RecordState,
    Transfer,
)
from congso.results.models import ResultStatus, SignedResult

T = TypeVar("T")

#: A document is filed once it is final: issued by us, or handled when received.
FILEABLE_DOCUMENT_STATES: dict[str, tuple[str, ...]] = {
    Direction.OUTGOING: (DocState.ISSUED, DocState.RECALLED),
    Direction.INCOMING: (DocState.DONE, DocState.WITHDRAWN),
}
MAX_RETENTION_YEARS = 100


# --- Helpers ------------------------------------------------------------------------------------


def _has_role(actor: Any, agency_id: int, roles: tuple[str, ...]) -> bool:
    if is_superuser(actor):
        return True
    return current_roles(actor, roles).filter(agency_id=agency_id).exists()


def _require_role(actor: Any, agency_id: int, roles: tuple[str, ...], what: str) -> None:
    if not _has_role(actor, agency_id, roles):
        raise PermissionDenied("forbidden", f"Bạn không có quyền {what} của cơ quan này.")


def _run(
    actor: Any,
    action: str,
    target: models.Model | None,
    fn: Callable[[StoredFiles], T],
    **context: Any,
) -> T:
    """``fn(stored)`` in one transaction. On a refusal the transaction is rolled back, the
    files written are deleted and the refusal is audited on its own."""
    stored = StoredFiles()
    try:
        with transaction.atomic():
            return fn(stored)
    except DomainError as exc:
        stored.discard()
        audit(
            actor=actor,
            action=f"records.{action}.refused",
            target=target,
            after={"code": exc.code, "message": str(exc.message), **context},
        )
        raise
    except BaseException:
        stored.discard()
        raise


def _locked_record(record_id: int) -> Record:
    try:
        return (
            Record.objects.select_for_update()
            .select_related("agency", "series", "series__plan")
            .get(pk=record_id)
        )
    except Record.DoesNotExist:
        raise NotFound("not_found", "Không tìm thấy hồ sơ lưu trữ.", field="record") from None


def _peek(record_id: int) -> Record | None:
    return Record.objects.filter(pk=record_id).first()


def _require_open(record: Record) -> None:
    if record.state != RecordState.OPEN:
        raise Conflict(
            "record_closed",
            f"Hồ sơ {record.code} đã «{record.get_state_display()}»: không đưa thêm văn bản, "
            "hồ sơ vào được.",
        )


def _require_closed(record: Record) -> None:
    if record.state != RecordState.CLOSED:
        raise Conflict(
            "record_not_closed",
            f"Hồ sơ {record.code} đang ở trạng thái «{record.get_state_display()}»: chỉ hồ sơ "
            "đã kết thúc mới nộp lưu được.",
        )


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _audit(actor: Any, action: str, target: models.Model, **after: Any) -> None:
    audit(actor=actor, action=f"records.{action}", target=target, after=after)


# --- File plans and series ----------------------------------------------------------------------


def plan_create(*, actor: Any, agency_id: int, year: int, title: str = "") -> FilePlan:
    """The file plan of ``agency_id`` for ``year`` (its clerk or leader)."""

    def run(stored: StoredFiles) -> FilePlan:
        agency = Agency.objects.filter(pk=agency_id, active=True).first()
        if agency is None:
            raise NotFound("not_found", "Không tìm thấy cơ quan.", field="agency")
        _require_role(actor, agency.pk, (Role.CLERK, Role.LEADER), "lập danh mục hồ sơ")
        if not 2000 <= year <= 2100:
            raise DomainError("invalid_field", "Năm của danh mục không hợp lệ.", field="year")
        plan, created = FilePlan.objects.get_or_create(
            agency=agency,
            year=year,
            defaults={
                "title": title.strip() or f"Danh mục hồ sơ năm {year}",
                "created_by": actor,
            },
        )
        if created:
            _audit(actor, "plan.create", plan, agency=agency.code, year=year)
        return plan

    return _run(actor, "plan.create", None, run, agency=agency_id, year=year)


def _check_retention(years: int | None, permanent: bool, legal_basis: str) -> None:
    if permanent and years:
        raise DomainError(
            "invalid_retention",
            "Chọn một thời hạn bảo quản: số năm hoặc vĩnh viễn, không phải cả hai.",
            field="retention_years",
        )
    if years is not None and not 1 <= years <= MAX_RETENTION_YEARS:
        raise DomainError(
            "invalid_retention",
            f"Thời hạn bảo quản phải từ 1 đến {MAX_RETENTION_YEARS} năm.",
            field="retention_years",
        )
    if (permanent or years) and not legal_basis.strip():
        raise DomainError(
            "invalid_retention",
            "Ghi căn cứ của thời hạn bảo quản (văn bản quy định, ví dụ TT 10/2022/TT-BNV).",
            field="legal_basis",
        )


def series_create(
    *,
    actor: Any,
    plan_id: int,
    code: str,
    title: str,
    retention_years: int | None = None,
    permanent: bool = False,
    legal_basis: str = "",
    effective_from: datetime.date | None = None,
    transfer_within_years: int = 1,
) -> RecordSeries:
    """A heading of a file plan. Its retention may be left for later
    (:func:`series_set_retention`); no record opens under it until it has one."""

    def run(stored: StoredFiles) -> RecordSeries:
        plan = FilePlan.objects.select_for_update().filter(pk=plan_id).first()
        if plan is None:
            raise NotFound("not_found", "Không tìm thấy danh mục hồ sơ.", field="plan")
        _require_role(actor, plan.agency_id, (Role.CLERK, Role.LEADER), "lập danh mục hồ sơ")
        if not code.strip() or not title.strip():
            raise DomainError(
                "invalid_field",
                "Đề mục phải có số, ký hiệu và tên.",
                field="code" if not code.strip() else "title",
            )
        _check_retention(retention_years, permanent, legal_basis)
        if not 0 <= transfer_within_years <= 10:
            raise DomainError(
                "invalid_field",
                "Thời hạn nộp lưu phải từ 0 đến 10 năm.",
                field="transfer_within_years",
            )
        if plan.series.filter(code=code.strip()).exists():
            raise Conflict(
                "series_exists",
                f"Danh mục đã có đề mục số {code.strip()}.",
                field="code",
            )
        series = RecordSeries.objects.create(
            plan=plan,
            code=code.strip(),
            title=title.strip(),
            retention_years=retention_years,
            permanent=permanent,
            legal_basis=legal_basis.strip(),
            effective_from=effective_from,
            transfer_within_years=transfer_within_years,
            position=plan.series.count() + 1,
        )
        _audit(
            actor,
            "series.create",
            series,
            plan=plan.pk,
            retention_years=retention_years,
            permanent=permanent,
            legal_basis=series.legal_basis,
        )
        return series

    return _run(actor, "series.create", None, run, plan=plan_id, code=code)


def series_set_retention(
    *,
    actor: Any,
    series_id: int,
    retention_years: int | None,
    permanent: bool,
    legal_basis: str,
    effective_from: datetime.date | None = None,
) -> RecordSeries:
    """Set or change a series' retention. Records already opened keep theirs."""

    def run(stored: StoredFiles) -> RecordSeries:
        series = (
            RecordSeries.objects.select_for_update()
            .select_related("plan")
            .filter(pk=series_id)
            .first()
        )
        if series is None:
            raise NotFound("not_found", "Không tìm thấy đề mục.", field="series")
        _require_role(actor, series.plan.agency_id, (Role.CLERK, Role.LEADER), "sửa danh mục hồ sơ")
        _check_retention(retention_years, permanent, legal_basis)
        before = {"retention_years": series.retention_years, "permanent": series.permanent}
        series.retention_years = retention_years
        series.permanent = permanent
        series.legal_basis = legal_basis.strip()
        series.effective_from = effective_from
        series.save()
        audit(
            actor=actor,
            action="records.series.retention",
            target=series,
            before=before,
            after={
                "retention_years": retention_years,
                "permanent": permanent,
                "legal_basis": series.legal_basis,
            },
        )
        return series

    return _run(actor, "series.retention", None, run, series=series_id)


# --- Records ------------------------------------------------------------------------------------


def record_open(
    *,
    actor: Any,
    series_id: int,
    title: str,
    opened_on: datetime.date | None = None,
    note: str = "",
) -> Record:
    """A new record under a series with a retention period; its code is
    ``<agency identifier>.<year>.<series code>.<number>`` (ND 30/2020 Annex V: the agency, the
    year, the record's number and notation in the file plan)."""

    def run(stored: StoredFiles) -> Record:
        series = (
            RecordSeries.objects.select_for_update()
            .select_related("plan", "plan__agency")
            .filter(pk=series_id)
            .first()
        )
        if series is None:
            raise NotFound("not_found", "Không tìm thấy đề mục.", field="series")
        agency = series.plan.agency
        _require_role(actor, agency.pk, KEEPER_ROLES, "lập hồ sơ")
        if not series.has_retention:
            raise DomainError(
                "no_retention",
                f"Đề mục {series.code} «{series.title}» chưa có thời hạn bảo quản: văn thư "
                "hoặc lãnh đạo ghi thời hạn (số năm hoặc vĩnh viễn) và căn cứ trước khi lập hồ sơ.",
                field="series",
            )
        if not title.strip():
            raise DomainError("invalid_field", "Hồ sơ phải có tiêu đề.", field="title")
        number = (series.records.aggregate(last=Max("number"))["last"] or 0) + 1
        record = Record.objects.create(
            code=f"{agency.code}.{series.plan.year}.{series.code}.{number:02d}",
            title=title.strip(),
            series=series,
            agency=agency,
            number=number,
            retention_years=series.retention_years,
            permanent=series.permanent,
            legal_basis=series.legal_basis,
            opened_on=opened_on or timezone.localdate(),
            keeper=actor,
            note=note.strip(),
        )
        _audit(
            actor,
            "record.open",
            record,
            state=record.state,
            series=series.pk,
            retention=record.retention_label,
        )
        return record

    return _run(actor, "record.open", None, run, series=series_id)


@dataclass(frozen=True)
class SourceFile:
    name: str
    role: str
    mime_type: str
    sha256: str
    signed: bool
    file: Any  # a FieldFile


def _copy(item: RecordItem, sources: list[SourceFile], stored: StoredFiles) -> None:
    seen: set[str] = set()
    for source in sources:
        with source.file.open("rb") as handle:
            data = handle.read()
        digest = sha256_of(data)
        if digest != source.sha256:
            raise DomainError(
                "source_changed",
                f"Tệp «{source.name}» không còn khớp mã băm SHA-256 đã ghi khi lưu: không đưa "
                "vào hồ sơ. Báo quản trị hệ thống kiểm tra kho tệp.",
                field="file",
            )
        name = get_valid_filename(source.name) or "tep"
        while name in seen:
            name = f"_{name}"
        seen.add(name)
        row = RecordFile(
            item=item,
            name=name,
            role=source.role,
            mime_type=source.mime_type,
            size=len(data),
            sha256=digest,
            signed=source.signed,
        )
        row.file.save(name, ContentFile(data, name=name), save=False)
        stored.names.append(row.file.name)
        row.save()


def _next_position(record: Record) -> int:
    return (record.items.aggregate(last=Max("position"))["last"] or 0) + 1


def _already(field_name: str, pk: int) -> None:
    existing = RecordItem.objects.select_related("record").filter(**{field_name: pk}).first()
    if existing is not None:
        raise Conflict(
            "already_filed",
            f"Đã có trong hồ sơ {existing.record.code} «{existing.record.title}».",
            field=field_name,
        )


def _open_for_filing(actor: Any, record_id: int) -> Record:
    """The record, locked, once ``actor`` may file into it and it is still open."""
    record = _locked_record(record_id)
    _require_role(actor, record.agency_id, KEEPER_ROLES, "lập hồ sơ")
    _require_open(record)
    return record


def record_file_document(*, actor: Any, record_id: int, document_id: int) -> RecordItem:
    """File an issued (or handled incoming) official document of the record's agency, that
    ``actor`` may see, with the files of its current version."""

    def run(stored: StoredFiles) -> RecordItem:
        record = _open_for_filing(actor, record_id)
        document = (
            Document.objects.restrict(actor)
            .select_related("doc_type", "agency")
            .filter(pk=document_id)
            .first()
        )
        if document is None:
            raise NotFound(
                "not_found",
                "Không tìm thấy văn bản, hoặc văn bản nằm ngoài phạm vi bạn được xem.",
                field="document",
            )
        if document.agency_id != record.agency_id:
            raise PermissionDenied(
                "other_agency",
                "Văn bản thuộc cơ quan khác: chỉ lập hồ sơ bằng văn bản của cơ quan giữ hồ sơ.",
                field="document",
            )
        if document.state not in FILEABLE_DOCUMENT_STATES[document.direction]:
            raise Conflict(
                "document_not_final",
                f"Văn bản đang «{document.get_state_display()}»: chỉ đưa vào hồ sơ văn bản đã "
                "ban hành hoặc văn bản đến đã giải quyết xong.",
                field="document",
            )
        _already("document", document.pk)
        item = RecordItem.objects.create(
            record=record,
            position=_next_position(record),
            kind=ItemKind.DOCUMENT,
            document=document,
            reference=document.number_notation or f"#{document.pk}",
            dated=document.issued_on,
            author=document.issuer_name,
            summary=f"{document.doc_type.name}: {document.subject}",
            metadata=bag.document_metadata(document),
            filed_by=actor,
        )
        files = document.files.filter(version=document.version).order_by("role", "pk")
        _copy(
            item,
            [SourceFile(f.name, f.role, f.mime_type, f.sha256, f.signed, f.file) for f in files],
            stored,
        )
        _audit(
            actor,
            "record.file",
            record,
            kind="document",
            document=document.pk,
            reference=item.reference,
            files=[f.sha256 for f in item.files.all()],
        )
        return item

    return _run(actor, "record.file", _peek(record_id), run, document=document_id)


def _dossier_sources(dossier: Dossier) -> list[SourceFile]:
    sources: list[SourceFile] = []
    for component in dossier.components.all().order_by("pk"):
        latest = component.attachments.order_by("-version").first()
        if latest is not None:
            sources.append(
                SourceFile(
                    latest.original_name,
                    f"thanh-phan:{component.code}",
                    latest.mime_type,
                    latest.sha256,
                    False,
                    latest.file,
                )
            )
    for result in SignedResult.objects.filter(dossier=dossier, status=ResultStatus.SIGNED):
        sources.append(
            SourceFile(
                f"{result.code}.pdf", "ket-qua", "application/pdf", result.sha256, True, result.file
            )
        )
    return sources


def record_file_dossier(*, actor: Any, record_id: int, dossier_id: int) -> RecordItem:
    """File a finished dossier (returned, refused, withdrawn, stopped) whose competent agency
    keeps the record: the latest file of each component and its signed e-results."""

    def run(stored: StoredFiles) -> RecordItem:
        record = _open_for_filing(actor, record_id)
        dossier = (
            Dossier.objects.restrict(actor)
            .select_related("procedure_version__procedure", "competent_agency")
            .filter(pk=dossier_id)
            .first()
        )
        if dossier is None:
            raise NotFound(
                "not_found",
                "Không tìm thấy hồ sơ thủ tục, hoặc hồ sơ nằm ngoài phạm vi bạn được xem.",
                field="dossier",
            )
        if record.agency_id not in (dossier.competent_agency_id, dossier.receiving_agency_id):
            raise PermissionDenied(
                "other_agency",
                "Hồ sơ thủ tục do cơ quan khác giải quyết: cơ quan đó lập hồ sơ lưu trữ.",
                field="dossier",
            )
        if Status(dossier.status) not in TERMINAL:
            raise Conflict(
                "dossier_not_finished",
                f"Hồ sơ {dossier.code} đang «{dossier.get_status_display()}»: chỉ đưa vào hồ sơ "
                "lưu trữ hồ sơ thủ tục đã kết thúc (đã trả kết quả, từ chối, rút, dừng).",
                field="dossier",
            )
        _already("dossier", dossier.pk)
        item = RecordItem.objects.create(
            record=record,
            position=_next_position(record),
            kind=ItemKind.DOSSIER,
            dossier=dossier,
            reference=dossier.code,
            dated=timezone.localtime(dossier.submitted_at).date(),
            author=dossier.applicant_name,
            summary=dossier.procedure_version.procedure.name,
            metadata=bag.dossier_metadata(dossier),
            filed_by=actor,
        )
        _copy(item, _dossier_sources(dossier), stored)
        _audit(
            actor,
            "record.file",
            record,
            kind="dossier",
            dossier=dossier.pk,
            reference=item.reference,
            files=[f.sha256 for f in item.files.all()],
        )
        return item

    return _run(actor, "record.file", _peek(record_id), run, dossier=dossier_id)


def record_file(
    *, actor: Any, record_id: int, document_id: int | None = None, dossier_id: int | None = None
) -> RecordItem:
    """File exactly one of a document or a dossier (the API's single operation)."""
    if (document_id is None) == (dossier_id is None):
        error = DomainError(
            "invalid_field", "Gửi đúng một trong hai: văn bản (document) hoặc hồ sơ (dossier)."
        )
        audit(
            actor=actor,
            action="records.record.file.refused",
            target=_peek(record_id),
            after={"code": error.code, "message": error.message},
        )
        raise error
    if document_id is not None:
        return record_file_document(actor=actor, record_id=record_id, document_id=document_id)
    assert dossier_id is not None
    return record_file_dossier(actor=actor, record_id=record_id, dossier_id=dossier_id)


def record_close(*, actor: Any, record_id: int, closed_on: datetime.date | None = None) -> Record:
    """Kết thúc hồ sơ: nothing more is filed; the retention and the transfer deadline count
    from the closing day."""

    def run(stored: StoredFiles) -> Record:
        record = _locked_record(record_id)
        _require_role(actor, record.agency_id, KEEPER_ROLES, "kết thúc hồ sơ")
        _require_open(record)
        if not record.items.exists():
            raise Conflict("empty_record", "Hồ sơ chưa có văn bản nào: không kết thúc được.")
        day = closed_on or timezone.localdate()
        if day < record.opened_on or day > timezone.localdate():
            raise DomainError(
                "invalid_field",
                "Ngày kết thúc phải từ ngày mở hồ sơ đến hôm nay.",
                field="closed_on",
            )
        record.state = RecordState.CLOSED
        record.closed_on = day
        record.save(update_fields=["state", "closed_on", "updated_at"])
        _audit(actor, "record.close", record, state=record.state, closed_on=day.isoformat())
        return record

    return _run(actor, "record.close", _peek(record_id), run)


def _transfer(actor: Any, record: Record, stored: StoredFiles) -> Transfer:
    built = bag.build(record)
    transfer = Transfer(
        record=record,
        name=built.name,
        size=len(built.data),
        sha256=sha256_of(built.data),
        payload_oxum=built.payload_oxum,
        files=built.files,
        made_by=actor,
    )
    transfer.file.save(built.name, ContentFile(built.data, name=built.name), save=False)
    stored.names.append(transfer.file.name)
    transfer.save()
    record.state = RecordState.TRANSFERRED
    record.transferred_at = timezone.now()
    record.save(update_fields=["state", "transferred_at", "updated_at"])
    _audit(
        actor,
        "record.transfer",
        record,
        state=record.state,
        bag=transfer.name,
        sha256=transfer.sha256,
        payload_oxum=transfer.payload_oxum,
    )
    return transfer


def record_transfer(*, actor: Any, record_id: int) -> Transfer:
    """Nộp lưu: the closed record as a BagIt bag (SHA-256 manifests, metadata, the PDFs as
    signed and their validation reports), validated after writing, kept for download."""

    def run(stored: StoredFiles) -> Transfer:
        record = _locked_record(record_id)
        _require_role(actor, record.agency_id, (Role.CLERK, Role.LEADER), "nộp lưu hồ sơ")
        _require_closed(record)
        return _transfer(actor, record, stored)

    return _run(actor, "record.transfer", _peek(record_id), run)


# --- Disposition --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    record: Record
    action: str  # DispositionAction.DESTROY or TRANSFER
    due_on: datetime.date


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def retention_ends(record: Record) -> datetime.date | None:
    """The first day a record may be destroyed: its retention counts in whole years from the
    year after it was closed (a record closed in 2020 kept 5 years is due from 1 January 2026).
    ``None``: kept permanently, or not closed."""
    if record.permanent or not record.retention_years or record.closed_on is None:
        return None
    return datetime.date(record.closed_on.year + record.retention_years + 1, 1, 1)


def transfer_due(record: Record) -> datetime.date | None:
    if record.closed_on is None:
        return None
    return _add_years(record.closed_on, record.series.transfer_within_years)


def due_for(record: Record, today: datetime.date) -> Due | None:
    held = record.dispositions.filter(action=DispositionAction.KEEP, review_on__gt=today).exists()
    if held:
        return None
    if record.state in (RecordState.CLOSED, RecordState.TRANSFERRED):
        ends = retention_ends(record)
        if ends is not None and ends <= today:
            return Due(record, DispositionAction.DESTROY, ends)
    if record.state == RecordState.CLOSED:
        due = transfer_due(record)
        if due is not None and due <= today:
            return Due(record, DispositionAction.TRANSFER, due)
    return None


def _delete_all(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def disposition_decide(
    *,
    actor: Any,
    record_id: int,
    action: str,
    decision_ref: str,
    reason: str = "",
    review_on: datetime.date | None = None,
) -> Disposition:
    """Decide on a record the disposition list shows as due: destroy it (a leader: the stored
    files are deleted, the record's metadata and hashes stay), transfer it to the archive (the
    bag, as :func:`record_transfer`), or keep it until ``review_on``. ``decision_ref`` names the
    decision (e.g. «Quyết định số 15/QĐ-UBND ngày 10/01/2027»)."""

    def run(stored: StoredFiles) -> Disposition:
        if action not in DispositionAction.values:
            raise DomainError("invalid_field", "Quyết định không hợp lệ.", field="action")
        record = _locked_record(record_id)
        roles = (Role.LEADER,) if action == DispositionAction.DESTROY else (Role.CLERK, Role.LEADER)
        _require_role(actor, record.agency_id, roles, "quyết định xử lý hồ sơ")
        today = timezone.localdate()
        due = due_for(record, today)
        if due is None or action not in (DispositionAction.KEEP, due.action):
            raise Conflict(
                "not_due",
                f"Hồ sơ {record.code} chưa đến hạn {DispositionAction(action).label.lower()}.",
                field="action",
            )
        if not decision_ref.strip():
            raise DomainError(
                "decision_required",
                "Ghi căn cứ quyết định (số, ngày quyết định của người đứng đầu cơ quan).",
                field="decision_ref",
            )
        if action == DispositionAction.KEEP and (review_on is None or review_on <= today):
            raise DomainError(
                "invalid_field",
                "Giữ lại hồ sơ: ghi ngày xem xét lại (sau hôm nay).",
                field="review_on",
            )
        disposition = Disposition.objects.create(
            record=record,
            action=action,
            decision_ref=decision_ref.strip(),
            reason=reason.strip(),
            review_on=review_on if action == DispositionAction.KEEP else None,
            decided_by=actor,
        )
        if action == DispositionAction.TRANSFER:
            _transfer(actor, record, stored)
        elif action == DispositionAction.DESTROY:
            now = timezone.now()
            doomed: list[str] = []
            for row in RecordFile.objects.filter(item__record=record, deleted_at__isnull=True):
                if row.file:
                    doomed.append(row.file.name)
                row.file = ""
                row.deleted_at = now
                row.save(update_fields=["file", "deleted_at"])
            for transfer in record.transfers.all():
                doomed.append(transfer.file.name)
            record.state = RecordState.DISPOSED
            record.disposed_at = now
            record.save(update_fields=["state", "disposed_at", "updated_at"])
            # The files go only once the decision is committed.
            transaction.on_commit(lambda: _delete_all(doomed))
        _audit(
            actor,
            "disposition.decide",
            record,
            state=record.state,
            decision=action,
            decision_ref=disposition.decision_ref,
            due_on=due.due_on.isoformat(),
        )
        return disposition

    return _run(actor, "disposition.decide", _peek(record_id), run, decision=action)


# --- Fixity -------------------------------------------------------------------------------------


@dataclass
class FixityReport:
    checked: int = 0
    mismatches: list[dict[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches


def _hash_stored(name: str) -> str | None:
    if not name or not default_storage.exists(name):
        return None
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fixity_check(*, actor: Any = None) -> FixityReport:
    """Re-hash every file in the record store (record copies and bags) against the SHA-256
    written when it was stored; mark each row and audit each mismatch and the run."""
    report = FixityReport()
    now = timezone.now()
    rows: list[tuple[models.Model, str, str, str]] = [
        (row, row.file.name, row.sha256, f"{row.item.record.code}/{row.name}")
        for row in RecordFile.objects.filter(deleted_at__isnull=True).select_related("item__record")
    ]
    rows += [
        (transfer, transfer.file.name, transfer.sha256, f"{transfer.record.code}/{transfer.name}")
        for transfer in Transfer.objects.filter(record__disposed_at__isnull=True).select_related(
            "record"
        )
    ]
    for row, name, expected, label in rows:
        actual = _hash_stored(name)
        report.checked += 1
        intact = actual == expected
        with transaction.atomic():
            type(row)._default_manager.filter(pk=row.pk).update(checked_at=now, intact=intact)
            if not intact:
                problem = "missing" if actual is None else "mismatch"
                report.mismatches.append(
                    {
                        "file": label,
                        "problem": problem,
                        "expected": expected,
                        "actual": actual or "",
                    }
                )
                audit(
                    actor=actor,
                    action="records.fixity.mismatch",
                    target=row,
                    after={
                        "file": label,
                        "problem": problem,
                        "expected": expected,
                        "actual": actual or "",
                    },
                )
    audit(
        actor=actor,
        action="records.fixity.run",
        after={"checked": report.checked, "mismatches": len(report.mismatches)},
    )
    return report
