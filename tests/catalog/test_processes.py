"""Internal processes: the steps must fit the legal time limit in working hours (parallel groups
count once), the structure is checked, and a refused process leaves nothing behind."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from congso.audit.models import AuditEvent
from congso.calendar import services as calendar_services
from congso.catalog import services
from congso.catalog.models import ProcedureVersion, Process
from congso.catalog.processes import check_steps, limit_hours, total_hours
from congso.catalog.selectors import (
    hours_per_day,
    legal_limit_hours,
    process_for,
    process_spec,
    validate_process,
)
from congso.catalog.specs import StepSpec, read_process
from congso.core.errors import DomainError
from congso.org.models import Agency

from .conftest import SO_TU_PHAP, SO_XAY_DUNG, SPECIALIST_DEPARTMENT, UBND_XA, steps


def step(order: int, hours: str, **extra: Any) -> StepSpec:
    return StepSpec(
        order=order,
        name=f"Bước {order}",
        kind=extra.pop("kind", "step"),
        role=extra.pop("role", "specialist"),
        hours=Decimal(hours),
        allowed_actions=("forward",),
        **extra,
    )


def test_limits_in_working_hours() -> None:
    assert limit_hours(Decimal(3), "working_days", Decimal("7.5")) == Decimal("22.5")
    assert limit_hours(Decimal(4), "working_hours", Decimal("7.5")) == Decimal(4)
    # Calendar days: the working days they contain at least (10 days → 7 working days).
    assert limit_hours(Decimal(10), "days", Decimal("7.5")) == Decimal("52.5")
    assert limit_hours(None, "instant", 8) == Decimal(8)
    assert limit_hours(None, "", Decimal("7.5")) is None


def test_parallel_groups_count_once_for_the_longest() -> None:
    plan = [
        step(1, "1"),
        step(2, "10", parallel_group=1),
        step(3, "6", kind="consultation", parallel_group=1),
        step(4, "2"),
    ]
    assert total_hours(plan) == Decimal(13)
    limit = {"time_limit_value": Decimal(2), "time_limit_unit": "working_days"}
    assert check_steps(plan, hours_per_day=Decimal("7.5"), **limit) == Decimal(13)
    with pytest.raises(DomainError) as caught:
        check_steps([*plan, step(5, "2.5")], hours_per_day=Decimal("7.5"), **limit)
    assert caught.value.code == "process_exceeds_time_limit"
    assert "15,5 giờ" in caught.value.message and "vượt" in caught.value.message
    assert "0,5 giờ" in caught.value.message
    # The same group further down is not contiguous.
    with pytest.raises(DomainError) as caught:
        check_steps(
            [step(1, "1", parallel_group=1), step(2, "1"), step(3, "1", parallel_group=1)],
            hours_per_day=Decimal("7.5"),
            **limit,
        )
    assert caught.value.code == "invalid_process"


@pytest.mark.parametrize(
    ("plan", "path"),
    [
        ([], "steps"),
        ([step(1, "1"), step(1, "1")], "steps.1.order"),
        ([step(1, "0")], "steps.0.hours"),
        ([step(1, "1", is_lead=True)], "steps.0.is_lead"),
        ([step(1, "1", kind="interagency"), step(2, "1", kind="interagency")], "steps"),
        (
            [step(1, "1", kind="interagency", is_lead=True)] * 1
            + [step(2, "1", kind="interagency", is_lead=True)],
            "steps",
        ),
    ],
)
def test_structure(plan: list[StepSpec], path: str) -> None:
    with pytest.raises(DomainError) as caught:
        check_steps(plan, time_limit_value=None, time_limit_unit="", hours_per_day=7)
    assert caught.value.code == "invalid_process"
    assert caught.value.field == path


@pytest.mark.django_db
def test_hours_per_day_come_from_the_calendar(units: None) -> None:
    assert hours_per_day("51") == Decimal(8)
    calendar_services.working_hours_create(
        actor=None,
        province_code="51",
        effective_from=datetime.date(2020, 1, 1),
        periods=[
            (datetime.time(7, 30), datetime.time(11, 30)),
            (datetime.time(13, 30), datetime.time(17)),
        ],
        legal_source="Quyết định thử",
    )
    assert hours_per_day("51") == Decimal("7.5")
    assert hours_per_day("") == Decimal(8)


@pytest.mark.django_db
def test_process_fits(
    agencies: dict[str, Agency], make_version: Callable[..., ProcedureVersion]
) -> None:
    version = make_version(
        processes=[{"agency": UBND_XA, "name": "Quy trình xã", "steps": steps(1, 5, 1.5)}]
    )
    process = process_for(version, agencies["commune"])
    assert [s.hours for s in process.steps.all()] == [Decimal(1), Decimal(5), Decimal("1.5")]
    validate_process(process, hours_per_day=Decimal("7.5"))
    with pytest.raises(DomainError) as caught:
        validate_process(process, hours_per_day=Decimal(7))
    assert caught.value.code == "process_exceeds_time_limit"
    assert legal_limit_hours(version, Decimal("7.5")) == Decimal("7.5")


@pytest.mark.django_db
def test_exceeding_process_is_refused_and_nothing_written(
    agencies: dict[str, Agency], make_version: Callable[..., ProcedureVersion]
) -> None:
    version = make_version()
    events = AuditEvent.objects.count()
    spec = read_process({"agency": UBND_XA, "name": "Quy trình", "steps": steps(1, 6.5, 1)}, "")
    with pytest.raises(DomainError) as caught:
        services.process_set(actor=None, version=version, spec=spec)
    assert caught.value.code == "process_exceeds_time_limit"
    assert "8 giờ làm việc" in caught.value.message and "0,5 giờ" in caught.value.message
    assert not Process.objects.exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_departments_interagency_and_consultation(
    agencies: dict[str, Agency], make_version: Callable[..., ProcedureVersion]
) -> None:
    version = make_version(
        levels=["province"],
        time_limit={"value": 5, "unit": "working_days", "text": "05 ngày làm việc"},
    )
    plan = [
        {
            "order": 1,
            "name": "Tiếp nhận",
            "role": "reception",
            "hours": 2,
            "allowed_actions": ["receive", "start_processing"],
        },
        {
            "order": 2,
            "name": "Thẩm định",
            "role": "specialist",
            "hours": 12,
            "department": SPECIALIST_DEPARTMENT,
            "parallel_group": 1,
            "allowed_actions": ["forward", "consult"],
        },
        {
            "order": 3,
            "name": "Xin ý kiến Sở Xây dựng",
            "kind": "consultation",
            "role": "specialist",
            "agency": SO_XAY_DUNG,
            "hours": 8,
            "parallel_group": 1,
            "allowed_actions": ["answer_consultation"],
        },
        {
            "order": 4,
            "name": "Chủ trì liên thông",
            "kind": "interagency",
            "role": "specialist",
            "is_lead": True,
            "hours": 4,
            "parallel_group": 2,
            "allowed_actions": ["transfer"],
        },
        {
            "order": 5,
            "name": "Sở Xây dựng giải quyết phần liên thông",
            "kind": "interagency",
            "role": "specialist",
            "agency": SO_XAY_DUNG,
            "hours": 6,
            "parallel_group": 2,
            "allowed_actions": ["forward"],
        },
        {
            "order": 6,
            "name": "Ký duyệt",
            "role": "leader",
            "hours": 8,
            "allowed_actions": ["complete"],
        },
        {
            "order": 7,
            "name": "Trả kết quả",
            "role": "reception",
            "hours": 1.5,
            "allowed_actions": ["return_result"],
        },
    ]
    spec = read_process({"agency": SO_TU_PHAP, "name": "Quy trình Sở", "steps": plan}, "")
    process = services.process_set(actor=None, version=version, spec=spec)
    # 2 + max(12, 8) + max(4, 6) + 8 + 1,5 = 29,5 ≤ 37,5.
    assert total_hours(list(process.steps.all())) == Decimal("29.5")
    assert process_spec(process) == spec
    second = process.steps.get(order=2)
    assert second.department is not None and second.department.name == SPECIALIST_DEPARTMENT
    assert process.steps.get(order=5).agency == agencies["sxd"]
    # Unchanged content: nothing written.
    events = AuditEvent.objects.count()
    services.process_set(actor=None, version=version, spec=spec)
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "code", "path"),
    [
        ({"department": "Phòng không có"}, "department_not_found", "steps.1.department"),
        ({"agency": "000.00.99.H51"}, "agency_not_found", "steps.1.agency"),
    ],
)
def test_unknown_references(
    agencies: dict[str, Agency],
    make_version: Callable[..., ProcedureVersion],
    change: dict[str, str],
    code: str,
    path: str,
) -> None:
    version = make_version()
    plan = steps(1, 2, 1)
    plan[1].update(change)
    spec = read_process({"agency": UBND_XA, "name": "Quy trình", "steps": plan}, "")
    with pytest.raises(DomainError) as caught:
        services.process_set(actor=None, version=version, spec=spec)
    assert (caught.value.code, caught.value.field) == (code, path)


@pytest.mark.django_db
def test_steps_are_updated_in_place(
    agencies: dict[str, Agency], make_version: Callable[..., ProcedureVersion]
) -> None:
    version = make_version(
        processes=[{"agency": UBND_XA, "name": "Quy trình", "steps": steps(1, 5, 1)}]
    )
    process = process_for(version, agencies["commune"])
    first_ids = list(process.steps.values_list("pk", flat=True))
    spec = read_process({"agency": UBND_XA, "name": "Quy trình mới", "steps": steps(1, 4)}, "")
    services.process_set(actor=None, version=version, spec=spec)
    process.refresh_from_db()
    assert process.name == "Quy trình mới"
    assert list(process.steps.values_list("pk", flat=True)) == first_ids[:2]
    assert AuditEvent.objects.filter(action="catalog.process.update").count() == 1


@pytest.mark.django_db
def test_no_process(
    agencies: dict[str, Agency], make_version: Callable[..., ProcedureVersion]
) -> None:
    version = make_version()
    with pytest.raises(DomainError) as caught:
        process_for(version, agencies["commune"])
    assert caught.value.code == "no_process"
