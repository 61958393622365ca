"""The operations dashboard's "paid online" block: the share of the period's fee payments
settled online (gateway, national payment platform, VietQR) rather than at the counter, for
the viewer's scope and the chosen agency (``payments.revenue.paid_online``)."""

from __future__ import annotations

from typing import Any

from congso.indicators.filters import Selection
from congso.indicators.panels import Panel, dashboard_panels
from congso.payments.revenue import paid_online


@dashboard_panels.register("payments.paid_online")
def dashboard_panel(user: Any, scope: list[int] | None, selection: Selection) -> Panel | None:
    agencies = selection.agency_ids if selection.agency_ids is not None else scope
    online, total = paid_online(selection.start, selection.end, agencies)
    percent = None if not total else f"{online * 100 / total:.1f}".replace(".", ",")
    return Panel(
        "indicators/includes/paid_online_panel.html",
        {"online": online, "total": total, "percent": percent},
    )
