"""The records pages through the test client: the lists, the disposition list with its
decision form (a refusal shown next to its field, then the decision), a record of another
agency not found."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from congso.records import services
from congso.records.models import Disposition, RecordState
from tests.records.conftest import Archive, issued_document

pytestmark = pytest.mark.django_db


def test_the_disposition_page_decides(client: Client, archive: Archive, settings: Any) -> None:
    settings.OFFICER_2FA_REQUIRED = False
    plan = services.plan_create(
        actor=archive.clerk, agency_id=archive.world.commune_a.pk, year=2019
    )
    series = services.series_create(
        actor=archive.clerk, plan_id=plan.pk, code="02", title="Hồ sơ hội nghị",
        retention_years=5, legal_basis="Thông tư 10/2022/TT-BNV",
    )  # fmt: skip
    record = services.record_open(
        actor=archive.clerk, series_id=series.pk, title="Hồ sơ hội nghị tổng kết năm 2019",
        opened_on=datetime.date(2019, 1, 10),
    )  # fmt: skip
    services.record_file_document(
        actor=archive.clerk, record_id=record.pk, document_id=issued_document(archive).pk
    )
    services.record_close(
        actor=archive.clerk, record_id=record.pk, closed_on=datetime.date(2019, 12, 20)
    )
    client.force_login(archive.leader)
    for path in ("/can-bo/luu-tru/", "/can-bo/luu-tru/?trang-thai=closed",
                 "/can-bo/luu-tru/danh-muc/", f"/can-bo/luu-tru/danh-muc/{plan.pk}/",
                 f"/can-bo/luu-tru/ho-so/{record.pk}/"):  # fmt: skip
        page = client.get(path)
        assert page.status_code == 200, path
        assert "None" not in page.content.decode()
    page = client.get("/can-bo/luu-tru/den-han/")
    assert record.code in page.content.decode() and "01/01/2025" in page.content.decode()
    prefix = f"r{record.pk}"
    refused = client.post(
        "/can-bo/luu-tru/den-han/",
        {"record": record.pk, f"{prefix}-action": "destroy", f"{prefix}-decision_ref": ""},
    )
    assert refused.status_code == 400
    assert "Ghi căn cứ quyết định" in refused.content.decode()
    assert not Disposition.objects.exists()
    done = client.post(
        "/can-bo/luu-tru/den-han/",
        {"record": record.pk, f"{prefix}-action": "keep",
         f"{prefix}-decision_ref": "Biên bản hội đồng ngày 05/01/2026",
         f"{prefix}-review_on": "2030-01-01"},
    )  # fmt: skip
    assert done.status_code == 302
    record.refresh_from_db()
    assert record.state == RecordState.CLOSED and Disposition.objects.get().action == "keep"
    assert record.code not in client.get("/can-bo/luu-tru/den-han/").content.decode()
    client.force_login(archive.outsider)
    assert client.get(f"/can-bo/luu-tru/ho-so/{record.pk}/").status_code == 404
