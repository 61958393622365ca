"""Liên thông between two congso instances over the LGSP (docs/integration.md, "Transfers
between systems"): the test's process is instance A (UBND xã A, Quảng Ngãi); a second
instance B (UBND phường Hải Châu, Đà Nẵng) runs in its own processes (its own SQLite database,
web server and worker, ``tests/instance.py``); the LGSP simulator routes their messages.

One deep scenario: A receives a birth registration and transfers it to B with its files and
history; B's worker takes it (a local dossier with its own deadline), B's officers process and
decide it, the statuses and the result come back to A, whose desk returns it; a forged message
is refused and kept, a duplicate is applied once; the national portal holds A's dossier with
the right statuses and never B's copy.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from congso.dossiers import services
from congso.dossiers.models import Dossier, DossierHistory
from congso.dossiers.workflow import Status
from congso.integration import lgsp, sync, transfers
from congso.integration.models import InboundMessage, SyncItem, Transfer
from simulators.lgsp.process import LgspSimulator
from tests.dossiers.conftest import Clock, World, at, fresh, receive, submit
from tests.instance import CongsoInstance

pytestmark = pytest.mark.django_db

A_UNIT, B_UNIT = "000.00.00.H51", "000.00.00.H17"
B_AGENCY = "000.00.12.H17"
SECRET = "khoa-chung-lien-thong-51-48"
B_ACCOUNT = {"username": "congso-danang", "password": "mat-khau-lgsp-48", "unit_code": B_UNIT}


def partners_of_a() -> str:
    return json.dumps(
        [
            {
                "unit_code": B_UNIT,
                "name": "Hệ thống một cửa điện tử thành phố Đà Nẵng",
                "secret": SECRET,
                "agencies": [{"code": B_AGENCY, "name": "UBND phường Hải Châu"}],
            }
        ],
        ensure_ascii=False,
    )


def partners_of_b() -> str:
    return json.dumps(
        [
            {
                "unit_code": A_UNIT,
                "name": "Hệ thống một cửa điện tử tỉnh Quảng Ngãi",
                "secret": SECRET,
                "agencies": [{"code": "000.00.51.H51", "name": "UBND xã A"}],
            }
        ],
        ensure_ascii=False,
    )


def seed_b() -> None:
    """Instance B's world (run in B's shell): Đà Nẵng, UBND phường Hải Châu with its desk and
    officers, the birth registration procedure in its catalogue (no published process: the
    fallback step, completed by a leader)."""
    import datetime
    from decimal import Decimal

    from congso.catalog.models import Component, Field, Procedure, ProcedureVersion
    from congso.org.models import AdministrativeUnit, Desk, DeskKind, Role, UnitKind, UnitLevel
    from tests.dossiers.conftest import FORM_SCHEMA, _agency, _officer

    city = AdministrativeUnit.objects.create(
        code="48", name="Đà Nẵng", level=UnitLevel.PROVINCE, kind=UnitKind.CENTRAL_CITY
    )
    ward = _agency("UBND phường Hải Châu", B_AGENCY, "commune", city)
    desk = Desk.objects.create(agency=ward, name="Một cửa phường Hải Châu", kind=DeskKind.ONE_STOP)
    desk.serves.add(ward)
    _officer("motcua.haichau", Role.RECEPTION, ward, desk)
    _officer("lanhdao.haichau", Role.LEADER, ward)
    field = Field.objects.create(code="ho-tich", name="Hộ tịch", sector_code="G15-TP07")
    procedure = Procedure.objects.create(
        code="1.001193",
        name="Thủ tục đăng ký khai sinh",
        search_text="thu tuc dang ky khai sinh 1.001193",
        field=field,
        levels=["commune"],
        applicant_types=["citizen", "organisation"],
    )
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        version=1,
        effective_from=datetime.date(2025, 7, 1),
        submission_channels=["online", "postal", "direct"],
        time_limit_value=Decimal(3),
        time_limit_unit="working_days",
        online_level="full",
        form_schema=FORM_SCHEMA,
    )
    # The result is an e-result signed by the ward's leader (the demo PKI's soft token; PAdES
    # B-B: no time-stamping service in this test).
    from congso.results.models import ResultTemplate
    from congso.signing import demo as signing_demo

    ResultTemplate.objects.create(
        procedure=procedure,
        kind="certificate",
        title="Giấy xác nhận đăng ký khai sinh (bản điện tử)",
        level="B-B",
        signature_roles=["approval"],
        legal_basis="Luật Hộ tịch năm 2014",
    )
    for order, (code, name, types) in enumerate(
        [
            ("to-khai", "Tờ khai đăng ký khai sinh", ["application/pdf"]),
            ("giay-chung-sinh", "Giấy chứng sinh", []),
        ],
        start=1,
    ):
        Component.objects.create(
            version=version,
            order=order,
            code=code,
            name=name,
            original_or_copy="original",
            mandatory=True,
            allowed_types=types,
        )
    signing_demo.setup()  # a signer profile for lanhdao.haichau


B_PROCESS = """
import json
from congso.accounts.models import User
from congso.backoffice.selectors import queue_filters
from congso.dossiers import services
from congso.dossiers.models import Dossier
from congso.integration.models import Transfer
t = Transfer.objects.get(direction="in")
d = t.dossier
desk = User.objects.get(username="motcua.haichau")
waiting = Dossier.objects.filter(queue_filters(desk)["chuyen-xu-ly"])
queue = list(waiting.values_list("code", flat=True))
d = services.dossier_start_processing(actor=desk, dossier=d)
leader = User.objects.get(username="lanhdao.haichau")
from congso.results import services as results
from congso.signing.models import SignerProfile
result = results.result_prepare(actor=leader, dossier=d)
results.result_sign(actor=leader, result=result, profile=SignerProfile.objects.get(user=leader))
d.refresh_from_db()
d = services.dossier_complete(
    actor=leader,
    dossier=d,
    result_summary="Đã đăng ký khai sinh cho trẻ Nguyễn Văn An, số 125/2026, quyển 01.",
)
print(json.dumps({"code": d.code, "status": d.status, "queue": queue}))
"""

B_STATE = """
import json
from congso.dossiers.models import Dossier
from congso.integration.models import InboundMessage, SyncItem, Transfer
t = Transfer.objects.get(direction="in")
d = t.dossier
print(json.dumps({
    "code": d.code, "status": d.status, "origin": t.origin_code, "state": t.state,
    "received_at": d.received_at.isoformat(), "due_at": d.due_at.isoformat(),
    "files": sorted(a.original_name for c in d.components.all() for a in c.attachments.all()),
    "applicant": d.applicant_name, "history": [h.action for h in d.history.order_by("pk")],
    "inbound": sorted((m.kind, m.state) for m in InboundMessage.objects.all()),
    "sync_items": SyncItem.objects.filter(dossier=d).count(),
    "dossiers": Dossier.objects.count(),
}))
"""


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LgspSimulator]:
    """The LGSP with two systems on it: A (the main account) and B."""
    sim = LgspSimulator(run_dir=Path(tmp_path_factory.mktemp("lgsp-lt")), systems=[B_ACCOUNT])
    sim.start()
    try:
        yield sim
    finally:
        sim.stop()


@pytest.fixture
def instance_b(platform: LgspSimulator, tmp_path: Path) -> Iterator[CongsoInstance]:
    env = {
        **platform.env_for(B_UNIT),
        "CONGSO_TRANSFER_PARTNERS": partners_of_b(),
        "CONGSO_TRANSFER_POLL_SECONDS": "1",
        "CONGSO_SYNC_POLL_SECONDS": "1",
        "CONGSO_SYNC_BACKOFF_SECONDS": "0",
        "CONGSO_LGSP_BREAKER_SECONDS": "0",
        "CONGSO_SIGNING_ONLINE_REVOCATION": "0",
    }
    with CongsoInstance(tmp_path / "danang", env=env) as other:
        other.shell("from tests.integration.test_transfer import seed_b; seed_b()")
        yield other


@pytest.fixture
def a_settings(platform: LgspSimulator, settings: Any) -> LgspSimulator:
    platform.reset()
    env = platform.env()
    settings.LGSP_URL = env["CONGSO_LGSP_URL"]
    settings.LGSP_USERNAME = env["CONGSO_LGSP_USERNAME"]
    settings.LGSP_PASSWORD = env["CONGSO_LGSP_PASSWORD"]
    settings.LGSP_UNIT_CODE = env["CONGSO_LGSP_UNIT_CODE"]
    settings.LGSP_PROVINCES = ""
    settings.LGSP_BREAKER_SECONDS = 0
    settings.SYNC_BACKOFF_SECONDS = 0
    settings.TRANSFER_PARTNERS = partners_of_a()
    lgsp.reset()
    return platform


def wait_routed(sim: LgspSimulator, kind: str, sender: str, seconds: float = 90) -> dict[str, Any]:
    """The first message of ``kind`` the platform routed from ``sender`` (B's worker works on
    its own clock: wait for it, up to a bound)."""
    deadline = time.monotonic() + seconds
    while True:
        for item in sim.routed():
            if item["NoiGui"] == sender and item["ThongDiep"].get("kind") == kind:
                return item
        if time.monotonic() > deadline:
            raise AssertionError(f"no «{kind}» message from {sender} in {seconds} s")
        time.sleep(0.3)


def history(dossier: Dossier) -> list[str]:
    return list(
        DossierHistory.objects.filter(dossier=dossier)
        .order_by("pk")
        .values_list("action", flat=True)
    )


@pytest.mark.once
def test_a_dossier_goes_to_another_instance_and_its_result_comes_back(
    world: World, clock: Clock, a_settings: LgspSimulator, instance_b: CongsoInstance
) -> None:
    sim = a_settings
    # A: a birth registration submitted online, received and handed to the specialist.
    clock.set(at(2026, 3, 2, 9, 0))
    dossier = receive(world, submit(world))
    dossier = services.dossier_start_processing(actor=world.reception_a, dossier=dossier)
    appointment = dossier.appointment_at

    # A's specialist transfers it: the parents live in Hải Châu, Đà Nẵng.
    clock.set(at(2026, 3, 2, 10, 0))
    transfer = transfers.send(
        actor=world.specialist_a,
        dossier=dossier,
        partner_unit=B_UNIT,
        agency_code=B_AGENCY,
        reason="Cha mẹ của trẻ cư trú tại phường Hải Châu, thành phố Đà Nẵng.",
    )
    dossier = fresh(dossier)
    assert dossier.status == Status.TRANSFERRED and dossier.national_status == 4
    assert dossier.appointment_at == appointment  # the applicant's promise stays A's
    assert transfers.run() == 1  # the package goes out
    package = wait_routed(sim, "package", A_UNIT, 5)["ThongDiep"]
    files = {f["component"]: f for f in package["body"]["files"]}
    assert set(files) == {"to-khai", "giay-chung-sinh"} and len(files["to-khai"]["sha256"]) == 64
    assert [h["action"] for h in package["body"]["history"]][:2] == ["submit", "receive"]

    # B's worker takes it and says so; A applies the news.
    received = wait_routed(sim, "received", B_UNIT)
    transfers.run()
    transfer.refresh_from_db()
    assert transfer.state == Transfer.State.RECEIVED and transfer.remote_code
    assert transfer.remote_code.startswith(B_AGENCY)
    assert history(dossier)[-1] == "transfer_progress"

    # B's officers process and decide it; the statuses and the result come back.
    done = json.loads(instance_b.shell(B_PROCESS))
    assert done["status"] == "processed"
    assert done["queue"] == [transfer.remote_code]  # B's desk saw it in its queue
    wait_routed(sim, "result", B_UNIT)
    clock.set(at(2026, 3, 4, 14, 0))
    transfers.run()
    dossier = fresh(dossier)
    transfer.refresh_from_db()
    assert dossier.status == Status.PROCESSED and dossier.national_status == 9
    assert "số 125/2026" in dossier.result_summary
    assert transfer.state == Transfer.State.DONE
    signed = transfer.result_file.read()  # B's signed e-result, checked against its SHA-256
    assert transfer.result_name == f"{transfer.remote_code}-KQ(1).pdf"
    assert hashlib.sha256(signed).hexdigest() == transfer.result_sha256
    assert signed.startswith(b"%PDF") and b"/ByteRange" in signed
    assert dossier.timeliness  # classified against A's own due time
    assert history(dossier)[-3:] == ["transfer_progress", "transfer_progress", "transfer_result"]
    notes = DossierHistory.objects.filter(dossier=dossier, action="transfer_progress")
    assert all("UBND phường Hải Châu" in row.note for row in notes)

    # B: its own copy, its own deadline, its files; handed back once the result went out.
    state = json.loads(instance_b.shell(B_STATE))
    assert state["origin"] == dossier.code and state["code"] == transfer.remote_code
    assert state["status"] == "returned" and state["state"] == "done"
    assert state["files"] == ["giay-chung-sinh.png", "to-khai.pdf"]
    assert state["applicant"] == "Công Dân Một"
    assert state["history"][0] == "receive_transferred"
    assert state["inbound"] == [["package", "applied"]]
    assert state["sync_items"] == 0  # the portal holds A's dossier, not B's copy
    assert state["due_at"] > state["received_at"]

    # A forged message (a result with another content, the old signature) is refused and kept.
    forged = json.loads(json.dumps(received["ThongDiep"]))
    forged["kind"] = "returned"
    forged["body"] = {"reason": "Giả mạo", "refused": True}
    sim.deliver(B_UNIT, A_UNIT, forged)
    # A copy of a message already applied is recorded once as a duplicate.
    sim.deliver(B_UNIT, A_UNIT, received["ThongDiep"])
    before = history(dossier)
    assert transfers.run() == 2
    refused = InboundMessage.objects.get(state=InboundMessage.State.REFUSED)
    assert refused.error_code == "transfer_signature_invalid" and refused.message == forged
    duplicate = InboundMessage.objects.get(state=InboundMessage.State.DUPLICATE)
    assert duplicate.kind == "received"
    assert history(dossier) == before and fresh(dossier).status == Status.PROCESSED
    applied = InboundMessage.objects.filter(state=InboundMessage.State.APPLIED)
    assert sorted(applied.values_list("kind", flat=True)) == ["processing", "received", "result"]

    # A's desk returns the result to the citizen.
    dossier = services.dossier_return_result(
        actor=world.reception_a, dossier=fresh(dossier), method="desk"
    )
    assert dossier.national_status == 10

    # The national portal: A's dossier with its statuses in order, never B's copy.
    while sync.send_due():
        pass
    portal = sim.dossiers()
    assert state["code"] not in portal
    held = portal[dossier.code]
    assert held["LichSuTrangThai"] == [1, 2, 4, 9, 10]
    assert held["TrangThaiHoSo"] == 10
    items = SyncItem.objects.filter(dossier=dossier).order_by("seq")
    out = items.get(action="transfer_out")
    assert out.dossier_payload["TrangThaiHoSo"] == 4
    assert len(held["TienDo"]) == items.count()
    lines = [line["NoiDungXuLy"] for line in held["TienDo"]]
    assert any("UBND phường Hải Châu" in line and "đang xử lý" in line for line in lines)
    assert any(line.startswith("Nhận kết quả liên thông: ") for line in lines)


def test_the_api_op_transfers_and_refuses_with_stable_codes(
    world: World, clock: Clock, settings: Any
) -> None:
    """``POST /api/v1/transfers``: bad input answers a stable code and writes nothing; a good
    one transfers the dossier with its package in the outbox (signed for the partner)."""
    from django.test import Client

    from congso.audit.models import AuditEvent
    from congso.integration.models import TransferMessage
    from tests.api.tokens import bearer

    settings.TRANSFER_PARTNERS = partners_of_a()
    settings.LGSP_UNIT_CODE = A_UNIT
    clock.set(at(2026, 3, 2, 9, 0))
    dossier = receive(world, submit(world))
    client = Client()
    destinations = client.get("/api/v1/transfers/destinations", headers=bearer(world.reception_a))
    assert destinations.status_code == 200
    assert destinations.json() == [
        {
            "partner_unit": B_UNIT,
            "partner_name": "Hệ thống một cửa điện tử thành phố Đà Nẵng",
            "agency_code": B_AGENCY,
            "agency_name": "UBND phường Hải Châu",
        }
    ]
    body = {"dossier_code": dossier.code, "partner_unit": B_UNIT, "agency_code": B_AGENCY}

    def post(user: Any, **changes: Any) -> Any:
        return client.post(
            "/api/v1/transfers",
            data=json.dumps({**body, "reason": "Thuộc thẩm quyền phường Hải Châu.", **changes}),
            content_type="application/json",
            headers=bearer(user),
        )

    assert post(world.reception_a, partner_unit="000.00.00.H99").json()["code"] == (
        "transfer_partner_unknown"
    )
    assert post(world.reception_a, agency_code="000.00.99.H17").json()["code"] == (
        "transfer_agency_unknown"
    )
    missing = post(world.reception_a, reason="  ")
    assert missing.status_code == 400 and missing.json()["code"] == "required"
    assert post(world.specialist_b).status_code == 404  # not theirs to see
    assert fresh(dossier).status == Status.RECEIVED and not Transfer.objects.exists()

    done = post(world.reception_a)
    assert done.status_code == 201, done.content
    assert done.json()["state"] == "sent" and done.json()["dossier_status"] == "transferred"
    dossier = fresh(dossier)
    assert dossier.status == Status.TRANSFERRED
    message = TransferMessage.objects.get(kind="package").message
    assert transfers.verify(message, SECRET) and message["to"] == B_UNIT
    assert not transfers.verify({**message, "body": {**message["body"], "reason": "khác"}}, SECRET)
    assert AuditEvent.objects.filter(action="dossiers.transfer_out").count() == 1
    again = post(world.reception_a, expected_version=dossier.version)
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


def test_an_incoming_package_is_a_received_dossier_in_the_desk_queue(
    world: World, clock: Clock, settings: Any
) -> None:
    """This instance on the receiving side (in-process, no platform): a signed package from the
    partner becomes a dossier received at the destination agency's desk, with its own code and
    deadline and the origin named on its page; a second copy creates nothing."""
    import base64
    import uuid

    from django.test import Client

    from congso.backoffice.selectors import queue_filters
    from tests.dossiers.conftest import PDF

    settings.LGSP_UNIT_CODE = A_UNIT
    settings.TRANSFER_PARTNERS = partners_of_a()
    settings.OFFICER_2FA_REQUIRED = False
    clock.set(at(2026, 3, 5, 14, 30))
    body = {
        "dossier": {
            "code": "000.00.12.H17-260304-0031",
            "procedure_code": "1.001193",
            "procedure_name": "Thủ tục đăng ký khai sinh",
            "channel": "online",
            "appointment_at": "2026-03-09T16:00:00+07:00",
            "form_data": {"ho_ten_tre": "Trần Gia Bảo", "ngay_sinh": "2026-02-27"},
        },
        "origin": {"agency_code": B_AGENCY, "agency_name": "UBND phường Hải Châu"},
        "destination": {"agency_code": world.commune_b.code},
        "applicant": {"kind": "citizen", "name": "Trần Văn Hùng", "id_number": "048088000123"},
        "files": [
            {
                "component": "to-khai",
                "name": "to-khai.pdf",
                "sha256": hashlib.sha256(PDF).hexdigest(),
                "content": base64.b64encode(PDF).decode(),
            }
        ],
        "history": [],
        "reason": "Mẹ của trẻ đăng ký thường trú tại xã B.",
    }
    envelope = {
        "version": 1,
        "transfer_id": str(uuid.uuid4()),
        "kind": "package",
        "from": B_UNIT,
        "to": A_UNIT,
        "sent_at": "2026-03-05T14:00:00+07:00",
        "body": body,
    }
    message = transfers.sign(envelope, SECRET)
    delivered = {"MaThongDiep": "p1", "NoiGui": B_UNIT, "ThongDiep": message}
    assert transfers.apply(delivered).state == InboundMessage.State.APPLIED
    assert transfers.apply({**delivered, "MaThongDiep": "p2"}).state == "duplicate"
    incoming = Transfer.objects.get(direction="in")
    local = incoming.dossier
    assert local is not None and Transfer.objects.count() == 1
    assert local.status == Status.RECEIVED and local.competent_agency == world.commune_b
    assert local.code.startswith(world.commune_b.code) and local.applicant_name == "Trần Văn Hùng"
    assert local.received_at == at(2026, 3, 5, 14, 30)
    assert local.due_at == at(2026, 3, 10, 14, 30)  # its own 3 working days, from its reception
    assert not SyncItem.objects.filter(dossier=local).exists()
    waiting = Dossier.objects.filter(queue_filters(world.reception_b)["chuyen-xu-ly"])
    assert list(waiting) == [local]
    client = Client()
    client.force_login(world.reception_b)
    page = client.get(f"/can-bo/ho-so/{local.code}/").content.decode()
    assert "Nhận liên thông từ" in page and "000.00.12.H17-260304-0031" in page
    assert "16:00 09/03/2026" in page  # the origin's appointment, shown beside its own
    reply = incoming.messages.get()
    assert reply.kind == "received" and reply.message["body"]["local_code"] == local.code
