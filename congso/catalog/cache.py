"""A per-process copy of the catalogue rows every submission reads, never stale.

A submission needs the procedure's version in force, its components (the slots and their file
rules) and the competent agency's internal process. Those rows change rarely, so each server
process keeps them in memory, tagged with the catalogue's revision token
(:class:`~congso.catalog.models.CatalogueRevision`). Database triggers give that token a new
random value in the same transaction as any write to a catalogue table, by any path (services,
admin, shell, raw SQL), so one primary-key read of the token per :func:`snapshot` tells whether
the copy still matches what the database holds; when it does not, the copy is dropped and
refilled from the database.

The cached model instances are shared between a process's threads: read them, never change them.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

from django.db import connection

from congso.catalog import selectors
from congso.catalog.models import CatalogueRevision, Component, Procedure, ProcedureVersion, Process
from congso.core.errors import DomainError
from congso.org.models import Agency


class _Store:
    """The process's copy: the entries and the token they were read under."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: dict[tuple[Any, ...], Any] = {}
        self.token: int | None = None


_store = _Store()


def current_token() -> int | None:
    """The catalogue's revision token as this connection sees it (``None``: no row yet)."""
    table = connection.ops.quote_name(CatalogueRevision._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {table} WHERE id = 1")  # noqa: S608 (model's table)
        row = cursor.fetchone()
    return None if row is None else int(row[0])


class Snapshot:
    """The catalogue as of one revision token; read through it, in one action."""

    def __init__(self, entries: dict[tuple[Any, ...], Any]) -> None:
        self._entries = entries

    def _get(self, key: tuple[Any, ...], load: Any) -> Any:
        try:
            return self._entries[key]
        except KeyError:
            value = load()
            self._entries[key] = value
            return value

    def version_in_force(self, procedure: Procedure, on: date) -> ProcedureVersion:
        """:func:`congso.catalog.selectors.current_version` (the same ``procedure_not_in_force``
        error), with the procedure row of this revision attached to the version."""
        found = self._get(("version", procedure.pk, on), lambda: _version_in_force(procedure, on))
        if isinstance(found, DomainError):
            raise DomainError(found.code, found.message, field=found.field, status=found.status)
        return found

    def components(self, version: ProcedureVersion) -> list[Component]:
        """The version's components in their order."""
        return list(
            self._get(
                ("components", version.pk),
                lambda: tuple(version.components.order_by("order")),
            )
        )

    def process(self, version: ProcedureVersion, agency: Agency) -> Process | None:
        """The agency's active internal process for the version, or ``None``."""
        found: Process | None = self._get(
            ("process", version.pk, agency.pk), lambda: _process_or_none(version, agency)
        )
        return found


def _version_in_force(procedure: Procedure, on: date) -> ProcedureVersion | DomainError:
    current = Procedure.objects.filter(pk=procedure.pk).first()
    try:
        version = selectors.current_version(current or procedure, on)
    except DomainError as exc:
        return exc
    if current is None:  # deleted since the caller read it
        return selectors.procedure_not_in_force(procedure, on)
    version.procedure = current
    return version


def _process_or_none(version: ProcedureVersion, agency: Agency) -> Process | None:
    try:
        return selectors.process_for(version, agency)
    except DomainError as exc:
        if exc.code == "no_process":
            return None
        raise


def snapshot() -> Snapshot:
    """The cached catalogue, checked against the revision token (one query)."""
    token = current_token()
    if token is None:
        return Snapshot({})  # no token to trust: read everything from the database
    with _store.lock:
        if token != _store.token:
            _store.entries = {}
            _store.token = token
        return Snapshot(_store.entries)


def clear() -> None:
    """Forget everything (tests)."""
    with _store.lock:
        _store.entries = {}
        _store.token = None
