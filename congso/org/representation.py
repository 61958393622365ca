"""Who may act for an organisation: its representatives (issue 13 item 4).

An organisation has no account of its own; citizens act for it. A :class:`Representative` links
a citizen (identified by their personal ID, so by their verified identity, not by whatever they
type into a form) to an organisation with a role (legal representative, authorised person) over
a period. The links come from:

* officers and administrators (the organisation's page in the administration, or
  :func:`representative_add`), after checking the business registration certificate or the
  authorisation letter at the desk;
* the national identity and business registries, through :func:`representatives_sync`, which
  a connector calls with the list the registry holds (``actor=None``: the system).

The dossier intake asks :func:`representation_for` / :func:`organisation_for_submission`; a
citizen who is not a current representative is refused with one answer,
:func:`not_representative`, whether the tax code exists or not (so the refusal says nothing
about which organisations are registered).

Writes are keyword-only, one transaction each, checked (``can(actor, "change",
organisation)``; ``actor=None`` is the system) and audited: ``org.representative.add``,
``org.representative.end``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from congso.audit.services import record
from congso.core.errors import Conflict, DomainError, PermissionDenied
from congso.org.identity import InvalidIdentifier, validate_tax_code
from congso.org.models import (
    Citizen,
    Organisation,
    Representative,
    RepresentativeRole,
    RepresentativeSource,
)
from congso.org.permissions import CHANGE, can, is_authenticated_user
from congso.org.services import snapshot

MAX_EVIDENCE = 255


def not_representative(tax_code: str) -> PermissionDenied:
    """The one refusal of an online submission for an organisation: the same code, message
    and status whether an organisation with ``tax_code`` is registered or not."""
    return PermissionDenied(
        "not_representative",
        f"Tài khoản của bạn không phải người đại diện (theo pháp luật hoặc được ủy quyền) đã "
        f"đăng ký của tổ chức có mã số thuế «{tax_code}». Người đại diện được đăng ký tại Bộ "
        "phận Một cửa (mang theo giấy chứng nhận đăng ký và giấy ủy quyền, nếu có) hoặc từ hệ "
        "thống định danh điện tử.",
        field="organisation",
    )


def _current(day: datetime.date) -> Q:
    return Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))


# --- Reads ----------------------------------------------------------------------------------------


def representation_for(
    user: Any, organisation: Organisation, *, on: datetime.date | None = None
) -> Representative | None:
    """The user's representation of ``organisation`` in force ``on`` (default today), legal
    representative first; ``None`` when there is none."""
    if not is_authenticated_user(user) or organisation.pk is None:
        return None
    day = on or timezone.localdate()
    return (
        Representative.objects.filter(
            _current(day), organisation_id=organisation.pk, citizen__user_id=user.pk
        )
        .select_related("citizen")
        .order_by("-role")  # "legal_representative" sorts after "authorised"
        .first()
    )


def require_representative(user: Any, organisation: Organisation) -> Representative:
    """The user's current representation of ``organisation``, or :func:`not_representative`."""
    found = representation_for(user, organisation)
    if found is None:
        raise not_representative(organisation.tax_code)
    return found


def organisation_for_submission(user: Any, tax_code: str) -> tuple[Organisation, Representative]:
    """The organisation with ``tax_code`` and the user's current representation of it.

    A malformed code is refused for its form (``tax_code_format`` …, field ``organisation``),
    which tells nothing about registrations. Otherwise one query, and one refusal
    (:func:`not_representative`) for "no such organisation" and "not its representative"."""
    try:
        code = validate_tax_code(tax_code)
    except InvalidIdentifier as exc:
        raise DomainError(exc.code, exc.message, field="organisation") from None
    if not is_authenticated_user(user):
        raise not_representative(code)
    found = (
        Representative.objects.filter(
            _current(timezone.localdate()), organisation__tax_code=code, citizen__user_id=user.pk
        )
        .select_related("organisation", "citizen")
        .order_by("-role")
        .first()
    )
    if found is None:
        raise not_representative(code)
    return found.organisation, found


def represented_organisations(user: Any) -> QuerySet[Organisation]:
    """The organisations ``user`` represents today (for the portal's applicant choice)."""
    if not is_authenticated_user(user):
        return Organisation.objects.none()
    today = timezone.localdate()
    ids = Representative.objects.filter(_current(today), citizen__user_id=user.pk).values(
        "organisation_id"
    )
    return Organisation.objects.filter(pk__in=ids).order_by("name")


def representatives_of(
    organisation: Organisation, *, on: datetime.date | None = None
) -> QuerySet[Representative]:
    day = on or timezone.localdate()
    return (
        Representative.objects.filter(_current(day), organisation=organisation)
        .select_related("citizen")
        .order_by("role", "citizen__full_name")
    )


# --- Writes ---------------------------------------------------------------------------------------


def _check_actor(actor: Any, organisation: Organisation) -> None:
    if actor is not None and not can(actor, CHANGE, organisation):
        raise PermissionDenied(
            "forbidden", "Bạn không có quyền cập nhật người đại diện của tổ chức này."
        )


def _period(
    valid_from: datetime.date | None, valid_to: datetime.date | None
) -> tuple[datetime.date, datetime.date | None]:
    start = valid_from or timezone.localdate()
    if valid_to is not None and valid_to < start:
        raise DomainError(
            "invalid_period",
            "Ngày kết thúc (đến hết ngày) phải từ ngày bắt đầu trở đi.",
            field="valid_to",
        )
    return start, valid_to


@transaction.atomic
def representative_add(
    *,
    actor: Any,
    organisation: Organisation,
    citizen: Citizen,
    role: str,
    source: str = RepresentativeSource.ADMIN,
    evidence: str = "",
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
) -> Representative:
    """Record that ``citizen`` represents ``organisation`` as ``role`` from ``valid_from``
    (default today) to ``valid_to`` (inclusive; empty: until ended)."""
    _check_actor(actor, organisation)
    if role not in RepresentativeRole.values:
        raise DomainError(
            "role_invalid",
            "Tư cách phải là người đại diện theo pháp luật hoặc người được ủy quyền.",
            field="role",
        )
    if source not in RepresentativeSource.values:
        raise DomainError("source_invalid", "Nguồn dữ liệu không hợp lệ.", field="source")
    text = " ".join((evidence or "").split())
    if len(text) > MAX_EVIDENCE:
        raise DomainError(
            "too_long", f"Giấy tờ chứng minh dài quá {MAX_EVIDENCE} ký tự.", field="evidence"
        )
    start, end = _period(valid_from, valid_to)
    representative = Representative(
        organisation=organisation,
        citizen=citizen,
        role=role,
        source=source,
        evidence=text,
        valid_from=start,
        valid_to=end,
        created_by=actor if is_authenticated_user(actor) else None,
    )
    try:
        with transaction.atomic():
            representative.save()
    except IntegrityError:
        raise Conflict(
            "representative_exists",
            f"{citizen.full_name} đã là {RepresentativeRole(role).label.lower()} của "
            f"{organisation.name}.",
            field="citizen",
        ) from None
    record(
        actor=actor,
        action="org.representative.add",
        target=representative,
        after=snapshot(representative),
    )
    return representative


@transaction.atomic
def representative_end(
    *, actor: Any, representative: Representative, on: datetime.date | None = None
) -> Representative | None:
    """End a representation so that it no longer holds on ``on`` (default today): its last day
    becomes the day before. One that had not started by then is deleted (it never took
    effect); ``None`` is returned then."""
    _check_actor(actor, representative.organisation)
    day = on or timezone.localdate()
    before = snapshot(representative)
    if representative.valid_from >= day:
        record(actor=actor, action="org.representative.end", target=representative, before=before)
        representative.delete()
        return None
    last = day - datetime.timedelta(days=1)
    if representative.valid_to is None or representative.valid_to > last:
        representative.valid_to = last
        representative.save(update_fields=["valid_to"])
    record(
        actor=actor,
        action="org.representative.end",
        target=representative,
        before=before,
        after=snapshot(representative),
    )
    return representative


@dataclass
class SyncResult:
    added: list[Representative] = field(default_factory=list)
    ended: list[Representative] = field(default_factory=list)
    unknown_personal_ids: list[str] = field(default_factory=list)


@transaction.atomic
def representatives_sync(
    *,
    organisation: Organisation,
    source: str,
    entries: Iterable[tuple[str, str]],
    evidence: str = "",
    actor: Any = None,
) -> SyncResult:
    """Make the organisation's representatives *from ``source``* those the registry lists:
    ``entries`` are ``(personal ID, role)`` pairs. Missing ones are added, current ones no
    longer listed are ended today; links entered by officers (other sources) are left alone.
    A personal ID with no citizen profile here is reported, never invented."""
    if source == RepresentativeSource.ADMIN:
        raise DomainError(
            "source_invalid", "Chỉ đồng bộ dữ liệu từ hệ thống định danh, đăng ký.", field="source"
        )
    wanted = {(pid.strip(), role) for pid, role in entries}
    today = timezone.localdate()
    current = list(
        Representative.objects.select_for_update()
        .filter(_current(today), organisation=organisation, source=source)
        .select_related("citizen", "organisation")
    )
    have = {(rep.citizen.personal_id, rep.role): rep for rep in current}
    result = SyncResult()
    citizens = {
        c.personal_id: c
        for c in Citizen.objects.filter(personal_id__in={pid for pid, _role in wanted})
    }
    for pid, role in sorted(wanted - have.keys()):
        citizen = citizens.get(pid)
        if citizen is None:
            result.unknown_personal_ids.append(pid)
            continue
        result.added.append(
            representative_add(
                actor=actor,
                organisation=organisation,
                citizen=citizen,
                role=role,
                source=source,
                evidence=evidence,
            )
        )
    for key in sorted(have.keys() - wanted):
        ended = representative_end(actor=actor, representative=have[key], on=today)
        if ended is not None:
            result.ended.append(ended)
    return result
