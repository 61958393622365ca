"""Dossier codes (mã số hồ sơ, ND 61/2018 art. 26, TT 01/2018 art. 19).

The format is data: a :class:`~congso.dossiers.models.CodeRule` row with an effective date and a
``str.format`` pattern over these names:

``agency``
    the receiving agency's electronic identifier (QCVN 102:2016, e.g. ``000.00.12.H56``);
``yymmdd``, ``yyyy``, ``yy``, ``mm``, ``dd``
    the reception date (local time);
``seq``
    the sequence number within the agency identifier and the day, from 1; its format spec gives
    the width (``{seq:04d}``: 0001–9999).

TT 01/2018 (in force from 06/01/2019): ``{agency}-{yymmdd}-{seq:04d}``, seeded by a data
migration. A dossier keeps the rule that was in force when its code was issued.

Allocation is gap-free: the counter row of (agency identifier, day) is locked (by the upsert's
row lock on PostgreSQL; SQLite transactions begin IMMEDIATE and so already serialise writers),
incremented, and the dossier gets the number in the same transaction, so a rollback returns the
number. The row lock is held until commit and every submission to the agency that day queues on
it, so the number is taken as late as possible (issue 22, ``docs/decisions.md``): the dossier is
inserted with a :func:`provisional` code, its slots and files are written, then :func:`issue`
takes the number and the dossier row gets its code just before its history, event and audit
entry, the last statements of the transaction.

Creating and incrementing the counter row is one upsert under its unique constraint
(``INSERT … ON CONFLICT (agency_code, day) DO UPDATE … RETURNING last``), so a racing first
insert of the same key waits for the winner and increments its row.
"""

from __future__ import annotations

import re
import string
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.utils import timezone

from congso.core.errors import DomainError

if TYPE_CHECKING:
    from congso.dossiers.models import CodeRule

PATTERN_NAMES = frozenset({"agency", "yymmdd", "yyyy", "yy", "mm", "dd", "seq"})
REQUIRED_NAMES = frozenset({"agency", "seq"})
TT01_2018_PATTERN = "{agency}-{yymmdd}-{seq:04d}"
TT01_2018_EFFECTIVE = date(2019, 1, 6)


def validate_pattern(pattern: str) -> int:
    """Check a code pattern; return the largest sequence number it can render.

    Raises ``DomainError("invalid_code_pattern")`` naming the problem.
    """
    names: set[str] = set()
    width = 0
    try:
        parsed = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        raise DomainError(
            "invalid_code_pattern", f"Mẫu mã số hồ sơ không hợp lệ: {exc}.", field="pattern"
        ) from None
    for _literal, name, spec, _conversion in parsed:
        if name is None:
            continue
        if name not in PATTERN_NAMES:
            raise DomainError(
                "invalid_code_pattern",
                f"Mẫu mã số hồ sơ có tên «{name}» không được hỗ trợ; dùng: "
                + ", ".join(sorted(PATTERN_NAMES))
                + ".",
                field="pattern",
            )
        names.add(name)
        if name == "seq":
            digits = (spec or "").rstrip("d").lstrip("0")
            if not spec or not spec.endswith("d") or not digits.isdigit():
                raise DomainError(
                    "invalid_code_pattern",
                    "Số thứ tự phải có độ dài cố định, ví dụ {seq:04d}.",
                    field="pattern",
                )
            width = int(digits)
    missing = REQUIRED_NAMES - names
    if missing:
        raise DomainError(
            "invalid_code_pattern",
            "Mẫu mã số hồ sơ phải có mã cơ quan {agency} và số thứ tự {seq:04d}.",
            field="pattern",
        )
    return 10**width - 1


def render(pattern: str, *, agency_code: str, day: date, seq: int) -> str:
    return pattern.format(
        agency=agency_code,
        yymmdd=day.strftime("%y%m%d"),
        yyyy=f"{day.year:04d}",
        yy=day.strftime("%y"),
        mm=f"{day.month:02d}",
        dd=f"{day.day:02d}",
        seq=seq,
    )


def rule_in_force(day: date) -> CodeRule:
    from congso.dossiers.models import CodeRule

    rule = CodeRule.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
    if rule is None:
        raise DomainError(
            "no_code_rule",
            f"Chưa có quy định mã số hồ sơ áp dụng cho ngày {day:%d/%m/%Y}.",
        )
    return rule


def _next_seq(agency_code: str, day: date) -> int:
    """Increment the counter of (agency identifier, day), creating it at 1, and return the new
    value: one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` statement. The row stays locked
    (PostgreSQL) until the caller's transaction ends, so concurrent allocations queue on it and a
    rollback returns the number; a racing first insert of the same key waits for the winner and
    then updates its row instead of failing."""
    from congso.dossiers.models import CodeCounter

    table = connection.ops.quote_name(CodeCounter._meta.db_table)
    # The table name is the model's; the values are bound.
    sql = (
        f"INSERT INTO {table} (agency_code, day, last) VALUES (%s, %s, 1) "  # noqa: S608
        f"ON CONFLICT (agency_code, day) DO UPDATE SET last = {table}.last + 1 RETURNING last"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [agency_code, day])
        row = cursor.fetchone()
    return int(row[0])


#: Provisional codes start with this character, which no code rule can render first (a rule
#: starts with the agency identifier or a literal the administrator chose; see
#: :func:`is_provisional`). A committed dossier never keeps one.
PROVISIONAL_PREFIX = "~"


def provisional() -> str:
    """A unique placeholder code for a dossier row inserted before its number is taken."""
    return PROVISIONAL_PREFIX + uuid.uuid4().hex


def is_provisional(code: str) -> bool:
    return code.startswith(PROVISIONAL_PREFIX)


@dataclass(frozen=True)
class Pending:
    """The rule in force for a day, read before the number is taken (no lock)."""

    day: date
    rule: CodeRule
    highest: int


def prepare(at: datetime | None = None) -> Pending:
    """The rule of the local date of ``at`` (default now) and its largest number."""
    day = timezone.localdate(at or timezone.now())
    rule = rule_in_force(day)
    return Pending(day=day, rule=rule, highest=validate_pattern(rule.pattern))


def issue(pending: Pending, *, agency_code: str) -> str:
    """Take the next number of (``agency_code``, day) and render the code. Must run inside the
    transaction that gives the dossier its code, as late in it as possible: the counter row stays
    locked until that transaction ends."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("issue() must run inside the dossier's transaction")
    seq = _next_seq(agency_code, pending.day)
    if seq > pending.highest:
        raise DomainError(
            "code_sequence_exhausted",
            f"Cơ quan {agency_code} đã dùng hết {pending.highest} số thứ tự hồ sơ của ngày "
            f"{pending.day:%d/%m/%Y}.",
            status=409,
        )
    return render(pending.rule.pattern, agency_code=agency_code, day=pending.day, seq=seq)


def allocate(*, agency_code: str, at: datetime | None = None) -> tuple[str, CodeRule]:
    """The next code for ``agency_code`` on the local date of ``at`` (default now), and the
    rule that shaped it. Must run inside the transaction that inserts the dossier."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("allocate() must run inside the dossier's transaction")
    pending = prepare(at)
    return issue(pending, agency_code=agency_code), pending.rule


# --- Codes issued elsewhere (a legacy system's dossiers, issue 22) --------------------------------


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    """A regex matching what ``pattern`` renders, with the groups ``agency``, ``seq`` and the
    date parts it has."""
    parts: list[str] = []
    seen: set[str] = set()
    widths = {"yymmdd": 6, "yyyy": 4, "yy": 2, "mm": 2, "dd": 2}
    for literal, name, spec, _conversion in string.Formatter().parse(pattern):
        parts.append(re.escape(literal))
        if name is None:
            continue
        group = name if name not in seen else None
        seen.add(name)
        if name == "agency":
            body = r"[0-9A-Za-z.]{1,13}?"
        elif name == "seq":
            width = int((spec or "1d").rstrip("d").lstrip("0") or "1")
            body = rf"\d{{{width},}}"
        else:
            body = rf"\d{{{widths[name]}}}"
        parts.append(f"(?P<{group}>{body})" if group else f"(?:{body})")
    return re.compile("^" + "".join(parts) + "$")


@dataclass(frozen=True)
class Parsed:
    """What a code rendered by a rule says: the agency identifier, the day, the number."""

    agency_code: str
    day: date
    seq: int


def parse(code: str, pattern: str) -> Parsed | None:
    """Read a code back by the rule's pattern; None when it does not follow it (or names no
    whole date: then no counter of congso can ever render it)."""
    match = _pattern_regex(pattern).match(code)
    if match is None:
        return None
    found = match.groupdict()
    try:
        if found.get("yymmdd"):
            value = found["yymmdd"]
            day = date(2000 + int(value[:2]), int(value[2:4]), int(value[4:]))
        elif found.get("mm") and found.get("dd") and (found.get("yyyy") or found.get("yy")):
            year = int(found["yyyy"]) if found.get("yyyy") else 2000 + int(found["yy"])
            day = date(year, int(found["mm"]), int(found["dd"]))
        else:
            return None
    except ValueError:
        return None
    return Parsed(agency_code=found["agency"], day=day, seq=int(found["seq"]))


def advance_past(taken: dict[tuple[str, date], int]) -> int:
    """Move the counters of (agency identifier, day) to at least the numbers in ``taken`` (codes
    kept from another system), so that a code issued later never repeats one of them. One
    upsert per key that keeps the larger value; returns the number of keys. Inside the
    transaction that writes those dossiers."""
    from congso.dossiers.models import CodeCounter

    if not taken:
        return 0
    table = connection.ops.quote_name(CodeCounter._meta.db_table)
    larger = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    # The table name is the model's; the values are bound.
    sql = (
        f"INSERT INTO {table} (agency_code, day, last) VALUES (%s, %s, %s) "  # noqa: S608
        f"ON CONFLICT (agency_code, day) DO UPDATE SET last = {larger}({table}.last, "
        "excluded.last)"
    )
    rows = [(agency, day, seq) for (agency, day), seq in sorted(taken.items())]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(rows)
