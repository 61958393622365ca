"""The operations dashboard's block of proactive services and procedure groups (registered on
``indicators.panels.dashboard_panels``): offers made, accepted, completed and the time saved.

Offers belong to citizens, not to an agency, so the block counts the whole installation and is
shown only to viewers whose dashboard covers every agency (province administrators,
monitors, superusers)."""

from __future__ import annotations

from typing import Any

from congso.indicators.filters import Selection
from congso.indicators.panels import Panel, dashboard_panels
from congso.lifeevents import selectors


@dashboard_panels.register("lifeevents.proactive")
def dashboard_panel(user: Any, scope: list[int] | None, selection: Selection) -> Panel | None:
    if scope is not None:
        return None
    totals = selectors.totals()
    return Panel(
        "lifeevents/includes/dashboard_panel.html",
        {**totals, "hours_saved": round(totals["minutes_saved"] / 60)},
    )
