"""The fee engine: what a dossier owes, line by line, with the reason for every đồng.

Pure functions over data (no database): the base lines of a procedure version (its fee
schedule's lines, else the catalogue's ``ProcedureVersion.fees``), the case of the dossier, and
the exemptions and reductions in force on the day (``FeeRule`` rows: legal basis and effective
dates are data). :func:`assess` returns the lines to freeze on the dossier
(:class:`~congso.payments.models.FeeAssessment`); docs/payments.md "Fee engine".

Rules of the computation:

* a base line with a ``case`` applies only to a dossier of that case; a line without one
  applies to every case;
* on each line, of the rules in force that match it (procedure, fee kind, channel, case), the
  one that leaves the least to pay is applied; reductions do not stack (an exemption wins);
* amounts are integer VND; a percentage reduction is rounded in the payer's favour (the amount
  due is rounded down to the đồng).
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

FEE = "phi"  # phí
CHARGE = "le_phi"  # lệ phí
KIND_LABELS = {FEE: "Phí", CHARGE: "Lệ phí"}

EXEMPT = "exempt"
PERCENT = "percent"
AMOUNT = "amount"


def normalise(text: str) -> str:
    """Case, accents and spaces do not matter when matching a case name."""
    text = str(text or "").replace("Đ", "D").replace("đ", "d")
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(folded.lower().split())


def kind_of(name: str, kind: str = "") -> str:
    """A line's kind: as given, else read from its name ("Lệ phí …" is a charge)."""
    if kind in (FEE, CHARGE):
        return kind
    return CHARGE if normalise(name).startswith("le phi") else FEE


@dataclass(frozen=True)
class BaseLine:
    name: str
    amount_vnd: int
    kind: str = FEE
    case: str = ""
    legal_basis: str = ""


@dataclass(frozen=True)
class Rule:
    """An exemption or a reduction (one ``FeeRule`` row)."""

    pk: int
    name: str
    effect: str
    value: int
    legal_basis: str
    effective_from: datetime.date
    effective_to: datetime.date | None = None
    procedure_code: str = ""
    kind: str = ""
    channel: str = ""
    case: str = ""

    def in_force(self, day: datetime.date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )

    def matches(self, line: BaseLine, *, procedure_code: str, channel: str, case: str) -> bool:
        return (
            (not self.procedure_code or self.procedure_code == procedure_code)
            and (not self.kind or self.kind == line.kind)
            and (not self.channel or self.channel == channel)
            and (not self.case or normalise(self.case) == normalise(case))
        )

    def apply(self, amount: int) -> int:
        if self.effect == EXEMPT:
            return 0
        if self.effect == PERCENT:
            return amount * (100 - min(max(self.value, 0), 100)) // 100
        return max(amount - max(self.value, 0), 0)


def base_lines(
    schedule_lines: Sequence[Mapping[str, Any]] | None,
    catalogue_lines: Sequence[Any] | None,
) -> list[BaseLine]:
    """The schedule's own lines when it has some, else the catalogue's (its ``condition``
    is the case), skipping lines without an amount."""
    raw = list(schedule_lines or ())
    from_catalogue = not raw
    if from_catalogue:
        raw = [line for line in catalogue_lines or () if isinstance(line, Mapping)]
    lines = []
    for item in raw:
        try:
            amount = int(item.get("amount_vnd") or 0)
        except (TypeError, ValueError):
            continue
        if amount <= 0:
            continue
        name = str(item.get("name") or "Lệ phí")
        lines.append(
            BaseLine(
                name=name,
                amount_vnd=amount,
                kind=kind_of(name, str(item.get("kind") or "")),
                case=str(item.get("condition" if from_catalogue else "case") or ""),
                legal_basis=str(item.get("legal_basis") or ""),
            )
        )
    return lines


def assess(
    lines: Iterable[BaseLine],
    rules: Iterable[Rule],
    *,
    procedure_code: str,
    channel: str,
    case: str,
    day: datetime.date,
    by_case: bool,
) -> list[dict[str, Any]]:
    """The frozen lines: ``{"kind", "name", "base_vnd", "amount_vnd", "legal_basis",
    "adjustment"}`` (``adjustment``: the rule applied, or None). ``by_case``: the procedure's
    lines depend on the case (a line of another case is left out); otherwise every line
    applies."""
    in_force = [rule for rule in rules if rule.in_force(day)]
    frozen = []
    for line in lines:
        if by_case and line.case and normalise(line.case) != normalise(case):
            continue
        best: tuple[int, Rule] | None = None
        for rule in in_force:
            if rule.matches(line, procedure_code=procedure_code, channel=channel, case=case):
                amount = rule.apply(line.amount_vnd)
                if best is None or amount < best[0]:
                    best = (amount, rule)
        amount = best[0] if best else line.amount_vnd
        frozen.append(
            {
                "kind": line.kind,
                "name": line.name,
                "base_vnd": line.amount_vnd,
                "amount_vnd": amount,
                "legal_basis": line.legal_basis,
                "adjustment": None
                if best is None
                else {
                    "rule": best[1].pk,
                    "name": best[1].name,
                    "legal_basis": best[1].legal_basis,
                    "minus_vnd": line.amount_vnd - amount,
                },
            }
        )
    return frozen
