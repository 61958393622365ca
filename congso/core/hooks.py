"""Named hooks: how a higher app takes part in a lower app's work without the lower app
importing it (an explicit registry, not Django signals).

The lower app declares a :class:`Hooks` and calls its functions at the right moment; the higher
app registers in its ``AppConfig.ready()``::

    # congso/dossiers/hooks.py (below)
    on_change: Hooks[ChangeHook] = Hooks("dossiers.on_change")

    # congso/indicators/hooks.py (above)
    dossier_hooks.on_change.register("indicators.aggregates")(aggregates.record_change)

Functions run in name order, in the caller's transaction: one that raises rolls the caller's
change back. A name is registered once (another function under a used name fails).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Generic, Protocol, TypeVar

from django.core.exceptions import ImproperlyConfigured

F = TypeVar("F", bound=Callable[..., Any])


class Hooks(Generic[F]):
    def __init__(self, label: str) -> None:
        self.label = label
        self._functions: dict[str, F] = {}

    def register(self, name: str) -> Callable[[F], F]:
        """Register the decorated function under ``name``."""

        def decorator(fn: F) -> F:
            if self._functions.get(name, fn) is not fn:
                raise ValueError(f"{self.label}: hook {name!r} is already registered")
            self._functions[name] = fn
            return fn

        return decorator

    def unregister(self, name: str) -> None:
        self._functions.pop(name, None)

    def names(self) -> list[str]:
        return sorted(self._functions)

    def __iter__(self) -> Iterator[F]:
        return iter([self._functions[name] for name in sorted(self._functions)])


class Recorder(Protocol):
    def __call__(
        self,
        *,
        actor: Any,
        action: str,
        target: Any = None,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> Any: ...


#: Who writes the audit events of core's own audited actions (the admin's re-queue of jobs).
#: ``core`` is below ``audit`` (the audit log uses core's worker and request id), so the audit
#: app registers :func:`congso.audit.services.record` here in its ``ready()``.
audit_recorders: Hooks[Recorder] = Hooks("core.audit_recorders")


def audit(
    *,
    actor: Any,
    action: str,
    target: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Record an audit event of core's through the registered recorder (in the caller's
    transaction); with none registered the action is refused, never silently unaudited."""
    recorders = list(audit_recorders)
    if not recorders:
        raise ImproperlyConfigured("congso.audit is not installed: core cannot audit " + action)
    for recorder in recorders:
        recorder(actor=actor, action=action, target=target, before=before, after=after)
