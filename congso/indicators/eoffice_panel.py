"""The operations dashboard's e-office block: the official documents received and drafted in
the period by state, the incoming ones overdue now and the mean handling time of those
completed in the period in working days (``eoffice.selectors.dashboard``), for the viewer's
scope and the chosen agency, with a link to the overdue lists."""

from __future__ import annotations

from typing import Any

from congso.eoffice.selectors import dashboard
from congso.indicators.filters import Selection
from congso.indicators.panels import Panel, dashboard_panels


def _days(value: float | None) -> str | None:
    return None if value is None else f"{value:.1f}".replace(".", ",")


@dashboard_panels.register("eoffice.documents")
def dashboard_panel(user: Any, scope: list[int] | None, selection: Selection) -> Panel | None:
    agencies = scope
    if selection.agency_ids is not None:
        agencies = (
            selection.agency_ids
            if scope is None
            else [pk for pk in selection.agency_ids if pk in scope]
        )
    figures = dashboard(agencies, selection.start, selection.end)
    return Panel(
        "indicators/includes/eoffice_panel.html",
        {
            "figures": figures,
            "average": _days(figures.average_days),
            "received": sum(n for _, _, n in figures.incoming),
            "drafted": sum(n for _, _, n in figures.outgoing),
        },
    )
