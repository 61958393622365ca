"""In-transaction hooks of a dossier change: how the apps above ``dossiers`` take part in a
change *inside* its transaction without ``dossiers`` importing them. (Work *after* commit goes
through the outbox instead: :mod:`congso.dossiers.events`.)

* :data:`on_lock` ``(dossier)`` — the row was just locked for a change, nothing changed yet
  (the indicators remember the dossier's facts before it);
* :data:`on_change` ``(dossier, *, action, from_status, now)`` — the change was saved and its
  history row written (the indicators apply after − before to their aggregates);
* :data:`completion_guards` ``(dossier) -> str | None`` — why the dossier may not be completed
  yet (results: the e-result is not fully signed); the first reason refuses the completion
  with ``result_not_signed``.

The apps register in their ``AppConfig.ready()`` (``congso/indicators/hooks.py``,
``congso/results/hooks.py``); a hook that raises rolls the whole change back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from congso.core.hooks import Hooks

if TYPE_CHECKING:
    from congso.dossiers.models import Dossier


class ChangeHook(Protocol):
    def __call__(
        self, dossier: Dossier, *, action: str, from_status: str, now: datetime
    ) -> None: ...


LockHook = Callable[["Dossier"], None]
CompletionGuard = Callable[["Dossier"], "str | None"]

on_lock: Hooks[LockHook] = Hooks("dossiers.on_lock")
on_change: Hooks[ChangeHook] = Hooks("dossiers.on_change")
completion_guards: Hooks[CompletionGuard] = Hooks("dossiers.completion_guards")


def locked(dossier: Dossier) -> None:
    for hook in on_lock:
        hook(dossier)


def changed(dossier: Dossier, *, action: str, from_status: str, now: datetime) -> None:
    for hook in on_change:
        hook(dossier, action=action, from_status=from_status, now=now)


def completion_blocker(dossier: Dossier) -> str | None:
    """The first reason a guard gives for not completing the dossier yet, or None."""
    for guard in completion_guards:
        if (reason := guard(dossier)) is not None:
            return reason
    return None


# --- After a bulk write (issue 22) -------------------------------------------------------------


class BulkHook(Protocol):
    def __call__(self, *, reason: str) -> None: ...


#: ``(*, reason)`` — dossiers were written by a bulk path that runs no per-dossier hook (the
#: legacy import): the apps that keep figures of dossiers rebuild them (the indicators). Runs
#: after the bulk write committed, outside any transaction.
after_bulk_write: Hooks[BulkHook] = Hooks("dossiers.after_bulk_write")


def bulk_written(*, reason: str) -> list[str]:
    """Run the :data:`after_bulk_write` hooks; return the names that ran."""
    for hook in after_bulk_write:
        hook(reason=reason)
    return after_bulk_write.names()
