"""The portal's life-event navigator: "có con", "kết hôn", "mở cửa hàng", "người thân mất",
"xây nhà" → the procedures a citizen usually needs, and other pages (procedure groups).

The events are data (``data/life_events.json``): a title, a summary, national procedure codes
(those in the catalogue and visible are shown, in that order), a finder query that fills in
when the province's catalogue lacks them, and ``links`` to other pages. Another app (e.g. the
procedure groups of ``congso.lifeevents``) adds links at run time with :func:`register_links`
without the catalogue depending on it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from congso.catalog import selectors
from congso.catalog.models import Procedure

DATA = Path(__file__).resolve().parent / "data" / "life_events.json"
#: Procedures shown for an event at most.
SHOWN = 8


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class LifeEvent:
    slug: str
    title: str
    summary: str
    query: str
    codes: tuple[str, ...]
    links: tuple[Link, ...] = ()


LinkProvider = Callable[[LifeEvent], list[Link]]
_providers: list[LinkProvider] = []


def register_links(provider: LinkProvider) -> None:
    """Add a source of links for the events (called once, e.g. from an app's ``ready()``)."""
    if provider not in _providers:
        _providers.append(provider)


@cache
def events() -> tuple[LifeEvent, ...]:
    rows: list[dict[str, Any]] = json.loads(DATA.read_text(encoding="utf-8"))["events"]
    return tuple(
        LifeEvent(
            slug=row["slug"],
            title=row["title"],
            summary=row["summary"],
            query=row["query"],
            codes=tuple(row["codes"]),
            links=tuple(Link(link["title"], link["url"]) for link in row.get("links", ())),
        )
        for row in rows
    )


def event(slug: str) -> LifeEvent | None:
    return next((found for found in events() if found.slug == slug), None)


def procedures_for(life_event: LifeEvent, *, user: Any = None) -> list[Procedure]:
    """The event's procedures in the catalogue (visible to ``user``): its codes first, then
    those with every word of its query, at most :data:`SHOWN`."""
    visible = selectors.visible_procedures(user)
    by_code = {
        procedure.code: procedure
        for procedure in visible.filter(code__in=life_event.codes).select_related("field")
    }
    found = [by_code[code] for code in life_event.codes if code in by_code]
    if len(found) < SHOWN:
        seen = {procedure.pk for procedure in found}
        for procedure in selectors.procedure_list(query=life_event.query, user=user, finder=True)[
            :SHOWN
        ]:
            if procedure.pk not in seen and len(found) < SHOWN:
                found.append(procedure)
                seen.add(procedure.pk)
    return found


def links_for(life_event: LifeEvent) -> list[Link]:
    """The event's links: its data's, then those of the registered providers."""
    found = list(life_event.links)
    for provider in _providers:
        found.extend(provider(life_event))
    return found
