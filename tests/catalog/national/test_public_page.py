"""The public page of imported procedures says what a citizen needs: the time limit in words,
fees the Vietnamese way (an unknown amount or an export without fees is never "free"),
components per case, legal bases, the online level — and nothing internal."""

from __future__ import annotations

import pytest
from django.test import Client

from congso.catalog.models import ProcedureVersion
from tests.catalog.national.conftest import run_import


@pytest.mark.django_db
def test_every_imported_procedure_page(province: object) -> None:
    run_import()
    client = Client()
    seen = {"no_fee": 0, "unknown_amount": 0, "amount": 0, "cases": 0, "bases": 0}
    for version in ProcedureVersion.objects.select_related("procedure"):
        response = client.get(f"/thu-tuc/{version.procedure.code}/")
        if response.status_code == 404:  # not in force yet (the sample starts in the future)
            continue
        html = response.content.decode()
        assert version.time_limit_label[1:] in html
        if not version.fees:
            seen["no_fee"] += 1
            assert "chưa công bố mức phí, lệ phí" in html
            assert "Không thu phí, lệ phí" not in html
        for fee in version.fees:
            if fee["amount_vnd"] is None:
                seen["unknown_amount"] += 1
                assert "mức thu do cơ quan giải quyết thông báo" in html
            elif fee["amount_vnd"] > 0:
                seen["amount"] += 1
                assert f"{fee['amount_vnd']:,}".replace(",", ".") + " đồng" in html
        cases = version.source["national"].get("cases") or []
        if len(cases) > 1:
            named = [case["name"] for case in cases if case["name"] and case["components"]]
            seen["cases"] += bool(named)
            for name in named:
                assert f'<h3 class="case-title">{name}</h3>' in html.replace("&quot;", '"')
        for basis in version.legal_bases[:3]:
            seen["bases"] += 1
            assert basis.replace('"', "&quot;") in html or basis in html
        # Nothing internal: the editor's notes, the export's file, the flags for an officer.
        if version.notes:
            assert version.notes not in html
        assert version.source["national"]["file"] not in html
        assert "cần xem" not in html and "flag" not in html
    assert all(seen.values()), seen
