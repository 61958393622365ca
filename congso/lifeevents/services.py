"""Every write of ``lifeevents``: a group submitted (one dossier per component through the
dossiers' write path), offers made, accepted, declined, reviewed and completed, a rule's level
set. Each call is one transaction with its audit events."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from congso.audit.services import record
from congso.catalog.formschema import offline_components, structure, validate_data
from congso.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from congso.dossiers import services as dossier_services
from congso.dossiers.models import Dossier
from congso.dossiers.permissions import is_reception_at
from congso.dossiers.services.intake import default_desk
from congso.dossiers.workflow import Status
from congso.lifeevents import groups
from congso.lifeevents.models import (
    GroupApplication,
    GroupMember,
    GroupVersion,
    Level,
    LifeEventRule,
    Offer,
    OfferStatus,
    ProcedureGroup,
)
from congso.notify import services as notify
from congso.org.models import Citizen

#: Dossier states in which a component has its result (or has ended without one).
DONE = (Status.PROCESSED, Status.RETURNED)
ENDED = (Status.PROCESSED, Status.RETURNED, Status.NOT_ACCEPTED, Status.WITHDRAWN, Status.STOPPED)


@dataclass
class Upload:
    """A file the citizen gave once for a combined file field (each component gets a copy)."""

    name: str
    content: bytes
    content_type: str


def _citizen_of(actor: Any) -> Citizen:
    citizen = Citizen.objects.filter(user_id=getattr(actor, "pk", None) or 0).first()
    if citizen is None:
        raise PermissionDenied(
            "citizen_required", "Tài khoản chưa có thông tin công dân nên chưa nộp được hồ sơ."
        )
    return citizen


def _data_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    return {**schema, "fields": [f for f in schema.get("fields") or () if structure(f) != "file"]}


def clean_group_data(
    version: GroupVersion, specs: Sequence[groups.ComponentSpec], data: Mapping[str, Any]
) -> dict[str, Any]:
    """The combined answers checked by the combined form (the fields these components read)."""
    schema = _data_schema(groups.schema_for(version, specs))
    return dict(validate_data(schema, dict(data)))


def _file_fields(version: GroupVersion, specs: Sequence[groups.ComponentSpec]) -> list[Any]:
    schema = groups.schema_for(version, specs)
    return [f for f in schema.get("fields") or () if structure(f) == "file"]


def missing_files(
    version: GroupVersion,
    specs: Sequence[groups.ComponentSpec],
    files: Mapping[str, Sequence[Upload]],
) -> dict[str, str]:
    return {
        spec["name"]: f"Thiếu giấy tờ bắt buộc «{spec['label']}»."
        for spec in _file_fields(version, specs)
        if spec.get("required") and not files.get(spec["name"])
    }


def _copies(uploads: Sequence[Upload]) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(u.name, u.content, content_type=u.content_type) for u in uploads]


def _label_rows(version: GroupVersion, names: Sequence[str], data: Mapping[str, Any]) -> list[Any]:
    labels = {f["name"]: str(f.get("label") or f["name"]) for f in version.form_schema["fields"]}
    return [(labels.get(n, n), groups._text(data.get(n))) for n in names if data.get(n)]


def _next_code(group: ProcedureGroup, now: datetime.datetime) -> str:
    day = timezone.localtime(now).strftime("%y%m%d")
    prefix = f"LT-{day}-"
    taken = GroupApplication.objects.filter(code__startswith=prefix).count()
    return f"{prefix}{taken + 1:04d}"


def group_submit(
    *,
    actor: Any,
    group: ProcedureGroup,
    form_data: Mapping[str, Any],
    files: Mapping[str, Sequence[Upload]] | None = None,
    only: Sequence[str] = (),
    offer: Offer | None = None,
) -> GroupApplication:
    """The citizen submits a group once: one online dossier per component procedure (its own
    code, agency, deadline), each through ``dossier_submit_online``, linked by a group code.
    Every component's form is checked before anything is written; the whole group is one
    transaction (all dossiers or none)."""
    citizen = _citizen_of(actor)
    files = files or {}
    version = groups.version_in_force(group)
    specs = groups.components_of(version, only)
    cleaned = clean_group_data(version, specs, form_data)
    missing = missing_files(version, specs, files)
    if missing:
        name, message = next(iter(missing.items()))
        raise DomainError("component_missing", message, field=name)
    unit = groups.unit_of(cleaned, version)
    rows = groups.preview(version, unit, only=only)
    now = timezone.now()
    with transaction.atomic():
        ProcedureGroup.objects.select_for_update().filter(pk=group.pk).first()
        application = GroupApplication.objects.create(
            code=_next_code(group, now),
            version=version,
            applicant_citizen=citizen,
            submitted_by=actor,
            form_data=cleaned,
            submitted_at=now,
            due_at=groups.latest(rows),
        )
        for order, row in enumerate(rows, start=1):
            spec = row.spec
            component_files: dict[str, list[Any]] = {
                slot: _copies(files.get(field_name) or ())
                for slot, field_name in spec.files.items()
                if files.get(field_name)
            }
            if spec.declaration:
                pdf = groups.declaration_pdf(
                    row.procedure.name,
                    _label_rows(version, spec.declares, cleaned),
                    group_code=application.code,
                    applicant=citizen.full_name,
                )
                component_files[spec.declaration] = [
                    SimpleUploadedFile(
                        f"to-khai-{row.procedure.code}.pdf", pdf, content_type="application/pdf"
                    )
                ]
            dossier = dossier_services.dossier_submit_online(
                actor=actor,
                procedure=row.procedure,
                competent_agency=row.agency,
                form_data=groups.component_form(spec, cleaned),
                files=component_files,
            )
            GroupMember.objects.create(
                application=application,
                order=order,
                procedure=row.procedure,
                dossier=dossier,
                routing=spec.routing,
            )
        record(
            actor=actor,
            action="lifeevents.group.submit",
            target=application,
            after={
                "code": application.code,
                "group": group.code,
                "version": version.version,
                "dossiers": [m.dossier.code for m in application.members.all()],
                "offer": offer.pk if offer else None,
            },
        )
        if offer is not None:
            _offer_step(offer, "accept", actor=actor, now=now)
            offer.status = OfferStatus.ACCEPTED
            offer.application = application
            offer.consent_at = offer.decided_at = now
            offer.save()
            record(
                actor=actor,
                action="lifeevents.offer.accept",
                target=offer,
                after={"status": offer.status, "application": application.code},
            )
    return application


# --- Offers -------------------------------------------------------------------------------------


def _offer_step(offer: Offer, step: str, *, actor: Any, now: datetime.datetime) -> None:
    offer.trail = [
        *offer.trail,
        {"step": step, "at": now.isoformat(), "by": getattr(actor, "pk", None)},
    ]


def _age_on(birth: Any, day: datetime.date) -> float | None:
    try:
        born = datetime.date.fromisoformat(str(birth))
    except ValueError:
        return None
    return (day - born).days / 365.25


def eligible(rule: LifeEventRule, data: Mapping[str, Any], day: datetime.date) -> bool:
    """Every condition of the rule holds on the event's data: ``{"field", "present": true}``,
    ``{"field", "age_under_years": n}``, ``{"field", "equals": value}``."""
    for condition in rule.eligibility or ():
        value = data.get(str(condition.get("field")))
        if condition.get("present") and value in (None, "", [], {}):
            return False
        if "age_under_years" in condition:
            age = _age_on(value, day)
            if age is None or age >= float(condition["age_under_years"]):
                return False
        if "equals" in condition and value != condition["equals"]:
            return False
    return True


def prepare(
    rule: LifeEventRule, citizen: Citizen, data: Mapping[str, Any], version: GroupVersion
) -> dict[str, Any]:
    """The combined form prefilled from what the state holds: the event's dossier (same field
    names, or the rule's ``prefill`` sources ``dossier.<field>`` / ``citizen.<attribute>``, or
    a default ``value:<text>`` the citizen may change)."""
    specs = groups.components_of(version, rule.offer_procedures)
    wanted = groups.used_fields(version, specs)
    prepared: dict[str, Any] = {}
    for name in sorted(wanted):
        source = str(rule.prefill.get(name) or f"dossier.{name}")
        kind, _, key = source.partition(".")
        if source.startswith("value:"):
            value: Any = source.removeprefix("value:")
        elif kind == "dossier":
            value = data.get(key)
        elif kind == "citizen":
            value = getattr(citizen, key, None)
            if isinstance(value, datetime.date):
                value = value.isoformat()
        else:
            value = None
        if value not in (None, "", [], {}):
            prepared[name] = value
    return prepared


def message_of(offer: Offer) -> str:
    """The rule's message about the offer's person (``{name}``)."""
    return offer.rule.message.replace("{name}", str(offer.subject.get("name") or ""))


def _notify(offer: Offer) -> None:
    rule = offer.rule
    body = message_of(offer)
    notify.message_to_citizen(
        citizen=offer.citizen, kind="lifeevents.offer", subject=rule.title, body=body
    )


def _effective_level(rule: LifeEventRule) -> int:
    return rule.level if rule.level != Level.ACT or rule.act_allowed else Level.RECOMMEND


def offer_make(
    *,
    rule: LifeEventRule,
    citizen: Citizen,
    event_key: str,
    data: Mapping[str, Any],
    subject: Mapping[str, Any],
    source_dossier: Dossier | None = None,
    now: datetime.datetime | None = None,
) -> Offer | None:
    """Make one offer (idempotent per rule, citizen and event); ``None`` when already made or
    the citizen is not eligible. Levels 2–4 prepare the application; level 4 waits in the
    officers' review queue; the citizen is told (their notification preferences respected)."""
    now = now or timezone.now()
    if Offer.objects.filter(rule=rule, citizen=citizen, event_key=event_key).exists():
        return None
    if not eligible(rule, data, timezone.localdate(now)):
        return None
    level = _effective_level(rule)
    version = groups.version_in_force(rule.group) if rule.group else None
    procedures = list(rule.offer_procedures)
    if version is not None and not procedures:
        procedures = [spec.procedure for spec in groups.components_of(version)]
    prepared = (
        prepare(rule, citizen, data, version)
        if version is not None and level >= Level.PREPARE
        else {}
    )
    status = {
        Level.REMIND: OfferStatus.REMINDED,
        Level.ACT: OfferStatus.REVIEW,
    }.get(Level(level), OfferStatus.OFFERED)
    with transaction.atomic():
        offer = Offer.objects.create(
            rule=rule,
            citizen=citizen,
            source_dossier=source_dossier,
            event_key=event_key,
            level=level,
            status=status,
            subject=dict(subject),
            procedures=procedures,
            prepared=prepared,
            created_at=now,
            trail=[{"step": "offer", "at": now.isoformat(), "by": None}],
        )
        record(
            actor=None,
            action="lifeevents.offer.create",
            target=offer,
            after={"rule": rule.code, "level": level, "status": status, "event": event_key},
        )
        if status != OfferStatus.REVIEW:
            _notify(offer)
    return offer


def _own_offer(actor: Any, offer_id: int) -> Offer:
    citizen = _citizen_of(actor)
    offer = Offer.objects.select_related("rule__group").filter(pk=offer_id, citizen=citizen).first()
    if offer is None:
        raise NotFound("offer_not_found", "Không có lời mời này.")
    return offer


def _open(offer: Offer) -> None:
    if offer.status not in (OfferStatus.OFFERED, OfferStatus.REMINDED):
        raise Conflict("offer_closed", "Lời mời này đã được xử lý.")


def offer_accept(
    *,
    actor: Any,
    offer_id: int,
    form_data: Mapping[str, Any] | None = None,
    files: Mapping[str, Sequence[Upload]] | None = None,
) -> GroupApplication:
    """The citizen reviews the prepared application and confirms: it is submitted as a group
    application of the offered procedures (consent recorded with the submission)."""
    offer = _own_offer(actor, offer_id)
    _open(offer)
    if offer.rule.group is None:
        raise DomainError(
            "offer_not_prepared", "Lời mời này chỉ nhắc, không có hồ sơ chuẩn bị sẵn."
        )
    data = {**offer.prepared, **(form_data or {})}
    return group_submit(
        actor=actor,
        group=offer.rule.group,
        form_data=data,
        files=files,
        only=offer.procedures,
        offer=offer,
    )


def offer_decline(*, actor: Any, offer_id: int, reason: str = "") -> Offer:
    offer = _own_offer(actor, offer_id)
    _open(offer)
    now = timezone.now()
    with transaction.atomic():
        _offer_step(offer, "decline", actor=actor, now=now)
        offer.status = OfferStatus.DECLINED
        offer.decided_at = now
        offer.save()
        record(
            actor=actor,
            action="lifeevents.offer.decline",
            target=offer,
            after={"status": offer.status, "reason": reason[:500]},
        )
    return offer


def offer_review(*, actor: Any, offer_id: int, approve: bool, note: str = "") -> Offer:
    """Level 4 (act by itself, only for rules marked allowed): an officer reviews the prepared
    application; approved, each component is received at its agency's desk by that desk's
    reception officer (the reviewer must be one for every component), the citizen is told
    and may refuse or ask for a correction. Refused, the offer falls back to an invitation."""
    offer = Offer.objects.select_related("rule__group", "citizen").filter(pk=offer_id).first()
    if offer is None:
        raise NotFound("offer_not_found", "Không có lời mời này.")
    if offer.status != OfferStatus.REVIEW:
        raise Conflict("offer_closed", "Lời mời này không chờ duyệt.")
    rule = offer.rule
    if rule.group is None or not rule.act_allowed:
        raise DomainError("level_not_allowed", "Quy tắc này không được tự động thực hiện.")
    now = timezone.now()
    version = groups.version_in_force(rule.group)
    specs = groups.components_of(version, offer.procedures)
    rows = groups.preview(version, groups.unit_of(offer.prepared, version), only=offer.procedures)
    desks = [default_desk(row.agency) for row in rows]
    if not all(is_reception_at(actor, desk) for desk in desks):
        raise PermissionDenied(
            "not_reviewer", "Bạn không phải cán bộ tiếp nhận của cơ quan giải quyết."
        )
    with transaction.atomic():
        _offer_step(offer, "approve" if approve else "reject", actor=actor, now=now)
        offer.reviewed_by = actor
        offer.decided_at = now
        if not approve:
            offer.status = OfferStatus.OFFERED
            offer.save()
            record(
                actor=actor,
                action="lifeevents.offer.reject",
                target=offer,
                after={"status": offer.status, "note": note[:500]},
            )
            _notify(offer)
            return offer
        cleaned = clean_group_data(version, specs, offer.prepared)
        application = GroupApplication.objects.create(
            code=_next_code(rule.group, now),
            version=version,
            applicant_citizen=offer.citizen,
            submitted_by=None,
            form_data=cleaned,
            submitted_at=now,
            due_at=groups.latest(rows),
        )
        for order, (row, desk) in enumerate(zip(rows, desks, strict=True), start=1):
            # The declarations the online form replaces are printed from the prepared data.
            declared = [
                code
                for code, why in offline_components(row.version.form_schema or {}).items()
                if why == "form"
            ]
            pdf = groups.declaration_pdf(
                row.procedure.name,
                _label_rows(version, sorted(groups.used_fields(version, [row.spec])), cleaned),
                group_code=application.code,
                applicant=offer.citizen.full_name,
            )
            dossier = dossier_services.dossier_receive_in_person(
                actor=actor,
                procedure=row.procedure,
                competent_agency=row.agency,
                desk=desk,
                form_data=groups.component_form(row.spec, cleaned),
                files={
                    code: [SimpleUploadedFile(f"to-khai-{n}.pdf", pdf, "application/pdf")]
                    for n, code in enumerate(declared, start=1)
                },
                citizen=offer.citizen,
                paper_components=[],
                note="Dịch vụ công chủ động mức 4: tự động thực hiện từ dữ liệu sẵn có.",
            )
            GroupMember.objects.create(
                application=application,
                order=order,
                procedure=row.procedure,
                dossier=dossier,
                routing=row.spec.routing,
            )
        offer.status = OfferStatus.ACCEPTED
        offer.application = application
        offer.save()
        record(
            actor=actor,
            action="lifeevents.offer.approve",
            target=offer,
            after={"status": offer.status, "application": application.code},
        )
        _notify(offer)
    return offer


def offer_settle(application: GroupApplication, *, now: datetime.datetime | None = None) -> None:
    """An offer whose application has every component done is completed (the measures)."""
    offer = Offer.objects.filter(application=application, status=OfferStatus.ACCEPTED).first()
    if offer is None:
        return
    states = list(application.members.values_list("dossier__status", flat=True))
    if states and all(state in DONE for state in states):
        now = now or timezone.now()
        _offer_step(offer, "complete", actor=None, now=now)
        offer.status = OfferStatus.COMPLETED
        offer.completed_at = now
        offer.save()
        record(
            actor=None,
            action="lifeevents.offer.complete",
            target=offer,
            after={"status": offer.status},
        )


def rule_set_level(*, actor: Any, rule: LifeEventRule, level: int) -> LifeEventRule:
    """The level is a setting per rule; level 4 only for a rule marked as allowed by law."""
    if level not in Level.values:
        raise DomainError("level_not_allowed", "Mức độ chủ động là 1, 2, 3 hoặc 4.", field="level")
    if level == Level.ACT and not rule.act_allowed:
        raise DomainError(
            "level_not_allowed",
            "Quy tắc này chưa được đánh dấu là pháp luật cho phép tự động thực hiện.",
            field="level",
        )
    with transaction.atomic():
        before = {"level": rule.level}
        rule.level = level
        rule.save(update_fields=["level"])
        record(
            actor=actor,
            action="lifeevents.rule.level",
            target=rule,
            before=before,
            after={"level": level},
        )
    return rule


# --- Events -------------------------------------------------------------------------------------


def rules_for(event_procedure: str, day: datetime.date) -> list[LifeEventRule]:
    return [
        rule
        for rule in LifeEventRule.objects.filter(
            active=True, trigger_procedure=event_procedure, effective_from__lte=day
        ).select_related("group")
        if rule.effective_to is None or rule.effective_to >= day
    ]


def on_dossier_done(dossier: Dossier, *, now: datetime.datetime | None = None) -> list[Offer]:
    """A dossier has its result: the offers its event calls for (a birth, a death registered),
    except procedures already applied for in the same group application; and the offer whose
    application it belongs to may be completed."""
    now = now or timezone.now()
    member = GroupMember.objects.filter(dossier=dossier).select_related("application").first()
    if member is not None:
        offer_settle(member.application, now=now)
    citizen = dossier.applicant_citizen
    if citizen is None:
        return []
    applied: set[str] = set()
    if member is not None:
        applied = set(member.application.members.values_list("procedure__code", flat=True))
    code = dossier.procedure_version.procedure.code
    made = []
    for rule in rules_for(code, timezone.localdate(now)):
        offered = set(rule.offer_procedures)
        if offered and offered <= applied:
            continue
        data = dict(dossier.form_data or {})
        subject = {
            "name": str(data.get("child_full_name") or data.get("deceased_full_name") or ""),
            "dossier": dossier.code,
        }
        offer = offer_make(
            rule=rule,
            citizen=citizen,
            event_key=f"dossier:{dossier.code}",
            data=data,
            subject=subject,
            source_dossier=dossier,
            now=now,
        )
        if offer is not None:
            made.append(offer)
    return made


def scan_ages(*, day: datetime.date | None = None, window_days: int = 30) -> list[Offer]:
    """Citizens who reached a rule's age in the last ``window_days`` days (a child turning 14 →
    the ID card): reminders, once per citizen and rule."""
    day = day or timezone.localdate()
    made = []
    for rule in LifeEventRule.objects.filter(active=True, age_years__isnull=False):
        if rule.effective_from > day or (rule.effective_to and rule.effective_to < day):
            continue
        years = int(rule.age_years or 0)
        try:
            latest = day.replace(year=day.year - years)
        except ValueError:  # 29 February
            latest = day.replace(year=day.year - years, day=28)
        earliest = latest - datetime.timedelta(days=window_days)
        for citizen in Citizen.objects.filter(
            birth_date__gt=earliest, birth_date__lte=latest, user__isnull=False
        ):
            offer = offer_make(
                rule=rule,
                citizen=citizen,
                event_key=f"age:{years}",
                data={"birth_date": citizen.birth_date.isoformat() if citizen.birth_date else ""},
                subject={"name": citizen.full_name},
            )
            if offer is not None:
                made.append(offer)
    return made
