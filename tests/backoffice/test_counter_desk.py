"""Counter reception (an in-person dossier entered at the desk), the desk supervisor's view
with its reassignment of a running step, and the consult / transfer action pages."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from congso.audit.models import AuditEvent
from congso.core.errors import DomainError, PermissionDenied
from congso.dossiers import services
from congso.dossiers.models import Channel, Dossier, DossierStep, StepStatus
from congso.dossiers.workflow import Status
from congso.org.models import Citizen, Role, RoleAssignment
from tests.dossiers.conftest import PDF, PNG, User, at, submit

COUNTER = "/can-bo/tiep-nhan-truc-tiep/"


@pytest.fixture(autouse=True)
def no_second_factor(settings: Any) -> None:
    settings.OFFICER_2FA_REQUIRED = False


def officer(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def counter_post(world: Any, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "desk": world.desk_a.pk,
        "agency": world.commune_a.pk,
        "applicant_kind": "citizen",
        "id_number": "051192000777",
        "full_name": "Lê Thị Cúc",
        "birth_date": "1992-03-04",
        "gender": "female",
        "phone": "0912000777",
        "ho_ten_tre": "Lê Văn Tí",
        "ngay_sinh": "2026-02-01",
        "paper": ["to-khai", "giay-chung-sinh"],
        "scan.to-khai": SimpleUploadedFile("to-khai.pdf", PDF, content_type="application/pdf"),
        "receive": "1",
    }
    data.update(extra)
    return data


def test_counter_search_ignores_diacritics_and_needs_a_reception_role(world, clock):
    html = officer(world.reception_a).get(COUNTER, {"q": "khai sinh"}).content.decode()
    assert "Thủ tục đăng ký khai sinh" in html and "?thu-tuc=1.001193" in html
    partial = officer(world.reception_a).get(COUNTER, {"q": "KHAI SINH"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and "1.001193" in partial.content.decode()
    assert officer(world.specialist_a).get(COUNTER).status_code == 404
    assert officer(world.citizen_user).get(COUNTER).status_code == 404


def test_counter_reception_registers_the_citizen_and_receives_at_once(world, clock):
    clock.set(at(2026, 3, 2, 9, 0))
    client = officer(world.reception_a)
    page = client.get(COUNTER, {"thu-tuc": "1.001193"}).content.decode()
    assert 'name="ho_ten_tre"' in page and 'name="scan.giay-chung-sinh"' in page
    response = client.post(f"{COUNTER}?thu-tuc=1.001193", counter_post(world))
    assert response.status_code == 302, response.content.decode()
    dossier = Dossier.objects.get()
    assert response["Location"] == f"{COUNTER}{dossier.code}/"
    assert dossier.status == Status.RECEIVED and dossier.channel == Channel.IN_PERSON
    assert dossier.appointment_at is not None and dossier.received_by == world.reception_a
    assert dossier.applicant_citizen.personal_id == "051192000777"
    assert dossier.applicant_citizen.registered_by == world.commune_a
    components = {c.code: c for c in dossier.components.all()}
    assert components["to-khai"].paper_received and components["to-khai"].digitised
    assert components["giay-chung-sinh"].paper_received
    assert not components["giay-chung-sinh"].digitised
    assert AuditEvent.objects.filter(action="dossiers.receive").count() == 1
    done = client.get(response["Location"]).content.decode()
    assert dossier.code in done and f"/can-bo/ho-so/{dossier.code}/mau-01.pdf" in done
    pdf = client.get(f"/can-bo/ho-so/{dossier.code}/mau-01.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_counter_lookup_fills_a_known_citizen_and_reuses_the_record(world, clock):
    world.citizen.registered_by = world.commune_a
    world.citizen.save()
    client = officer(world.reception_a)
    found = client.post(
        f"{COUNTER}?thu-tuc=1.001193", {"id_number": "051085000001", "lookup": "1"}
    ).content.decode()
    assert "Đã tìm thấy" in found and world.citizen.full_name in found
    response = client.post(
        f"{COUNTER}?thu-tuc=1.001193",
        counter_post(world, id_number="051085000001", full_name="", birth_date="", gender=""),
    )
    assert response.status_code == 302
    assert Dossier.objects.get().applicant_citizen == world.citizen
    assert Citizen.objects.count() == 2


@pytest.mark.parametrize(
    ("extra", "field_id", "message"),
    [
        ({"id_number": "051192000"}, "id_number-error", "12"),
        ({"ho_ten_tre": ""}, "f-ho-ten-tre-error", ""),
        (
            {"paper": ["to-khai"], "scan.to-khai": ""},
            "scan-giay-chung-sinh-error",
            "Giấy chứng sinh",
        ),
        ({"gender": "male"}, "id_number-error", ""),
    ],
)
def test_counter_errors_show_next_to_their_field_and_write_nothing(
    world, clock, extra, field_id, message
):
    response = officer(world.reception_a).post(
        f"{COUNTER}?thu-tuc=1.001193", counter_post(world, **extra)
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert f'id="{field_id}"' in html and message in html
    assert not Dossier.objects.exists()
    assert not Citizen.objects.filter(personal_id="051192000777").exists()


def _processing(world: Any) -> Dossier:
    dossier = services.dossier_receive(actor=world.reception_a, dossier=submit(world))
    return services.dossier_start_processing(actor=world.reception_a, dossier=dossier)


def _second_specialist(world: Any) -> Any:
    user = User.objects.create_user(username="chuyenvien.a2", password="x", full_name="Hà An")
    RoleAssignment.objects.create(
        user=user,
        role=Role.SPECIALIST,
        agency=world.commune_a,
        valid_from=datetime.date(2020, 1, 1),
    )
    return user


def test_reassign_service_checks_the_supervisor_and_the_assignee(world, clock):
    dossier = _processing(world)
    step = dossier.steps.get(status=StepStatus.ACTIVE)
    other = _second_specialist(world)
    with pytest.raises(PermissionDenied):
        services.dossier_reassign(
            actor=world.specialist_a, dossier=dossier, step_id=step.pk, assignee=other, reason="x"
        )
    with pytest.raises(DomainError) as missing:
        services.dossier_reassign(
            actor=world.leader_a, dossier=dossier, step_id=step.pk, assignee=other, reason=" "
        )
    assert missing.value.field == "reason"
    with pytest.raises(DomainError) as wrong:
        services.dossier_reassign(
            actor=world.leader_a,
            dossier=dossier,
            step_id=step.pk,
            assignee=world.specialist_b,
            reason="Nghỉ phép",
        )
    assert wrong.value.code == "assignee_invalid"
    other.is_active = False
    other.save()
    with pytest.raises(DomainError) as locked:
        services.dossier_reassign(
            actor=world.leader_a, dossier=dossier, step_id=step.pk, assignee=other, reason="x"
        )
    assert locked.value.code == "assignee_inactive"
    other.is_active = True
    other.save()
    version = Dossier.objects.get(pk=dossier.pk).version
    services.dossier_reassign(
        actor=world.leader_a, dossier=dossier, step_id=step.pk, assignee=other, reason="Nghỉ phép"
    )
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert fresh.version == version + 1
    assert DossierStep.objects.get(pk=step.pk).assignee == other
    row = fresh.history.get(action="reassign")
    assert row.note == "Nghỉ phép" and row.data["to"] == "chuyenvien.a2"
    assert AuditEvent.objects.filter(action="dossiers.reassign").count() == 1
    # The step now belongs to the new officer only.
    with pytest.raises(PermissionDenied):
        services.dossier_forward(actor=world.specialist_a, dossier=fresh)
    services.dossier_forward(actor=other, dossier=fresh)


def test_supervisor_page_lists_today_and_reassigns(world, clock):
    clock.set(at(2026, 3, 2, 9, 0))
    dossier = _processing(world)
    other = _second_specialist(world)
    client = officer(world.leader_a)
    with CaptureQueriesContext(connection) as captured:
        html = client.get("/can-bo/giam-sat/").content.decode()
    assert len(captured) <= 25
    assert "Tiếp nhận hôm nay" in html and dossier.code in html
    assert f"desk={world.desk_a.pk}&amp;from=2026-03-02&amp;to=2026-03-02" in html
    assert "chuyenvien.a2" in html
    step = dossier.steps.get(status=StepStatus.ACTIVE)
    refused = client.post(
        f"/can-bo/giam-sat/giao-lai/{step.pk}/",
        {"assignee": other.pk, "reason": "", "version": dossier.version + 0},
    )
    assert refused.status_code == 422 and "Cần nhập lý do" in refused.content.decode()
    nobody = client.post(
        f"/can-bo/giam-sat/giao-lai/{step.pk}/",
        {"assignee": "x", "reason": "Cân đối việc", "version": dossier.version},
    )
    assert nobody.status_code == 422 and "Cần chọn cán bộ" in nobody.content.decode()
    fresh = Dossier.objects.get(pk=dossier.pk)
    response = client.post(
        f"/can-bo/giam-sat/giao-lai/{step.pk}/",
        {"assignee": other.pk, "reason": "Cân đối việc", "version": fresh.version},
    )
    assert response.status_code == 302
    assert DossierStep.objects.get(pk=step.pk).assignee == other
    assert officer(world.specialist_a).get("/can-bo/giam-sat/").status_code == 404
    # The desk's reception officer sees the day and the book, not the reassignment forms.
    desk_day = officer(world.reception_a).get("/can-bo/giam-sat/").content.decode()
    assert dossier.code in desk_day and "Sổ theo dõi hồ sơ:" in desk_day
    assert "giao-lai" not in desk_day
    assert (
        officer(world.reception_b).get("/can-bo/giam-sat/").content.decode().count(dossier.code)
        == 0
    )


def test_consult_and_transfer_pages(world, clock):
    dossier = _processing(world)
    client = officer(world.specialist_a)
    page = client.get(f"/can-bo/ho-so/{dossier.code}/")
    assert "thao-tac/consult/" in page.content.decode()
    form = client.get(f"/can-bo/ho-so/{dossier.code}/thao-tac/consult/").content.decode()
    assert "Sở Tư pháp" in form
    missing = client.post(
        f"/can-bo/ho-so/{dossier.code}/thao-tac/consult/",
        {"version": dossier.version, "reason": "Xin ý kiến", "agency.0": "", "hours.0": ""},
    )
    assert missing.status_code == 422 and "ít nhất một cơ quan" in missing.content.decode()
    response = client.post(
        f"/can-bo/ho-so/{dossier.code}/thao-tac/consult/",
        {
            "version": dossier.version,
            "reason": "Xin ý kiến về hộ tịch",
            "agency.0": world.department.pk,
            "hours.0": "8",
        },
    )
    assert response.status_code == 302, response.content.decode()
    consult = DossierStep.objects.get(kind="consultation")
    assert consult.agency == world.department and consult.hours == 8
    answer = officer(world.specialist_stp).post(
        f"/can-bo/ho-so/{dossier.code}/thao-tac/answer_consultation/",
        {"version": Dossier.objects.get(pk=dossier.pk).version, "note": "Đồng ý"},
    )
    assert answer.status_code == 302
    fresh = Dossier.objects.get(pk=dossier.pk)
    response = client.post(
        f"/can-bo/ho-so/{dossier.code}/thao-tac/transfer/",
        {
            "version": fresh.version,
            "reason": "Liên thông",
            "agency.0": world.department.pk,
            "hours.0": "16",
            "lead": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()
    step = DossierStep.objects.get(kind="interagency")
    assert step.agency == world.department and step.is_lead


def test_counter_accepts_png_scans(world, clock):
    response = officer(world.reception_a).post(
        f"{COUNTER}?thu-tuc=1.001193",
        counter_post(
            world,
            **{
                "scan.giay-chung-sinh": SimpleUploadedFile("gcs.png", PNG, content_type="image/png")
            },
        ),
    )
    assert response.status_code == 302
    assert Dossier.objects.get().components.get(code="giay-chung-sinh").digitised


def test_supervisor_page_query_count_does_not_grow_with_rows(world, clock):
    clock.set(at(2026, 3, 2, 9, 0))
    _processing(world)
    _second_specialist(world)
    client = officer(world.leader_a)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/can-bo/giam-sat/").status_code == 200
        return len(captured)

    few = count()
    for _ in range(3):
        _processing(world)
    assert count() == few


def test_counter_shows_errors_without_a_field_at_the_top(world, clock):
    world.version.submission_channels = ["online"]
    world.version.save()
    response = officer(world.reception_a).post(f"{COUNTER}?thu-tuc=1.001193", counter_post(world))
    html = response.content.decode()
    assert response.status_code == 422
    assert "không nhận hồ sơ theo hình thức" in html
    assert not Dossier.objects.exists()
    assert not Citizen.objects.filter(personal_id="051192000777").exists()


# --- Issue 12: no double entry, no re-picking of scans ---------------------------------------

APPLICANT_FIELDS = [
    {"name": "applicant_full_name", "type": "text", "label": "Họ, chữ đệm, tên người yêu cầu",
     "required": True, "prefill": "citizen.full_name", "section": "Người yêu cầu"},
    {"name": "applicant_personal_id", "type": "personal_id", "label": "Số định danh cá nhân",
     "required": True, "prefill": "citizen.personal_id", "section": "Người yêu cầu"},
    {"name": "applicant_birth_date", "type": "date", "label": "Ngày sinh",
     "prefill": "citizen.birth_date", "section": "Người yêu cầu"},
    {"name": "applicant_phone", "type": "phone", "label": "Số điện thoại",
     "prefill": "citizen.phone", "section": "Người yêu cầu"},
]  # fmt: skip


@pytest.fixture
def declared(world: Any) -> Any:
    """The procedure's declaration asks for the applicant too (as the demo forms do)."""
    schema = dict(world.version.form_schema)
    schema["fields"] = [*APPLICANT_FIELDS, *schema["fields"]]
    world.version.form_schema = schema
    world.version.save(update_fields=["form_schema"])
    world.citizen.registered_by = world.commune_a
    world.citizen.birth_date = datetime.date(1985, 6, 1)
    world.citizen.save()
    return world


def _input(html: str, name: str) -> str:
    import re

    match = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', html)
    assert match, name
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


def test_counter_lookup_fills_the_declaration_too(declared, clock):
    world = declared
    client = officer(world.reception_a)
    html = client.post(
        f"{COUNTER}?thu-tuc=1.001193",
        {"id_number": "051085000001", "lookup": "1", "ho_ten_tre": "Lê Văn Tí"},
    ).content.decode()
    assert "Thông tin người nộp đã được điền vào tờ khai" in html
    # The header and the declaration's applicant section, from the same record.
    name = world.citizen.full_name
    assert _input(html, "full_name") == name
    assert _input(html, "applicant_full_name") == name
    assert _input(html, "applicant_personal_id") == "051085000001"
    assert _input(html, "applicant_birth_date") == "1985-06-01"
    assert _input(html, "applicant_phone") == "0912345678"
    assert _input(html, "ho_ten_tre") == "Lê Văn Tí"  # what was typed stays
    response = client.post(
        f"{COUNTER}?thu-tuc=1.001193",
        counter_post(
            world,
            id_number="051085000001",
            full_name="",
            birth_date="",
            gender="",
            applicant_full_name=world.citizen.full_name,
            applicant_personal_id="051085000001",
            applicant_birth_date="1985-06-01",
        ),
    )
    assert response.status_code == 302, response.content.decode()
    data = Dossier.objects.get().form_data
    assert data["applicant_full_name"] == world.citizen.full_name
    assert data["applicant_personal_id"] == "051085000001"


def test_an_applicant_typed_in_the_header_fills_the_blank_declaration(declared, clock):
    world = declared
    client = officer(world.reception_a)
    # A new applicant: typed once in the header; the declaration's blank applicant fields
    # take it, a field typed differently on the declaration keeps its own value.
    response = client.post(
        f"{COUNTER}?thu-tuc=1.001193", counter_post(world, applicant_phone="0905111222")
    )
    assert response.status_code == 302, response.content.decode()
    data = Dossier.objects.get().form_data
    assert data["applicant_full_name"] == "Lê Thị Cúc"
    assert data["applicant_personal_id"] == "051192000777"
    assert data["applicant_birth_date"] == "1992-03-04"
    assert data["applicant_phone"] == "0905111222"


def test_scans_are_kept_after_an_error_and_attached_on_receipt(
    world, clock, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    from congso.backoffice.models import CounterScan

    client = officer(world.reception_a)
    first = client.post(
        f"{COUNTER}?thu-tuc=1.001193",
        counter_post(
            world,
            ho_ten_tre="",  # forgotten: the page comes back
            batch="",
            **{"scan.giay-chung-sinh": SimpleUploadedFile("chung-sinh.png", PNG)},
        ),
    )
    assert first.status_code == 422
    html = first.content.decode()
    batch = _input(html, "batch")
    assert len(batch) >= 16
    # Both scans are kept and shown as attached, each with its own «Bỏ tệp».
    scans = list(CounterScan.objects.order_by("component_code"))
    assert [(s.component_code, s.original_name, s.batch) for s in scans] == [
        ("giay-chung-sinh", "chung-sinh.png", batch),
        ("to-khai", "to-khai.pdf", batch),
    ]
    assert "Bản quét đã đính kèm (được giữ lại, không cần chọn lại)" in html
    assert "to-khai.pdf" in html and "chung-sinh.png" in html
    assert f'name="drop" value="{scans[0].pk}"' in html
    # Another officer cannot use the batch.
    other = officer(world.reception_b).post(
        f"{COUNTER}?thu-tuc=1.001193", {"batch": batch, "lookup": "1", "id_number": ""}
    )
    assert "to-khai.pdf" not in other.content.decode()

    # A wrong file is refused next to its slot and not kept; the others stay.
    wrong = client.post(
        f"{COUNTER}?thu-tuc=1.001193",
        counter_post(
            world,
            batch=batch,
            **{"scan.to-khai": SimpleUploadedFile("anh.png", PNG)},  # PDF only
        ),
    )
    assert wrong.status_code == 422
    assert 'id="scan-to-khai-error"' in wrong.content.decode()
    assert CounterScan.objects.count() == 2 and not Dossier.objects.exists()

    # Fixed, sent again without picking any file: received with both scans, batch emptied.
    names = [scan.file.name for scan in scans]
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            f"{COUNTER}?thu-tuc=1.001193",
            counter_post(world, batch=batch, **{"scan.to-khai": ""}),
        )
    assert done.status_code == 302, done.content.decode()
    dossier = Dossier.objects.get()
    attached = {
        c.code: [a.original_name for a in c.attachments.all()] for c in dossier.components.all()
    }
    assert attached["to-khai"] == ["to-khai.pdf"]
    assert attached["giay-chung-sinh"] == ["chung-sinh.png"]
    assert not CounterScan.objects.exists()
    assert not any(default_storage.exists(name) for name in names)


def test_a_kept_scan_can_be_dropped_and_old_batches_go(world, clock):
    from congso.backoffice.models import CounterScan

    client = officer(world.reception_a)
    page = client.post(
        f"{COUNTER}?thu-tuc=1.001193", counter_post(world, ho_ten_tre="", batch="")
    ).content.decode()
    batch = _input(page, "batch")
    scan = CounterScan.objects.get()
    dropped = client.post(
        f"{COUNTER}?thu-tuc=1.001193",
        counter_post(world, batch=batch, drop=str(scan.pk), **{"scan.to-khai": ""}),
    )
    assert dropped.status_code == 200 and not CounterScan.objects.exists()
    assert "to-khai.pdf" not in dropped.content.decode() and not Dossier.objects.exists()
    # Left behind a day: the officer's next counter form clears it.
    client.post(f"{COUNTER}?thu-tuc=1.001193", counter_post(world, ho_ten_tre="", batch=batch))
    assert CounterScan.objects.count() == 1
    clock.set(clock.now + datetime.timedelta(days=1, minutes=1))
    next_day = officer(world.reception_a)  # a new session the next morning
    assert next_day.get(COUNTER, {"thu-tuc": "1.001193"}).status_code == 200
    assert not CounterScan.objects.exists()
