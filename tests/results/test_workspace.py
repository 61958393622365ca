"""E-results in the officer workspace and the citizen's account: prepare, sign (wrong signer,
wrong turn, TSA down → a Vietnamese error and nothing lost), the seal signature, completion
gated on a fully signed result, the desk's printout and the citizen's download."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from congso.core.errors import Conflict
from congso.dossiers import services as dossier_services
from congso.dossiers.models import Dossier
from congso.org.models import Role, RoleAssignment
from congso.results.models import RegisterEntry, ResultStatus, ResultTemplate, SignedResult
from congso.signing.models import SignatureRole
from tests.dossiers.conftest import Clock, World, at, fresh, to_processing
from tests.results.test_services import _profile

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_second_factor(settings: Any) -> None:
    settings.OFFICER_2FA_REQUIRED = False


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _template(world: World, roles: list[str]) -> ResultTemplate:
    return ResultTemplate.objects.create(
        procedure=world.procedure,
        kind="birth_extract",
        title="Trích lục khai sinh",
        level="B-T",
        signature_roles=roles,
    )


def _at_leader_step(world: World, clock: Clock) -> Dossier:
    dossier = to_processing(world, clock, at(2026, 1, 5, 8))
    clock.set(datetime.datetime.now(datetime.UTC))
    return dossier_services.dossier_forward(actor=world.specialist_a, dossier=dossier)


@pytest.fixture
def clerk(world: World) -> Any:
    from congso.accounts.models import User

    user = User.objects.create_user(username="vanthu.a", password="x", full_name="Văn thư A")
    RoleAssignment.objects.create(
        user=user, role=Role.CLERK, agency=world.commune_a, valid_from=datetime.date(2020, 1, 1)
    )
    return user


def test_completion_requires_the_e_result_fully_signed(world: World, clock: Clock) -> None:
    _template(world, ["approval"])
    dossier = _at_leader_step(world, clock)
    with pytest.raises(Conflict) as refused:
        dossier_services.dossier_complete(
            actor=world.leader_a,
            dossier=dossier,
            result_summary="Đã đăng ký khai sinh, cấp Trích lục khai sinh (bản điện tử).",
        )
    assert refused.value.code == "result_not_signed"
    specialist = _client(world.specialist_a)
    assert specialist.post(f"/can-bo/ho-so/{dossier.code}/ket-qua/lap/").status_code == 302
    # Prepared but not signed: still refused, through the officer's page too (Vietnamese).
    page = _client(world.leader_a).post(
        f"/can-bo/ho-so/{dossier.code}/thao-tac/complete/",
        {"version": fresh(dossier).version, "result_summary": "Đã đăng ký"},
    )
    assert page.status_code == 422
    assert "chưa được ký số đầy đủ" in page.content.decode()
    assert fresh(dossier).status == "processing"


def test_completion_with_an_empty_result_is_refused_on_the_page(world: World, clock: Clock) -> None:
    dossier = _at_leader_step(world, clock)
    leader = _client(world.leader_a)
    url = f"/can-bo/ho-so/{dossier.code}/thao-tac/complete/"
    form = leader.get(url).content.decode()
    assert 'name="result_summary" rows="3" required' in form
    page = leader.post(url, {"version": fresh(dossier).version, "result_summary": "  "})
    assert page.status_code == 422
    html = page.content.decode()
    assert "Cần nhập kết quả giải quyết" in html and 'id="result_summary-error"' in html
    assert fresh(dossier).status == "processing"
    done = leader.post(
        url, {"version": fresh(dossier).version, "result_summary": "Đã cấp Giấy xác nhận"}
    )
    assert done.status_code == 302 and fresh(dossier).status == "processed"


def test_preview_before_preparing_and_the_stored_document_when_signing(
    world: World, clock: Clock
) -> None:
    _template(world, ["approval"])
    dossier = _at_leader_step(world, clock)
    _profile(world, world.leader_a, "chu-tich", SignatureRole.APPROVAL)
    base = f"/can-bo/ho-so/{dossier.code}"
    specialist = _client(world.specialist_a)
    preview = specialist.get(f"{base}/ket-qua/lap/").content.decode()
    assert "Xem trước văn bản sẽ lập" in preview and "TRÍCH LỤC KHAI SINH" in preview
    assert "1/TLKS-BS" in preview
    assert not RegisterEntry.objects.exists()  # a preview takes no register number
    assert specialist.post(f"{base}/ket-qua/lap/").status_code == 302
    assert RegisterEntry.objects.filter(dossier=dossier).count() == 2
    page = _client(world.leader_a).get(f"{base}/ket-qua/1/ky/").content.decode()
    assert "Văn bản trình ký" in page and "1/TLKS-BS" in page and "NGƯỜI KÝ TRÍCH LỤC" in page
    assert "None" not in page and "(soft_token)" not in page
    # Prepared again: a new result, the same register numbers.
    assert specialist.post(f"{base}/ket-qua/lap/").status_code == 302
    assert RegisterEntry.objects.filter(dossier=dossier).count() == 2
    second = _client(world.leader_a).get(f"{base}/ket-qua/2/ky/").content.decode()
    assert "1/TLKS-BS" in second


def test_procedures_without_template_complete_as_before(world: World, clock: Clock) -> None:
    dossier = _at_leader_step(world, clock)
    done = dossier_services.dossier_complete(
        actor=world.leader_a,
        dossier=dossier,
        result_summary="Đã đăng ký khai sinh, cấp Trích lục khai sinh (bản điện tử).",
    )
    assert done.status == "processed"


def test_officer_pages_prepare_sign_seal_and_errors(
    world: World, clock: Clock, clerk: Any, settings: Any
) -> None:
    _template(world, ["approval", "seal"])
    dossier = _at_leader_step(world, clock)
    leader_profile = _profile(world, world.leader_a, "chu-tich", SignatureRole.APPROVAL)
    seal_profile = _profile(world, clerk, "van-thu", SignatureRole.SEAL)
    base = f"/can-bo/ho-so/{dossier.code}"

    specialist = _client(world.specialist_a)
    page = specialist.get(f"{base}/").content.decode()
    assert "Kết quả điện tử (ký số)" in page and f"{base}/ket-qua/lap/" in page
    confirm = specialist.get(f"{base}/ket-qua/lap/")
    assert (
        confirm.status_code == 200 and "Xác nhận: Lập kết quả điện tử" in confirm.content.decode()
    )
    assert specialist.post(f"{base}/ket-qua/lap/").status_code == 302
    result = SignedResult.objects.get(dossier=dossier)
    original = result.sha256

    # Out of scope: an officer of another commune sees nothing.
    assert _client(world.specialist_b).get(f"{base}/ket-qua/lap/").status_code == 404

    # The clerk's seal comes after the leader's approval: no button, and a POST is refused.
    seal = _client(clerk)
    assert f"{base}/ket-qua/1/ky/" not in seal.get(f"{base}/").content.decode()
    wrong_turn = seal.post(f"{base}/ket-qua/1/ky/", {"profile": seal_profile.pk})
    assert wrong_turn.status_code == 422
    assert "Đến lượt chữ ký “Lãnh đạo ký duyệt”" in wrong_turn.content.decode()
    # Someone else's profile is never used.
    theft = seal.post(f"{base}/ket-qua/1/ky/", {"profile": leader_profile.pk})
    assert theft.status_code == 422 and "chọn chữ ký số của mình" in theft.content.decode()

    # The leader signs while the TSA is down: a Vietnamese error, the stored file untouched.
    leader = _client(world.leader_a)
    settings.SIGNING_TSA_URL = "http://127.0.0.1:9/tsa"
    down = leader.post(f"{base}/ket-qua/1/ky/", {"profile": leader_profile.pk})
    assert down.status_code == 422
    assert "dấu thời gian" in down.content.decode()
    result.refresh_from_db()
    assert result.sha256 == original and result.status == ResultStatus.PREPARED
    assert not result.signatures.exists()

    # A stale page (the file changed since it was shown) is refused.
    settings.SIGNING_TSA_URL = ""
    stale = leader.post(f"{base}/ket-qua/1/ky/", {"profile": leader_profile.pk, "sha256": "0" * 64})
    assert stale.status_code == 422 and "vừa được người khác ký" in stale.content.decode()

    # The leader signs; then the clerk adds the seal.
    assert f"{base}/ket-qua/1/ky/" in leader.get(f"{base}/").content.decode()
    signed = leader.post(
        f"{base}/ket-qua/1/ky/", {"profile": leader_profile.pk, "sha256": original}
    )
    assert signed.status_code == 302
    result.refresh_from_db()
    assert result.status == ResultStatus.PARTIAL
    assert seal.post(f"{base}/ket-qua/1/ky/", {"profile": seal_profile.pk}).status_code == 302
    result.refresh_from_db()
    assert result.status == ResultStatus.SIGNED
    page = leader.get(f"{base}/").content.decode()
    assert "Nguyễn Văn Bình" in page and "Lê Thị Mai" in page and "(chữ ký chứng nhận)" in page
    assert f"/xac-thuc/{result.public_token}/" in page
    # Signed in full: nobody gets a "Ký số" button any more.
    assert f"{base}/ket-qua/1/ky/" not in page

    # The desk prints the PDF itself (inline).
    printout = _client(world.reception_a).get(f"{base}/ket-qua/1.pdf")
    assert printout.status_code == 200 and printout["Content-Type"] == "application/pdf"
    assert b"".join(printout.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]

    done = dossier_services.dossier_complete(
        actor=world.leader_a,
        dossier=fresh(dossier),
        result_summary="Đã đăng ký khai sinh, cấp Trích lục khai sinh (bản điện tử).",
    )
    assert done.status == "processed"


def _lookup(code: str) -> str:
    """The public look-up page with its second factor (issue 13 item 9): the last 4 digits
    of the applicant's ID number."""
    from congso.dossiers.models import Dossier

    digits = Dossier.objects.get(code=code).applicant_id_number[-4:]
    return Client().post("/tra-cuu", {"ma": code, "so-cuoi": digits}).content.decode()


def test_citizen_downloads_only_signed_results_of_their_own(world: World, clock: Clock) -> None:
    from congso.results import services

    _template(world, ["approval"])
    dossier = _at_leader_step(world, clock)
    result = services.result_prepare(actor=world.specialist_a, dossier=dossier)
    link = f"/ca-nhan/ho-so/{dossier.code}/ket-qua/1.pdf"
    citizen = _client(world.citizen_user)
    assert link not in citizen.get(f"/ca-nhan/ho-so/{dossier.code}/").content.decode()
    assert citizen.get(link).status_code == 404  # not signed yet
    lookup = _lookup(dossier.code)
    assert "đã có kết quả điện tử" not in lookup

    profile = _profile(world, world.leader_a, "chu-tich", SignatureRole.APPROVAL)
    services.result_sign(actor=world.leader_a, result=result, profile=profile)
    # Signed, but the dossier is still open: not released to the applicant yet.
    assert link not in citizen.get(f"/ca-nhan/ho-so/{dossier.code}/").content.decode()
    assert citizen.get(link).status_code == 404
    lookup = _lookup(dossier.code)
    assert "đã có kết quả điện tử" not in lookup
    dossier_services.dossier_complete(
        actor=world.leader_a,
        dossier=fresh(dossier),
        result_summary="Đã đăng ký khai sinh, cấp Trích lục khai sinh (bản điện tử).",
    )
    page = citizen.get(f"/ca-nhan/ho-so/{dossier.code}/").content.decode()
    assert link in page
    result.refresh_from_db()
    assert f"/xac-thuc/{result.public_token}/" in page
    download = citizen.get(link)
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    lookup = _lookup(dossier.code)
    assert "đã có kết quả điện tử có chữ ký số" in lookup and link not in lookup

    # Another citizen, or an officer on the citizen's address, gets nothing.
    from congso.accounts.models import User

    stranger = User.objects.create_user(username="congdan.khac", password="x")
    assert _client(stranger).get(link).status_code == 404
    assert _client(world.specialist_a).get(link).status_code == 404


def test_etsi_xml_report_of_the_stored_original(world: World, clock: Clock) -> None:
    import base64
    import xml.etree.ElementTree as ET

    from congso.results import services
    from congso.signing import etsi

    _template(world, ["approval"])
    dossier = _at_leader_step(world, clock)
    result = services.result_prepare(actor=world.specialist_a, dossier=dossier)
    profile = _profile(world, world.leader_a, "chu-tich", SignatureRole.APPROVAL)
    services.result_sign(actor=world.leader_a, result=result, profile=profile)
    result.refresh_from_db()
    page = Client().get(f"/xac-thuc/{result.public_token}/").content.decode()
    assert f"/xac-thuc/{result.public_token}/bao-cao.xml" in page
    response = Client().get(f"/xac-thuc/{result.public_token}/bao-cao.xml")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    ns = {"v": etsi.NS, "ds": etsi.DS}
    assert root.tag == f"{{{etsi.NS}}}ValidationReport"
    reports = root.findall("v:SignatureValidationReport", ns)
    assert len(reports) == 1
    report = reports[0]
    assert report.findtext("v:SignatureIdentifier/v:DAIdentifier", namespaces=ns) == (
        "Sig1_approval"
    )
    assert report.findtext("v:SignatureValidationStatus/v:MainIndication", namespaces=ns) == (
        "urn:etsi:019102:mainindication:total-passed"
    )
    assert report.find("v:SignatureValidationStatus/v:SubIndication", ns) is None
    assert report.findtext("v:SignatureQuality/v:SignatureQualityInformation", namespaces=ns) == (
        "urn:congso:signing:level:PAdES-B-T"
    )
    assert "Nguyễn Văn Bình" in (
        report.findtext("v:SignerInformation/v:Signer", namespaces=ns) or ""
    )
    reference = report.find("v:SignerInformation/v:SignerCertificate", ns)
    assert reference is not None
    objects = {
        item.get("id"): item
        for item in root.findall("v:SignatureValidationObjects/v:ValidationObject", ns)
    }
    assert objects[reference.get("VOReference")].findtext("v:ObjectType", namespaces=ns) == (
        etsi.CERTIFICATE
    )
    digest = objects["document"].findtext(
        "v:ValidationObjectRepresentation/v:DigestAlgAndValue/ds:DigestValue", namespaces=ns
    )
    assert digest == base64.b64encode(bytes.fromhex(result.sha256)).decode()
    assert Client().get("/xac-thuc/khong-co/bao-cao.xml").status_code == 404


def test_the_signing_queue_follows_the_turn_of_each_signature(
    world: World, clock: Clock, clerk: Any
) -> None:
    """«Chờ tôi duyệt, ký»: the leader's approval step, and for the clerk the e-result once it is
    the seal's turn (not before, not after)."""
    from congso.backoffice.selectors import queue_counts
    from congso.results import services
    from congso.results.selectors import dossiers_awaiting_signature

    _template(world, ["approval", "seal"])
    dossier = _at_leader_step(world, clock)
    leader_profile = _profile(world, world.leader_a, "chu-tich", SignatureRole.APPROVAL)
    seal_profile = _profile(world, clerk, "van-thu", SignatureRole.SEAL)
    assert queue_counts(world.leader_a)["cho-duyet"] == 1  # the approval step
    assert queue_counts(clerk)["cho-duyet"] == 0
    first = services.result_prepare(actor=world.specialist_a, dossier=dossier)
    assert dossiers_awaiting_signature(world.leader_a) == [dossier.pk]
    assert dossiers_awaiting_signature(clerk) == []  # the leader signs first
    # A second preparation replaces the first: only the latest result counts.
    latest = services.result_prepare(actor=world.specialist_a, dossier=fresh(dossier))
    services.result_sign(actor=world.leader_a, result=latest, profile=leader_profile)
    assert first.status == ResultStatus.PREPARED
    assert dossiers_awaiting_signature(world.leader_a) == []
    assert dossiers_awaiting_signature(clerk) == [dossier.pk]
    assert queue_counts(clerk)["cho-duyet"] == 1
    assert _client(clerk).get("/can-bo/")["Location"] == "/can-bo/hang-doi/cho-duyet/"
    html = _client(clerk).get("/can-bo/hang-doi/cho-duyet/").content.decode()
    assert dossier.code in html
    services.result_sign(actor=clerk, result=fresh_result(latest), profile=seal_profile)
    assert dossiers_awaiting_signature(clerk) == []
    assert queue_counts(clerk)["cho-duyet"] == 0


def fresh_result(result: SignedResult) -> SignedResult:
    return SignedResult.objects.get(pk=result.pk)
