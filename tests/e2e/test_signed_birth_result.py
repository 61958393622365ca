"""Issue 6's "done when": in the real demo, a birth registration goes from the citizen's online
submission to a signed e-result the citizen downloads and verifies through its QR code.

The demo province, its catalogue and ``signing_demo_setup`` (demo PKI, result templates, the
leaders' soft tokens) are loaded inside the test's transaction; the demo PKI's OCSP/CRL/TSA run
as the real ``manage.py signing_services`` in a child process on a free loopback port. The
officers act through their pages (``/can-bo/…``) where signing happens and through the API for
the rest of the lifecycle; the QR code is decoded from page 1 rendered to an image
(``pdftoppm`` + ``zbarimg``), its URL opened, and Poppler's ``pdfsig`` checks the file
independently.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from congso.catalog.models import Procedure
from congso.catalog.selectors import current_version
from congso.dossiers.models import Dossier
from congso.org.models import AdministrativeUnit, Citizen, UnitLevel
from congso.results.models import ResultStatus, SignedResult
from congso.signing import validation
from congso.signing.models import SignerProfile
from tests.e2e.test_every_demo_procedure import BASE, PDF, Actors, _agency_id, act, fill
from tests.printing.eresultcheck import check_reads_as_document, keep_pages

BIRTH = "1.001193"
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@pytest.fixture
def signing_demo(db: Any, settings: Any, tmp_path: Path) -> Iterator[None]:
    base_url = f"http://127.0.0.1:{_free_port()}"
    settings.SIGNING_DEMO_PKI_DIR = tmp_path / "pki"
    settings.SIGNING_DEMO_PKI_URL = base_url
    settings.SIGNING_TRUST_ROOTS = [str(tmp_path / "pki" / "root.crt")]
    settings.SIGNING_TSA_URL = ""
    settings.SIGNING_ONLINE_REVOCATION = True
    settings.SIGNING_PUBLIC_URL = "http://congso.test"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.OFFICER_2FA_REQUIRED = False
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_catalog_demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command("signing_demo_setup", stdout=out, stderr=io.StringIO())
    assert "lanhdao." in out.getvalue()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "congso.settings.test",
        "CONGSO_SIGNING_DEMO_PKI_DIR": str(tmp_path / "pki"),
        "CONGSO_SIGNING_DEMO_PKI_URL": base_url,
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "signing_services"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        # Readiness, not a timed assertion: wait for the service to answer (or to die).
        for _ in range(300):
            if process.poll() is not None or _answers(f"{base_url}/crl/ca.crl"):
                break
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=0.1)
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        assert _answers(f"{base_url}/crl/ca.crl"), "signing_services did not answer"
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stderr:
            process.stderr.close()


def _birth_answers(fields: list[dict[str, Any]], citizen: Any, commune: str) -> dict[str, Any]:
    """What a mother types: her child, herself; the father unknown (his section left blank)."""
    data = fill(fields, citizen, commune)
    data = {key: value for key, value in data.items() if not key.startswith("father_")}
    data.update(
        {
            "applicant_relationship": "mother",
            "child_full_name": "Nguyễn Ngọc An",
            "child_birth_date": "2026-01-20",
            "child_gender": "female",
            "child_ethnicity": "Kinh",
            "child_nationality": "Việt Nam",
            "child_birth_place": {"unit_code": commune, "detail": ""},
            "child_birth_facility": "Trạm Y tế xã",
            "child_hometown": "Quảng Ngãi",
            "mother_full_name": citizen.full_name,
            "mother_birth_date": "1996-04-12",
            "mother_ethnicity": "Kinh",
            "mother_nationality": "Việt Nam",
            "mother_personal_id": citizen.personal_id,
            "mother_residence": {"unit_code": commune, "detail": "Số 12, thôn Cổ Lũy"},
            "copies_requested": 1,
        }
    )
    return data


def _officer(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _qr_url(pdf: bytes, tmp_path: Path) -> str:
    """Decode the QR code from page 1 rendered as an image."""
    for tool in ("pdftoppm", "zbarimg"):
        assert shutil.which(tool), f"{tool} missing: scripts/bootstrap installs it"
    source = tmp_path / "result.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "200", "-f", "1", "-l", "1", "-png", str(source), str(tmp_path / "p")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    image = next(tmp_path.glob("p*.png"))
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(image)],
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert decoded.returncode == 0, decoded.stderr
    lines = decoded.stdout.decode().split()
    assert len(lines) == 1, lines
    return lines[0]


@pytest.mark.django_db
def test_birth_registration_to_a_signed_e_result_verified_by_qr(
    signing_demo: None, tmp_path: Path
) -> None:
    api = Client()
    actors = Actors()
    citizen = Citizen.objects.select_related("user").filter(user__isnull=False).first()
    assert citizen is not None
    commune_code = (
        AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE, valid_to__isnull=True)
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )
    procedure = Procedure.objects.get(code=BIRTH)
    version = current_version(procedure)
    process = version.processes.filter(active=True).select_related("agency").first()
    assert process is not None
    agency = process.agency

    # 1. The citizen submits online (API, as the portal does).
    files = {
        f"files.{c.code}": SimpleUploadedFile(f"{c.code}.pdf", PDF, content_type="application/pdf")
        for c in version.components.filter(mandatory=True)
    }
    response = api.post(
        BASE,
        data={
            "procedure": BIRTH,
            "agency": agency.code,
            "form_data": json.dumps(
                _birth_answers(version.form_schema.get("fields", []), citizen, commune_code)
            ),
            **files,
        },
        headers=actors.headers(citizen.user),
    )
    assert response.status_code == 201, response.content
    dossier = response.json()
    code = dossier["code"]
    assert dossier["status"] == "submitted"

    # 2. Received, processed step by step up to the leader's signing step.
    reception = actors.holder("reception", agency.pk)
    dossier = act(api, actors.headers(reception), code, "receive",
                  expected_version=dossier["version"])  # fmt: skip
    dossier = act(api, actors.headers(reception), code, "start_processing",
                  expected_version=dossier["version"])  # fmt: skip
    leader_step = None
    for _ in range(10):
        step = next(s for s in dossier["steps"] if s["ended_at"] is None)
        user = actors.holder(step["role"], _agency_id(step["agency_code"]))
        moved = api.post(
            f"{BASE}/{code}/actions/forward",
            data=json.dumps({"expected_version": dossier["version"], "step_id": step["id"]}),
            content_type="application/json",
            headers=actors.headers(user),
        )
        if moved.status_code != 200:
            leader_step = step
            break
        dossier = moved.json()
    assert leader_step is not None and leader_step["role"] == "leader", dossier["steps"]
    leader = actors.holder("leader", agency.pk)
    specialist = actors.holder("specialist", agency.pk)

    # Completing before the e-result is signed is refused (machine-readable error).
    refused = api.post(
        f"{BASE}/{code}/actions/complete",
        data=json.dumps({"expected_version": dossier["version"], "result_summary": "Đã đăng ký"}),
        content_type="application/json",
        headers=actors.headers(leader),
    )
    assert refused.status_code == 409 and refused.json()["code"] == "result_not_signed"

    # 3. The specialist prepares the e-result on the officer's dossier page.
    clerk_page = _officer(specialist)
    page = clerk_page.get(f"/can-bo/ho-so/{code}/").content.decode()
    assert "Lập kết quả điện tử" in page
    prepared = clerk_page.post(f"/can-bo/ho-so/{code}/ket-qua/lap/")
    assert prepared.status_code == 302, prepared.content.decode()[:2000]
    result = SignedResult.objects.get(dossier__code=code)
    assert result.status == ResultStatus.PREPARED and result.level == "B-T"
    # The specialist has no signing key: no "Ký số" button for them, and a forged POST fails.
    assert 'ket-qua/1/ky/"' not in clerk_page.get(f"/can-bo/ho-so/{code}/").content.decode()
    forged = clerk_page.post(f"/can-bo/ho-so/{code}/ket-qua/1/ky/", {"profile": "1"})
    assert forged.status_code == 422

    # 4. The leader signs with his soft token (PAdES B-T, demo TSA served by signing_services).
    boss = _officer(leader)
    page = boss.get(f"/can-bo/ho-so/{code}/").content.decode()
    assert f"/can-bo/ho-so/{code}/ket-qua/1/ky/" in page
    profile = SignerProfile.objects.get(user=leader, agency=agency, role="approval")
    signed = boss.post(
        f"/can-bo/ho-so/{code}/ket-qua/1/ky/", {"profile": profile.pk, "sha256": result.sha256}
    )
    assert signed.status_code == 302, signed.content.decode()[:2000]
    result.refresh_from_db()
    assert result.status == ResultStatus.SIGNED
    page = boss.get(f"/can-bo/ho-so/{code}/?ketqua=ky").content.decode()
    assert profile.display_name in page and "B-T" in page and "Đã ký số kết quả điện tử" in page
    assert f"/xac-thuc/{result.public_token}/" in page

    # 5. Completed by the leader, returned online by the desk.
    dossier = act(api, actors.headers(leader), code, "complete",
                  expected_version=refused_version(api, actors, leader, code),
                  result_summary="Đã đăng ký khai sinh")  # fmt: skip
    assert dossier["status"] == "processed"
    dossier = act(api, actors.headers(reception), code, "return_result",
                  expected_version=dossier["version"], return_method="online")  # fmt: skip
    assert dossier["status"] == "returned"

    # 6. The citizen downloads it from their account; the public look-up only says it exists.
    me = _officer(citizen.user)
    page = me.get(f"/ca-nhan/ho-so/{code}/").content.decode()
    link = f"/ca-nhan/ho-so/{code}/ket-qua/1.pdf"
    assert link in page
    download = me.get(link)
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    pdf = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    assert hashlib.sha256(pdf).hexdigest() == result.sha256
    assert Client().get(link).status_code == 302  # login required
    digits = Dossier.objects.get(code=code).applicant_id_number[-4:]  # issue 13 item 9
    lookup = Client().post("/tra-cuu", {"ma": code, "so-cuoi": digits}).content.decode()
    assert "đã có kết quả điện tử có chữ ký số" in lookup
    assert link not in lookup

    # 7. The QR code (decoded from the rendered page) opens the verification page: passed.
    url = _qr_url(pdf, tmp_path)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == settings.SIGNING_PUBLIC_URL
    assert parts.path == f"/xac-thuc/{result.public_token}/"
    report = Client().get(parts.path).content.decode()
    assert "Kết luận: Hợp lệ" in report
    assert not re.search(r"Không hợp lệ|Chưa xác định được|TOTAL_|INDETERMINATE", report)

    # 8. The file reads as the Vietnamese document (pypdf and pdftotext), its pages are kept.
    text = check_reads_as_document(
        pdf,
        tmp_path,
        "TRÍCH LỤC KHAI SINH",
        "/TLKS-BS",
        "Họ, chữ đệm, tên: NGUYỄN NGỌC AN",
        "Ngày hai mươi tháng một năm hai nghìn không trăm hai mươi sáu",
        "Giới tính: Nữ",
        f"Họ, chữ đệm, tên người mẹ: {citizen.full_name.upper()}",
        "Họ, chữ đệm, tên người cha:",
        "Nơi đăng ký khai sinh:",
        "Số đăng ký: 1",
        "NGƯỜI KÝ TRÍCH LỤC",
        f"Ký bởi: {profile.display_name}",
    )
    assert "Số 12, thôn Cổ Lũy" in text
    assert result.content["kind"] == "birth_extract"
    keep_pages(pdf, "e2e-signed-birth")

    # 9. Poppler checks the signature independently.
    path = tmp_path / "downloaded.pdf"
    path.write_bytes(pdf)
    output = subprocess.run(
        ["pdfsig", str(path)], capture_output=True, check=False, timeout=60
    ).stdout.decode("utf-8", "replace")
    assert "Signature Validation: Signature is Valid." in output
    assert profile.display_name in output
    checked = subprocess.run(
        ["qpdf", "--check", str(path)], capture_output=True, check=False, timeout=60
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # The level reached, as the validator sees the file the citizen holds: B-T (time-stamped).
    report = validation.validate_pdf(pdf)
    assert report.indication == validation.PASSED
    assert [s.level for s in report.signatures] == ["B-T"]
    assert report.signatures[0].timestamp and report.signatures[0].timestamp.get("valid")


def refused_version(api: Client, actors: Actors, user: Any, code: str) -> int:
    """The dossier's current version (signing does not change the dossier itself)."""
    response = api.get(f"{BASE}/{code}", headers=actors.headers(user))
    assert response.status_code == 200
    version: int = response.json()["version"]
    return version
