"""The admin pages: procedures written through the services, diacritic-free search, and the
services' checks as form errors (steps exceeding the limit, overlapping versions)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db.models.fields.files import FieldFile
from django.test import Client

from congso.accounts.models import User
from congso.audit.models import AuditEvent
from congso.catalog.models import Procedure, ProcedureVersion, Process
from congso.catalog.selectors import process_for
from congso.org.models import Agency

from .conftest import UBND_XA, steps

pytestmark = pytest.mark.django_db
BASE = "/quan-tri/catalog"


@pytest.fixture
def admin_client(settings: Any, superuser: User) -> Client:
    settings.OFFICER_2FA_REQUIRED = False
    client = Client()
    client.force_login(superuser)
    return client


def form_data(response: Any) -> dict[str, Any]:
    """The POST data of an admin change form as the browser would send it unchanged."""
    data: dict[str, Any] = {}

    def add(form: Any) -> None:
        for bound in form:
            value = bound.value()
            if value is None or value is False or isinstance(value, FieldFile):
                continue
            data[bound.html_name] = "on" if value is True else value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        for form in formset.forms:
            add(form)
    return data


@pytest.fixture
def version(
    agencies: dict[str, Agency], make_version: Callable[..., ProcedureVersion]
) -> ProcedureVersion:
    return make_version(
        processes=[{"agency": UBND_XA, "name": "Quy trình xã", "steps": steps(1, 5, 1)}]
    )


def test_pages_load(admin_client: Client, version: ProcedureVersion) -> None:
    process = process_for(version, Agency.objects.get(code=UBND_XA))
    for url in (
        f"{BASE}/procedure/",
        f"{BASE}/procedure/{version.procedure_id}/change/",
        f"{BASE}/procedureversion/",
        f"{BASE}/procedureversion/{version.pk}/change/",
        f"{BASE}/process/",
        f"{BASE}/process/{process.pk}/change/",
        f"{BASE}/field/",
        f"{BASE}/procedure/add/",
    ):
        assert admin_client.get(url).status_code == 200, url


def test_search_without_diacritics(admin_client: Client, version: ProcedureVersion) -> None:
    page = admin_client.get(f"{BASE}/procedure/", {"q": "dang ky khai sinh"})
    assert "Thủ tục đăng ký khai sinh" in page.content.decode()
    page = admin_client.get(f"{BASE}/procedure/", {"q": "ket hon"})
    assert "Thủ tục đăng ký khai sinh" not in page.content.decode()


def test_change_goes_through_the_service(admin_client: Client, version: ProcedureVersion) -> None:
    url = f"{BASE}/procedure/{version.procedure_id}/change/"
    data = form_data(admin_client.get(url))
    data["name"] = "Thủ tục đăng ký khai sinh (sửa)"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    procedure = Procedure.objects.get(pk=version.procedure_id)
    assert procedure.search_text.startswith("thu tuc dang ky khai sinh sua")
    assert AuditEvent.objects.filter(action="catalog.procedure.update").count() == 1


def test_steps_exceeding_the_limit_are_a_form_error(
    admin_client: Client, version: ProcedureVersion
) -> None:
    process = Process.objects.get(version=version)
    url = f"{BASE}/process/{process.pk}/change/"
    data = form_data(admin_client.get(url))
    data["steps-1-hours"] = "9"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "vượt thời hạn giải quyết" in response.content.decode()
    assert process.steps.get(order=2).hours == 5
    data["steps-1-hours"] = "5.5"
    assert admin_client.post(url, data).status_code == 302
    assert AuditEvent.objects.filter(action="catalog.processstep.update").exists()


def test_overlapping_version_is_a_form_error(
    admin_client: Client, version: ProcedureVersion, make_version: Callable[..., ProcedureVersion]
) -> None:
    url = f"{BASE}/procedureversion/{version.pk}/change/"
    data = form_data(admin_client.get(url))
    data["effective_to"] = "2025-12-31"
    assert admin_client.post(url, data).status_code == 302
    make_version(version=2, effective_from="2026-01-01")
    data["effective_to"] = ""
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "trùng với phiên bản 2" in response.content.decode()


def test_officers_cannot_change_the_catalogue(settings: Any, version: ProcedureVersion) -> None:
    settings.OFFICER_2FA_REQUIRED = False
    officer = User.objects.create_user(username="canbo", password="x", is_staff=True)
    client = Client()
    client.force_login(officer)
    assert client.get(f"{BASE}/procedure/{version.procedure_id}/change/").status_code == 403
