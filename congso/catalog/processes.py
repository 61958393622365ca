"""Checking an internal process (quy trình nội bộ) against the legal time limit — pure arithmetic.

TT 01/2018/TT-VPCP art. 8: each procedure has published steps, who does each and the time of
each, and their sum fits the legal time limit. Here:

* time is counted in **working hours**; one working day is the calendar's working hours per day
  (8 h with the default 07:30–11:30 / 13:00–17:00), passed in by the caller;
* steps run in ``order``; consecutive steps with the same ``parallel_group`` run at the same time
  and count **once, for the longest** of them (a consultation beside the appraisal, inter-agency
  steps sent to several agencies at once);
* the legal limit in hours (:func:`limit_hours`): working days × hours per day; working hours as
  they are; calendar days (Civil Code periods) as the working days they contain at least in an
  ordinary week, ⌊days × 5 / 7⌋ (public holidays only lengthen the period, never shorten it);
  an instant procedure ("giải quyết ngay") one working day; no fixed limit, nothing to check.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING, Any, Protocol

from congso.catalog.models import StepKind, TimeLimitUnit
from congso.core.errors import DomainError

if TYPE_CHECKING:
    from congso.catalog.models import Process


class StepLike(Protocol):
    """A step as the checks see it: a :class:`~congso.catalog.specs.StepSpec` or a saved
    :class:`~congso.catalog.models.ProcessStep`."""

    @property
    def order(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def hours(self) -> Decimal: ...
    @property
    def is_lead(self) -> bool: ...
    @property
    def parallel_group(self) -> int | None: ...
    @property
    def allowed_actions(self) -> Any: ...


def as_decimal(value: Decimal | float | int) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def format_hours(value: Decimal) -> str:
    """Decimal(7.50) → '7,5' (Vietnamese decimal comma)."""
    text = f"{value.normalize():f}"
    return text.replace(".", ",")


def limit_hours(
    value: Decimal | None, unit: str, hours_per_day: Decimal | float | int
) -> Decimal | None:
    """The legal time limit in working hours, or ``None`` when there is no fixed limit."""
    per_day = as_decimal(hours_per_day)
    if unit == TimeLimitUnit.INSTANT:
        return per_day
    if value is None:
        return None
    if unit == TimeLimitUnit.WORKING_HOURS:
        return value
    if unit == TimeLimitUnit.WORKING_DAYS:
        return value * per_day
    if unit == TimeLimitUnit.DAYS:
        working_days = (value * 5 / 7).to_integral_value(rounding=ROUND_FLOOR)
        return working_days * per_day
    return None


def slots(steps: Sequence[StepLike]) -> list[list[StepLike]]:
    """The steps in order, consecutive members of one parallel group gathered in one slot."""
    result: list[list[StepLike]] = []
    for step in sorted(steps, key=lambda s: s.order):
        previous = result[-1] if result else None
        if (
            previous is not None
            and step.parallel_group is not None
            and previous[0].parallel_group == step.parallel_group
        ):
            previous.append(step)
        else:
            result.append([step])
    return result


def total_hours(steps: Sequence[StepLike]) -> Decimal:
    """Working hours the process takes: each slot counts for its longest step."""
    return sum((max(as_decimal(s.hours) for s in slot) for slot in slots(steps)), Decimal(0))


def _problem(message: str, path: str = "steps") -> DomainError:
    return DomainError("invalid_process", message, field=path)


def check_structure(steps: Sequence[StepLike]) -> None:
    """Orders unique, hours positive, actions named, parallel groups contiguous, one lead agency
    when there are inter-agency steps."""
    if not steps:
        raise _problem("Quy trình cần ít nhất một bước.")
    seen_orders: set[int] = set()
    for index, step in enumerate(steps):
        if step.order in seen_orders:
            raise _problem(f"Thứ tự bước {step.order} bị trùng.", f"steps.{index}.order")
        seen_orders.add(step.order)
        if as_decimal(step.hours) <= 0:
            raise _problem(
                f"Bước «{step.name}» phải có thời gian lớn hơn 0 giờ.", f"steps.{index}.hours"
            )
        if not step.allowed_actions:
            raise _problem(
                f"Bước «{step.name}» cần ít nhất một thao tác được phép.",
                f"steps.{index}.allowed_actions",
            )
        if step.is_lead and step.kind != StepKind.INTERAGENCY:
            raise _problem(
                f"Chỉ bước liên thông mới đánh dấu cơ quan chủ trì (bước «{step.name}»).",
                f"steps.{index}.is_lead",
            )
    groups_done: set[int] = set()
    for slot in slots(steps):
        group = slot[0].parallel_group
        if group is None:
            continue
        if group in groups_done:
            raise _problem(
                f"Các bước của nhóm song song {group} phải liền nhau theo thứ tự.",
                "steps",
            )
        groups_done.add(group)
    interagency = [s for s in steps if s.kind == StepKind.INTERAGENCY]
    leads = [s for s in interagency if s.is_lead]
    if interagency and len(leads) != 1:
        raise _problem(
            "Quy trình liên thông cần đúng một bước của cơ quan chủ trì (is_lead) "
            f"(đang có {len(leads)}).",
        )


def check_fits(
    steps: Sequence[StepLike],
    *,
    time_limit_value: Decimal | None,
    time_limit_unit: str,
    hours_per_day: Decimal | float | int,
) -> Decimal:
    """Refuse a process longer than the legal limit (``process_exceeds_time_limit``, naming the
    excess); returns its total working hours."""
    total = total_hours(steps)
    limit = limit_hours(time_limit_value, time_limit_unit, hours_per_day)
    if limit is not None and total > limit:
        per_day = as_decimal(hours_per_day)
        excess = total - limit
        raise DomainError(
            "process_exceeds_time_limit",
            f"Tổng thời gian các bước là {format_hours(total)} giờ làm việc, vượt thời hạn giải "
            f"quyết {format_hours(limit)} giờ làm việc "
            f"({_limit_phrase(time_limit_value, time_limit_unit)}, {format_hours(per_day)} giờ "
            f"mỗi ngày làm việc) {format_hours(excess)} giờ. "
            "Các bước song song chỉ tính bước dài nhất.",
            field="steps",
        )
    return total


def _limit_phrase(value: Decimal | None, unit: str) -> str:
    if unit == TimeLimitUnit.INSTANT or value is None:
        return "giải quyết trong ngày"
    label = TimeLimitUnit(unit).label
    return f"{format_hours(value)} {label}"


def check_steps(
    steps: Sequence[StepLike],
    *,
    time_limit_value: Decimal | None,
    time_limit_unit: str,
    hours_per_day: Decimal | float | int,
) -> Decimal:
    """:func:`check_structure` then :func:`check_fits`; returns the total working hours."""
    check_structure(steps)
    return check_fits(
        steps,
        time_limit_value=time_limit_value,
        time_limit_unit=time_limit_unit,
        hours_per_day=hours_per_day,
    )


def validate_process(process: Process, *, hours_per_day: Decimal | float | int) -> None:
    """Check a saved process: structure, and that its steps fit the version's legal time limit
    (``DomainError("process_exceeds_time_limit")`` naming the excess)."""
    version = process.version
    check_steps(
        list(process.steps.all()),
        time_limit_value=version.time_limit_value,
        time_limit_unit=version.time_limit_unit,
        hours_per_day=hours_per_day,
    )
