"""Four levels through the API: the demo province's People's Committee (this test's own
congso) issues a công văn to one of its departments and one of its communes (the same
instance: routed internally) and to another province's People's Committee, served by a
**second congso instance** (its own SQLite database, web server and worker, in processes of
its own: ``tests.instance.CongsoInstance``) connected to the axis simulator as the system
``congso-h52``. Each recipient registers, assigns, handles and replies with an issued report;
the statuses 01 → 03 → 04 → 05 → 06 come back; an update is accepted as a new version
everywhere without recalling anything; a second document is recalled (13 → 15); the registers
have no gaps; every package on the axis and in both databases validates and verifies; a
tampered package is refused on both sides.

The second instance is driven only as a partner would drive it: over HTTP with API tokens
(its officers) — the management shell only seeds its agency and people and reads its stored
packages back for the checks."""

from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from congso.eoffice import edxml, seals
from congso.eoffice.models import Direction, Document, Package
from simulators.docaxis.process import DocAxisSimulator
from tests.api.tokens import full_token
from tests.eoffice.conftest import OTHER_PROVINCE, PASSPHRASE, SO, UBND, XA, World, pdf_bytes
from tests.instance import CongsoInstance

pytestmark = [pytest.mark.django_db, pytest.mark.once]
API = "/api/v1/eoffice"
#: How long the exchange may take to settle across the two instances (a deadline against a
#: hang, not a measure: every wait ends as soon as its condition holds).
SETTLE_SECONDS = 120

SEED = """
import json
from django.contrib.auth import get_user_model
from congso.org.models import Agency, AgencyLevel, RoleAssignment
from congso.signing.models import SignatureRole, SignerProfile
from tests.api.tokens import full_token

agency = Agency.objects.create(
    code={code!r}, name="Ủy ban nhân dân tỉnh Hai", short_name="UBND", level=AgencyLevel.PROVINCE
)
tokens, ids = {{}}, {{}}
for key, role, name in [
    ("clerk", "clerk", "Đỗ Thị Văn Thư"),
    ("leader", "leader", "Hoàng Văn Chủ Tịch"),
    ("specialist", "specialist", "Vũ Thị Chuyên Viên"),
    ("head", "department_head", "Bùi Văn Trưởng Phòng"),
]:
    first, _, last = name.partition(" ")
    user = get_user_model().objects.create_user(
        username="h52_" + key, password="x", first_name=first, last_name=last
    )
    RoleAssignment.objects.create(user=user, role=role, agency=agency)
    tokens[key], ids[key] = full_token(user), user.pk
SignerProfile.objects.create(
    user_id=ids["leader"], agency=agency, role=SignatureRole.APPROVAL, backend="soft_token",
    display_name="Hoàng Văn Chủ Tịch", title="Chủ tịch", config={{"p12_path": {p12!r}}},
)
print(json.dumps({{"agency": agency.pk, "tokens": tokens, "ids": ids}}))
"""

#: Reads back, in the second instance, every package it stored: (direction, outcome, kind,
#: business type, status code, base64 bytes).
PACKAGES = """
import base64, json
from congso.eoffice.models import Package
print(json.dumps([
    [p.direction, p.outcome, p.kind, p.business_type, p.status_code,
     base64.b64encode(bytes(p.data)).decode()]
    for p in Package.objects.order_by("pk")
]))
"""


def file(name: str, data: bytes) -> dict[str, str]:
    return {"name": name, "content_base64": base64.b64encode(data).decode()}


class Remote:
    """The second instance's API, as its officers call it."""

    def __init__(self, instance: CongsoInstance, tokens: dict[str, str]) -> None:
        self.instance = instance
        self.tokens = tokens

    def call(self, who: str, path: str, body: dict[str, Any] | None = None) -> Any:
        request = urllib.request.Request(
            self.instance.url + API + path,
            data=None if body is None else json.dumps(body).encode(),
            method="GET" if body is None else "POST",
            headers={
                "Authorization": f"Bearer {self.tokens[who]}",
                "Content-Type": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise AssertionError(
                f"{path}: {exc.code} {exc.read().decode(errors='replace')}"
            ) from None


@pytest.fixture
def other(
    tmp_path: Path,
    on_axis: DocAxisSimulator,
    seal_dir: Path,
    leader_p12: Path,
) -> Iterator[tuple[CongsoInstance, Remote, dict[str, Any]]]:
    instance = CongsoInstance(
        tmp_path / "h52",
        env={
            **on_axis.env("congso-h52"),
            "CONGSO_DOCAXIS_TIMEOUT": "5",
            "CONGSO_EOFFICE_SEALS_DIR": str(seal_dir),
            "CONGSO_EOFFICE_TRUST_ANCHORS": str(seal_dir / "ca.pem"),
            "CONGSO_EOFFICE_POLL_SECONDS": "1",
            "CONGSO_SIGNING_P12_PASSPHRASE": PASSPHRASE,
        },
    )
    instance.start(seconds=120)
    try:
        seeded = json.loads(
            instance.shell(SEED.format(code=OTHER_PROVINCE, p12=str(leader_p12))).strip()
        )
        yield instance, Remote(instance, seeded["tokens"]), seeded
    finally:
        instance.stop()


def until(what: str, check: Callable[[], Any], pump: Callable[[], None]) -> Any:
    """Pump this instance's exchange until ``check()`` gives something true (the second
    instance's worker runs by itself meanwhile)."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        pump()
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"not settled: {what}")
        time.sleep(0.3)


def test_four_levels_exchange_through_the_api_with_a_second_instance(
    world: World,
    settings: Any,
    pump: Callable[[], None],
    on_axis: DocAxisSimulator,
    other: tuple[CongsoInstance, Remote, dict[str, Any]],
) -> None:
    settings.EOFFICE_INTERNAL_ROUTING = True  # the department and the commune: no axis
    instance, remote, seeded = other
    h52 = seeded["ids"]
    client = Client()
    tokens: dict[int, str] = {}

    def call(user: Any, path: str, body: dict[str, Any] | None = None) -> Any:
        if user.pk not in tokens:
            tokens[user.pk] = full_token(user)
        headers = {"Authorization": f"Bearer {tokens[user.pk]}"}
        if body is None:
            response = client.get(API + path, headers=headers)
        else:
            response = client.post(
                API + path, body, content_type="application/json", headers=headers
            )
        assert response.status_code in (200, 201), (path, response.status_code, response.json())
        return response.json()

    ubnd = world.ubnd
    recipients = [
        {"name": "Sở Nội vụ tỉnh Demo", "code": SO},
        {"name": "UBND xã Một", "code": XA},
        {"name": "UBND tỉnh Hai", "code": OTHER_PROVINCE},
        {"name": "Lưu: VT, VP", "channel": "paper"},
    ]

    def issue(subject: str) -> dict[str, Any]:
        draft = call(
            ubnd.specialist,
            "/documents",
            {
                "agency": ubnd.agency.pk,
                "doc_type": "CV",
                "subject": subject,
                "main": file("cong-van.pdf", pdf_bytes(2)),
                "attachments": [file("phu-luc.pdf", pdf_bytes())],
                "signer": ubnd.leader.pk,
                "signer_position": "Chủ tịch",
                "signer_competence": "KT.",
                "recipients": recipients,
                "to_places": ["Như trên", "Lưu: VT, VP"],
                "place": "Demo",
                "notation_suffix": "UBND-VP",
                "page_count": 2,
            },
        )
        assert draft["state"] == "draft" and draft["number_notation"] == ""
        pk = draft["id"]
        call(ubnd.specialist, f"/documents/{pk}/submit", {"reviewers": [ubnd.head.pk]})
        call(ubnd.head, f"/documents/{pk}/review", {"approve": True, "comment": "Đồng ý trình ký"})
        assert call(ubnd.leader, f"/documents/{pk}/sign", {})["state"] == "signed"
        issued = call(ubnd.clerk, f"/documents/{pk}/issue", {})
        assert issued["state"] == "issued"
        return issued

    # --- 1. Out: draft → visa → signed → numbered → dispatched to three levels ------------------
    document = issue("Về việc triển khai hệ thống quản lý văn bản điện tử liên thông bốn cấp")
    assert document["number_notation"] == "01/UBND-VP"
    pk, document_id = document["id"], document["document_id"]

    # --- 2. Each recipient receives, registers, assigns, handles and replies --------------------
    def arrived_here(office: Any) -> dict[str, Any] | None:
        inbox = call(office.clerk, "/documents?direction=in")
        return next((d for d in inbox if d["document_id"] == document_id), None)

    def arrived_there(wanted: str) -> dict[str, Any] | None:
        inbox = remote.call("clerk", "/documents?direction=in")
        return next((d for d in inbox if d["document_id"] == wanted), None)

    replies: dict[str, int] = {}
    for code in (SO, XA):
        office = world.offices[code]
        received = until(f"arrival at {code}", lambda o=office: arrived_here(o), pump)
        assert received["state"] == "arrived" and received["issuer_code"] == UBND
        rid = received["id"]
        registered = call(office.clerk, f"/documents/{rid}/register", {})
        assert registered["register_number"] == 1 and not registered["warnings"]
        call(
            office.leader,
            f"/documents/{rid}/assign",
            {"lead": office.specialist.pk, "co": [office.head.pk], "working_days": 5},
        )
        call(office.specialist, f"/documents/{rid}/comments", {"text": "Đang tổng hợp báo cáo."})
        reply = call(
            office.specialist,
            "/documents",
            {
                "agency": office.agency.pk,
                "doc_type": "BC",
                "subject": "Báo cáo tình hình triển khai văn bản điện tử",
                "main": file("bao-cao.pdf", pdf_bytes()),
                "signer": office.leader.pk,
                "signer_position": "Giám đốc" if code == SO else "Chủ tịch",
                "recipients": [{"name": "UBND tỉnh Demo", "code": UBND}],
                "reply_to": rid,
            },
        )
        call(office.specialist, f"/documents/{reply['id']}/submit", {"reviewers": []})
        call(office.leader, f"/documents/{reply['id']}/sign", {})
        issued_reply = call(office.clerk, f"/documents/{reply['id']}/issue", {})
        assert issued_reply["number_notation"] == f"01/BC-{office.agency.short_name}"
        replies[code] = issued_reply["id"]
        done = call(office.specialist, f"/documents/{rid}/complete", {"reply": reply["id"]})
        assert done["state"] == "done"

    # The other province, through its own web server; its worker polls the axis by itself.
    there = until("arrival at the second instance", lambda: arrived_there(document_id), pump)
    assert (there["number_notation"], there["issuer_code"]) == ("01/UBND-VP", UBND)
    assert there["signer_competence"] == "KT." and there["state"] == "arrived"
    tid = there["id"]
    assert remote.call("clerk", f"/documents/{tid}/register", {})["register_number"] == 1
    remote.call(
        "leader",
        f"/documents/{tid}/assign",
        {"lead": h52["specialist"], "co": [h52["head"]], "working_days": 3},
    )
    remote.call("specialist", f"/documents/{tid}/comments", {"text": "Đã nghiên cứu, trả lời."})
    reply = remote.call(
        "specialist",
        "/documents",
        {
            "agency": seeded["agency"],
            "doc_type": "CV",
            "subject": "Phúc đáp về việc liên thông văn bản điện tử giữa hai tỉnh",
            "main": file("phuc-dap.pdf", pdf_bytes()),
            "signer": h52["leader"],
            "signer_position": "Chủ tịch",
            "signer_competence": "TM.",
            "recipients": [{"name": "UBND tỉnh Demo", "code": UBND}],
            "notation_suffix": "UBND-VX",
            "reply_to": tid,
        },
    )
    remote.call("specialist", f"/documents/{reply['id']}/submit", {"reviewers": []})
    remote.call("leader", f"/documents/{reply['id']}/sign", {})
    issued_there = remote.call("clerk", f"/documents/{reply['id']}/issue", {})
    assert issued_there["number_notation"] == "01/UBND-VX"
    remote.call("specialist", f"/documents/{tid}/complete", {"reply": reply["id"]})

    # --- 3. The sender reads 01 → 03 → 04 → 05 → 06 from each, and the linked replies ----------
    def settled() -> dict[str, Any] | None:
        sent = call(ubnd.clerk, f"/documents/{pk}")
        axis = [d for d in sent["dispatches"] if d["channel"] == "axis"]
        return sent if all(d["status_code"] == "06" for d in axis) else None

    sent = until("every recipient's 06", settled, pump)
    dispatch_ids = {d.recipient_code: d for d in Document.objects.get(pk=pk).dispatches.all()}
    for code in (SO, XA, OTHER_PROVINCE):
        received_codes = list(
            dispatch_ids[code]
            .status_events.filter(direction=Direction.INCOMING)
            .order_by("pk")
            .values_list("code", flat=True)
        )
        assert received_codes == ["01", "03", "04", "05", "06"], code
        assert "Đã trả lời bằng văn bản số" in dispatch_ids[code].status_description
    paper = next(d for d in sent["dispatches"] if d["channel"] == "paper")
    assert paper["delivery"] == "marked"

    def replies_in() -> list[dict[str, Any]] | None:
        inbox = [d for d in call(ubnd.clerk, "/documents?direction=in") if d["reply_to"] == pk]
        return inbox if len(inbox) == 3 else None

    answers = until("the three replies", replies_in, pump)
    assert {a["issuer_code"] for a in answers} == {SO, XA, OTHER_PROVINCE}
    assert "01/UBND-VX" in {a["number_notation"] for a in answers}
    for answer in sorted(answers, key=lambda a: a["id"]):
        call(ubnd.clerk, f"/documents/{answer['id']}/register", {})

    # --- 4. An update: every recipient's clerk sees the diff and accepts a new version ----------
    corrected = (
        "Về việc triển khai hệ thống quản lý văn bản điện tử liên thông bốn cấp (đính chính)"
    )
    updated = call(
        ubnd.clerk,
        f"/documents/{pk}/update",
        {"subject": corrected, "page_count": 3, "reason": "Đính chính trích yếu và số trang"},
    )
    assert updated["version"] == 2

    def update_for(fetch: Callable[[str], list[dict[str, Any]]], rid: int) -> Any:
        pending = [u for u in fetch(f"/documents/{rid}/updates") if u["decision"] == "pending"]
        return pending[0] if pending else None

    for code in (SO, XA):
        office = world.offices[code]
        rid = arrived_here(office)["id"]  # type: ignore[index]
        proposal = until(
            f"the update at {code}",
            lambda o=office, r=rid: update_for(lambda p: call(o.clerk, p), r),
            pump,
        )
        assert proposal["business_type"] == edxml.UPDATE
        assert proposal["diff"]["subject"][1] == corrected
        assert proposal["diff"]["page_count"] == [2, 3] and "files" not in proposal["diff"]
        applied = call(
            office.clerk, f"/documents/{rid}/updates/{proposal['id']}/decide", {"accept": True}
        )
        assert (applied["version"], applied["subject"]) == (2, corrected)
    proposal = until(
        "the update at the second instance",
        lambda: update_for(lambda p: remote.call("clerk", p), tid),
        pump,
    )
    assert proposal["diff"]["subject"] == [
        "Về việc triển khai hệ thống quản lý văn bản điện tử liên thông bốn cấp",
        corrected,
    ]
    applied = remote.call(
        "clerk", f"/documents/{tid}/updates/{proposal['id']}/decide", {"accept": True}
    )
    assert (applied["version"], applied["subject"], applied["state"]) == (2, corrected, "done")

    def all_fifteen() -> dict[str, Any] | None:
        sent = call(ubnd.clerk, f"/documents/{pk}")
        axis = [d for d in sent["dispatches"] if d["channel"] == "axis"]
        return sent if all(d["status_code"] == "15" for d in axis) else None

    after_update = until("every recipient accepted the update", all_fifteen, pump)
    assert after_update["state"] == "issued"  # accepting an update recalls nothing

    # --- 5. A recall: a second document, registered, then asked back (13) and given (15) --------
    second = issue("Về việc tạm dừng tiếp nhận văn bản giấy (gửi nhầm)")
    assert second["number_notation"] == "02/UBND-VP"
    second_id = second["document_id"]
    for code in (SO, XA):
        office = world.offices[code]
        rid = until(
            f"the second document at {code}",
            lambda o=office: next(
                (
                    d
                    for d in call(o.clerk, "/documents?direction=in")
                    if d["document_id"] == second_id
                ),
                None,
            ),
            pump,
        )["id"]
        assert call(office.clerk, f"/documents/{rid}/register", {})["register_number"] == 2
    tid2 = until("the second document there", lambda: arrived_there(second_id), pump)["id"]
    assert remote.call("clerk", f"/documents/{tid2}/register", {})["register_number"] == 2
    call(ubnd.clerk, f"/documents/{second['id']}/recall", {"reason": "Gửi nhầm nội dung"})

    def recall_asked(fetch: Callable[[str], Any], rid: int) -> bool:
        events = fetch(f"/documents/{rid}")["statuses"]
        return any(e["direction"] == "in" and e["code"] == "13" for e in events)

    for code in (SO, XA):
        office = world.offices[code]
        rid = Document.objects.get(agency=office.agency, document_id=second_id).pk
        until(
            f"the recall at {code}",
            lambda o=office, r=rid: recall_asked(lambda p: call(o.clerk, p), r),
            pump,
        )
        answered = call(office.clerk, f"/documents/{rid}/recall-answer", {"accept": True})
        assert answered["state"] == "withdrawn"
    until("the recall there", lambda: recall_asked(lambda p: remote.call("clerk", p), tid2), pump)
    assert (
        remote.call("clerk", f"/documents/{tid2}/recall-answer", {"accept": True})["state"]
        == "withdrawn"
    )

    def recalled() -> dict[str, Any] | None:
        sent = call(ubnd.clerk, f"/documents/{second['id']}")
        return sent if sent["state"] == "recalled" else None

    recalled_doc = until("the sender's recalled state", recalled, pump)
    assert {d["status_code"] for d in recalled_doc["dispatches"] if d["channel"] == "axis"} == {
        "15"
    }
    assert call(ubnd.clerk, f"/documents/{pk}")["state"] == "issued"

    # --- 6. The registers have no gaps --------------------------------------------------------
    year = timezone.localdate().year

    def numbers(entries: list[dict[str, Any]]) -> list[int]:
        return [e["register_number"] for e in entries]

    assert numbers(call(ubnd.clerk, f"/registers/{ubnd.agency.pk}/out/{year}")) == [1, 2]
    assert numbers(call(ubnd.clerk, f"/registers/{ubnd.agency.pk}/in/{year}")) == [1, 2, 3]
    for code in (SO, XA):
        office = world.offices[code]
        assert numbers(call(office.clerk, f"/registers/{office.agency.pk}/in/{year}")) == [1, 2]
        assert numbers(call(office.clerk, f"/registers/{office.agency.pk}/out/{year}")) == [1]
    agency = seeded["agency"]
    assert numbers(remote.call("clerk", f"/registers/{agency}/in/{year}")) == [1, 2]
    assert numbers(remote.call("clerk", f"/registers/{agency}/out/{year}")) == [1]

    # --- 7. Every package validates against the XSD and its signature verifies ------------------
    anchors = seals.trust_anchors()
    on_the_axis = on_axis.state()["packages"]
    assert {p["to"] for p in on_the_axis} >= {OTHER_PROVINCE, UBND}
    assert all(p["confirmed"] for p in on_the_axis)
    for item in on_the_axis:
        parsed = edxml.read(on_axis.package(item["docId"]), ca_pem_file=anchors)
        sender = parsed.document.sender if parsed.document else parsed.status.sender  # type: ignore[union-attr]
        assert sender.organ_id in (UBND, OTHER_PROVINCE)
    mine = list(Package.objects.all())
    assert {p.outcome for p in mine} <= {Package.Outcome.ACCEPTED, Package.Outcome.DUPLICATE}
    for package in mine:
        edxml.read(bytes(package.data), ca_pem_file=anchors)
    theirs = json.loads(instance.shell(PACKAGES).strip())
    assert {row[1] for row in theirs} <= {"accepted", "duplicate"}
    produced = [row for row in theirs if row[0] == "out"]
    # Theirs: the reply, and the statuses 01 03 04 05 06 15 for the first, 01 03 15 for the second.
    assert sorted(r[4] for r in produced if r[2] == "status") == sorted(
        ["01", "03", "04", "05", "06", "15", "01", "03", "15"]
    )
    for row in theirs:
        edxml.read(base64.b64decode(row[5]), ca_pem_file=anchors)

    # --- 8. A tampered package is refused, on both sides ----------------------------------------
    their_reply = next(
        base64.b64decode(r[5]) for r in produced if r[2] == "edoc" and r[3] == edxml.NEW
    )
    assert b"01/UBND-VX" in their_reply
    on_axis.inject(to=UBND, data=their_reply.replace(b"01/UBND-VX", b"09/UBND-VX"))
    ours = bytes(
        Package.objects.get(
            document_id=pk, direction="out", kind="edoc", business_type=edxml.NEW
        ).data
    )
    tampered = ours.replace(b"KT.", b"TM.", 1)
    assert tampered != ours
    on_axis.inject(to=OTHER_PROVINCE, data=tampered)

    def refused_here() -> list[Package]:
        return list(Package.objects.filter(direction="in", outcome__in=["malformed", "unsigned"]))

    (refused,) = until("the tampered package refused here", refused_here, pump)
    assert refused.problem
    assert Document.objects.filter(agency=ubnd.agency, code_number="09").count() == 0

    def refused_there() -> list[Any]:
        rows = json.loads(instance.shell(PACKAGES).strip())
        return [r for r in rows if r[0] == "in" and r[1] in ("malformed", "unsigned")]

    until("the tampered package refused there", refused_there, pump)
    inbox = remote.call("clerk", "/documents?direction=in")
    assert sorted(d["number_notation"] for d in inbox) == ["01/UBND-VP", "02/UBND-VP"]
    assert [d["signer_competence"] for d in inbox if d["id"] == tid] == ["KT."]
