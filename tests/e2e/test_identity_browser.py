"""In Chromium, the whole "give data once" journey (issue 17): a citizen signs in through the
VNeID simulator (its own process), the birth-registration form is prefilled from the population
database (its simulator) with the source shown, the birth certificate is taken from "Giấy tờ
của tôi" (digitised by an officer from an earlier dossier) instead of an upload, the dossier is
submitted, and the look-up is in the citizen's access log; then the procedure requires level 2
and the level-1 session is asked to step up; at the desk the officer sees the reuse and
verifies the applicant against the population database. Screenshots in /tmp/congso-identity/."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from congso.catalog.models import ProcedureVersion
from congso.docstore import services as store
from congso.docstore.models import DocumentReuse
from congso.dossiers import services as dossier_services
from congso.dossiers.models import Dossier
from congso.identity import oidc
from congso.identity import services as identity_services
from congso.identity.models import PopulationLookup
from congso.org.models import AdministrativeUnit, Citizen, UnitKind, UnitLevel
from simulators.vneid.citizens import SEEDED
from tests.dossiers.conftest import FORM
from tests.e2e.test_journeys_browser import CHROMIUM, _pdf, browser  # noqa: F401 (fixture)
from tests.identity.conftest import population, population_process, vneid_process  # noqa: F401
from tests.printing.conftest import clock, media, world  # noqa: F401 (shared fixtures)

SHOTS = Path("/tmp/congso-identity")
AN = next(c for c in SEEDED if c.sub == "vneid-an")

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]


def _earlier_dossier(w: Any) -> Any:
    """An earlier dossier of Nguyễn Văn An, handed in at the desk; the officer digitises its
    birth certificate into his store."""
    citizen = Citizen.objects.create(
        full_name=AN.full_name, personal_id=AN.personal_id, birth_date=datetime.date(1990, 4, 15)
    )
    dossier = dossier_services.dossier_receive_in_person(
        actor=w.reception_a,
        procedure=w.procedure,
        competent_agency=w.commune_a,
        desk=w.desk_a,
        form_data=dict(FORM),
        files={
            "to-khai": [SimpleUploadedFile("to-khai.pdf", _pdf())],
            "giay-chung-sinh": [SimpleUploadedFile("giay-chung-sinh.pdf", _pdf())],
        },
        citizen=citizen,
    )
    return store.document_digitise(
        actor=w.reception_a,
        component=dossier.components.get(code="giay-chung-sinh"),
        title="Giấy chứng sinh",
        issuer="Bệnh viện Sản Nhi tỉnh Quảng Ngãi",
        number="0415/GCS-2026",
        issued_on=datetime.date(2026, 2, 20),
        valid_until=None,
    )


def _birth_registration_form(w: Any) -> None:
    province = AdministrativeUnit.objects.get(code="51", level=UnitLevel.PROVINCE)
    AdministrativeUnit.objects.create(
        code="21211", name="Xã Tịnh Khê", level=UnitLevel.COMMUNE, kind=UnitKind.COMMUNE,
        parent=province, province=province,
    )  # fmt: skip
    version = ProcedureVersion.objects.get(procedure=w.procedure)
    version.form_schema = {
        "fields": [
            {"name": "ho_ten_tre", "type": "text", "label": "Họ, chữ đệm, tên của trẻ",
             "required": True},
            {"name": "ngay_sinh", "type": "date", "label": "Ngày sinh của trẻ", "required": True},
            {"name": "noi_cu_tru", "type": "address", "label": "Nơi cư trú của người yêu cầu",
             "required": True, "prefill": "citizen.address"},
        ]
    }  # fmt: skip
    version.save()


def test_sign_in_prefill_reuse_from_the_store_submit_access_log_and_step_up(
    live_server: Any,
    browser: Any,  # noqa: F811
    vneid_process: Any,  # noqa: F811
    population: Any,  # noqa: F811
    world: Any,  # noqa: F811
    settings: Any,
) -> None:
    base = live_server.url
    vneid_process.reset()
    vneid_process.configure(redirect_uris=[f"{base}/tai-khoan/dinh-danh/vneid/callback/"])
    for name, value in vneid_process.env().items():
        setattr(settings, name.removeprefix("CONGSO_"), value)
    oidc.forget_cached()
    document = _earlier_dossier(world)
    _birth_registration_form(world)
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    apply = f"/thu-tuc/{world.procedure.code}/nop-truc-tuyen/"
    try:
        # Sign in with VNeID at level 1, straight into the online application.
        page.goto(f"{base}/tai-khoan/dang-nhap/?next={apply}")
        page.get_by_role("link", name="Đăng nhập bằng VNeID").click()
        page.wait_for_url(f"{vneid_process.url}/oauth2/authorize*")
        page.locator(f'button[data-sub="{AN.sub}"][data-level="1"]').click()
        page.wait_for_url(f"{base}{apply}buoc-0/")
        # Prefilled from the population database, the source shown under the field.
        assert page.locator("#f-noi-cu-tru-source").inner_text() == "từ CSDLQG về dân cư"
        assert page.locator("#f-noi-cu-tru-detail").input_value() == "Số 12, đường Lê Lợi"
        page.locator("#f-ho-ten-tre").fill("Nguyễn Minh Khang")
        page.locator("#f-ngay-sinh").fill("2026-02-20")
        page.screenshot(path=str(SHOTS / "1-prefilled.png"), full_page=True)
        page.get_by_role("button", name="Lưu và tiếp tục").click()
        # The files: the declaration uploaded, the birth certificate taken from the store.
        page.wait_for_selector("text=Tệp đính kèm")
        page.locator("#file-to-khai").set_input_files(
            files=[{"name": "to-khai.pdf", "mimeType": "application/pdf", "buffer": _pdf()}]
        )
        page.locator('button[name="upload"][value="to-khai"]').click()
        page.wait_for_selector("text=to-khai.pdf")
        reuse = page.locator(f'button[name="reuse"][value="giay-chung-sinh:{document.pk}"]')
        assert "Bệnh viện Sản Nhi tỉnh Quảng Ngãi" in page.locator(".from-store").inner_text()
        page.screenshot(path=str(SHOTS / "2-files-from-store.png"), full_page=True)
        reuse.click()
        page.wait_for_selector("text=dùng lại từ Giấy tờ của tôi")
        assert page.locator(".from-store").count() == 0  # nothing else left to offer
        page.screenshot(path=str(SHOTS / "3-reused.png"), full_page=True)
        page.get_by_role("button", name="Tiếp tục").click()
        page.wait_for_selector("text=dùng lại từ Giấy tờ của tôi")
        page.screenshot(path=str(SHOTS / "4-review.png"), full_page=True)
        page.get_by_role("button", name="Nộp hồ sơ").click()
        page.wait_for_url(f"{base}/ca-nhan/ho-so/*/da-nop/")
        page.screenshot(path=str(SHOTS / "5-submitted.png"), full_page=True)
        dossier = Dossier.objects.filter(channel="online").get()
        reused = DocumentReuse.objects.get()
        assert reused.dossier == dossier and reused.document == document
        assert dossier.form_data["ho_ten_tre"] == "Nguyễn Minh Khang"
        # The store shows where the paper was reused; the access log shows the look-up.
        page.goto(f"{base}/ca-nhan/")
        page.get_by_role("link", name="Giấy tờ của tôi").click()
        assert dossier.code in page.locator(f"#doc-{document.pk}").inner_text()
        page.screenshot(path=str(SHOTS / "6-my-documents.png"), full_page=True)
        page.goto(f"{base}/ca-nhan/")
        page.get_by_role("link", name="Ai đã tra cứu dữ liệu của tôi (CSDLQG về dân cư)").click()
        rows = page.locator("#lookups tbody tr")
        assert rows.count() == PopulationLookup.objects.count() >= 1
        assert "Chính bạn" in rows.first.inner_text()
        assert world.procedure.code in rows.first.inner_text()
        page.screenshot(path=str(SHOTS / "7-access-log.png"), full_page=True)
        # The procedure now requires level 2: the level-1 session is asked to step up.
        identity_services.assurance_rule_set(
            actor=None, procedure=world.procedure, level=2, valid_from=datetime.date(2020, 1, 1)
        )
        page.goto(f"{base}{apply}")
        heading = page.get_by_role("heading", level=1).inner_text()
        assert heading == "Cần tài khoản định danh điện tử mức 2"
        page.screenshot(path=str(SHOTS / "8-step-up.png"), full_page=True)
        page.get_by_role("link", name="Xác thực bằng VNeID").click()
        page.wait_for_url(f"{vneid_process.url}/oauth2/authorize*")
        assert page.locator(f'button[data-sub="{AN.sub}"][data-level="1"]').count() == 0
        page.locator(f'button[data-sub="{AN.sub}"][data-level="2"]').click()
        page.wait_for_url(f"{base}{apply}buoc-0/")
        assert "Nộp hồ sơ trực tuyến" in page.content()
        # At the desk: the officer sees where the component came from, and verifies the
        # applicant against the population database (the look-up joins his access log).
        settings.OFFICER_2FA_REQUIRED = False
        desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        officer = desk.new_page()
        officer.goto(f"{base}/can-bo/")
        officer.locator("input[name=username]").fill(world.reception_a.username)
        officer.locator("input[name=password]").fill("x")
        with officer.expect_navigation():
            officer.get_by_role("button", name="Đăng nhập", exact=True).click()
        officer.goto(f"{base}/can-bo/ho-so/{dossier.code}/")
        assert "Dùng lại từ kho dữ liệu của công dân: «Giấy chứng sinh»" in officer.content()
        officer.screenshot(path=str(SHOTS / "9-officer-dossier.png"), full_page=True)
        officer.get_by_role("link", name="Xác minh người nộp").click()
        officer.locator("#v-id").fill(AN.personal_id)
        officer.locator("#v-name").fill(AN.full_name)
        officer.locator("#v-year").fill("1990")
        officer.get_by_role("button", name="Tra cứu").click()
        officer.wait_for_selector("#resident")
        assert officer.locator("#no-differences").count() == 1
        officer.screenshot(path=str(SHOTS / "10-walk-in.png"), full_page=True)
        assert PopulationLookup.objects.filter(actor_kind="officer").count() == 1
        desk.close()
    finally:
        context.close()
        oidc.forget_cached()
