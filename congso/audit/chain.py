"""Canonical form and hash of an audit event, shared by the writer and the verifier.

JSON payloads (``before``/``after``) are normalised *before* they are stored, so what the
database gives back is exactly what was hashed, on SQLite (JSON text) and PostgreSQL (jsonb):

* datetimes become ISO 8601 in UTC with microseconds, dates and times ISO 8601;
* ``Decimal``, ``UUID`` and lazy strings become strings;
* floats become their shortest ``repr`` string (jsonb rewrites large floats as integers, which
  would change the canonical text), like ``Decimal`` under ``DjangoJSONEncoder``;
* tuples and sets become lists (sets sorted), mapping keys become strings;
* files become their stored name, model instances their primary key.

The hash is SHA-256 over ``json.dumps(..., sort_keys=True, separators=(",", ":"),
ensure_ascii=False)`` of the hashed fields, encoded as UTF-8. ``actor_id`` is not hashed because
deleting a user sets it to NULL; ``actor_label`` (username and id) is hashed instead.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model
from django.db.models.fields.files import FieldFile
from django.utils.functional import Promise

GENESIS_HASH = "0" * 64

HASHED_FIELDS = (
    "seq",
    "time",
    "actor_label",
    "action",
    "target_type",
    "target_id",
    "target_label",
    "before",
    "after",
    "request_id",
    "prev_hash",
)


def _datetime(value: dt.datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    return value.isoformat(timespec="microseconds")


# Scalars that JSON has no type for, in the order they are tried (datetime before date).
_SCALARS: tuple[tuple[type | tuple[type, ...], Callable[[Any], Any]], ...] = (
    (float, repr),
    (dt.datetime, _datetime),
    ((dt.date, dt.time), lambda value: value.isoformat()),
    ((Decimal, uuid.UUID, Promise), str),
    (FieldFile, lambda value: value.name or ""),
    (Model, lambda value: normalise(value.pk)),
    (bytes, lambda value: value.hex()),
)


def normalise(value: Any) -> Any:
    """Turn ``value`` into plain JSON data (dict, list, str, int, bool, None) deterministically."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Mapping):
        return {str(key): normalise(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [normalise(item) for item in value]
    if isinstance(value, set | frozenset):
        return sorted((normalise(item) for item in value), key=canonical_json)
    for kinds, convert in _SCALARS:
        if isinstance(value, kinds):
            return convert(value)
    # Anything else DjangoJSONEncoder knows (timedelta, ...): encode once, decode back.
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def format_time(value: dt.datetime) -> str:
    """Canonical text of the event time (UTC, microseconds), as hashed."""
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def compute_hash(fields: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of the hashed fields of one event.

    ``fields`` holds at least :data:`HASHED_FIELDS`, with ``time`` an aware datetime and
    ``before``/``after`` already normalised (as stored).
    """
    payload = {name: fields[name] for name in HASHED_FIELDS}
    payload["time"] = format_time(fields["time"])
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()
