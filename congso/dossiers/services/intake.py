"""Creating dossiers: online submission and reception in person (or by post) at the desk."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from congso.calendar.engine import WorkCalendar
from congso.catalog import cache as catalog_cache
from congso.catalog import selectors as catalog
from congso.catalog.formschema import optional_online, validate_data
from congso.catalog.models import Component, Procedure, ProcedureVersion, Process
from congso.core.errors import DomainError, PermissionDenied
from congso.core.types import Actor
from congso.dossiers import applicant as applicant_rules
from congso.dossiers import attachments, codes
from congso.dossiers.models import Attachment, Channel, Dossier, DossierComponent
from congso.dossiers.permissions import is_reception_at
from congso.dossiers.services._kernel import (
    _log,
    _now,
    _require_user,
    _signed_in,
    _text,
    calendar_for,
)
from congso.dossiers.services.plan import _processing_bounds, plan_of
from congso.dossiers.services.steps import _record_done_group, _start_clock
from congso.dossiers.workflow import Status
from congso.org.models import Agency, Citizen, Desk, Organisation

# --- Creating dossiers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Applicant:
    citizen: Citizen | None
    organisation: Organisation | None
    name: str
    id_number: str
    address: str
    phone: str
    email: str


def _applicant(citizen: Citizen | None, organisation: Organisation | None) -> _Applicant:
    if organisation is not None:
        return _Applicant(
            citizen=None,
            organisation=organisation,
            name=organisation.name,
            id_number=organisation.tax_code,
            address=organisation.address,
            phone=organisation.phone,
            email=organisation.email,
        )
    if citizen is None:
        raise DomainError(
            "applicant_required", "Cần chọn công dân hoặc tổ chức nộp hồ sơ.", field="applicant"
        )
    return _Applicant(
        citizen=citizen,
        organisation=None,
        name=citizen.full_name,
        id_number=citizen.personal_id,
        address=citizen.address,
        phone=citizen.phone,
        email=citizen.email,
    )


def _form_contact(schema: Mapping[str, Any], cleaned: Mapping[str, Any], kind: str) -> str:
    """The first phone (``kind`` "phone") or e-mail address filled in the form."""
    for spec in schema.get("fields") or ():
        value = cleaned.get(spec.get("name"))
        if spec.get("type") == kind and isinstance(value, str) and value:
            return value
    return ""


def _with_contact(
    applicant: _Applicant,
    version: ProcedureVersion,
    cleaned: Mapping[str, Any],
    *,
    phone: str = "",
    email: str = "",
) -> _Applicant:
    """The dossier's contact: the phone / e-mail given for this dossier (at the counter, then
    in the form) before the applicant's profile. Notifications go there."""
    schema = version.form_schema or {}
    return replace(
        applicant,
        phone=(phone.strip() or _form_contact(schema, cleaned, "phone") or applicant.phone)[:20],
        email=email.strip() or _form_contact(schema, cleaned, "email") or applicant.email,
    )


def _version_in_force(procedure: Procedure) -> ProcedureVersion:
    """The version in force today (``procedure_not_in_force`` from the catalogue otherwise)."""
    return catalog.current_version(procedure)


def _process(version: ProcedureVersion, agency: Agency) -> Process | None:
    """The agency's internal process for the version, or None (the fallback plan is used)."""
    try:
        return catalog.process_for(version, agency)
    except DomainError as exc:
        if exc.code == "no_process":
            return None
        raise


def _check_channel(version: ProcedureVersion, channel: str) -> None:
    wanted = {"online": "online", "in_person": "direct", "postal": "postal"}[channel]
    offered = list(version.submission_channels or [])
    refused = (offered and wanted not in offered) or (
        channel == Channel.ONLINE and version.online_level == "none"
    )
    if refused:
        raise DomainError(
            "channel_not_offered",
            f"Thủ tục này không nhận hồ sơ theo hình thức «{Channel(channel).label}».",
            field="channel",
        )


def _check_desk(desk: Desk, agency: Agency) -> None:
    if not desk.active or not desk.serves.filter(pk=agency.pk).exists():
        raise DomainError(
            "desk_not_serving",
            f"«{desk.name}» không tiếp nhận hồ sơ cho {agency.name}.",
            field="desk",
        )


def default_desk(agency: Agency) -> Desk:
    """The desk an online dossier goes to when the applicant picks none: an active desk serving
    the competent agency, preferring the agency's own desk, then the oldest."""
    desks = list(
        Desk.objects.filter(serves=agency, active=True).select_related("agency").order_by("pk")
    )
    if not desks:
        raise DomainError(
            "no_desk",
            f"Chưa có Bộ phận Một cửa nào tiếp nhận hồ sơ cho {agency.name}.",
            field="desk",
        )
    own = [desk for desk in desks if desk.agency_id == agency.pk]
    return (own or desks)[0]


def _check_agency(agency: Agency) -> None:
    if not agency.active:
        raise DomainError(
            "agency_inactive", f"{agency.name} không còn hoạt động.", field="competent_agency"
        )


def _validate_form(
    version: ProcedureVersion,
    data: Mapping[str, Any],
    checked: Mapping[str, list[dict[str, Any]]],
    previous: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The form data cleaned by the catalogue's form schema. File fields of the form are bound
    to component codes; they get the files' sniffed types and real sizes, not the client's (on
    a supplement, a file field without a new upload keeps the files it had)."""
    schema = version.form_schema or {}
    form_files: dict[str, list[Any]] = {}
    for spec in schema.get("fields") or []:
        if spec.get("type") != "file":
            continue
        if checked.get(spec.get("component")):
            form_files[spec["name"]] = checked[spec["component"]]
        elif previous and previous.get(spec["name"]):
            form_files[spec["name"]] = list(previous[spec["name"]])
    return dict(validate_data(schema, dict(data), files=form_files))


def _precheck(
    slots: Mapping[str, Component | DossierComponent], files: Mapping[str, Sequence[Any]]
) -> dict[str, list[dict[str, Any]]]:
    """Check every upload against its slot before anything is written; return, per component
    code, the ``{name, size, content_type}`` the form validation reads."""
    result: dict[str, list[dict[str, Any]]] = {}
    for code, uploads in files.items():
        slot = slots[code]
        items = []
        for upload in uploads:
            checked = attachments.check_for_slot(upload, slot)
            items.append(
                {"name": checked.name, "size": checked.size, "content_type": checked.mime_type}
            )
        result[code] = items
    return result


def _slots(version: ProcedureVersion) -> list[Component]:
    return list(version.components.order_by("order"))


class _Unread:
    """Marks an argument the caller has not read (``None`` is a meaningful value)."""


UNREAD = _Unread()


def _check_files(
    slots: list[Component],
    files: Mapping[str, Sequence[Any]],
    *,
    paper: set[str] | None,
) -> None:
    known = {slot.code for slot in slots}
    for code in files:
        if code not in known:
            raise DomainError(
                "unknown_component",
                f"Thủ tục không có thành phần hồ sơ mã «{code}».",
                field=f"files.{code}",
            )
    for slot in slots:
        present = bool(files.get(slot.code)) or (paper is not None and slot.code in paper)
        if slot.mandatory and not present:
            raise DomainError(
                "component_missing",
                f"Thiếu thành phần hồ sơ bắt buộc «{slot.name}».",
                field=f"files.{slot.code}",
            )


def _create(
    *,
    actor: Actor,
    version: ProcedureVersion,
    competent_agency: Agency,
    desk: Desk,
    applicant: _Applicant,
    channel: str,
    form_data: dict[str, Any],
    files: Mapping[str, Sequence[Any]],
    submitted_by: Any,
    now: datetime,
    stored: attachments.StoredFiles,
    slots: list[Component] | None = None,
    process: Process | None | _Unread = UNREAD,
) -> tuple[Dossier, list[Component], dict[str, DossierComponent], dict[int, list[Attachment]]]:
    """Insert the dossier, its component slots and its attachments. ``slots`` and ``process``:
    the version's components and the agency's process when the caller has read them already.

    The dossier gets a provisional code here; the caller gives it its number with
    :func:`_give_code` just before its history and audit entry, the end of the transaction (the
    agency's counter row stays locked from then until commit, issue 22)."""
    pending = codes.prepare(now)
    if isinstance(process, _Unread):
        process = _process(version, competent_agency)
    dossier = Dossier.objects.create(
        code=codes.provisional(),
        code_rule=pending.rule,
        procedure_version=version,
        process=process,
        channel=channel,
        status=Status.SUBMITTED,
        applicant_citizen=applicant.citizen,
        applicant_organisation=applicant.organisation,
        applicant_name=applicant.name,
        applicant_id_number=applicant.id_number,
        applicant_address=applicant.address,
        applicant_phone=applicant.phone,
        applicant_email=applicant.email,
        submitted_by=submitted_by,
        desk=desk,
        receiving_agency=desk.agency,
        competent_agency=competent_agency,
        form_data=form_data,
        submitted_at=now,
    )
    if slots is None:
        slots = _slots(version)
    created = DossierComponent.objects.bulk_create(
        DossierComponent(
            dossier=dossier,
            component=slot,
            code=slot.code,
            name=slot.name[:500],
            mandatory=slot.mandatory,
            allowed_types=list(slot.allowed_types or []),
            max_size_bytes=slot.max_size_bytes,
        )
        for slot in slots
    )
    by_code = {component.code: component for component in created}
    files_of: dict[int, list[Attachment]] = {}
    for slot_code, uploads in files.items():
        for number, upload in enumerate(uploads, start=1):
            item = attachments.store(
                by_code[slot_code], upload, actor=actor, stored=stored, version=number
            )
            files_of.setdefault(item.component_id, []).append(item)
    dossier._pending_code = pending  # type: ignore[attr-defined]
    return dossier, slots, by_code, files_of


def _give_code(dossier: Dossier, desk: Desk, *, save: bool) -> None:
    """Take the dossier's number from its desk agency's counter (locked until commit) and set
    its code; ``save``: write it at once (else the caller's next save writes it)."""
    pending: codes.Pending = dossier._pending_code  # type: ignore[attr-defined]
    dossier.code = codes.issue(pending, agency_code=desk.agency.code)
    if save:
        Dossier.objects.filter(pk=dossier.pk).update(code=dossier.code)


def created_parts(dossier: Dossier) -> tuple[list[DossierComponent], dict[int, list[Attachment]]]:
    """The component slots and attachments of a dossier :func:`dossier_submit_online` has just
    created, as written (slot order; attachments by slot id, in version order), so the answer
    need not read them back; ``([], {})`` for any other dossier instance."""
    return getattr(dossier, "_created_parts", ([], {}))


def dossier_submit_online(
    *,
    actor: Actor,
    procedure: Procedure,
    competent_agency: Agency,
    form_data: Mapping[str, Any],
    files: Mapping[str, Sequence[Any]],
    desk: Desk | None = None,
    organisation: Organisation | None = None,
    on_behalf: applicant_rules.OnBehalf | None = None,
) -> Dossier:
    """An applicant submits online (status 1, awaiting reception).

    The applicant is the actor's citizen profile, or ``organisation`` when the actor is one of
    its current representatives; ``on_behalf`` declares that the citizen submits for another
    person (``congso.dossiers.applicant``: who may claim what, the identity fields tied to the
    account, the proof). The dossier gets its code now, from the receiving desk's agency
    identifier and today's date: the desk the applicant chose (it must serve the competent
    agency) or :func:`default_desk`.
    """
    _require_user(actor, "submit")
    citizen = Citizen.objects.filter(user_id=_signed_in(actor).pk).first()
    # Who the dossier is for, checked before any write (issue 13 #4: acting for others).
    claim = applicant_rules.claim_for(
        actor=actor,
        citizen=citizen,
        procedure=procedure,
        organisation=organisation,
        on_behalf=on_behalf,
    )
    applicant = _applicant(citizen if organisation is None else None, organisation)
    _check_agency(competent_agency)
    catalogue = catalog_cache.snapshot()
    version = catalogue.version_in_force(procedure, timezone.localdate())
    _check_channel(version, Channel.ONLINE)
    if desk is None:
        chosen = default_desk(competent_agency)  # active and serving the agency already
    else:
        chosen = desk
        _check_desk(chosen, competent_agency)
    slots = catalogue.components(version)
    # Online, the components the form does not ask for (paper only, shown at the desk, replaced
    # by the online form) or asks for only in some cases are not missing.
    _check_files(slots, files, paper=optional_online(version.form_schema or {}))
    checked = _precheck({slot.code: slot for slot in slots}, files)
    cleaned = _validate_form(version, form_data, checked)
    # The identity fields are tied to the account (or to the person acted for); the proof.
    cleaned = applicant_rules.bind(claim, version.form_schema or {}, cleaned)
    applicant_rules.check_proof(claim)
    applicant = _with_contact(applicant, version, cleaned)
    stored = attachments.StoredFiles()
    try:
        with transaction.atomic():
            now = _now()
            dossier, _slots_created, by_code, files_of = _create(
                actor=actor,
                version=version,
                competent_agency=competent_agency,
                desk=chosen,
                applicant=applicant,
                channel=Channel.ONLINE,
                form_data=cleaned,
                files=files,
                submitted_by=actor,
                now=now,
                stored=stored,
                slots=slots,
                process=catalogue.process(version, competent_agency),
            )
            # The declaration of acting for someone else (and its proof's slot and files).
            applicant_rules.record_declaration(
                claim,
                dossier=dossier,
                actor=actor,
                stored=stored,
                now=now,
                by_code=by_code,
                files_of=files_of,
            )
            # The number last: history, outbox event and audit entry name the code.
            _give_code(dossier, chosen, save=True)
            _log(
                actor=actor,
                dossier=dossier,
                action="submit",
                from_status="",
                before=None,
                now=now,
                agency_id=chosen.agency_id,
                data=applicant_rules.history_data(claim),
            )
    except BaseException:
        stored.discard()
        raise
    dossier._created_parts = (list(by_code.values()), files_of)  # type: ignore[attr-defined]
    return dossier


def dossier_receive_in_person(
    *,
    actor: Actor,
    procedure: Procedure,
    competent_agency: Agency,
    desk: Desk,
    form_data: Mapping[str, Any],
    files: Mapping[str, Sequence[Any]],
    citizen: Citizen | None = None,
    organisation: Organisation | None = None,
    channel: str = Channel.IN_PERSON,
    paper_components: Iterable[str] | None = None,
    note: str = "",
    contact_phone: str = "",
    contact_email: str = "",
) -> Dossier:
    """A reception officer enters a dossier handed in at the desk or arrived by post: it is
    received at once (status 2, form 01) with its code and appointment.

    ``contact_phone`` / ``contact_email``: the contact the applicant gave at the desk; with the
    form's, they come before the applicant's profile (notifications go there).

    ``files`` are the scans made at the desk (those components are marked digitised);
    ``paper_components`` the component codes received on paper (default: every component with
    a scan, plus every mandatory one). Every mandatory component must be on paper or scanned.
    """
    _require_user(actor, "receive")
    if channel not in (Channel.IN_PERSON, Channel.POSTAL):
        raise DomainError(
            "invalid_channel",
            "Hồ sơ nhập tại quầy chỉ có hình thức trực tiếp hoặc qua bưu chính.",
            field="channel",
        )
    if not is_reception_at(actor, desk):
        raise PermissionDenied(
            "not_reception_officer", f"Bạn không phải cán bộ tiếp nhận của «{desk.name}»."
        )
    applicant = _applicant(citizen, organisation)
    _check_agency(competent_agency)
    _check_desk(desk, competent_agency)
    version = _version_in_force(procedure)
    _check_channel(version, channel)
    slots = _slots(version)
    if paper_components is None:
        paper = {slot.code for slot in slots if slot.mandatory or files.get(slot.code)}
    else:
        paper = set(paper_components)
        unknown = paper - {slot.code for slot in slots}
        if unknown:
            raise DomainError(
                "unknown_component",
                f"Thủ tục không có thành phần hồ sơ mã «{sorted(unknown)[0]}».",
                field="paper_components",
            )
    _check_files(slots, files, paper=paper)
    checked = _precheck({slot.code: slot for slot in slots}, files)
    cleaned = _validate_form(version, form_data, checked)
    applicant = _with_contact(applicant, version, cleaned, phone=contact_phone, email=contact_email)
    text = _text(note, field="note", label="ghi chú")
    stored = attachments.StoredFiles()
    try:
        with transaction.atomic():
            now = _now()
            dossier, _slots_created, by_code, _files_of = _create(
                actor=actor,
                version=version,
                competent_agency=competent_agency,
                desk=desk,
                applicant=applicant,
                channel=channel,
                form_data=cleaned,
                files=files,
                submitted_by=None,
                now=now,
                stored=stored,
            )
            for slot_code, component in by_code.items():
                component.paper_received = slot_code in paper
                if files.get(slot_code):
                    component.digitised = True
                    component.digitised_by = _signed_in(actor)
                    component.digitised_at = now
                component.save()
            calendar = calendar_for(competent_agency)
            _mark_received(dossier, actor=actor, now=now, calendar=calendar, note=text)
            _give_code(dossier, desk, save=False)  # the number last, written by the save below
            dossier.save()  # created in this transaction: still version 1, like its history
            _log(
                actor=actor,
                dossier=dossier,
                action="receive",
                from_status="",
                before=None,
                now=now,
                note=text,
                agency_id=desk.agency_id,
                data={"channel": channel, "paper_components": sorted(paper)},
            )
    except BaseException:
        stored.discard()
        raise
    return dossier


def _mark_received(
    dossier: Dossier, *, actor: Actor, now: datetime, calendar: WorkCalendar, note: str
) -> None:
    dossier.status = Status.RECEIVED
    dossier.received_at = now
    dossier.received_by = _signed_in(actor)
    _start_clock(dossier, now=now, calendar=calendar)
    dossier.initial_appointment_at = dossier.appointment_at
    plan = plan_of(dossier, calendar)
    start, _end = _processing_bounds(plan)
    started = dossier.submitted_at if dossier.channel == Channel.ONLINE else now
    for group in plan[:start]:
        _record_done_group(
            dossier, group, started_at=started, now=now, actor=actor, calendar=calendar, note=note
        )
