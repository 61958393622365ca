"""Liên thông between congso instances (another province's office, a higher agency's system):
the dossier's own side of a transfer. The package, its signature and the messages over the
LGSP are ``congso.integration.transfers``'s; these functions are the dossier's writes, each in
the caller's transaction (the integration records its transfer rows beside them).

On the sending side (A):

* :func:`dossier_transfer_out` — an officer sends the dossier to another system: state
  ``transferred`` (national status 4, still processing); the running step ends; A's legal due
  time and appointment do not move (the applicant's promise stays A's);
* :func:`dossier_transfer_progress` — the other side says it received or is processing it (a
  history line, no state change);
* :func:`dossier_transfer_result` — its result came back: ``processed`` (9), classified
  against A's due time; the desk returns it to the applicant with ``return_result``;
* :func:`dossier_transfer_back` — it was sent back with a reason: ``received`` again, the desk
  decides (process it here, refuse it, transfer it elsewhere).

On the receiving side (B):

* :func:`dossier_receive_transferred` — a local dossier for the incoming package: received at
  once at a desk of the destination agency, its own time limit from B's catalogue counted from
  this reception on B's calendar (docs/integration.md, "Deadlines");
* :func:`dossier_transfer_hand_back` — B's result went back to the origin: ``returned``.

The system's actions (``actor=None``) are :data:`~congso.dossiers.workflow.SYSTEM_TRANSITIONS`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction

from congso.catalog.models import Procedure
from congso.core.errors import Conflict, DomainError, PermissionDenied
from congso.core.types import Actor
from congso.dossiers import attachments
from congso.dossiers.models import Channel, Dossier, DossierStep, StepKind, StepStatus
from congso.dossiers.permissions import LEADER, holds_role, is_reception_officer
from congso.dossiers.services._kernel import _log, _now, _reason, _text, calendar_for, transition
from congso.dossiers.services.intake import (
    _applicant,
    _check_agency,
    _create,
    _give_code,
    _version_in_force,
    default_desk,
)
from congso.dossiers.services.plan import _processing_bounds, plan_of
from congso.dossiers.services.steps import (
    _choose_step,
    _end_processing,
    _end_step,
    _open_consultations,
    _record_done_group,
    _stage_active,
    _start_clock,
)
from congso.dossiers.workflow import Status
from congso.org import services as org_services
from congso.org.models import Agency, Citizen, Organisation


def dossier_transfer_out(
    *,
    actor: Actor,
    dossier: Dossier,
    reason: str,
    destination: str,
    step_id: int | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Send the dossier to another system for its decision (``destination``: how the partner
    and its agency are named in the history). A received dossier: the desk or a leader of the
    competent agency; in processing: the holder of the current step (or that leader), once no
    parallel step or consultation is open."""
    with transition(actor, dossier, "transfer_out", expected_version) as t:
        d, now = t.dossier, t.now
        leader = holds_role(actor, (LEADER,), d.competent_agency_id)
        step: DossierStep | None = None
        if d.status == Status.PROCESSING:
            if leader:
                actives = list(
                    d.steps.filter(status=StepStatus.ACTIVE, parent__isnull=True).exclude(
                        kind=StepKind.CONSULTATION
                    )
                )
                step = actives[0] if len(actives) == 1 and step_id is None else None
            if step is None:
                step = _choose_step(actor, d, step_id, kinds=(StepKind.STEP,))
            if _stage_active(d, exclude=step) or _open_consultations(d):
                raise Conflict(
                    "steps_open",
                    "Còn bước song song hoặc ý kiến phối hợp chưa xong; chưa chuyển liên thông "
                    "được.",
                )
        elif not is_reception_officer(actor, d) and not leader:
            raise PermissionDenied(
                "not_allowed",
                "Chỉ cán bộ tiếp nhận hoặc lãnh đạo cơ quan có thẩm quyền được chuyển liên thông "
                "hồ sơ đã tiếp nhận.",
            )
        text = _reason(t.rule, reason)
        where = _text(destination, field="destination", label="nơi nhận", required=True)
        if step is not None:
            calendar = calendar_for(d.competent_agency)
            _end_step(
                step, status=StepStatus.DONE, actor=actor, now=now, calendar=calendar, note=text
            )
        d.status = Status.TRANSFERRED
        t.step, t.note = step, f"Chuyển liên thông đến {where}: {text}"
        t.data = {"destination": where}
    return t.dossier


def dossier_transfer_progress(
    *, dossier: Dossier, note: str, data: Mapping[str, Any] | None = None
) -> Dossier:
    """The partner's news (received there, processing there): one history line."""
    with transition(None, dossier, "transfer_progress", None) as t:
        t.note = _text(note, field="note", label="nội dung", required=True)
        t.data = dict(data or {})
        t.agency_id = t.dossier.competent_agency_id
    return t.dossier


def dossier_transfer_result(
    *,
    dossier: Dossier,
    result_summary: str,
    note: str = "",
    data: Mapping[str, Any] | None = None,
) -> Dossier:
    """The partner decided: the result is here (status 9), ready for the desk to return."""
    with transition(None, dossier, "transfer_result", None) as t:
        d, now = t.dossier, t.now
        summary = _text(result_summary, field="result_summary", label="kết quả giải quyết")
        if not any(char.isalnum() for char in summary):
            raise DomainError(
                "result_summary_required",
                "Kết quả liên thông gửi về không có nội dung kết quả giải quyết.",
                field="result_summary",
            )
        d.status = Status.PROCESSED
        d.processed_at = now
        d.result_summary = summary
        _end_processing(d, now=now, calendar=calendar_for(d.competent_agency))
        t.note = _text(note, field="note", label="ghi chú") or summary
        t.outcome, t.due_at, t.data = d.timeliness, d.due_at, dict(data or {})
        t.agency_id = d.competent_agency_id
    return t.dossier


def dossier_transfer_back(
    *, dossier: Dossier, reason: str, data: Mapping[str, Any] | None = None
) -> Dossier:
    """The partner sent the dossier back without deciding it (not competent, cannot take its
    files…): received again here, with the partner's reason; processing starts again from the
    first processing step if the desk hands it over."""
    with transition(None, dossier, "transfer_back", None) as t:
        d = t.dossier
        text = _reason(t.rule, reason)
        d.status = Status.RECEIVED
        d.plan_index = None
        d.outcome_reason = text
        t.note, t.data, t.agency_id = text, dict(data or {}), d.receiving_agency_id
    return t.dossier


def dossier_transfer_hand_back(*, dossier: Dossier, note: str) -> Dossier:
    """B's result reached the origin, which returns it to the applicant: B's copy ends."""
    with transition(None, dossier, "transfer_hand_back", None) as t:
        d = t.dossier
        d.status = Status.RETURNED
        d.returned_at = t.now
        d.return_method = "online"
        t.note = _text(note, field="note", label="ghi chú")
        t.agency_id = d.competent_agency_id
    return t.dossier


def _applicant_for(applicant: Mapping[str, Any], agency: Agency) -> tuple[Any, Any]:
    """The citizen or organisation of the package, found by ID or tax code, else registered
    (by the system, for the destination agency)."""
    kind = str(applicant.get("kind", "citizen"))
    number = str(applicant.get("id_number", "")).strip()
    if kind == "organisation":
        found = Organisation.objects.filter(tax_code=number).first()
        if found is None:
            found = org_services.organisation_create(
                actor=None,
                name=str(applicant.get("name", "")),
                tax_code=number,
                address=str(applicant.get("address", "")),
                phone=str(applicant.get("phone", "")),
                email=str(applicant.get("email", "")),
                agency=agency,
            )
        return None, found
    citizen = Citizen.objects.filter(personal_id=number).first()
    if citizen is None:
        citizen = org_services.citizen_create(
            actor=None,
            full_name=str(applicant.get("name", "")),
            personal_id=number,
            phone=str(applicant.get("phone", "")),
            email=str(applicant.get("email", "")),
            address=str(applicant.get("address", "")),
            agency=agency,
        )
    return citizen, None


def dossier_receive_transferred(
    *,
    procedure_code: str,
    agency_code: str,
    applicant: Mapping[str, Any],
    channel: str,
    form_data: Mapping[str, Any],
    files: Mapping[str, Sequence[Any]],
    note: str,
    data: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> Dossier:
    """Create the local dossier of an incoming transfer (the system receives it, at a desk of
    the destination agency). Refused with a clear code when this instance cannot take it:
    ``transfer_agency_unknown``, ``transfer_procedure_unknown``, a component it does not know
    (``unknown_component``) or a file its rules refuse (the attachments' codes)."""
    agency = Agency.objects.select_related("province").filter(code=agency_code).first()
    if agency is None:
        raise DomainError(
            "transfer_agency_unknown",
            f"Hệ thống nhận không có cơ quan mã {agency_code}.",
            field="agency",
        )
    _check_agency(agency)
    procedure = Procedure.objects.filter(code=procedure_code).first()
    if procedure is None:
        raise DomainError(
            "transfer_procedure_unknown",
            f"Hệ thống nhận không có thủ tục mã {procedure_code} trong danh mục.",
            field="procedure",
        )
    version = _version_in_force(procedure)
    desk = default_desk(agency)
    known = {component.code for component in version.components.all()}
    unknown = sorted(set(files) - known)
    if unknown:
        raise DomainError(
            "unknown_component",
            f"Thủ tục {procedure_code} ở hệ thống nhận không có thành phần hồ sơ mã "
            f"«{unknown[0]}».",
            field="files",
        )
    text = _text(note, field="note", label="ghi chú")
    stored = attachments.StoredFiles()
    try:
        with transaction.atomic():
            citizen, organisation = _applicant_for(applicant, agency)
            now = now or _now()
            dossier, _slots, by_code, _files = _create(
                actor=None,
                version=version,
                competent_agency=agency,
                desk=desk,
                applicant=_applicant(citizen, organisation),
                channel=channel if channel in Channel.values else Channel.IN_PERSON,
                form_data=dict(form_data),
                files=files,
                submitted_by=None,
                now=now,
                stored=stored,
            )
            for slot_code, component in by_code.items():
                if files.get(slot_code):
                    component.paper_received = False
                    component.digitised = True
                    component.digitised_at = now
                    component.save()
            calendar = calendar_for(agency)
            dossier.status = Status.RECEIVED
            dossier.received_at = now
            _start_clock(dossier, now=now, calendar=calendar)
            dossier.initial_appointment_at = dossier.appointment_at
            plan = plan_of(dossier, calendar)
            start, _end = _processing_bounds(plan)
            for group in plan[:start]:
                _record_done_group(
                    dossier,
                    group,
                    started_at=now,
                    now=now,
                    actor=None,
                    calendar=calendar,
                    note=text,
                )
            _give_code(dossier, desk, save=False)
            dossier.save()
            _log(
                actor=None,
                dossier=dossier,
                action="receive_transferred",
                from_status="",
                before=None,
                now=now,
                note=text,
                agency_id=agency.pk,
                data=dict(data or {}),
            )
    except BaseException:
        stored.discard()
        raise
    return dossier
