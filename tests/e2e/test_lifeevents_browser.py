"""Issue 21's "done when", in a real browser (Playwright driving Debian's Chromium) on the real
demo (province 51, its catalogue, the two ND 63/2024 groups and the life-event rules):

* a mother applies for the birth group (khai sinh – thường trú – thẻ BHYT) in one combined
  form, page by page, the father's section left blank, the birth certificate uploaded once,
  the deadline preview read before submitting; three dossiers go to three agencies (the
  commune People's Committee, the commune police, the social insurance);
* she follows one application page; the officers of the three agencies act (through the API,
  the dossiers' write path) and the page shows three results;
* a death registered (by the dossiers' write path, its event published by the worker) makes a
  proactive offer on her page: the removal of permanent residence and the funeral allowance,
  prepared from the death registration; she reviews it, adds the one thing the state does not
  hold (how to receive the allowance), confirms, and two prefilled dossiers are submitted.

Screenshots go to ``var/screens/lifeevents/``.
"""

from __future__ import annotations

import datetime
import io
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from congso.catalog.models import Procedure
from congso.core.worker import drain
from congso.dossiers import services as dossier_services
from congso.dossiers.models import Dossier
from congso.lifeevents import groups
from congso.lifeevents.models import GroupApplication, Offer, OfferStatus, ProcedureGroup
from congso.org.models import Citizen
from congso.portal import schemaform
from tests.e2e.test_every_demo_procedure import Actors, _agency_id, act
from tests.e2e.test_journeys_browser import Citizen_, _pdf, wanted

playwright_sync = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "var" / "screens" / "lifeevents"

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with playwright_sync.sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield launched
        launched.close()


@pytest.fixture
def demo(transactional_db: Any, settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.OFFICER_2FA_REQUIRED = False
    settings.LOOKUP_LIMIT = 0
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_catalog_demo", stdout=io.StringIO())
    call_command("load_lifeevents_demo", stdout=io.StringIO())
    pdf = tmp_path / "giay-chung-sinh.pdf"
    pdf.write_bytes(_pdf())
    return pdf


class Tab(Citizen_):
    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


#: What the mother types where the generic filler would not be realistic.
TYPED = {
    "child_full_name": "Nguyễn Trần Minh Khang",
    "child_birth_facility": "Trạm Y tế xã",
    "child_hometown": "Quảng Ngãi",
    "household_head_full_name": "Nguyễn Văn Tâm",
    "child_household_relationship": "Con",
    "health_facility": "Trạm Y tế xã nơi cư trú",
}


def _process(client: Client, actors: Actors, dossier: Dossier, summary: str) -> None:
    """The agency's officers take the dossier to its result: receive, every step of its
    published process, complete (the dossiers' write path, through the API)."""
    reception = actors.holder("reception", dossier.desk.agency_id)
    code = dossier.code
    state = act(
        client, actors.headers(reception), code, "receive", expected_version=dossier.version
    )
    state = act(
        client,
        actors.headers(reception),
        code,
        "start_processing",
        expected_version=state["version"],
    )
    for _ in range(20):
        if state["status"] != "processing":
            break
        step = next(s for s in state["steps"] if s["ended_at"] is None)
        user = actors.holder(step["role"], _agency_id(step["agency_code"]))
        moved = client.post(
            f"/api/v1/dossiers/{code}/actions/forward",
            data={"expected_version": state["version"], "step_id": step["id"]},
            content_type="application/json",
            headers=actors.headers(user),
        )
        if moved.status_code == 200:
            state = moved.json()
            continue
        if step["role"] != "leader":
            user = actors.holder("leader", _agency_id(step["agency_code"]))
        state = act(
            client,
            actors.headers(user),
            code,
            "complete",
            expected_version=state["version"],
            result_summary=summary,
        )
    assert state["status"] == "processed", (code, state["status"])


def _death_registered(citizen: Citizen, commune: str) -> Dossier:
    """A death registration the citizen (the son) filed for his father, taken to its result."""
    procedure = Procedure.objects.get(code="1.000656")
    version = procedure.versions.get(version=1)
    agency = groups.route(
        groups.ComponentSpec(procedure="1.000656", routing="commune_justice"), version, commune
    )
    residence = {"unit_code": commune, "detail": "Số 7, thôn Phú Hòa"}
    return dossier_services.dossier_submit_online(
        actor=citizen.user,
        procedure=procedure,
        competent_agency=agency,
        form_data={
            "applicant_full_name": citizen.full_name,
            "applicant_personal_id": citizen.personal_id,
            "applicant_address": residence,
            "applicant_phone": "0912000111",
            "applicant_relationship": "child",
            "deceased_full_name": "Phạm Văn Hòa",
            "deceased_birth_date": "1948-02-10",
            "deceased_gender": "male",
            "deceased_ethnicity": "Kinh",
            "deceased_nationality": "Việt Nam",
            "deceased_personal_id": "051048001234",
            "deceased_residence": residence,
            "death_date": (datetime.date.today() - datetime.timedelta(days=2)).isoformat(),
            "death_place": {"unit_code": commune, "detail": "Tại nhà riêng"},
            "death_cause": "Tuổi cao, bệnh nặng",
        },
        files={
            "giay-bao-tu-hoac-giay-to-thay-giay-bao": [
                SimpleUploadedFile("giay-bao-tu.pdf", _pdf(), content_type="application/pdf")
            ]
        },
    )


def _clean(text: str) -> None:
    assert "None" not in text and "{" not in text, text
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text), text


def test_birth_group_in_one_form_and_a_proactive_offer_after_a_death(
    live_server: Any, browser: Any, demo: Path
) -> None:
    citizen = Citizen.objects.select_related("user", "address_unit").get(
        user__username="congdan.mot"
    )
    commune = citizen.address_unit.code  # type: ignore[union-attr]
    tab = Tab(browser, live_server.url, viewport={"width": 1280, "height": 900})
    tab.login("congdan.mot")
    page = tab.page

    # The birth registration's page offers the group; the group page names its procedures.
    page.goto(live_server.url + "/thu-tuc/1.001193/")
    page.get_by_role("link", name=re.compile("Liên thông đăng ký khai sinh")).click()
    page.wait_for_load_state()
    main = page.locator("main").inner_text()
    assert "Đăng ký thường trú" in main and "Cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi" in main
    tab.shot("1-group-page")
    with page.expect_navigation():
        page.get_by_role("link", name="Nộp hồ sơ liên thông").click()

    # One combined form, every page: the required fields and the mother; the father blank.
    version = groups.version_in_force(ProcedureGroup.objects.get(code="khai-sinh"))
    data_schema = {"fields": [f for f in version.form_schema["fields"] if f["type"] != "file"]}
    pages = schemaform.steps(data_schema)
    assert len(pages) >= 6
    for index, step in enumerate(pages):
        assert f"/buoc-{index}/" in page.url, page.url
        for spec in step.specs:
            if not wanted(spec, {"Cha"}):
                continue
            fid = "f-" + spec["name"].replace("_", "-")
            if spec["name"] == "child_residence":
                page.locator(f"#{fid}-province").select_option("51")
                page.locator(f"#{fid}-unit option[value='{commune}']").wait_for(state="attached")
                page.locator(f"#{fid}-unit").select_option(commune)
                page.locator(f"#{fid}-detail").fill("Số 12, thôn Cổ Lũy")
                continue
            if spec["name"] in TYPED and not page.locator(f"#{fid}").input_value():
                page.locator(f"#{fid}").fill(TYPED[spec["name"]])
            tab.fill_field(spec, spec["name"], citizen)
        if index in (0, 1):
            tab.shot(f"2-form-page-{index + 1}")
        tab.press("Lưu và tiếp tục")
        errors = page.locator(".field__error").all_inner_texts()
        assert not errors, (step.title, errors)

    # Review: every section, the father's left blank, where each goes and by when.
    review = page.locator("main").inner_text()
    assert "Kiểm tra thông tin trước khi nộp" in review
    assert "Nguyễn Trần Minh Khang" in review and "Không khai (để trống)." in review
    assert "Nơi giải quyết và ngày hẹn trả dự kiến" in review
    assert "Có đủ kết quả chậm nhất" in review
    for name in ("Ủy ban nhân dân", "Công an", "Bảo hiểm xã hội"):
        assert name in review, name
    _clean(review)
    page.locator("#file-file_birth_certificate").set_input_files(str(demo))
    tab.shot("3-review-and-preview")
    tab.press("Nộp hồ sơ liên thông")

    # One application page: three dossiers, three agencies.
    assert "/ca-nhan/lien-thong/" in page.url, page.url
    application = GroupApplication.objects.get()
    members = list(application.members.select_related("dossier__competent_agency", "dossier__desk"))
    dossiers = [m.dossier for m in members]
    assert len(dossiers) == 3 and len({d.competent_agency_id for d in dossiers}) == 3
    cards = page.locator(".group-member")
    assert cards.count() == 3
    main = page.locator("main").inner_text()
    assert application.code in main and "Đã có kết quả 0/3 thủ tục." in main
    for dossier in dossiers:
        assert dossier.code in main and dossier.competent_agency.name in main
    _clean(main)
    tab.shot("4-one-application")

    # The three agencies give their results (the dossiers' write path, by their officers).
    client, actors = Client(), Actors()
    summaries = [
        "Đã cấp Giấy khai sinh bản điện tử",
        "Đã đăng ký thường trú cho trẻ",
        "Đã cấp thẻ bảo hiểm y tế",
    ]
    for dossier, summary in zip(dossiers, summaries, strict=True):
        dossier.refresh_from_db()
        _process(client, actors, dossier, summary)
    drain()
    page.reload()
    main = page.locator("main").inner_text()
    assert "Đã có kết quả 3/3 thủ tục." in main
    for summary in summaries:
        assert summary in main
    tab.shot("5-three-results")

    # A death registered → a proactive offer on her page (the worker publishes the event).
    death = _death_registered(citizen, commune)
    _process(client, actors, death, "Đã cấp Trích lục khai tử")
    drain()
    offer = Offer.objects.get(rule__code="sau-khai-tu")
    assert offer.status == OfferStatus.OFFERED
    page.goto(live_server.url + "/ca-nhan/ho-so/")
    main = page.locator("main").inner_text()
    assert "Dịch vụ công chủ động dành cho bạn" in main
    assert "Tiếp tục các thủ tục sau đăng ký khai tử" in main and "Phạm Văn Hòa" in main
    tab.shot("6-offer-on-my-page")
    page.get_by_role("link", name="Tiếp tục các thủ tục sau đăng ký khai tử").click()
    page.wait_for_load_state()
    main = page.locator("main").inner_text()
    assert "Hồ sơ đã chuẩn bị sẵn từ dữ liệu nhà nước đang có" in main
    assert "Phạm Văn Hòa" in main and "Xóa đăng ký thường trú" in main
    assert "Giải quyết hưởng trợ cấp mai táng" in main
    page.locator("#f-payment-method").select_option("cash")
    tab.shot("7-offer-review")
    _clean(main)
    tab.press("Đồng ý và nộp")

    assert "/ca-nhan/lien-thong/" in page.url, page.url
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED and offer.consent_at is not None
    submitted = [m.dossier for m in offer.application.members.order_by("order")]  # type: ignore[union-attr]
    assert [d.procedure_version.procedure.code for d in submitted] == ["DP.XOA-TT", "DP.MAI-TANG"]
    for dossier in submitted:
        assert dossier.form_data["deceased_full_name"] == "Phạm Văn Hòa"
        assert dossier.form_data["deceased_personal_id"] == "051048001234"
    assert submitted[1].form_data["payment_method"] == "cash"
    main = page.locator("main").inner_text()
    assert "Đã có kết quả 0/2 thủ tục." in main
    _clean(main)
    tab.shot("8-offer-submitted")
