"""Issue 12: the journeys as people take them, in a real browser (Playwright driving Debian's
Chromium; no browser download), on the real demo (province 51 and its catalogue).

* Every demo procedure's online form is walked page by page with its own buttons («Lưu và
  tiếp tục»), with realistic Vietnamese data, the optional sections left blank, the files a
  citizen uploads (a real small PDF and JPEG, chosen and sent with «Tiếp tục»), the answers
  checked («Kiểm tra và nộp»: section headings, names not codes, dates dd/mm/yyyy) and the
  confirmation read; Back after submission says "đã nộp, mã số …".
* One citizen journey at 360 px in English: the supplement asked by the desk is answered by
  the citizen through the pages.
* Acting for others (issue 13 item 4): the organisation-only procedures are submitted for the
  demo company its citizen represents; a birth registration is submitted for the mother by a
  person she authorised, with the authorisation letter, and the desk checks it at reception.
* The public look-up (issue 13 item 9): the code alone says the dossier exists; the last 4
  digits of the applicant's ID number show its stage.

Screenshots go to ``var/screens/journeys/``. One browser for the module.
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
from django.conf import settings as django_settings
from django.core.management import call_command

from congso.catalog.models import Procedure
from congso.catalog.selectors import current_version
from congso.dossiers import services as dossier_services
from congso.dossiers.models import Dossier
from congso.org.models import Citizen, Organisation, RoleAssignment

playwright_sync = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "var" / "screens" / "journeys"
PROVINCE = "51"

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # One browser for the tests of this module (module scope: Playwright's sync API runs an
    # event loop in this thread, which must be closed before tests/ui start their own); the
    # live server thread does the database work of the pages.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with playwright_sync.sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield launched
        launched.close()


def _pdf() -> bytes:
    """A small real PDF (one page with a line of text), built by hand."""
    stream = b"BT /F1 18 Tf 72 720 Td (Giay chung sinh - ban chup) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def _jpeg() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 200), "white")
    ImageDraw.Draw(image).text((20, 90), "Ban chup giay to", fill="black")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    return out.getvalue()


@pytest.fixture
def demo(transactional_db: Any, settings: Any, tmp_path: Path) -> dict[str, Path]:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.OFFICER_2FA_REQUIRED = False
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_catalog_demo", stdout=io.StringIO())
    pdf, jpeg = tmp_path / "giay-to.pdf", tmp_path / "anh-chup.jpg"
    pdf.write_bytes(_pdf())
    jpeg.write_bytes(_jpeg())
    return {"pdf": pdf, "jpeg": jpeg}


# --- Realistic answers ------------------------------------------------------------------------

NAMES = {
    "applicant": "Trần Thị Bình",
    "child": "Nguyễn Trần Minh Khang",
    "mother": "Trần Thị Bình",
    "deceased": "Phạm Văn Hòa",
    "owner": "Trần Thị Bình",
    "business": "Hộ kinh doanh Tạp hóa Bình An",
}


def text_for(name: str, label: str) -> str:
    for prefix, value in NAMES.items():
        if name == f"{prefix}_full_name" or name == f"{prefix}_name":
            return value
    low = name.casefold()
    if "ethnicity" in low:
        return "Kinh"
    if "nationality" in low:
        return "Việt Nam"
    if "full_name" in low:
        return "Lê Văn Hùng"
    if low == "birth_place":
        return "Bệnh viện Đa khoa tỉnh Quảng Ngãi"
    if "document_name" in low:
        return "Bằng tốt nghiệp trung học phổ thông"
    if low == "line_name":
        return "Bán lẻ lương thực, thực phẩm, đồ uống"
    if low == "place":
        return "Phường Cẩm Thành, tỉnh Quảng Ngãi"
    return "Đề nghị cơ quan xem xét, giải quyết."[:300]


class Citizen_:
    """The demo citizen's browser tab."""

    def __init__(self, browser: Any, base: str, *, viewport: dict[str, int], locale: str = "vi-VN"):
        self.tag = f"{viewport['width']}px"
        self.context = browser.new_context(viewport=viewport, locale=locale)
        self.page = self.context.new_page()
        self.base = base
        #: When submitting for someone else: their personal ID (the form's identity field).
        self.principal_id = ""

    def login(self, username: str, landing: str = "/ca-nhan/") -> None:
        page = self.page
        page.goto(self.base + f"/tai-khoan/dang-nhap/?next={landing}")
        page.locator("input[name=username]").fill(username)
        page.locator("input[name=password]").fill(django_settings.DEMO_PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Đăng nhập", exact=True).click()
        assert landing in page.url and "dang-nhap" not in page.url, page.url

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}-{self.tag}.png"), full_page=True)

    def press(self, name: str) -> None:
        page = self.page
        try:
            with page.expect_navigation(timeout=15000):
                page.get_by_role("button", name=name, exact=True).click()
        except playwright_sync.TimeoutError:
            invalid = page.evaluate(
                "Array.from(document.querySelectorAll(':invalid'))"
                ".map(e => e.name + ': ' + e.validationMessage)"
            )
            raise AssertionError((page.url, name, invalid)) from None
        page.wait_for_load_state()

    def fill_field(self, spec: dict[str, Any], html_name: str, citizen: Citizen) -> None:
        page = self.page
        kind = spec["type"]
        fid = "f-" + html_name.replace(".", "-").replace("_", "-")
        if kind == "address":
            unit = page.locator(f"#{fid}-unit")
            if unit.input_value():
                return  # prefilled from the profile
            page.locator(f"#{fid}-province").select_option(PROVINCE)
            page.locator(f"#{fid}-unit option:not([value=''])").first.wait_for(state="attached")
            unit.select_option(index=1)
            page.locator(f"#{fid}-detail").fill("Số 12, đường Hùng Vương, tổ 3")
            return
        field = page.locator(f"#{fid}")
        if kind == "choice":
            if not field.input_value():
                field.select_option(index=1)
            return
        if field.input_value():
            return  # prefilled
        name = spec["name"]
        if kind == "date":
            if spec.get("min") == "today":
                value = (datetime.date.today() + datetime.timedelta(days=10)).isoformat()
            elif "death" in name:
                value = (datetime.date.today() - datetime.timedelta(days=3)).isoformat()
            elif name.startswith("child") or name == "period_from":
                value = (datetime.date.today() - datetime.timedelta(days=20)).isoformat()
            else:
                value = "1992-05-01"
        elif kind == "number":
            value = str(max(1, int(spec.get("min") or 0)))
            if "capital" in name:
                value = "50000000"
        elif kind == "personal_id":
            value = self.principal_id or citizen.personal_id
        elif kind == "phone":
            value = "0912000111"
        elif kind == "email":
            value = "binh.tran@example.vn"
        else:
            value = text_for(name, spec["label"])
            if spec.get("min_length"):
                value = "4711"[: spec["max_length"]] if name == "vsic_code" else value
        field.fill(value)


def wanted(spec: dict[str, Any], section_blank: set[str]) -> bool:
    """Fill the required fields, and the mother on a birth registration (the father is
    absent: his section stays blank)."""
    if spec.get("section") in section_blank:
        return False
    return bool(spec.get("required")) or str(spec.get("name", "")).startswith("mother_")


def act_for(tab: Citizen_, relationship: str, note: str, principal_id: str) -> None:
    """On the first page: «Nộp thay người khác» with the relationship; the page comes back
    with the identity fields emptied, to be filled with the other person's identity."""
    page = tab.page
    page.locator("input[name=applicant_kind][value=on_behalf]").check()
    page.locator("#relationship").select_option(relationship)
    page.locator("#on-behalf-note").fill(note)
    tab.press("Áp dụng lựa chọn")
    assert "Bạn chọn nộp thay người khác" in page.locator("main").inner_text()
    assert page.locator(".field__error").count() == 0  # only the choice was applied
    assert page.locator("#f-applicant-personal-id").input_value() == ""
    tab.principal_id = principal_id


def walk(
    tab: Citizen_,
    procedure: Procedure,
    citizen: Citizen,
    files: dict[str, Path],
    *,
    on_behalf: tuple[str, str, str] | None = None,
) -> str:
    """Fill and submit the online form of ``procedure`` through its pages; the dossier code.
    ``on_behalf``: (relationship, note, the other person's ID) to submit for someone else."""
    page = tab.page
    version = current_version(procedure)
    schema = version.form_schema or {}
    page.goto(f"{tab.base}/thu-tuc/{procedure.code}/")
    link = page.get_by_role("link", name="Nộp hồ sơ trực tuyến")
    assert link.count(), (procedure.code, page.url, page.locator("main").inner_text()[:600])
    with page.expect_navigation():
        page.get_by_role("link", name="Nộp hồ sơ trực tuyến").first.click()
    sections: list[str] = []
    for spec in schema["fields"]:
        if spec["type"] != "file" and spec.get("section") not in sections:
            sections.append(spec.get("section"))
    # Who the dossier is for: oneself by default; the company for a procedure only for
    # organisations (the demo citizen is its legal representative).
    if procedure.applicant_types == ["organisation"]:
        assert page.locator("input[name=applicant_kind][value=organisation]").is_checked()
        assert page.locator("input[name=applicant_kind][value=self]").count() == 0
    else:
        assert page.locator("input[name=applicant_kind][value=self]").is_checked()
    if on_behalf is not None:
        act_for(tab, *on_behalf)
        if procedure.code == "1.001193":
            tab.shot("on-behalf-1-declared")
    for index, section in enumerate(sections):
        assert f"/buoc-{index}/" in page.url, (procedure.code, page.url)
        agency = page.locator("#competent_agency")
        if agency.count() and not agency.input_value():
            agency.select_option(index=1)
        for spec in schema["fields"]:
            if spec.get("section") != section or spec["type"] == "file":
                continue
            if not wanted(spec, {"Cha"}):
                continue
            if spec["type"] == "group":
                rows = max(1, int(spec.get("min") or 0))
                for row in range(rows):
                    for sub in spec["fields"]:
                        if sub.get("required"):
                            tab.fill_field(sub, f"{spec['name']}.{row}.{sub['name']}", citizen)
                continue
            tab.fill_field(spec, spec["name"], citizen)
        if procedure.code == "1.001193" and index == 0:
            tab.shot("birth-1-form")
        tab.press("Lưu và tiếp tục")
        errors = page.locator(".field__error").all_inner_texts()
        assert not errors, (procedure.code, section, errors)
    # Files: choose what a citizen uploads (the required ones), then «Tiếp tục» sends them.
    assert "Tệp đính kèm" in page.locator("h2").first.inner_text()
    main = page.locator("main").inner_text()
    assert "xuất trình khi làm thủ tục trực tiếp" not in main.split("Không cần tải lên")[0]
    required = [s for s in schema["fields"] if s["type"] == "file" and s.get("required")]
    for number, spec in enumerate(required):
        path = files["pdf"] if number % 2 == 0 else files["jpeg"]
        page.locator(f"#file-{spec['component']}").set_input_files(str(path))
    if on_behalf is not None:
        # The authorisation letter, asked for on the same page.
        assert "Giấy tờ chứng minh quyền nộp thay" in page.locator("main").inner_text()
        page.locator("#file-giay-to-nop-thay").set_input_files(str(files["pdf"]))
    if procedure.code == "1.001193":
        tab.shot("birth-2-files")
    tab.press("Tiếp tục")
    review = page.locator("main").inner_text()
    assert "Kiểm tra thông tin trước khi nộp" in review, (procedure.code, review[:800])
    for section in sections:
        assert section in review, (procedure.code, section)
    assert "None" not in review and "{" not in review, (procedure.code, review)
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", review), (procedure.code, review)
    assert not re.search(r"(^|\s)\d{5}(,|$)", review, re.M), (procedure.code, review)
    for spec in required:
        assert spec["label"][:40] in review, (procedure.code, spec["label"])
    if procedure.code == "1.001193":
        tab.shot("birth-3-review")
    tab.press("Nộp hồ sơ")
    assert page.locator("#dossier-code").count(), (
        procedure.code,
        page.locator("main").inner_text(),
    )
    code = page.locator("#dossier-code").inner_text().strip()
    assert re.fullmatch(r"[\d.A-Z]+-\d{6}-\d{4}", code), (procedure.code, code)
    if procedure.code == "1.001193":
        tab.shot("birth-4-submitted")
    page.go_back()
    page.wait_for_load_state()
    assert code in page.locator("main").inner_text(), (procedure.code, page.url)
    if procedure.code == "1.001193":
        tab.shot("birth-5-back-after-submit")
    return code


def online_procedures() -> list[Procedure]:
    found = []
    for procedure in Procedure.objects.filter(active=True).order_by("code"):
        version = current_version(procedure)
        if "online" in (version.submission_channels or []) and version.form_schema:
            found.append(procedure)
    return found


def test_every_demo_procedure_online_through_the_pages(
    live_server: Any, browser: Any, demo: dict[str, Path]
) -> None:
    citizen = Citizen.objects.select_related("user").get(user__username="congdan.mot")
    tab = Citizen_(browser, live_server.url, viewport={"width": 1280, "height": 900})
    tab.login("congdan.mot")
    procedures = online_procedures()
    assert len(procedures) >= 20
    codes = {}
    for procedure in procedures:
        codes[procedure.code] = walk(tab, procedure, citizen, demo)
    assert Dossier.objects.filter(code__in=codes.values(), channel="online").count() == len(codes)
    # The procedures only for organisations were submitted for the demo company, by its legal
    # representative; every other one for the citizen themself.
    company = Organisation.objects.get()
    for procedure in procedures:
        dossier = Dossier.objects.get(code=codes[procedure.code])
        if procedure.applicant_types == ["organisation"]:
            assert dossier.applicant_organisation == company, procedure.code
            assert dossier.declaration.relationship == "legal_representative"
        else:
            assert dossier.applicant_citizen == citizen, procedure.code
    assert any(p.applicant_types == ["organisation"] for p in procedures)
    # The absent father's blank section is no answer, not an error.
    birth = Dossier.objects.get(code=codes["1.001193"])
    assert birth.form_data.get("father_residence") is None
    assert birth.form_data["mother_full_name"] == "Trần Thị Bình"


def test_supplement_answered_on_a_phone_in_english(
    live_server: Any, browser: Any, demo: dict[str, Path]
) -> None:
    citizen = Citizen.objects.select_related("user").get(user__username="congdan.mot")
    birth = Procedure.objects.get(code="1.001193")
    tab = Citizen_(browser, live_server.url, viewport={"width": 360, "height": 740})
    tab.login("congdan.mot")
    code = walk(tab, birth, citizen, demo)
    dossier = Dossier.objects.get(code=code)
    reception = (
        RoleAssignment.objects.filter(role="reception", desk__serves=dossier.competent_agency)
        .select_related("user")
        .first()
    )
    assert reception is not None
    slot = next(c for c in dossier.components.all() if c.attachments.exists())
    dossier_services.dossier_request_supplement(
        actor=reception.user,
        dossier=dossier,
        reason="Ảnh giấy chứng sinh bị mờ, chụp lại rõ nét.",
        missing_items=[{"component": slot.code}],
    )
    page = tab.page
    # English, through the header's language switch.
    page.goto(f"{tab.base}/ca-nhan/ho-so/{code}/")
    with page.expect_navigation():
        page.locator("form.lang-switch button[value=en]").click()
    page.goto(f"{tab.base}/ca-nhan/ho-so/{code}/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Ảnh giấy chứng sinh bị mờ" in page.content()
    tab.shot("supplement-1-asked-360-en")
    page.locator(f"input[type=file][name='files.{slot.code}']").set_input_files(str(demo["jpeg"]))
    with page.expect_navigation():
        page.locator(f"#supp-{slot.code}").locator("xpath=ancestor::form").locator(
            "button[type=submit]"
        ).click()
    page.wait_for_load_state()
    tab.shot("supplement-2-answered-360-en")
    dossier.refresh_from_db()
    assert dossier.status != "supplement_requested", page.locator("main").inner_text()
    assert dossier.supplements.get().fulfilled_at is not None
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width


def test_submitting_for_another_person_and_the_desk_checks_it(
    live_server: Any, browser: Any, demo: dict[str, Path]
) -> None:
    """The mother authorised the demo citizen to register her baby's birth: the citizen says
    so on the first page, types the mother's identity, uploads the authorisation letter; the
    desk sees the declaration and receives the dossier only after ticking that it checked it."""
    citizen = Citizen.objects.select_related("user").get(user__username="congdan.mot")
    birth = Procedure.objects.get(code="1.001193")
    tab = Citizen_(browser, live_server.url, viewport={"width": 1280, "height": 900})
    tab.login("congdan.mot")
    mother_id = "051192000123"
    code = walk(
        tab,
        birth,
        citizen,
        demo,
        on_behalf=("authorised", "Giấy ủy quyền ngày 02/03/2026 của chị Trần Thị Bình", mother_id),
    )
    dossier = Dossier.objects.get(code=code)
    assert dossier.applicant_citizen == citizen
    assert dossier.declaration.principal_id_number == mother_id
    assert dossier.declaration.principal_name == "Trần Thị Bình"
    reception = (
        RoleAssignment.objects.filter(role="reception", desk=dossier.desk)
        .select_related("user")
        .first()
    )
    assert reception is not None
    desk = Citizen_(browser, live_server.url, viewport={"width": 1280, "height": 900})
    desk.login(reception.user.username, landing="/can-bo/")
    page = desk.page
    page.goto(f"{desk.base}/can-bo/ho-so/{code}/")
    panel = page.locator("section.declaration").inner_text()
    for text in ("Nộp thay người khác", "Trần Thị Bình", mother_id, "Chưa kiểm tra"):
        assert text in panel, (text, panel)
    desk.shot("on-behalf-2-officer-sees")
    page.goto(f"{desk.base}/can-bo/ho-so/{code}/thao-tac/receive/")
    desk.press("Xác nhận: Tiếp nhận hồ sơ")
    assert "hãy kiểm tra giấy tờ chứng minh quyền nộp thay" in page.locator("main").inner_text()
    desk.shot("on-behalf-3-check-required")
    page.locator("#declaration_checked").check()
    desk.press("Xác nhận: Tiếp nhận hồ sơ")
    assert "Đã kiểm tra lúc" in page.locator("section.declaration").inner_text()
    dossier.refresh_from_db()
    assert dossier.status == "received"
    assert dossier.declaration.checked_by == reception.user


def test_public_look_up_with_the_second_factor(
    live_server: Any, browser: Any, demo: dict[str, Path]
) -> None:
    citizen = Citizen.objects.select_related("user").get(user__username="congdan.mot")
    tab = Citizen_(browser, live_server.url, viewport={"width": 360, "height": 740})
    tab.login("congdan.mot")
    code = walk(tab, Procedure.objects.get(code="1.001193"), citizen, demo)
    visitor = Citizen_(browser, live_server.url, viewport={"width": 360, "height": 740})
    page = visitor.page
    page.goto(f"{visitor.base}/tra-cuu")
    page.locator("#ma").fill(code)
    visitor.press("Tra cứu")
    main = page.locator("main").inner_text()
    assert "Có hồ sơ mã số" in main and "Thủ tục đăng ký khai sinh" not in main
    visitor.shot("lookup-1-exists")
    page.locator("#so-cuoi").fill("9999")
    visitor.press("Xem tình trạng")
    assert "không khớp" in page.locator("#so-cuoi_error").inner_text()
    visitor.shot("lookup-2-wrong-digits")
    page.locator("#so-cuoi").fill(citizen.personal_id[-4:])
    visitor.press("Xem tình trạng")
    main = page.locator("main").inner_text()
    assert "Thủ tục đăng ký khai sinh" in main and "Mới đăng ký, chờ tiếp nhận" in main
    visitor.shot("lookup-3-status")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width


def test_an_imported_procedure_found_by_the_filters_and_submitted(
    live_server: Any, browser: Any, demo: dict[str, Path]
) -> None:
    """Issue 15: a procedure of the national import (the committed sample, province 51's
    share) is found with the search page's filters, its page explains it, and its generic
    form (applicant section and one upload per component, per case) is submitted."""
    sample = ROOT / "tests" / "catalog" / "national" / "data"
    call_command(
        "catalog_national_import",
        "--province",
        PROVINCE,
        "--detail",
        str(sample / "detail.jsonl"),
        "--crawl",
        str(sample / "crawl.jsonl"),
        "--lists",
        str(sample / "danh-sach-tthc.xlsx"),
        stdout=io.StringIO(),
    )
    citizen = Citizen.objects.select_related("user").get(user__username="congdan.mot")
    tab = Citizen_(browser, live_server.url, viewport={"width": 1280, "height": 900})
    tab.login("congdan.mot")
    page = tab.page
    page.goto(f"{tab.base}/thu-tuc/")
    page.locator("#cap").select_option("commune")
    page.locator("#q").fill("giai the truong tieu hoc")
    page.get_by_role("button", name="Tìm kiếm", exact=True).click()  # htmx swaps the results
    page.wait_for_url(re.compile(r"cap=commune"))
    page.locator('#results a[href^="/thu-tuc/1.001639/"]').wait_for()
    results = page.locator("#results").inner_text()
    assert "Giải thể trường tiểu học" in results, results
    tab.shot("national-1-search")
    with page.expect_navigation():
        page.locator('#results a[href^="/thu-tuc/1.001639/"]').click()
    main = page.locator("main").inner_text()
    assert "20 ngày làm việc" in main and "Thành phần hồ sơ" in main, main[:1500]
    assert "Không thu phí, lệ phí" not in main
    tab.shot("national-2-procedure")
    procedure = Procedure.objects.get(code="1.001639")
    code = walk(tab, procedure, citizen, demo)
    dossier = Dossier.objects.get(code=code)
    assert dossier.procedure_version.procedure == procedure and dossier.channel == "online"
    tab.shot("national-3-submitted")
