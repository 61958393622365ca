"""Versions: effective ranges never overlap, publishing closes the previous version, the version
in force is found by date, content changes keep components and re-check processes."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest

from congso.audit.models import AuditEvent
from congso.catalog import services
from congso.catalog.models import Component, Procedure, ProcedureVersion
from congso.catalog.selectors import current_version, version_spec
from congso.catalog.specs import read_version
from congso.core.errors import DomainError
from congso.org.models import Agency

from .conftest import UBND_XA, record, steps

D = datetime.date


def content(**overrides: object) -> object:
    return read_version(record(**overrides), default_effective_from=None)


@pytest.mark.django_db
def test_overlapping_version_is_refused(make_version: Callable[..., ProcedureVersion]) -> None:
    first = make_version(effective_to="2025-12-31")
    procedure = first.procedure
    with pytest.raises(DomainError) as caught:
        services.version_create(
            actor=None, procedure=procedure, content=content(effective_from="2025-12-31")
        )
    assert caught.value.code == "version_overlap"
    assert caught.value.field == "effective_from"
    assert "01/07/2025–31/12/2025" in caught.value.message
    second = services.version_create(
        actor=None, procedure=procedure, content=content(effective_from="2026-01-01")
    )
    assert second.version == 2
    # An open-ended earlier range overlaps everything after it.
    with pytest.raises(DomainError) as caught:
        services.version_update(actor=None, version=first, content=content(effective_to=None))
    assert caught.value.code == "version_overlap"
    assert ProcedureVersion.objects.get(pk=first.pk).effective_to == D(2025, 12, 31)


@pytest.mark.django_db
def test_version_number_taken(make_version: Callable[..., ProcedureVersion]) -> None:
    version = make_version()
    with pytest.raises(DomainError) as caught:
        services.version_create(
            actor=None,
            procedure=version.procedure,
            version=1,
            content=content(effective_from="2030-01-01"),
        )
    assert caught.value.code == "version_exists"


@pytest.mark.django_db
def test_publish_closes_the_previous_version_and_copies_processes(
    agencies: dict[str, Agency], make_version: Callable[..., ProcedureVersion]
) -> None:
    first = make_version(
        processes=[{"agency": UBND_XA, "name": "Quy trình", "steps": steps(1, 5, 1)}]
    )
    new_content = content(
        effective_from="2026-07-01",
        time_limit={"value": 2, "unit": "working_days", "text": "02 ngày làm việc"},
    )
    second = services.version_publish(actor=None, procedure=first.procedure, content=new_content)
    first.refresh_from_db()
    assert first.effective_to == D(2026, 6, 30)
    assert (second.version, second.effective_from, second.effective_to) == (2, D(2026, 7, 1), None)
    assert second.processes.get().steps.count() == 3
    assert AuditEvent.objects.filter(action="catalog.version.close").count() == 1
    procedure = first.procedure
    assert current_version(procedure, D(2026, 6, 30)) == first
    assert current_version(procedure, D(2026, 7, 1)) == second
    with pytest.raises(DomainError) as caught:
        current_version(procedure, D(2025, 6, 30))
    assert caught.value.code == "procedure_not_in_force"
    with pytest.raises(DomainError) as caught:
        services.version_publish(
            actor=None, procedure=procedure, content=content(effective_from="2026-07-01")
        )
    assert caught.value.code == "version_starts_too_early"


@pytest.mark.django_db
def test_publish_refused_when_copied_process_does_not_fit(
    agencies: dict[str, Agency], make_version: Callable[..., ProcedureVersion]
) -> None:
    first = make_version(
        time_limit={"value": 2, "unit": "working_days", "text": ""},
        processes=[{"agency": UBND_XA, "name": "Quy trình", "steps": steps(2, 10, 2)}],
    )
    shorter = content(effective_from="2026-07-01")
    with pytest.raises(DomainError) as caught:
        services.version_publish(actor=None, procedure=first.procedure, content=shorter)
    assert caught.value.code == "process_exceeds_time_limit"
    first.refresh_from_db()
    assert first.effective_to is None
    assert first.procedure.versions.count() == 1


@pytest.mark.django_db
def test_inactive_procedure_is_not_in_force(make_version: Callable[..., ProcedureVersion]) -> None:
    version = make_version()
    services.procedure_update(actor=None, procedure=version.procedure, active=False)
    with pytest.raises(DomainError) as caught:
        current_version(Procedure.objects.get(pk=version.procedure_id))
    assert caught.value.code == "procedure_not_in_force"


@pytest.mark.django_db
def test_update_keeps_components_by_code(make_version: Callable[..., ProcedureVersion]) -> None:
    version = make_version()
    kept = Component.objects.get(version=version, code="giay-chung-sinh")
    spec = version_spec(version)
    changed = dataclasses.replace(
        spec,
        components=(dataclasses.replace(spec.components[1], name="Giấy chứng sinh (bản chính)"),),
        time_limit_value=Decimal("1.5"),
    )
    services.version_update(actor=None, version=version, content=changed)
    component = Component.objects.get(version=version)
    assert component.pk == kept.pk and component.name == "Giấy chứng sinh (bản chính)"
    assert component.order == 1
    assert version_spec(ProcedureVersion.objects.get(pk=version.pk)) == changed


@pytest.mark.django_db
def test_shorter_limit_refused_while_a_process_does_not_fit(
    agencies: dict[str, Agency], make_version: Callable[..., ProcedureVersion]
) -> None:
    version = make_version(
        time_limit={"value": 3, "unit": "working_days", "text": ""},
        processes=[{"agency": UBND_XA, "name": "Quy trình", "steps": steps(2, 15, 2)}],
    )
    shorter = dataclasses.replace(version_spec(version), time_limit_value=Decimal(2))
    with pytest.raises(DomainError) as caught:
        services.version_update(actor=None, version=version, content=shorter)
    assert caught.value.code == "process_exceeds_time_limit"
    assert agencies["commune"].name in caught.value.message
    assert ProcedureVersion.objects.get(pk=version.pk).time_limit_value == Decimal(3)


@pytest.mark.django_db
def test_form_bound_to_unknown_component_is_refused(
    make_version: Callable[..., ProcedureVersion],
) -> None:
    schema = {
        "version": 1,
        "fields": [{"name": "f", "type": "file", "label": "Tệp", "component": "khong-co"}],
    }
    with pytest.raises(DomainError) as caught:
        make_version(form_schema=schema)
    assert caught.value.field == "form_schema.fields.0.component"
    assert not Procedure.objects.exists()


@pytest.mark.django_db
def test_prefill_map_is_kept_with_the_form(make_version: Callable[..., ProcedureVersion]) -> None:
    schema = {
        "version": 1,
        "fields": [
            {"name": "ho_ten", "type": "text", "label": "Họ tên", "prefill": "citizen.full_name"}
        ],
    }
    version = make_version(form_schema=schema)
    assert version.prefill == {"ho_ten": "citizen.full_name"}


@pytest.mark.django_db
def test_officers_without_rights_cannot_write(
    make_version: Callable[..., ProcedureVersion],
) -> None:
    from congso.accounts.models import User

    version = make_version()
    officer = User.objects.create_user(username="canbo", password="x")
    with pytest.raises(DomainError) as caught:
        services.procedure_update(actor=officer, procedure=version.procedure, name="Tên khác")
    assert caught.value.code == "forbidden" and caught.value.status == 403
