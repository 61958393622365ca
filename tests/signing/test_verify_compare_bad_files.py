"""Issue 12: the compare form of a result's verification page (``/xac-thuc/<token>/``) answers a
0-byte or disguised file with a message next to the field, as ``/xac-thuc/`` does (was 500)."""

from __future__ import annotations

import io
from typing import Any

from django.test import Client

from congso.results import services
from congso.results.models import ResultTemplate
from congso.signing.models import SignatureRole
from tests.results.test_services import _profile, dossier  # noqa: F401 (fixture)


def test_compare_form_refuses_empty_and_disguised_files(world: Any, dossier: Any) -> None:  # noqa: F811
    ResultTemplate.objects.filter(procedure=world.procedure).update(signature_roles=["approval"])
    result = services.result_prepare(actor=world.leader_a, dossier=dossier)
    leader = _profile(world, world.leader_a, "chu-tich", SignatureRole.APPROVAL)
    services.result_sign(actor=world.leader_a, result=result, profile=leader)
    client = Client()
    url = f"/xac-thuc/{result.public_token}/"
    for name, content in (("trong.pdf", b""), ("gia.pdf", b"MZ\x90\x00" + b"\x00" * 64)):
        upload = io.BytesIO(content)
        upload.name = name
        response = client.post(url, {"file": upload})
        assert response.status_code == 422, (name, response.status_code)
        assert "Tệp tải lên không phải PDF." in response.content.decode()
    broken = io.BytesIO(b"%PDF-1.7\nnot really a pdf")
    broken.name = "hong.pdf"
    response = client.post(url, {"file": broken})
    assert response.status_code == 422
    assert "Không đọc được tệp PDF" in response.content.decode()
