"""Every write of the feedback app: intake from every channel (portal, hotline operator, API,
Open311), routing, the officers' actions, the reporter's rating and reopening, the periodic
reminders and escalation, the category seed (docs/feedback.md).

Each change runs in one ``transaction.atomic()``: the report row is locked, the source state
checked against :data:`congso.feedback.workflow.TRANSITIONS`, the history row, the audit event
and the reporter's notices (outbox rows of :mod:`congso.notify`) written with it. Files are
checked before the transaction and deleted again if it fails, so nothing is half-stored.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from congso.audit.services import record
from congso.calendar.limits import TimeLimit, due_instant
from congso.calendar.selectors import get_calendar
from congso.catalog.models import Procedure
from congso.catalog.search import normalise
from congso.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from congso.core.throttle import Window
from congso.dossiers import attachments
from congso.dossiers.models import Dossier
from congso.feedback import photos
from congso.feedback.models import (
    Category,
    Channel,
    Open311Key,
    Report,
    ReportEvent,
    ReportFile,
    RoutingRule,
    StandardAnswer,
)
from congso.feedback.workflow import OPEN, TRANSITIONS, Rejection, Status
from congso.notify.models import EventKind
from congso.notify.phone import normalise_phone
from congso.notify.services import message_direct
from congso.org.models import AdministrativeUnit, Agency, Department, Role, UnitLevel
from congso.org.models import RoleAssignment as Assignment

DESCRIPTION_MAX = 5000
SHORT_MAX = 255
FILE_SLOT = "Ảnh, tệp đính kèm phản ánh"
FILE_TYPES = (attachments.JPEG, attachments.PNG, attachments.PDF)
#: Officer roles that may handle the reports of their agency.
HANDLER_ROLES = (
    Role.RECEPTION,
    Role.SPECIALIST,
    Role.DEPARTMENT_HEAD,
    Role.LEADER,
    Role.AGENCY_ADMIN,
)
#: Steps the reporter is told about (template ``feedback/notices/<step>.txt``).
NOTIFIED = frozenset({"submit", "accept", "reject", "merge", "assign", "answer", "reopen", "close"})


# --- Small helpers ------------------------------------------------------------------------------


def _clean_text(value: str | None, *, field_name: str, limit: int, required: bool = False) -> str:
    """Text kept as typed (it is shown escaped everywhere), without control characters other
    than line breaks and tabs, NFC-normalised; too long or missing is refused."""
    text = value or ""
    if "\x00" in text or any("\ud800" <= ch <= "\udfff" for ch in text):
        raise DomainError("invalid_text", "Nội dung chứa ký tự không hợp lệ.", field=field_name)
    kept = "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf")
    )
    text = unicodedata.normalize("NFC", kept).strip()
    if required and not text:
        raise DomainError("description_required", "Chưa nhập nội dung.", field=field_name)
    if len(text) > limit:
        raise DomainError("text_too_long", f"Nội dung dài quá {limit} ký tự.", field=field_name)
    return text


def province() -> AdministrativeUnit:
    """The province this installation takes feedback for (``CONGSO_FEEDBACK_PROVINCE``)."""
    code = str(settings.FEEDBACK_PROVINCE).strip().zfill(2)
    found = AdministrativeUnit.objects.current().filter(level=UnitLevel.PROVINCE, code=code).first()
    if found is None:
        raise DomainError(
            "province_not_configured",
            f"Chưa có dữ liệu tỉnh mã {code} để nhận phản ánh.",
            status=503,
        )
    return found


def resolve_unit(code: str, *, province_unit: AdministrativeUnit) -> AdministrativeUnit:
    """The current commune/ward ``code`` of ``province_unit``; a unit of another province is
    refused with its own message."""
    cleaned = (code or "").strip()
    if not cleaned.isdigit() or len(cleaned) > 5:
        raise DomainError("unit_not_found", "Chưa chọn xã, phường nơi phản ánh.", field="unit")
    unit = (
        AdministrativeUnit.objects.current()
        .filter(level=UnitLevel.COMMUNE, code=cleaned.zfill(5))
        .select_related("province")
        .first()
    )
    if unit is None:
        raise DomainError("unit_not_found", f"Không có xã, phường mã {cleaned}.", field="unit")
    if unit.province_id != province_unit.pk:
        raise DomainError(
            "unit_outside_province",
            f"{unit.name} không thuộc {province_unit.name}; phản ánh về địa bàn tỉnh khác xin "
            "gửi tới tỉnh đó.",
            field="unit",
        )
    return unit


def category_for(code: str, *, province_unit: AdministrativeUnit) -> Category:
    found = Category.objects.filter(
        province=province_unit, code=(code or "").strip(), active=True
    ).first()
    if found is None:
        raise DomainError("category_not_found", "Chưa chọn lĩnh vực phản ánh.", field="category")
    return found


def _coordinate(value: Any, *, low: int, high: int, name: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or not low <= number <= high:
        raise DomainError("coordinates_invalid", "Tọa độ không hợp lệ.", field=name)
    return number.quantize(Decimal("0.000001"))


def _limit(days: Decimal) -> TimeLimit:
    return TimeLimit.of(days, "working_days")


def _due(report_province: AdministrativeUnit, start: datetime, days: Decimal) -> datetime | None:
    return due_instant(get_calendar(report_province.code), start, _limit(days))


def _local(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y") if value else ""


def follow_path(report: Report) -> str:
    return f"/phan-anh/theo-doi/{report.code}/?t={report.token}"


# --- Routing and suggestion ---------------------------------------------------------------------


def _ancestors(category: Category) -> list[Category]:
    chain: list[Category] = []
    seen: set[int] = set()
    node: Category | None = category
    while node is not None and node.pk not in seen:
        chain.append(node)
        seen.add(node.pk)
        node = node.parent
    return chain


def route(
    *, category: Category, unit: AdministrativeUnit, on: date | None = None
) -> RoutingRule | None:
    """The routing rule in force on ``on`` for ``category`` (or its nearest ancestor with a
    rule) × ``unit`` (a rule for the unit itself before one for the whole province)."""
    day = on or timezone.localdate()
    in_force = Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))
    for node in _ancestors(category):
        rules = (
            RoutingRule.objects.filter(in_force, category=node, agency__active=True)
            .filter(Q(unit=unit) | Q(unit__isnull=True))
            .select_related("agency", "department")
        )
        ranked = sorted(rules, key=lambda r: (r.unit_id is None, r.priority, -r.pk))
        if ranked:
            return ranked[0]
    return None


@dataclass(frozen=True)
class Suggestion:
    category: Category
    score: int
    matched: tuple[str, ...]


def category_suggest(
    *, text: str, province_unit: AdministrativeUnit, limit: int = 3
) -> list[Suggestion]:
    """Categories whose keywords occur in ``text`` (the catalogue's diacritics-free form:
    "ổ gà" matches "o ga"), best first; an officer or the reporter confirms."""
    words = f" {normalise(text)} "
    found = []
    for category in Category.objects.filter(province=province_unit, active=True):
        phrases = {
            normalise(line) for line in (category.keywords or "").replace(",", "\n").splitlines()
        }
        matched = tuple(sorted(p for p in phrases if p and f" {p} " in words))
        if matched:
            score = sum(len(p.split()) for p in matched)
            found.append(Suggestion(category, score, matched))
    found.sort(key=lambda s: (-s.score, s.category.parent_id is None, s.category.order))
    return found[:limit]


# --- Rate limits --------------------------------------------------------------------------------


def _window(name: str, limit: int) -> Window:
    return Window(name=name, limit=limit, seconds=int(settings.FEEDBACK_WINDOW_SECONDS))


def _refused(window: Window, now: datetime) -> DomainError:
    until = timezone.localtime(window.ends_at(now)).strftime("%H:%M")
    return DomainError(
        "too_many_reports",
        f"Đã gửi quá nhiều phản ánh trong thời gian ngắn. Vui lòng thử lại sau {until}, hoặc "
        "gọi đường dây nóng 1022.",
        status=429,
        retry_after=window.retry_after(now),
    )


def _throttle(*, address: str | None, phone: str, now: datetime) -> None:
    """One report counted per client address and per reporter phone; past a limit: 429."""
    checks = []
    if address:
        checks.append((_window("feedback-ip", int(settings.FEEDBACK_IP_LIMIT)), address))
    if phone:
        digest = hashlib.sha256(phone.encode()).hexdigest()[:32]
        checks.append((_window("feedback-phone", int(settings.FEEDBACK_PHONE_LIMIT)), digest))
    for window, key in checks:
        if window.limit and window.exceeded(key, now):
            raise _refused(window, now)
    for window, key in checks:
        window.hit(key, now)


# --- Files --------------------------------------------------------------------------------------


@dataclass
class _File:
    name: str
    mime: str
    data: bytes
    sha256: str
    location_removed: bool


def _check_files(uploads: Sequence[Any], *, keep_location: bool) -> list[_File]:
    """Every upload checked like a dossier upload (the type from the content, size, active PDF
    content), photos decoded and stripped of their location."""
    if len(uploads) > int(settings.FEEDBACK_MAX_FILES):
        raise DomainError(
            "too_many_files",
            f"Mỗi phản ánh gửi kèm tối đa {settings.FEEDBACK_MAX_FILES} tệp.",
            field="files",
        )
    checked = []
    for upload in uploads:
        name = attachments.upload_name(upload)
        result = attachments.check(
            upload,
            name=name,
            slot_code="files",
            slot_name=FILE_SLOT,
            allowed_types=FILE_TYPES,
            max_size_bytes=int(settings.FEEDBACK_MAX_FILE_BYTES),
        )
        upload.seek(0)
        data = upload.read()
        removed = False
        if result.mime_type in (attachments.JPEG, attachments.PNG):
            cleaned = photos.clean(data, name=result.name, keep_location=keep_location)
            data, removed = cleaned.data, cleaned.location_removed
        checked.append(
            _File(result.name, result.mime_type, data, hashlib.sha256(data).hexdigest(), removed)
        )
    return checked


# --- History, audit, notices --------------------------------------------------------------------


def _event(
    report: Report,
    action: str,
    *,
    actor: Any,
    before: str,
    note: str = "",
    public: bool = True,
) -> ReportEvent:
    user = actor if getattr(actor, "is_authenticated", False) else None
    return ReportEvent.objects.create(
        report=report,
        action=action,
        from_status=before,
        to_status=report.status,
        actor=user,
        note=note,
        public=public,
        at=timezone.now(),
    )


def _notify(report: Report, step: str) -> None:
    """Tell the reporter (SMS and/or e-mail) about ``step``, in the caller's transaction."""
    if step not in NOTIFIED:
        return
    with translation.override("vi"):
        _notify_vi(report, step)


def _notify_vi(report: Report, step: str) -> None:
    context = {
        "report": report,
        "status": report.get_status_display(),
        "link": settings.SIGNING_PUBLIC_URL.rstrip("/") + follow_path(report),
        "due": _local(report.due_at),
        "agency": report.agency.name if report.agency else "",
    }
    body = render_to_string(f"feedback/notices/{step}.txt", context).strip()
    if report.reporter_phone:
        try:
            phone = normalise_phone(report.reporter_phone)
        except DomainError:
            phone = ""  # a landline given to the hotline: no SMS
        if phone:
            message_direct(kind=EventKind.FEEDBACK, channel="sms", recipient=phone, body=body)
    if report.reporter_email:
        message_direct(
            kind=EventKind.FEEDBACK,
            channel="email",
            recipient=report.reporter_email,
            subject=f"Phản ánh {report.code}: {report.get_status_display()}",
            body=body,
        )


def _officer_notice(user: Any, subject: str, body: str) -> bool:
    email = getattr(user, "email", "")
    if not email:
        return False
    message_direct(
        kind=EventKind.FEEDBACK, channel="email", recipient=email, subject=subject, body=body
    )
    return True


def _audit(report: Report, action: str, *, actor: Any, before: dict[str, Any]) -> None:
    record(
        actor=actor,
        action=f"feedback.report.{action}",
        target=report,
        before=before,
        after={
            "status": report.status,
            "agency": report.agency_id,
            "assignee": report.assignee_id,
            "category": report.category_id,
        },
    )


# --- Intake -------------------------------------------------------------------------------------


@dataclass
class Intake:
    """What a report says, from whichever channel (strings as typed)."""

    category: str
    description: str
    unit: str
    address: str = ""
    title: str = ""
    latitude: Any = None
    longitude: Any = None
    reporter_name: str = ""
    reporter_phone: str = ""
    reporter_email: str = ""
    publishable: bool = False
    keep_location: bool = False
    procedure: str = ""
    dossier: str = ""
    files: Sequence[Any] = field(default_factory=list)
    message_id: str = ""  # an imported e-mail's Message-ID (imported once)


def _phone(raw: str, *, strict: bool) -> str:
    if not (raw or "").strip():
        return ""
    if strict:
        return normalise_phone(raw)
    digits = "".join(ch for ch in raw if ch.isdigit() or ch == "+")
    try:
        return normalise_phone(digits)
    except DomainError:
        return digits[:20]  # a landline the hotline operator wrote down


def _links(
    intake: Intake, province_unit: AdministrativeUnit
) -> tuple[Procedure | None, Dossier | None]:
    procedure = dossier = None
    if intake.dossier.strip():
        dossier = (
            Dossier.objects.select_related("competent_agency")
            .filter(code=intake.dossier.strip().upper())
            .first()
        )
        if dossier is None:
            raise DomainError("dossier_not_found", "Không có hồ sơ mã này.", field="dossier")
    if intake.procedure.strip():
        procedure = Procedure.objects.filter(code=intake.procedure.strip()).first()
        if procedure is None:
            raise DomainError("procedure_not_found", "Không có thủ tục mã này.", field="procedure")
    return procedure, dossier


def _message_once(raw: str) -> str:
    """An imported e-mail's Message-ID, refused when that message was already imported (the
    unique constraint catches two imports at once)."""
    message_id = raw.strip()[:255]
    if message_id and Report.objects.filter(message_id=message_id).exists():
        raise Conflict("already_imported", "Thư này đã được nhập thành phản ánh.")
    return message_id


def report_submit(
    *,
    actor: Any,
    channel: str,
    intake: Intake,
    client_address: str | None = None,
    received_by: Any = None,
    open311_key: Open311Key | None = None,
) -> Report:
    """File a report. Checked first (category, unit in the province, text, contact, files),
    rate-limited per address and per phone (not for the hotline operator), routed by rule
    (a dossier goes to its competent agency), then stored in one transaction with its files,
    its first history row, the audit event and the reporter's acknowledgement."""
    now = timezone.now()
    home = province()
    category = category_for(intake.category, province_unit=home)
    unit = resolve_unit(intake.unit, province_unit=home)
    description = _clean_text(
        intake.description, field_name="description", limit=DESCRIPTION_MAX, required=True
    )
    title = _clean_text(intake.title, field_name="title", limit=200)
    address = _clean_text(intake.address, field_name="address", limit=SHORT_MAX)
    name = _clean_text(intake.reporter_name, field_name="reporter_name", limit=200)
    email = _clean_text(intake.reporter_email, field_name="reporter_email", limit=254)
    if email and ("@" not in email or any(ch.isspace() for ch in email)):
        raise DomainError(
            "invalid_text", "Địa chỉ thư điện tử không hợp lệ.", field="reporter_email"
        )
    phone = _phone(intake.reporter_phone, strict=channel != Channel.HOTLINE)
    latitude, longitude = (
        _coordinate(intake.latitude, low=-90, high=90, name="latitude"),
        _coordinate(intake.longitude, low=-180, high=180, name="longitude"),
    )
    procedure, dossier = _links(intake, home)
    files = _check_files(list(intake.files), keep_location=intake.keep_location)
    message_id = _message_once(intake.message_id)
    if channel != Channel.HOTLINE:
        _throttle(address=client_address, phone=phone, now=now)

    rule = None
    agency: Agency | None
    department: Department | None = None
    if dossier is not None:
        agency = dossier.competent_agency
    else:
        rule = route(category=category, unit=unit, on=timezone.localdate(now))
        agency = rule.agency if rule else None
        department = rule.department if rule else None
    if agency is None:
        raise DomainError(
            "no_route",
            "Chưa có cơ quan xử lý cho lĩnh vực này tại địa bàn đã chọn; vui lòng gọi đường "
            "dây nóng 1022.",
            field="category",
        )

    stored: list[str] = []
    try:
        with transaction.atomic():
            report = Report.objects.create(
                province=home,
                channel=channel,
                category=category,
                title=title,
                description=description,
                unit=unit,
                address=address,
                latitude=latitude,
                longitude=longitude,
                reporter_name=name,
                reporter_phone=phone,
                reporter_email=email,
                reporter_user=actor if getattr(actor, "is_authenticated", False) else None,
                received_by=received_by,
                open311_key=open311_key,
                message_id=message_id,
                publishable=intake.publishable,
                procedure=procedure or (dossier.procedure_version.procedure if dossier else None),
                dossier=dossier,
                agency=agency,
                department=department,
                rule=rule,
                received_at=now,
                accept_due_at=_due(home, now, category.accept_days),
                due_at=_due(home, now, category.deadline_days),
                remind_at=_due(home, now, max(category.deadline_days - 1, Decimal("0.5"))),
            )
            report.code = f"PA{timezone.localtime(now):%y%m%d}{report.pk:06d}"
            report.save(update_fields=["code"])
            for item in files:
                row = ReportFile(
                    report=report,
                    original_name=item.name,
                    mime_type=item.mime,
                    size=len(item.data),
                    sha256=item.sha256,
                    location_removed=item.location_removed,
                    uploaded_at=now,
                )
                filename = item.sha256[:16] + attachments.EXTENSIONS[item.mime]
                row.file.save(filename, ContentFile(item.data), save=False)
                stored.append(row.file.name)
                row.save()
            note = f"Kênh: {report.get_channel_display()}; chuyển tới {agency.name}"
            if rule is not None:
                note += f" (quy tắc #{rule.pk})"
            _event(report, "submit", actor=received_by or actor, before="", note=note)
            record(
                actor=received_by or actor,
                action="feedback.report.submit",
                target=report,
                after={
                    "channel": channel,
                    "category": category.code,
                    "unit": unit.code,
                    "agency": agency.code,
                    "files": len(files),
                },
            )
            _notify(report, "submit")
    except BaseException:
        for name_ in stored:
            attachments.default_storage.delete(name_)
        raise
    return report


def report_hotline(
    *,
    actor: Any,
    caller_name: str,
    caller_phone: str,
    summary: str,
    category: str,
    unit: str,
    address: str = "",
    publishable: bool = False,
) -> Report:
    """A call to the 1022 hotline, entered by the operator (an officer)."""
    if not handler_agencies(actor) and not getattr(actor, "is_superuser", False):
        raise PermissionDenied("forbidden", "Chỉ cán bộ được nhập phản ánh qua tổng đài.")
    intake = Intake(
        category=category,
        description=summary,
        unit=unit,
        address=address,
        reporter_name=caller_name,
        reporter_phone=caller_phone,
        publishable=publishable,
    )
    return report_submit(actor=actor, channel=Channel.HOTLINE, intake=intake, received_by=actor)


# --- Officers' actions --------------------------------------------------------------------------


def handler_agencies(user: Any) -> list[int]:
    """Agencies whose reports ``user`` may handle (roles in force today)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Assignment.objects.current(timezone.localdate())
        .filter(user_id=user.pk, role__in=HANDLER_ROLES, agency__active=True)
        .values_list("agency_id", flat=True)
    )


def _lock(report: Report, expected_version: int | None) -> Report:
    locked = Report.objects.select_for_update().get(pk=report.pk)
    # A copy read before someone else's change is stale even without an explicit version.
    expected = report.version if expected_version is None else expected_version
    if locked.version != expected:
        raise Conflict(
            "stale_version",
            "Phản ánh vừa được người khác cập nhật; hãy tải lại trang rồi thao tác lại.",
        )
    return locked


def _check(report: Report, action: str, actor: Any) -> None:
    transition = TRANSITIONS[action]
    if report.status not in transition.sources:
        raise Conflict(
            "action_not_allowed",
            f"Không thể thực hiện thao tác này khi phản ánh đang ở trạng thái "
            f"«{report.get_status_display()}».",
        )
    if actor is None or action in ("rate",):
        return
    if action == "reopen":
        return
    if getattr(actor, "is_superuser", False):
        return
    if report.agency_id not in handler_agencies(actor):
        raise PermissionDenied("forbidden", "Phản ánh không thuộc cơ quan của bạn.")


def _save(
    report: Report,
    action: str,
    *,
    actor: Any,
    before: dict[str, Any],
    note: str = "",
    public: bool = True,
) -> Report:
    transition = TRANSITIONS[action]
    previous = before["status"]
    if transition.target is not None:
        report.status = transition.target
    report.version += 1
    report.save()
    _event(report, action, actor=actor, before=previous, note=note, public=public)
    _audit(report, action, actor=actor, before=before)
    _notify(report, action)
    return report


def _snapshot(report: Report) -> dict[str, Any]:
    return {
        "status": report.status,
        "agency": report.agency_id,
        "assignee": report.assignee_id,
        "category": report.category_id,
    }


def report_accept(*, actor: Any, report: Report, expected_version: int | None = None) -> Report:
    with transaction.atomic():
        locked = _lock(report, expected_version)
        _check(locked, "accept", actor)
        before = _snapshot(locked)
        locked.accepted_at = timezone.now()
        return _save(locked, "accept", actor=actor, before=before)


def report_reject(
    *,
    actor: Any,
    report: Report,
    reason: str,
    expected_version: int | None = None,
) -> Report:
    """Not accepted as feedback (out of scope: e.g. a complaint or denunciation, which have
    their own legal procedures), with the reason the reporter receives."""
    text = _clean_text(reason, field_name="reason", limit=2000)
    if not text:
        raise DomainError("reason_required", "Cần ghi lý do.", field="reason")
    with transaction.atomic():
        locked = _lock(report, expected_version)
        _check(locked, "reject", actor)
        before = _snapshot(locked)
        locked.rejection, locked.reason = Rejection.OUT_OF_SCOPE, text
        locked.closed_at = timezone.now()
        return _save(locked, "reject", actor=actor, before=before, note=text)


def report_merge(
    *,
    actor: Any,
    report: Report,
    into: Report,
    reason: str = "",
    expected_version: int | None = None,
) -> Report:
    """``report`` is a duplicate of ``into``: it ends (rejected as duplicate); its reporter is
    told the code to follow and receives ``into``'s answer too."""
    if into.pk == report.pk or into.province_id != report.province_id:
        raise DomainError("duplicate_invalid", "Phản ánh gốc không hợp lệ.", field="into")
    text = _clean_text(reason, field_name="reason", limit=2000)
    with transaction.atomic():
        # Both rows locked in key order (two merges in opposite directions cannot deadlock).
        rows = Report.objects.select_for_update().filter(pk__in=[report.pk, into.pk])
        target = {row.pk: row for row in rows.order_by("pk")}[into.pk]
        if target.status == Status.REJECTED:
            raise DomainError(
                "duplicate_invalid", "Phản ánh gốc đã không được tiếp nhận.", field="into"
            )
        locked = _lock(report, expected_version)
        _check(locked, "merge", actor)
        before = _snapshot(locked)
        locked.rejection, locked.duplicate_of = Rejection.DUPLICATE, target
        locked.reason = text or f"Trùng với phản ánh {target.code}."
        locked.closed_at = timezone.now()
        _save(locked, "merge", actor=actor, before=before, note=locked.reason)
        _event(
            target,
            "merged_in",
            actor=actor,
            before=target.status,
            note=locked.code or "",
            public=False,
        )
        return locked


def report_reroute(
    *,
    actor: Any,
    report: Report,
    agency: Agency,
    reason: str,
    department: Department | None = None,
    category: Category | None = None,
    expected_version: int | None = None,
) -> Report:
    """Hand the report to another agency (and/or correct its category), with a reason. The
    deadline runs on; the new agency accepts and assigns."""
    text = _clean_text(reason, field_name="reason", limit=2000)
    if not text:
        raise DomainError("reason_required", "Cần ghi lý do chuyển.", field="reason")
    if not agency.active:
        raise DomainError("agency_not_found", "Cơ quan nhận không hợp lệ.", field="agency")
    with transaction.atomic():
        locked = _lock(report, expected_version)
        _check(locked, "reroute", actor)
        before = _snapshot(locked)
        locked.agency, locked.department, locked.assignee = agency, department, None
        if category is not None:
            locked.category = category
        if locked.status in (Status.ASSIGNED, Status.IN_PROGRESS):
            locked.status = Status.ACCEPTED
        return _save(
            locked,
            "reroute",
            actor=actor,
            before=before,
            note=f"{agency.name}: {text}",
            public=True,
        )


def report_assign(
    *, actor: Any, report: Report, assignee: Any, expected_version: int | None = None
) -> Report:
    with transaction.atomic():
        locked = _lock(report, expected_version)
        _check(locked, "assign", actor)
        if locked.agency_id not in handler_agencies(assignee):
            raise DomainError(
                "assignee_invalid",
                "Người được giao không có vai trò xử lý tại cơ quan này.",
                field="assignee",
            )
        before = _snapshot(locked)
        locked.assignee = assignee
        if locked.accepted_at is None:
            locked.accepted_at = timezone.now()
        return _save(locked, "assign", actor=actor, before=before, note=str(assignee), public=False)


def report_start(*, actor: Any, report: Report, expected_version: int | None = None) -> Report:
    with transaction.atomic():
        locked = _lock(report, expected_version)
        _check(locked, "start", actor)
        before = _snapshot(locked)
        return _save(locked, "start", actor=actor, before=before)


def standard_answers_for(report: Report) -> list[StandardAnswer]:
    """The active standard answers an officer may pick for ``report``: those of its category or
    of an ancestor, then the province's general ones."""
    chain = [node.pk for node in _ancestors(report.category)]
    rows = (
        StandardAnswer.objects.select_related("category")
        .filter(province_id=report.province_id, active=True)
        .filter(Q(category_id__in=chain) | Q(category__isnull=True))
    )
    return sorted(rows, key=lambda row: (row.category_id is None, row.order, row.title))


def report_answer(
    *,
    actor: Any,
    report: Report,
    answer: str,
    standard: StandardAnswer | None = None,
    expected_version: int | None = None,
) -> Report:
    """The agency's answer — a standard answer (mẫu trả lời) the officer picked, followed by
    what they wrote, or only what they wrote: on time when given no later than the due
    instant. Reporters of merged duplicates receive it too."""
    if standard is not None and standard.pk not in {row.pk for row in standard_answers_for(report)}:
        raise DomainError(
            "standard_answer_invalid",
            "Mẫu trả lời không dùng được cho lĩnh vực này.",
            field="standard",
        )
    own = _clean_text(answer, field_name="answer", limit=DESCRIPTION_MAX)
    text = "\n\n".join(part for part in (standard.text.strip() if standard else "", own) if part)
    if len(text) > DESCRIPTION_MAX:
        raise DomainError(
            "text_too_long", f"Nội dung dài quá {DESCRIPTION_MAX} ký tự.", field="answer"
        )
    if not text:
        raise DomainError("answer_required", "Chưa nhập nội dung trả lời.", field="answer")
    with transaction.atomic():
        locked = _lock(report, expected_version)
        _check(locked, "answer", actor)
        before = _snapshot(locked)
        now = timezone.now()
        locked.answer, locked.answered_at, locked.answered_by = text, now, actor
        locked.on_time = locked.due_at is None or now <= locked.due_at
        note = f"[{standard.title}] {text}" if standard else text
        _save(locked, "answer", actor=actor, before=before, note=note)
        for duplicate in locked.duplicates.all():
            duplicate.answer, duplicate.answered_at = text, now
            duplicate.save(update_fields=["answer", "answered_at", "updated_at"])
            _event(duplicate, "answer", actor=actor, before=duplicate.status, note=text)
            _notify(duplicate, "answer")
        return locked


def report_close(
    *, actor: Any, report: Report, expected_version: int | None = None, note: str = ""
) -> Report:
    with transaction.atomic():
        locked = _lock(report, expected_version)
        _check(locked, "close", actor)
        before = _snapshot(locked)
        locked.closed_at = timezone.now()
        return _save(locked, "close", actor=actor, before=before, note=note)


# --- The reporter -------------------------------------------------------------------------------


def report_for_reporter(*, code: str, token: str) -> Report:
    """The report ``code`` if ``token`` is its follow-up token (the link sent to the reporter)."""
    report = Report.objects.filter(code=(code or "").strip().upper()).first()
    if report is None or str(report.token) != (token or "").strip():
        raise NotFound("report_not_found", "Không tìm thấy phản ánh.")
    return report


def reopen_deadline(report: Report) -> datetime | None:
    if report.answered_at is None:
        return None
    days = Decimal(int(settings.FEEDBACK_REOPEN_DAYS))
    return _due(report.province, report.answered_at, days)


def report_rate(
    *,
    actor: Any,
    report: Report,
    rating: int,
    comment: str = "",
    reopen: bool = False,
) -> Report:
    """The reporter rates the answer (1–5). Not satisfied and ``reopen``: back to the agency
    (within ``CONGSO_FEEDBACK_REOPEN_DAYS`` working days of the answer), with a new deadline;
    otherwise the report is closed."""
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise DomainError("rating_invalid", "Mức hài lòng từ 1 đến 5.", field="rating")
    text = _clean_text(comment, field_name="comment", limit=2000)
    with transaction.atomic():
        locked = _lock(report, None)
        _check(locked, "rate", None)
        before = _snapshot(locked)
        now = timezone.now()
        locked.rating, locked.rating_comment = rating, text
        if reopen:
            deadline = reopen_deadline(locked)
            if deadline is not None and now > deadline:
                raise DomainError(
                    "reopen_window_passed",
                    f"Đã quá thời hạn đề nghị xử lý lại ({_local(deadline)}).",
                    field="reopen",
                )
            locked.reopen_count += 1
            locked.closed_at = None
            locked.due_at = _due(locked.province, now, locked.category.deadline_days)
            locked.remind_at = _due(
                locked.province, now, max(locked.category.deadline_days - 1, Decimal("0.5"))
            )
            locked.reminded_at = locked.escalated_at = None
            locked.on_time = None
            _save(locked, "rate", actor=actor, before=before, note=f"{rating}/5 {text}".strip())
            before = _snapshot(locked)
            return _save(locked, "reopen", actor=actor, before=before, note=text)
        _save(locked, "rate", actor=actor, before=before, note=f"{rating}/5 {text}".strip())
        if locked.status == Status.ANSWERED:
            before = _snapshot(locked)
            locked.closed_at = now
            _save(locked, "close", actor=actor, before=before)
        return locked


# --- Periodic work ------------------------------------------------------------------------------


def _leaders(agency_id: int | None) -> list[Any]:
    if agency_id is None:
        return []
    rows = (
        Assignment.objects.current(timezone.localdate())
        .filter(agency_id=agency_id, role=Role.LEADER)
        .select_related("user")
    )
    return [row.user for row in rows if row.user.is_active]


def reports_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Remind the assignee one working day before the deadline, escalate an overdue report to
    the leaders of its agency (once), close answered reports whose reopen window has passed.
    Idempotent: each step stamps the report."""
    moment = now or timezone.now()
    done = {"reminded": 0, "escalated": 0, "closed": 0}
    due_soon = Report.objects.filter(
        status__in=OPEN, remind_at__lte=moment, reminded_at__isnull=True
    ).values_list("pk", flat=True)
    for pk in list(due_soon):
        with transaction.atomic():
            report = Report.objects.select_for_update().get(pk=pk)
            if report.reminded_at is not None or report.status not in OPEN:
                continue
            report.reminded_at = moment
            report.save(update_fields=["reminded_at", "updated_at"])
            whom = [report.assignee] if report.assignee else _leaders(report.agency_id)
            for user in whom:
                _officer_notice(
                    user,
                    f"Sắp đến hạn trả lời phản ánh {report.code}",
                    f"Phản ánh {report.code} phải được trả lời trước {_local(report.due_at)}.",
                )
            _event(
                report,
                "remind",
                actor=None,
                before=report.status,
                public=False,
                note=", ".join(str(u) for u in whom),
            )
            record(actor=None, action="feedback.report.remind", target=report)
            done["reminded"] += 1
    overdue = Report.objects.filter(
        status__in=OPEN, due_at__lt=moment, escalated_at__isnull=True
    ).values_list("pk", flat=True)
    for pk in list(overdue):
        with transaction.atomic():
            report = Report.objects.select_for_update().get(pk=pk)
            if report.escalated_at is not None or report.status not in OPEN:
                continue
            report.escalated_at = moment
            report.save(update_fields=["escalated_at", "updated_at"])
            leaders = _leaders(report.agency_id)
            for user in leaders:
                _officer_notice(
                    user,
                    f"Phản ánh {report.code} đã quá hạn",
                    f"Phản ánh {report.code} quá hạn trả lời từ {_local(report.due_at)}.",
                )
            _event(
                report,
                "escalate",
                actor=None,
                before=report.status,
                public=False,
                note=", ".join(str(u) for u in leaders),
            )
            record(actor=None, action="feedback.report.escalate", target=report)
            done["escalated"] += 1
    answered = Report.objects.filter(status=Status.ANSWERED).values_list("pk", flat=True)
    for pk in list(answered):
        with transaction.atomic():
            report = Report.objects.select_for_update().get(pk=pk)
            deadline = reopen_deadline(report)
            if report.status != Status.ANSWERED or deadline is None or moment <= deadline:
                continue
            before = _snapshot(report)
            report.closed_at = moment
            _save(report, "close", actor=None, before=before, note="Hết thời hạn đề nghị lại.")
            done["closed"] += 1
    return done


# --- Categories ---------------------------------------------------------------------------------

#: The default category tree a province starts from (code, name, keywords, children).
DEFAULT_TREE: tuple[tuple[str, str, str, tuple[tuple[str, str, str], ...]], ...] = (
    (
        "trat-tu-do-thi",
        "Trật tự đô thị",
        "trat tu do thi\nlan chiem\nvia he",
        (
            ("lan-chiem-via-he", "Lấn chiếm vỉa hè, lòng đường", "lan chiem\nvia he\nlong duong"),
            ("xay-dung-trai-phep", "Xây dựng trái phép", "xay dung trai phep\nkhong phep"),
            ("quang-cao-rao-vat", "Quảng cáo, rao vặt trái phép", "quang cao\nrao vat\nto roi"),
        ),
    ),
    (
        "moi-truong",
        "Môi trường",
        "moi truong\nrac\no nhiem",
        (
            ("rac-thai", "Rác thải, vệ sinh", "rac\nrac thai\nve sinh\nbai rac"),
            ("o-nhiem", "Ô nhiễm không khí, nước, tiếng ồn", "o nhiem\nkhoi\nmui hoi\ntieng on"),
            ("cay-xanh", "Cây xanh", "cay xanh\ncay do\nga cay"),
        ),
    ),
    (
        "giao-thong",
        "Giao thông",
        "giao thong",
        (
            ("mat-duong", "Hư hỏng mặt đường", "o ga\nhu hong\nsut lun\nmat duong\nduong hu"),
            ("den-tin-hieu", "Đèn tín hiệu, biển báo", "den tin hieu\nden giao thong\nbien bao"),
            ("chieu-sang", "Chiếu sáng công cộng", "den duong\nchieu sang\nmat den"),
        ),
    ),
    (
        "dat-dai",
        "Đất đai",
        "dat dai\nso do\nquy hoach",
        (
            ("lan-chiem-dat", "Lấn chiếm đất công", "lan chiem dat\ndat cong"),
            ("quy-hoach", "Quy hoạch, bồi thường", "quy hoach\nboi thuong\ngiai toa"),
        ),
    ),
    (
        "thu-tuc-hanh-chinh",
        "Thủ tục hành chính",
        "thu tuc\nho so\nmot cua",
        (
            ("quy-dinh-hanh-chinh", "Quy định hành chính", "quy dinh\nthu tuc phuc tap"),
            ("giai-quyet-ho-so", "Giải quyết hồ sơ, thái độ cán bộ", "tre hen\nho so\nthai do"),
        ),
    ),
)


#: The English names of the default tree (shown on English pages; a province edits them).
DEFAULT_NAMES_EN: dict[str, str] = {
    "trat-tu-do-thi": "Urban order",
    "lan-chiem-via-he": "Encroachment on pavements and roads",
    "xay-dung-trai-phep": "Illegal building",
    "quang-cao-rao-vat": "Illegal advertising and fly-posting",
    "moi-truong": "Environment",
    "rac-thai": "Waste and sanitation",
    "o-nhiem": "Air, water and noise pollution",
    "cay-xanh": "Trees and green spaces",
    "giao-thong": "Transport",
    "mat-duong": "Damaged road surface",
    "den-tin-hieu": "Traffic lights and signs",
    "chieu-sang": "Street lighting",
    "dat-dai": "Land",
    "lan-chiem-dat": "Encroachment on public land",
    "quy-hoach": "Planning and compensation",
    "thu-tuc-hanh-chinh": "Administrative procedures",
    "quy-dinh-hanh-chinh": "Administrative rules",
    "giai-quyet-ho-so": "Dossier handling and officers' conduct",
}


def categories_seed(*, actor: Any, province_unit: AdministrativeUnit) -> int:
    """Create the default category tree for a province (the rows that already exist are kept).
    Returns how many categories were created."""
    created = 0
    with transaction.atomic():
        for order, (code, name, keywords, children) in enumerate(DEFAULT_TREE, start=1):
            parent, made = Category.objects.get_or_create(
                province=province_unit,
                code=code,
                defaults={
                    "name": name,
                    "name_en": DEFAULT_NAMES_EN.get(code, ""),
                    "keywords": keywords,
                    "order": order,
                    "about_procedures": code == "thu-tuc-hanh-chinh",
                },
            )
            created += made
            for sub_order, (sub_code, sub_name, sub_keywords) in enumerate(children, start=1):
                _, sub_made = Category.objects.get_or_create(
                    province=province_unit,
                    code=sub_code,
                    defaults={
                        "name": sub_name,
                        "name_en": DEFAULT_NAMES_EN.get(sub_code, ""),
                        "parent": parent,
                        "keywords": sub_keywords,
                        "order": sub_order,
                        "about_procedures": parent.about_procedures,
                    },
                )
                created += sub_made
        record(
            actor=actor,
            action="feedback.category.seed",
            target=province_unit,
            after={"created": created},
        )
    return created


def rule_add(
    *,
    actor: Any,
    category: Category,
    agency: Agency,
    valid_from: date,
    unit: AdministrativeUnit | None = None,
    department: Department | None = None,
    priority: int = 100,
    valid_to: date | None = None,
) -> RoutingRule:
    with transaction.atomic():
        rule = RoutingRule.objects.create(
            category=category,
            agency=agency,
            unit=unit,
            department=department,
            priority=priority,
            valid_from=valid_from,
            valid_to=valid_to,
        )
        record(
            actor=actor,
            action="feedback.rule.add",
            target=rule,
            after={"category": category.code, "agency": agency.code, "unit": unit and unit.code},
        )
    return rule


def open311_key_create(*, actor: Any, name: str) -> tuple[Open311Key, str]:
    """A new api_key for an Open311 client: the key is shown once, only its hash kept."""
    key = "o311_" + secrets.token_urlsafe(24)
    with transaction.atomic():
        row = Open311Key.objects.create(
            name=name[:200], key_hash=hashlib.sha256(key.encode()).hexdigest()
        )
        record(actor=actor, action="feedback.open311_key.create", target=row)
    return row, key


def open311_client(api_key: str) -> Open311Key:
    digest = hashlib.sha256((api_key or "").encode()).hexdigest()
    row = Open311Key.objects.filter(key_hash=digest, active=True).first()
    if row is None:
        raise PermissionDenied("invalid_api_key", "api_key không hợp lệ.", field="api_key")
    return row
