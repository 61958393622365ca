"""Blocks that apps *above* the indicators add to the operations dashboard (the national-portal
sync's "% synced within 5 minutes"), without the indicators importing them: a higher app
registers a function on :data:`dashboard_panels` in its ``AppConfig.ready()``; the dashboard
calls each with the viewer, their scope and the selected period, and includes the template of
every :class:`Panel` returned (``None``: nothing to show to this viewer)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from congso.core.hooks import Hooks
from congso.indicators.filters import Selection


@dataclass(frozen=True)
class Panel:
    template: str  # included with ``panel`` = :attr:`context`
    context: dict[str, Any] = field(default_factory=dict)


#: ``(user, scope, selection) -> Panel | None``; ``scope``: the agencies the viewer's dashboard
#: counts (None: all).
PanelHook = Callable[[Any, "list[int] | None", Selection], "Panel | None"]
dashboard_panels: Hooks[PanelHook] = Hooks("indicators.dashboard_panels")


def panels(user: Any, scope: list[int] | None, selection: Selection) -> list[Panel]:
    found = []
    for hook in dashboard_panels:
        panel = hook(user, scope, selection)
        if panel is not None:
            found.append(panel)
    return found
