"""Writing the audit log. Every service that changes state calls :func:`record` in the same
transaction as the change, so the event commits (or rolls back) with it.

Concurrency: appends are serialised so two transactions never read the same chain head.
On PostgreSQL :func:`record` takes a transaction-level advisory lock (released at commit or
rollback of the caller's transaction); SQLite already serialises writers (every transaction
begins IMMEDIATE, see settings). ``seq`` is the primary key, so even a missing lock could not
fork the chain: the second insert of a sequence number would fail.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import connection, models, transaction
from django.utils import timezone

from congso.audit.chain import GENESIS_HASH, chain_key, compute_hash, normalise
from congso.audit.models import AuditEvent
from congso.core.context import current_request_id

# pg_advisory_xact_lock key reserved for the audit chain ("AUDIT" in ASCII, fits a bigint).
CHAIN_LOCK_KEY = 0x4155444954

SYSTEM_ACTOR = "system"
ANONYMOUS_ACTOR = "anonymous"

# Fields never copied into the audit log, whatever the caller asks for.
SECRET_FIELDS = frozenset({"password", "key", "secret", "token", "otp_secret"})


def actor_label_for(actor: Any) -> str:
    """Stable name of who acted: ``username#id`` for users (ids are never reused)."""
    if actor is None:
        return SYSTEM_ACTOR
    if isinstance(actor, AnonymousUser) or not getattr(actor, "is_authenticated", False):
        return ANONYMOUS_ACTOR
    return f"{actor.get_username()}#{actor.pk}"[:200]


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])


def record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the audit log and return it.

    Call it inside the transaction that makes the change (it joins it; on its own it opens one).
    ``actor`` is a user, ``None`` for the system, or an anonymous user; ``action`` a dotted
    name such as ``"org.agency.create"``; ``target`` the model instance acted on.
    """
    if not action:
        raise ValueError("action is required")
    if target is not None:
        target_type = target._meta.label_lower
        target_id = "" if target.pk is None else str(target.pk)
        target_label = str(target)[:300]
    else:
        target_type = target_id = target_label = ""
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    # Inside the caller's transaction no savepoint is needed (a failure here must undo the
    # whole change anyway); on its own, this opens the transaction.
    with transaction.atomic(savepoint=False):
        _lock_chain()
        head = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
        seq, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
        fields: dict[str, Any] = {
            "seq": seq,
            "time": timezone.now(),
            "actor_label": actor_label_for(actor),
            "action": action[:100],
            "target_type": target_type,
            "target_id": target_id[:64],
            "target_label": target_label,
            "before": normalise(before) if before is not None else None,
            "after": normalise(after) if after is not None else None,
            "request_id": current_request_id()[:64],
            "prev_hash": prev_hash,
        }
        fields["actor_id"] = user.pk if user is not None else None
        digest = compute_hash(fields)
        del fields["actor_id"]
        event = AuditEvent(actor=user, hash=digest, **fields)
        event.save()
    return event


@dataclass(frozen=True)
class Entry:
    """One event for :func:`record_many`: what :func:`record` takes, the target as its parts."""

    action: str
    target_type: str = ""
    target_id: str = ""
    target_label: str = ""
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


def entry_for(
    target: models.Model,
    *,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> Entry:
    return Entry(
        action=action,
        target_type=target._meta.label_lower,
        target_id="" if target.pk is None else str(target.pk),
        target_label=str(target)[:300],
        before=before,
        after=after,
    )


def record_many(*, actor: Any, entries: Sequence[Entry], batch_size: int = 2000) -> int:
    """Append ``entries`` to the audit log in order, as :func:`record` would one by one, with
    one chain lock, one head read and multi-row inserts (a bulk import writes thousands of
    events per transaction). Each event is hashed over its predecessor exactly as
    :func:`record` hashes it, so ``manage.py audit verify`` checks them like any other.
    Returns the number written. Call it inside the transaction that makes the changes."""
    if not entries:
        return 0
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    label = actor_label_for(actor)
    request_id = current_request_id()[:64]
    key = chain_key()
    with transaction.atomic(savepoint=False):
        _lock_chain()
        head = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
        seq, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
        now = timezone.now()
        events: list[AuditEvent] = []
        for entry in entries:
            if not entry.action:
                raise ValueError("action is required")
            fields: dict[str, Any] = {
                "seq": seq,
                "time": now,
                "actor_label": label,
                "action": entry.action[:100],
                "target_type": entry.target_type,
                "target_id": entry.target_id[:64],
                "target_label": entry.target_label[:300],
                "before": normalise(entry.before) if entry.before is not None else None,
                "after": normalise(entry.after) if entry.after is not None else None,
                "request_id": request_id,
                "prev_hash": prev_hash,
                "actor_id": user.pk if user is not None else None,
            }
            digest = compute_hash(fields, key=key)
            del fields["actor_id"]
            events.append(AuditEvent(actor=user, hash=digest, **fields))
            seq, prev_hash = seq + 1, digest
        # The model's queryset refuses bulk_create (it would bypass the chaining done above).
        models.QuerySet.bulk_create(AuditEvent.objects.all(), events, batch_size=batch_size)
    return len(events)


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The values of ``instance`` as JSON-ready data, for ``before``/``after``.

    Without ``fields``: every concrete field. Foreign keys give the related primary key,
    many-to-many fields (only when named) the sorted list of related primary keys. Secret fields
    (password, keys, tokens) are always left out.
    """
    opts = instance._meta
    if fields is None:
        chosen: list[Any] = list(opts.concrete_fields)
    else:
        chosen = [opts.get_field(name) for name in fields]
    data: dict[str, Any] = {}
    for field in chosen:
        if field.name in SECRET_FIELDS:
            continue
        if field.many_to_many:
            manager = getattr(instance, field.name)
            data[field.name] = sorted(manager.values_list("pk", flat=True))
        elif field.concrete:
            data[field.name] = normalise(field.value_from_object(instance))
        else:
            raise ValueError(f"{opts.label}.{field.name} is not a stored field")
    return data


def record_saved(
    *,
    actor: Any,
    action: str,
    target: models.Model,
    before: dict[str, Any] | None = None,
    fields: Iterable[str] | None = None,
) -> AuditEvent:
    """The audit event of ``target`` just saved (created when ``before`` is None): ``after`` is
    its :func:`snapshot` now (of ``fields``, or every concrete field)."""
    return record(
        actor=actor, action=action, target=target, before=before, after=snapshot(target, fields)
    )
