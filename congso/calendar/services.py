"""Every write to the calendar data. Each function runs in one transaction, records its audit
event in it, and replaces the calendar revision token so cached calendars are rebuilt."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction

from congso.audit.services import record, record_saved, snapshot
from congso.calendar.engine import DEFAULT_CUTOFF, format_periods
from congso.calendar.importing import (
    KIND_LABELS,
    CalendarDataError,
    OverrideRow,
    check_unique,
    scope_label,
)
from congso.calendar.models import CalendarOverride, CalendarRevision, WorkingHours
from congso.core.errors import Conflict, DomainError, NotFound

OVERRIDE_FIELDS = ("date", "kind", "name", "legal_source", "province_code")
HOURS_FIELDS = (
    "province_code",
    "agency_code",
    "effective_from",
    "periods",
    "cutoff",
    "legal_source",
)


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    dry_run: bool = False


def _bump_revision() -> None:
    CalendarRevision.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4()})


def _domain_error(exc: ValidationError, *, code: str) -> DomainError:
    """The first message of a model ``ValidationError`` as a DomainError naming its field."""
    for field, messages in exc.message_dict.items():
        return DomainError(
            code, str(messages[0]), field=None if field == NON_FIELD_ERRORS else field
        )
    return DomainError(code, "Dữ liệu không hợp lệ.")


def _clean(instance: CalendarOverride | WorkingHours, *, code: str) -> None:
    # Uniqueness is checked explicitly (clearer message) and enforced by the database.
    try:
        instance.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise _domain_error(exc, code=code) from None


def _override_clash(
    *, day: date, province_code: str, kind: str, exclude_pk: int | None = None
) -> str | None:
    """Why an override for ``day`` in this scope cannot be added (Vietnamese), or ``None``."""
    candidates = CalendarOverride.objects.select_for_update().filter(
        date=day, province_code=province_code
    )
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    existing = candidates.first()
    if existing is None:
        return None
    scope = scope_label(province_code)
    if existing.kind != kind:
        return (
            f"Ngày {day:%d/%m/%Y} đã được khai báo là {KIND_LABELS[existing.kind]} "
            f"({scope}: «{existing.name}»); một ngày không thể vừa là ngày nghỉ vừa là ngày "
            "làm việc. Hãy sửa hoặc xóa dòng đã có."
        )
    return (
        f"Ngày {day:%d/%m/%Y} đã có trong lịch ({scope}: «{existing.name}»); mỗi ngày chỉ được "
        "khai báo một lần trong cùng phạm vi."
    )


def _save_unique(
    instance: CalendarOverride | WorkingHours, *, message: str, field: str = "date"
) -> None:
    """Save; a concurrent insert of the same key surfaces as a Conflict, not a 500."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        raise Conflict("calendar_conflict", message, field=field) from None


def _get_override(override_id: int) -> CalendarOverride:
    override = CalendarOverride.objects.select_for_update().filter(pk=override_id).first()
    if override is None:
        raise NotFound("not_found", "Không tìm thấy ngày ngoại lệ này.")
    return override


def override_create(
    *,
    actor: Any,
    date: date,
    kind: str,
    name: str,
    legal_source: str,
    province_code: str = "",
) -> CalendarOverride:
    """Add an announced day off or swapped-in working day.

    Refused (``Conflict``) when the same day already has a row in the same scope — whether of the
    same kind (duplicate) or the other kind (a day cannot be both off and working).
    """
    with transaction.atomic():
        override = CalendarOverride(
            date=date,
            kind=kind,
            name=name.strip(),
            legal_source=legal_source.strip(),
            province_code=province_code.strip(),
        )
        _clean(override, code="calendar_override_invalid")
        clash = _override_clash(day=date, province_code=override.province_code, kind=kind)
        if clash:
            raise Conflict("calendar_override_conflict", clash, field="date")
        _save_unique(override, message=_generic_clash(date))
        record_saved(
            actor=actor, action="calendar.override.create", target=override, fields=OVERRIDE_FIELDS
        )
        _bump_revision()
    return override


def _generic_clash(day: date) -> str:
    return (
        f"Ngày {day:%d/%m/%Y} vừa được khai báo trong cùng phạm vi; mỗi ngày chỉ được khai báo "
        "một lần."
    )


def override_update(
    *,
    actor: Any,
    override_id: int,
    date: date,
    kind: str,
    name: str,
    legal_source: str,
    province_code: str = "",
) -> CalendarOverride:
    """Change an override (same rules as :func:`override_create`)."""
    with transaction.atomic():
        override = _get_override(override_id)
        before = snapshot(override, OVERRIDE_FIELDS)
        override.date = date
        override.kind = kind
        override.name = name.strip()
        override.legal_source = legal_source.strip()
        override.province_code = province_code.strip()
        _clean(override, code="calendar_override_invalid")
        clash = _override_clash(
            day=date, province_code=override.province_code, kind=kind, exclude_pk=override.pk
        )
        if clash:
            raise Conflict("calendar_override_conflict", clash, field="date")
        _save_unique(override, message=_generic_clash(date))
        record_saved(
            actor=actor,
            action="calendar.override.update",
            target=override,
            before=before,
            fields=OVERRIDE_FIELDS,
        )
        _bump_revision()
    return override


def override_delete(*, actor: Any, override_id: int) -> None:
    with transaction.atomic():
        override = _get_override(override_id)
        record(
            actor=actor,
            action="calendar.override.delete",
            target=override,
            before=snapshot(override, OVERRIDE_FIELDS),
        )
        override.delete()
        _bump_revision()


def overrides_import(
    *,
    actor: Any,
    rows: Sequence[OverrideRow],
    source: str = "",
    dry_run: bool = False,
) -> ImportResult:
    """Add (or correct the name and source of) many overrides at once — all or nothing.

    A row for a day and scope that already exists with the same kind updates its name and legal
    source when they differ and is otherwise left alone, so importing the same file twice changes
    nothing. A row whose day already exists with the *other* kind, or two rows for the same day
    and scope, refuse the whole batch (``CalendarDataError`` listing every problem). With
    ``dry_run`` everything is checked and counted, then rolled back.
    """
    errors: list[str] = []
    located = [(f"Mục {index}", row) for index, row in enumerate(rows, start=1)]
    check_unique(located, errors)
    if errors:
        raise CalendarDataError(errors)
    created = updated = unchanged = 0
    with transaction.atomic():
        existing = {
            (row.date, row.province_code): row
            for row in CalendarOverride.objects.select_for_update().filter(
                date__in={row.date for row in rows},
                province_code__in={row.province_code for row in rows},
            )
        }
        for where, row in located:
            current = existing.get(row.key)
            if current is not None and current.kind != row.kind:
                errors.append(
                    f"{where}: ngày {row.date:%d/%m/%Y} ({scope_label(row.province_code)}) đã "
                    f"được khai báo là {KIND_LABELS[current.kind]} («{current.name}»); một ngày "
                    "không thể vừa là ngày nghỉ vừa là ngày làm việc."
                )
        if errors:
            raise CalendarDataError(errors, code="calendar_override_conflict")
        try:
            for _where, row in located:
                current = existing.get(row.key)
                if current is None:
                    override = CalendarOverride(
                        date=row.date,
                        kind=row.kind,
                        name=row.name,
                        legal_source=row.legal_source,
                        province_code=row.province_code,
                    )
                    _clean(override, code="calendar_override_invalid")
                    override.save()
                    record_saved(
                        actor=actor,
                        action="calendar.override.create",
                        target=override,
                        fields=OVERRIDE_FIELDS,
                    )
                    created += 1
                elif (current.name, current.legal_source) != (row.name, row.legal_source):
                    before = snapshot(current, OVERRIDE_FIELDS)
                    current.name = row.name
                    current.legal_source = row.legal_source
                    _clean(current, code="calendar_override_invalid")
                    current.save()
                    record_saved(
                        actor=actor,
                        action="calendar.override.update",
                        target=current,
                        before=before,
                        fields=OVERRIDE_FIELDS,
                    )
                    updated += 1
                else:
                    unchanged += 1
        except IntegrityError:
            raise Conflict(
                "calendar_conflict",
                "Lịch vừa được người khác thay đổi cùng lúc; hãy nhập lại tệp.",
                field="file",
            ) from None
        record(
            actor=actor,
            action="calendar.override.import",
            after={
                "source": source,
                "rows": len(rows),
                "created": created,
                "updated": updated,
                "unchanged": unchanged,
            },
        )
        _bump_revision()
        if dry_run:
            transaction.set_rollback(True)
    return ImportResult(created=created, updated=updated, unchanged=unchanged, dry_run=dry_run)


def _hours_clash_message(province_code: str, agency_code: str, effective_from: date) -> str:
    return (
        f"Giờ làm việc ({scope_label(province_code, agency_code)}) áp dụng từ ngày "
        f"{effective_from:%d/%m/%Y} đã có; hãy sửa dòng đó thay vì thêm dòng mới."
    )


def _hours_clash(
    *, province_code: str, agency_code: str, effective_from: date, exclude_pk: int | None = None
) -> bool:
    candidates = WorkingHours.objects.select_for_update().filter(
        province_code=province_code, agency_code=agency_code, effective_from=effective_from
    )
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    return candidates.exists()


def working_hours_create(
    *,
    actor: Any,
    effective_from: date,
    periods: Sequence[tuple[time, time]],
    cutoff: time = DEFAULT_CUTOFF,
    province_code: str = "",
    agency_code: str = "",
    legal_source: str = "",
) -> WorkingHours:
    """Working periods and cut-off for a scope (national, a province or an agency) from
    ``effective_from`` on."""
    with transaction.atomic():
        hours = WorkingHours(
            province_code=province_code.strip(),
            agency_code=agency_code.strip().upper(),
            effective_from=effective_from,
            periods=format_periods(periods),
            cutoff=cutoff,
            legal_source=legal_source.strip(),
        )
        _clean(hours, code="invalid_working_hours")
        message = _hours_clash_message(hours.province_code, hours.agency_code, effective_from)
        if _hours_clash(
            province_code=hours.province_code,
            agency_code=hours.agency_code,
            effective_from=effective_from,
        ):
            raise Conflict("calendar_hours_conflict", message, field="effective_from")
        _save_unique(hours, message=message, field="effective_from")
        record_saved(
            actor=actor, action="calendar.working_hours.create", target=hours, fields=HOURS_FIELDS
        )
        _bump_revision()
    return hours


def working_hours_update(
    *,
    actor: Any,
    working_hours_id: int,
    effective_from: date,
    periods: Sequence[tuple[time, time]],
    cutoff: time = DEFAULT_CUTOFF,
    province_code: str = "",
    agency_code: str = "",
    legal_source: str = "",
) -> WorkingHours:
    with transaction.atomic():
        hours = WorkingHours.objects.select_for_update().filter(pk=working_hours_id).first()
        if hours is None:
            raise NotFound("not_found", "Không tìm thấy quy định giờ làm việc này.")
        before = snapshot(hours, HOURS_FIELDS)
        hours.province_code = province_code.strip()
        hours.agency_code = agency_code.strip().upper()
        hours.effective_from = effective_from
        hours.periods = format_periods(periods)
        hours.cutoff = cutoff
        hours.legal_source = legal_source.strip()
        _clean(hours, code="invalid_working_hours")
        message = _hours_clash_message(hours.province_code, hours.agency_code, effective_from)
        if _hours_clash(
            province_code=hours.province_code,
            agency_code=hours.agency_code,
            effective_from=effective_from,
            exclude_pk=hours.pk,
        ):
            raise Conflict("calendar_hours_conflict", message, field="effective_from")
        _save_unique(hours, message=message, field="effective_from")
        record_saved(
            actor=actor,
            action="calendar.working_hours.update",
            target=hours,
            before=before,
            fields=HOURS_FIELDS,
        )
        _bump_revision()
    return hours


def working_hours_delete(*, actor: Any, working_hours_id: int) -> None:
    with transaction.atomic():
        hours = WorkingHours.objects.select_for_update().filter(pk=working_hours_id).first()
        if hours is None:
            raise NotFound("not_found", "Không tìm thấy quy định giờ làm việc này.")
        record(
            actor=actor,
            action="calendar.working_hours.delete",
            target=hours,
            before=snapshot(hours, HOURS_FIELDS),
        )
        hours.delete()
        _bump_revision()
