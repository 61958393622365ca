from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from openapi_spec_validator import validate


@pytest.mark.django_db
def test_openapi_document_is_served_and_valid(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    validate(document)
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Công Sở API"


def test_committed_openapi_document_is_current() -> None:
    call_command("openapi", "--check")


def test_configuration_reference_is_current() -> None:
    call_command("configdocs", "--check")
