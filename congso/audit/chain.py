"""Canonical form and hash of an audit event, shared by the writer and the verifier.

JSON payloads (``before``/``after``) are normalised *before* they are stored, so what the
database gives back is exactly what was hashed, on SQLite (JSON text) and PostgreSQL (jsonb):

* datetimes become ISO 8601 in UTC with microseconds, dates and times ISO 8601;
* ``Decimal``, ``UUID`` and lazy strings become strings;
* floats become their shortest ``repr`` string (jsonb rewrites large floats as integers, which
  would change the canonical text), like ``Decimal`` under ``DjangoJSONEncoder``;
* tuples and sets become lists (sets sorted), mapping keys become strings;
* files become their stored name, model instances their primary key.

The hash is **HMAC-SHA256** keyed with ``settings.AUDIT_CHAIN_KEY`` (the environment, never the
database) over ``json.dumps(..., sort_keys=True, separators=(",", ":"), ensure_ascii=False)`` of
every column but ``hash`` itself, encoded as UTF-8: without the key nobody can re-hash a changed
chain, and a changed ``actor_id`` breaks its event. ``actor_id`` is hashed as written; deleting a
user later sets it to NULL, so the verifier then takes the id from ``actor_label``
(``username#id``, also hashed) and checks that the user is really gone.

Events written before the chain was keyed (seq up to ``settings.AUDIT_LEGACY_UNTIL_SEQ``) keep
their unkeyed SHA-256 (:func:`compute_legacy_hash`, without ``actor_id``); the first keyed event
carries their head as ``prev_hash``, so they cannot be rewritten either without breaking it.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model
from django.db.models.fields.files import FieldFile
from django.utils.functional import Promise

GENESIS_HASH = "0" * 64

#: The fields of the unkeyed scheme of events written before the chain was keyed.
LEGACY_HASHED_FIELDS = (
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

#: Every column of an event but ``hash``: what the keyed hash covers.
HASHED_FIELDS = (*LEGACY_HASHED_FIELDS, "actor_id")


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


@functools.lru_cache(maxsize=4)
def _key_bytes(key: str) -> bytes:
    if not key:
        raise ValueError("settings.AUDIT_CHAIN_KEY is empty: the audit chain cannot be keyed")
    return key.encode("utf-8")


def chain_key() -> bytes:
    """The HMAC key of the chain (``CONGSO_AUDIT_CHAIN_KEY``)."""
    return _key_bytes(settings.AUDIT_CHAIN_KEY)


def _payload(fields: Mapping[str, Any], names: tuple[str, ...]) -> bytes:
    payload = {name: fields[name] for name in names}
    payload["time"] = format_time(fields["time"])
    return canonical_json(payload).encode("utf-8")


def compute_hash(fields: Mapping[str, Any], *, key: bytes | None = None) -> str:
    """HMAC-SHA256 (hex) of every column of one event (:data:`HASHED_FIELDS`).

    ``fields`` holds at least :data:`HASHED_FIELDS`, with ``time`` an aware datetime and
    ``before``/``after`` already normalised (as stored). One HMAC, no query: this is on every
    write path.
    """
    message = _payload(fields, HASHED_FIELDS)
    return hmac.new(key if key is not None else chain_key(), message, hashlib.sha256).hexdigest()


def compute_legacy_hash(fields: Mapping[str, Any]) -> str:
    """The unkeyed SHA-256 of events written before the chain was keyed (no ``actor_id``)."""
    return hashlib.sha256(_payload(fields, LEGACY_HASHED_FIELDS)).hexdigest()


def keyed_mac(message: bytes) -> str:
    """HMAC-SHA256 (hex) of ``message`` with the chain key (anchors use it)."""
    return hmac.new(chain_key(), message, hashlib.sha256).hexdigest()
