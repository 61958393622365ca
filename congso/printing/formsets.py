"""The form sets of the one-stop mechanism as data with an effective date
(``data/form_sets.json``): TT 01/2018/TT-VPCP's forms 01–06, then from 15/9/2025 TT
03/2025/TT-VPCP's 01–07 (04 becomes the apology *and request for an extension*, 05 the new
notice that handling stopped, 06 the control slip, 07 the tracking book).

A dossier keeps the set in force on the local day it was received (before reception: the day it
was submitted); a tracking book the set in force on its period's last day.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from django.utils import timezone

if TYPE_CHECKING:
    from congso.dossiers.models import Dossier

DATA_FILE = Path(__file__).resolve().parent / "data" / "form_sets.json"
#: What a form does; the layouts are keyed by these.
KINDS = (
    "receipt",
    "supplement",
    "refusal",
    "apology",
    "extension",
    "stop",
    "control_slip",
    "tracking_book",
)


@dataclass(frozen=True)
class FormDef:
    number: int
    kind: str
    title: str
    name: str

    @property
    def label(self) -> str:
        return f"Mẫu {self.number:02d} — {self.name}"


@dataclass(frozen=True)
class FormSet:
    code: str
    circular: str
    effective_from: datetime.date
    forms: tuple[FormDef, ...]

    def by_number(self, number: int) -> FormDef | None:
        return next((f for f in self.forms if f.number == number), None)

    def by_kind(self, kind: str) -> FormDef:
        return next(f for f in self.forms if f.kind == kind)

    def has(self, kind: str) -> bool:
        return any(f.kind == kind for f in self.forms)

    @property
    def dossier_forms(self) -> tuple[FormDef, ...]:
        """The forms printed for one dossier (every form but the tracking book)."""
        return tuple(f for f in self.forms if f.kind != "tracking_book")

    def subject(self, form: FormDef) -> str:
        return f"Mẫu số {form.number:02d} – {self.circular}"


def parse(raw: dict) -> tuple[FormSet, ...]:
    sets = []
    for item in raw["sets"]:
        forms = tuple(
            FormDef(int(f["number"]), f["kind"], f["title"], f["name"]) for f in item["forms"]
        )
        unknown = {f.kind for f in forms} - set(KINDS)
        if unknown:
            raise ValueError(f"form set {item['code']}: unknown kinds {sorted(unknown)}")
        numbers = [f.number for f in forms]
        if numbers != list(range(1, len(forms) + 1)):
            raise ValueError(f"form set {item['code']}: forms must be numbered 1…n")
        for required in ("receipt", "control_slip", "tracking_book"):
            if required not in {f.kind for f in forms}:
                raise ValueError(f"form set {item['code']}: no {required}")
        sets.append(
            FormSet(
                item["code"],
                item["circular"],
                datetime.date.fromisoformat(item["effective_from"]),
                forms,
            )
        )
    sets.sort(key=lambda s: s.effective_from)
    return tuple(sets)


@cache
def form_sets() -> tuple[FormSet, ...]:
    return parse(json.loads(DATA_FILE.read_text(encoding="utf-8")))


def form_set_on(day: datetime.date) -> FormSet:
    """The set in force on ``day`` (the oldest one before any set's date)."""
    chosen = form_sets()[0]
    for candidate in form_sets():
        if candidate.effective_from <= day:
            chosen = candidate
    return chosen


def form_set_of(dossier: Dossier) -> FormSet:
    """The set of a dossier: the one in force on its reception day (before reception, the day
    it was submitted)."""
    moment = dossier.received_at or dossier.submitted_at
    day = timezone.localdate(moment) if moment is not None else timezone.localdate()
    return form_set_on(day)


def dossier_forms(dossier: Dossier) -> list[FormDef]:
    """The forms an officer may print for ``dossier`` (numbered as in its set)."""
    return list(form_set_of(dossier).dossier_forms)


__all__ = ["FormDef", "FormSet", "dossier_forms", "form_set_of", "form_set_on", "form_sets"]
