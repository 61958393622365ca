"""What each form prints, as plain values, and how it is read from a dossier.

The layouts in :mod:`congso.printing.forms` only see the dataclasses here, so they can be
rendered (and tested) without a database; the ``*_context`` functions fill them from a
:class:`~congso.dossiers.models.Dossier` the caller has already fetched through
``Dossier.objects.restrict(user, "view")``.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from congso.core.errors import NotFound
from congso.dossiers import selectors
from congso.dossiers.models import (
    Dossier,
    DossierHistory,
    ReturnMethod,
    StepKind,
    StepStatus,
    SupplementRequest,
)
from congso.dossiers.workflow import TRANSITIONS, Status
from congso.org.permissions import RECEPTION
from congso.printing.layout import Letterhead
from congso.printing.qr import qr_payload

if TYPE_CHECKING:
    from congso.org.models import AdministrativeUnit, Agency, Desk


class FormNotAvailable(NotFound):
    """The dossier has not reached the point where this form exists (no refusal, no apology…)."""

    def __init__(self, message: str):
        super().__init__("form_not_available", message)


# --- Shared values ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Applicant:
    name: str
    id_number: str
    address: str = ""
    phone: str = ""
    email: str = ""
    organisation: bool = False

    @property
    def salutation(self) -> str:
        """How the forms address the applicant."""
        return "Tổ chức" if self.organisation else "Ông/Bà"


@dataclass(frozen=True)
class Subject:
    """The dossier as every form names it."""

    code: str
    procedure_code: str
    procedure_name: str
    applicant: Applicant

    @property
    def qr_payload(self) -> str:
        return qr_payload(
            dossier_code=self.code,
            procedure_code=self.procedure_code,
            applicant_id=self.applicant.id_number,
        )


# --- Form contexts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedComponent:
    name: str
    kind: str  # bản chính / bản sao …
    quantity: int
    note: str = ""


@dataclass(frozen=True)
class ReceiptContext:
    """Mẫu số 01 — Giấy tiếp nhận hồ sơ và hẹn trả kết quả."""

    letterhead: Letterhead
    subject: Subject
    desk_name: str
    components: list[ReceivedComponent]
    time_limit: str
    received_at: datetime.datetime
    appointment_at: datetime.datetime | None
    return_place: str
    officer: str
    book_volume: str = ""
    book_sequence: int | None = None
    sets: int = 1
    lookup_url: str = ""


@dataclass(frozen=True)
class SupplementContext:
    """Mẫu số 02 — Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ."""

    letterhead: Letterhead
    subject: Subject
    items: list[str]
    reason: str
    officer: str
    contact_phone: str = ""


@dataclass(frozen=True)
class RefusalContext:
    """Mẫu số 03 — Phiếu từ chối tiếp nhận giải quyết hồ sơ."""

    letterhead: Letterhead
    subject: Subject
    issuer: str  # the desk (at reception) or the competent agency (after appraisal)
    reasons: list[str]
    officer: str
    signer_title: str = "NGƯỜI TIẾP NHẬN HỒ SƠ"


@dataclass(frozen=True)
class ApologyContext:
    """Mẫu số 04 — Phiếu xin lỗi và hẹn lại ngày trả kết quả."""

    letterhead: Letterhead
    subject: Subject
    agency: str
    received_at: datetime.datetime
    old_appointment: datetime.datetime | None
    new_appointment: datetime.datetime | None
    reason: str
    desk_name: str = ""


@dataclass(frozen=True)
class SlipRow:
    title: str
    unit: str  # agency – department
    officer: str
    received_at: datetime.datetime | None
    due_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    result: str = ""
    note: str = ""


@dataclass(frozen=True)
class HandOver:
    """One line of the control slip: the dossier handed from one holder to the next."""

    giver: str  # unit – officer
    receiver: str
    at: datetime.datetime | None  # the instant of the hand-over (None: not yet)
    result: str = ""  # the giver's step: Trước hạn / Đúng hạn / Quá hạn
    note: str = ""


@dataclass(frozen=True)
class ControlSlipContext:
    """Phiếu kiểm soát quá trình giải quyết hồ sơ (TT 01/2018 Mẫu 05, TT 03/2025 Mẫu 06)."""

    letterhead: Letterhead
    subject: Subject
    competent_agency: str
    cooperating: list[str]
    handovers: list[HandOver]
    appointment_at: datetime.datetime | None = None


@dataclass(frozen=True)
class StopContext:
    """TT 03/2025 Mẫu 05 — Thông báo dừng giải quyết hồ sơ (a stopped dossier)."""

    letterhead: Letterhead
    subject: Subject
    agency: str
    received_at: datetime.datetime
    stopped_at: datetime.datetime
    reasons: list[str]
    desk_name: str = ""


@dataclass(frozen=True)
class BookRow:
    sequence: int
    code: str
    procedure: str
    applicant: str
    address_phone: str
    competent_agency: str
    received_at: datetime.datetime | None
    appointment_at: datetime.datetime | None
    transferred_at: datetime.datetime | None
    processed_at: datetime.datetime | None
    returned_at: datetime.datetime | None
    outcome: str
    note: str = ""
    sets: int = 1


@dataclass(frozen=True)
class TrackingBookContext:
    """Mẫu số 06 — Sổ theo dõi hồ sơ."""

    letterhead: Letterhead
    desk_name: str
    date_from: datetime.date
    date_to: datetime.date
    rows: list[BookRow] = field(default_factory=list)


# --- Reading helpers ------------------------------------------------------------------------------

_UNIT_PREFIXES = (
    "Thành phố ",
    "Tỉnh ",
    "Đặc khu ",
    "Phường ",
    "Thị trấn ",
    "Thị xã ",
    "Huyện ",
    "Quận ",
    "Xã ",
)


def place_name(unit: AdministrativeUnit | None) -> str:
    """The place name (địa danh) of a unit: its name without the kind ('Phường Cẩm Thành' →
    'Cẩm Thành', 'Tỉnh Quảng Ngãi' → 'Quảng Ngãi')."""
    if unit is None:
        return ""
    name = unit.name.strip()
    for prefix in _UNIT_PREFIXES:
        if name.lower().startswith(prefix.lower()):
            return name[len(prefix) :].strip()
    return name


def place_of(agency: Agency) -> str:
    """The place on an agency's documents (ND 30/2020): the commune (or former district) for
    bodies at that level, the province otherwise."""
    unit = agency.unit
    if unit is not None and agency.level in ("commune", "district"):
        return place_name(unit)
    if agency.province is not None:
        return place_name(agency.province)
    if unit is not None:
        return place_name(unit if unit.level == "province" else unit.province or unit)
    return ""


def person(user: Any) -> str:
    """The name an officer signs with (full name, else the user name)."""
    return "" if user is None else str(user)


def local_date(moment: datetime.datetime | None) -> datetime.date:
    return timezone.localdate(moment) if moment is not None else timezone.localdate()


def desk_letterhead(desk: Desk, day: datetime.date, number: str = "") -> Letterhead:
    return Letterhead(
        parent_name=desk.agency.name,
        name=desk.name,
        place=place_of(desk.agency),
        issued_on=day,
        number=number,
    )


def agency_letterhead(agency: Agency, day: datetime.date, number: str = "") -> Letterhead:
    return Letterhead(
        parent_name=agency.parent.name if agency.parent is not None else "",
        name=agency.name,
        place=place_of(agency),
        issued_on=day,
        number=number,
    )


def subject_of(dossier: Dossier) -> Subject:
    procedure = dossier.procedure_version.procedure
    return Subject(
        code=dossier.code,
        procedure_code=procedure.code,
        procedure_name=procedure.name,
        applicant=Applicant(
            name=dossier.applicant_name,
            id_number=dossier.applicant_id_number,
            address=dossier.applicant_address,
            phone=dossier.applicant_phone,
            email=dossier.applicant_email,
            organisation=dossier.applicant_organisation_id is not None,
        ),
    )


def return_place(dossier: Dossier) -> str:
    method = ReturnMethod(dossier.return_method or ReturnMethod.DESK)
    if method == ReturnMethod.DESK:
        desk = dossier.desk
        return f"{desk.name}, {desk.address}" if desk.address else desk.name
    if method == ReturnMethod.POST:
        address = dossier.applicant_address
        return f"{method.label}: {address}" if address else str(method.label)
    return f"{method.label} (Cổng Dịch vụ công)"


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def book_position(dossier: Dossier) -> tuple[str, int | None]:
    """The dossier's place in its desk's tracking book: the volume (one a year, TT 01/2018
    art. 10.2.a) and its sequence in that year, ordered by reception time."""
    if dossier.received_at is None:
        return "", None
    received = timezone.localtime(dossier.received_at)
    year_start = _day_start(datetime.date(received.year, 1, 1))
    earlier = Dossier.objects.filter(
        Q(received_at__lt=dossier.received_at)
        | Q(received_at=dossier.received_at, pk__lte=dossier.pk),
        desk_id=dossier.desk_id,
        received_at__gte=year_start,
    ).count()
    return str(received.year), earlier


def _reason_lines(text: str) -> list[str]:
    lines = [line.strip(" -•\t") for line in text.splitlines()]
    return [line for line in lines if line]


# --- Form 01 ----------------------------------------------------------------------------------


def receipt_context(dossier: Dossier, *, number: str = "", lookup_url: str = "") -> ReceiptContext:
    if dossier.received_at is None:
        raise FormNotAvailable("Hồ sơ chưa được tiếp nhận nên chưa có giấy tiếp nhận.")
    components: list[ReceivedComponent] = []
    rows = dossier.components.select_related("component").annotate(files=Count("attachments"))
    for row in rows:
        files = int(getattr(row, "files", 0))
        if not (row.paper_received or files):
            continue
        catalog = row.component
        notes = []
        if row.paper_received:
            notes.append("Bản giấy")
        if files:
            notes.append("Tệp điện tử")
        if row.digitised:
            notes.append("Đã số hóa")
        components.append(
            ReceivedComponent(
                name=row.name,
                kind=catalog.get_original_or_copy_display() if catalog is not None else "",
                quantity=catalog.quantity if catalog is not None else 1,
                note=", ".join(notes),
            )
        )
    volume, sequence = book_position(dossier)
    return ReceiptContext(
        letterhead=desk_letterhead(dossier.desk, local_date(dossier.received_at), number),
        subject=subject_of(dossier),
        desk_name=dossier.desk.name,
        components=components,
        time_limit=dossier.procedure_version.time_limit_label,
        received_at=dossier.received_at,
        appointment_at=dossier.initial_appointment_at or dossier.appointment_at,
        return_place=return_place(dossier),
        officer=person(dossier.received_by),
        book_volume=volume,
        book_sequence=sequence,
        lookup_url=lookup_url,
    )


# --- Form 02 ----------------------------------------------------------------------------------


def _item_line(item: Any) -> str:
    if isinstance(item, Mapping):
        label = str(item.get("label") or item.get("component") or item.get("field") or "")
        note = str(item.get("note") or "").strip()
        return f"{label}: {note}" if label and note else (label or note)
    return str(item)


def supplement_context(
    dossier: Dossier, *, supplement_id: int | None = None, number: str = ""
) -> SupplementContext:
    requests = dossier.supplements.select_related("requested_by").order_by("-requested_at", "-pk")
    request: SupplementRequest | None = (
        requests.filter(pk=supplement_id).first() if supplement_id is not None else requests.first()
    )
    if request is None:
        raise FormNotAvailable("Hồ sơ không có yêu cầu bổ sung, hoàn thiện nào.")
    day = local_date(request.requested_at)
    if request.phase == SupplementRequest.Phase.APPRAISAL:
        letterhead = agency_letterhead(dossier.competent_agency, day, number)
    else:
        letterhead = desk_letterhead(dossier.desk, day, number)
    items = [line for line in (_item_line(item) for item in request.items or []) if line]
    return SupplementContext(
        letterhead=letterhead,
        subject=subject_of(dossier),
        items=items,
        reason=request.reason,
        officer=person(request.requested_by),
        contact_phone=dossier.desk.phone,
    )


# --- Form 03 ----------------------------------------------------------------------------------

REFUSALS = frozenset({"not_accept", "refuse"})


def _refusal_event(dossier: Dossier, actions: frozenset[str]) -> Any:
    return next((h for h in reversed(selectors.history_of(dossier)) if h.action in actions), None)


def refusal_context(
    dossier: Dossier, *, number: str = "", reception_only: bool = False
) -> RefusalContext:
    """Form 03. With ``reception_only`` (TT 03/2025, where a dossier stopped after appraisal
    gets the stop notice, Mẫu 05) only a refusal at reception has one."""
    refusal = _refusal_event(dossier, REFUSALS)
    if refusal is None or dossier.state not in (Status.NOT_ACCEPTED, Status.STOPPED):
        raise FormNotAvailable("Hồ sơ không bị từ chối tiếp nhận hay từ chối giải quyết.")
    if reception_only and refusal.action != "not_accept":
        raise FormNotAvailable(
            "Hồ sơ bị dừng giải quyết sau khi thẩm định: in Thông báo dừng giải quyết hồ sơ."
        )
    day = local_date(refusal.at)
    reasons = _reason_lines(dossier.outcome_reason or refusal.note)
    officer = refusal.actor_label or person(refusal.actor)
    if refusal.action == "not_accept":
        return RefusalContext(
            letterhead=desk_letterhead(dossier.desk, day, number),
            subject=subject_of(dossier),
            issuer=dossier.desk.name,
            reasons=reasons,
            officer=officer,
        )
    return RefusalContext(
        letterhead=agency_letterhead(dossier.competent_agency, day, number),
        subject=subject_of(dossier),
        issuer=dossier.competent_agency.name,
        reasons=reasons,
        officer=officer,
        signer_title="NGƯỜI XEM XÉT HỒ SƠ",
    )


def stop_context(dossier: Dossier, *, number: str = "") -> StopContext:
    """TT 03/2025 Mẫu 05: the competent body stopped handling the dossier (status stopped)."""
    stop = _refusal_event(dossier, frozenset({"refuse"}))
    if stop is None or dossier.state != Status.STOPPED or dossier.received_at is None:
        raise FormNotAvailable("Hồ sơ không bị dừng giải quyết.")
    return StopContext(
        letterhead=agency_letterhead(dossier.competent_agency, local_date(stop.at), number),
        subject=subject_of(dossier),
        agency=dossier.competent_agency.name,
        received_at=dossier.received_at,
        stopped_at=stop.at,
        reasons=_reason_lines(dossier.outcome_reason or stop.note),
        desk_name=dossier.desk.name,
    )


# --- Form 04 ----------------------------------------------------------------------------------


def apology_context(dossier: Dossier, *, number: str = "") -> ApologyContext:
    if dossier.apology_at is None or dossier.received_at is None:
        raise FormNotAvailable("Hồ sơ chưa có phiếu xin lỗi và hẹn lại ngày trả kết quả.")
    return ApologyContext(
        letterhead=agency_letterhead(
            dossier.competent_agency, local_date(dossier.apology_at), number
        ),
        subject=subject_of(dossier),
        agency=dossier.competent_agency.name,
        received_at=dossier.received_at,
        old_appointment=dossier.rescheduled_from or dossier.initial_appointment_at,
        new_appointment=dossier.appointment_at,
        reason=dossier.apology_reason,
        desk_name=dossier.desk.name,
    )


# --- Form 05 ----------------------------------------------------------------------------------

#: History actions shown as lines of their own on the control slip (the steps themselves come
#: from the step rows).
SLIP_EVENTS = frozenset(
    {
        "not_accept",
        "request_supplement",
        "supplement",
        "resubmit",
        "request_payment",
        "confirm_payment",
        "apologise",
        "refuse",
        "request_withdrawal",
        "confirm_withdrawal",
        "decline_withdrawal",
    }
)


def _unit(agency: Any, department: Any = None) -> str:
    names = [agency.name] if agency is not None else []
    if department is not None:
        names.append(department.name)
    return " – ".join(names)


def _users_by_id(ids: set[int]) -> dict[int, Any]:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.in_bulk(ids) if ids else {}


def control_slip_context(dossier: Dossier, *, number: str = "") -> ControlSlipContext:
    """Every step run (reception, processing, consultations, inter-agency steps, return) with
    its unit, officer and times, and the events between them (supplement requests, payment,
    apology, refusal), in time order."""
    if dossier.received_at is None:
        raise FormNotAvailable(
            "Hồ sơ chưa được tiếp nhận nên chưa có phiếu kiểm soát quá trình giải quyết."
        )
    history = selectors.history_of(dossier)
    steps = selectors.steps_of(dossier)
    finishers = _users_by_id({s.ended_by_id for s in steps if s.ended_by_id is not None})
    transferred = next((h.at for h in history if h.action == "start_processing"), None)
    desk_unit = f"{dossier.desk.agency.name} – {dossier.desk.name}"
    rows: list[SlipRow] = []
    if not any(s.role == RECEPTION and s.started_at <= dossier.received_at for s in steps):
        rows.append(
            SlipRow(
                title="Tiếp nhận hồ sơ",
                unit=desk_unit,
                officer=person(dossier.received_by),
                received_at=dossier.received_at,
                due_at=None,
                finished_at=transferred,
                note="Đã chuyển cơ quan giải quyết" if transferred else "",
            )
        )
    cooperating: list[str] = []
    for step in steps:
        if step.agency_id != dossier.competent_agency_id and step.agency.name not in cooperating:
            cooperating.append(step.agency.name)
        title = step.name
        if step.kind != StepKind.STEP:
            title = f"{step.name} ({step.get_kind_display().lower()})"
        note = step.note
        if step.status != StepStatus.DONE:
            status = step.get_status_display()
            note = f"{status}. {note}" if note else status
        officer = finishers.get(step.ended_by_id) if step.ended_by_id else step.assignee
        rows.append(
            SlipRow(
                title=title,
                unit=_unit(step.agency, step.department),
                officer=person(officer),
                received_at=step.started_at,
                due_at=step.due_at,
                finished_at=step.ended_at,
                result=step.get_timeliness_display() if step.timeliness else "",
                note=note,
            )
        )
    events: list[SlipRow] = []
    for event in history:
        if event.action not in SLIP_EVENTS:
            continue
        transition = TRANSITIONS.get(event.action)
        events.append(
            SlipRow(
                title=transition.label_vi if transition else event.action,
                unit=_unit(event.agency) if event.agency is not None else "",
                officer=event.actor_label or person(event.actor),
                received_at=event.at,
                due_at=None,
                finished_at=None,
                note=event.note,
            )
        )
    processed = dossier.processed_at
    if processed is not None and not any(
        s.role == RECEPTION and s.started_at >= processed for s in steps
    ):
        returned_by = next(
            (h.actor_label or person(h.actor) for h in history if h.action == "return_result"),
            "",
        )
        rows.append(
            SlipRow(
                title="Trả kết quả",
                unit=desk_unit,
                officer=returned_by,
                received_at=processed,
                due_at=dossier.appointment_at,
                finished_at=dossier.returned_at,
                result=dossier.get_timeliness_display() if dossier.timeliness else "",
                note=dossier.result_summary,
            )
        )
    epoch = dossier.received_at
    rows.sort(key=lambda row: row.received_at or epoch)
    events.sort(key=lambda row: row.received_at or epoch)
    handovers = handovers_of(rows, events)
    if dossier.returned_at is not None:
        last = rows[-1] if rows else None
        handovers.append(
            HandOver(
                giver=_holder(last) if last else desk_unit,
                receiver=f"Tổ chức, cá nhân: {dossier.applicant_name}",
                at=dossier.returned_at,
                result=dossier.get_timeliness_display() if dossier.timeliness else "",
                note=(last.note if last else "") or "",
            )
        )
    return ControlSlipContext(
        letterhead=desk_letterhead(dossier.desk, local_date(dossier.received_at), number),
        subject=subject_of(dossier),
        competent_agency=dossier.competent_agency.name,
        cooperating=cooperating,
        handovers=handovers,
        appointment_at=dossier.appointment_at,
    )


def _holder(row: SlipRow) -> str:
    """Who holds the dossier during a step: its unit and officer."""
    parts = [part for part in (row.unit, row.officer) if part]
    return " – ".join(parts) or row.title


def handovers_of(holders: list[SlipRow], events: list[SlipRow]) -> list[HandOver]:
    """One hand-over between each two successive holders (in time order): given at the
    instant the next one took the dossier, with the result of the step handed over; the events
    in between (supplement requests, payment, apology…) go to that hand-over's note, those
    after the last hand-over to the last one."""
    handovers: list[HandOver] = []
    pending = list(events)
    for giver, receiver in itertools.pairwise(holders):
        at = receiver.received_at
        notes = [f"{giver.title}." if giver.title else ""]
        if giver.note:
            notes.append(giver.note)
        while pending and at is not None and (pending[0].received_at or at) <= at:
            event = pending.pop(0)
            notes.append(f"{event.title}: {event.note}" if event.note else f"{event.title}.")
        handovers.append(
            HandOver(
                giver=_holder(giver),
                receiver=_holder(receiver),
                at=at,
                result=giver.result,
                note=" ".join(n for n in notes if n),
            )
        )
    if not handovers and holders:
        # Received, not passed on yet: the first line waits for its receiver.
        only = holders[0]
        handovers.append(HandOver(giver=_holder(only), receiver="", at=None, note=only.title))
    if pending and handovers:
        last = handovers[-1]
        extra = " ".join(f"{e.title}: {e.note}" if e.note else f"{e.title}." for e in pending)
        handovers[-1] = HandOver(
            last.giver, last.receiver, last.at, last.result, f"{last.note} {extra}".strip()
        )
    return handovers


# --- Form 06 ----------------------------------------------------------------------------------


def _outcome(dossier: Dossier) -> str:
    label = dossier.status_label
    if dossier.timeliness:
        return f"{label} – {dossier.get_timeliness_display()}"
    return label


def _book_note(dossier: Dossier) -> str:
    notes: list[str] = []
    if dossier.channel != "in_person":
        notes.append(dossier.get_channel_display())
    if dossier.supplement_count:
        notes.append(f"Yêu cầu bổ sung {dossier.supplement_count} lần")
    if dossier.rescheduled_from is not None and dossier.appointment_at is not None:
        notes.append(f"Hẹn lại ngày {timezone.localtime(dossier.appointment_at):%d/%m/%Y} (mẫu 04)")
    if dossier.outcome_reason:
        notes.append(f"Lý do: {dossier.outcome_reason}")
    return "; ".join(notes)


def _sequences(desk: Desk, date_from: datetime.date, date_to: datetime.date) -> dict[int, int]:
    """Yearly sequence numbers (the book's "số thứ tự") of every dossier the desk received in
    the period, whoever looks: the numbering belongs to the book, not to the reader."""
    start = _day_start(date_from)
    numbers: dict[int, int] = {}
    counters: dict[int, int] = {}
    received = selectors.desk_book(desk, start=date_from, end=date_to).values_list(
        "pk", "received_at"
    )
    for pk, moment in received:
        year = timezone.localtime(moment).year
        if year not in counters:
            year_start = _day_start(datetime.date(year, 1, 1))
            counters[year] = (
                Dossier.objects.filter(
                    desk=desk, received_at__gte=year_start, received_at__lt=start
                ).count()
                if year_start < start
                else 0
            )
        counters[year] += 1
        numbers[pk] = counters[year]
    return numbers


def tracking_book_context(
    desk: Desk,
    date_from: datetime.date,
    date_to: datetime.date,
    *,
    queryset: QuerySet[Dossier] | None = None,
    today: datetime.date | None = None,
) -> TrackingBookContext:
    """The dossiers received at ``desk`` from ``date_from`` to ``date_to`` (inclusive), in
    reception order; only those in ``queryset`` (a restricted queryset) when given."""
    transferred = (
        DossierHistory.objects.filter(dossier=OuterRef("pk"), action="start_processing")
        .order_by("at", "pk")
        .values("at")[:1]
    )
    book = selectors.desk_book(desk, start=date_from, end=date_to)
    if queryset is not None:
        book = book.filter(pk__in=queryset.values("pk"))
    dossiers = book.annotate(transferred_at=Subquery(transferred))
    numbers = _sequences(desk, date_from, date_to)
    rows = []
    for dossier in dossiers:
        procedure = dossier.procedure_version.procedure
        contact = [part for part in (dossier.applicant_address, dossier.applicant_phone) if part]
        rows.append(
            BookRow(
                sequence=numbers.get(dossier.pk, 0),
                code=dossier.code,
                procedure=procedure.name,
                applicant=dossier.applicant_name,
                address_phone="; ".join(contact),
                competent_agency=dossier.competent_agency.name,
                received_at=dossier.received_at,
                appointment_at=dossier.appointment_at,
                transferred_at=getattr(dossier, "transferred_at", None),
                processed_at=dossier.processed_at,
                returned_at=dossier.returned_at,
                outcome=_outcome(dossier),
                note=_book_note(dossier),
            )
        )
    return TrackingBookContext(
        letterhead=desk_letterhead(desk, today or timezone.localdate()),
        desk_name=desk.name,
        date_from=date_from,
        date_to=date_to,
        rows=rows,
    )
