"""A report's life through the services: intake from the portal and from the 1022 operator,
routing by rule, assignment, answers on time and late, the reporter's rating, reopening,
closing, merging a duplicate, reminders and escalation, statistics."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from congso.audit.models import AuditEvent
from congso.core.errors import DomainError
from congso.feedback import selectors, services
from congso.feedback.models import Channel, Report, ReportEvent
from congso.feedback.services import Intake
from congso.feedback.workflow import Rejection, Status
from congso.notify.models import Message
from tests.feedback.conftest import at, jpeg_with_location


def portal_report(pv, **extra) -> Report:
    values = {
        "category": "mat-duong",
        "description": "Ổ gà lớn trước số 12 đường Hùng Vương, xe máy dễ ngã.",
        "unit": pv.ward_a.code,
        "address": "12 Hùng Vương",
        "reporter_name": "Nguyễn Văn An",
        "reporter_phone": "0912345678",
        "publishable": True,
    }
    values.update(extra)
    return services.report_submit(
        actor=None, channel=Channel.PORTAL, intake=Intake(**values), client_address="10.0.0.1"
    )


def test_portal_report_routed_assigned_answered_on_time_and_closed(pv, clock) -> None:
    clock.set(at(2026, 3, 2, 9, 0))  # Monday
    report = portal_report(pv, files=[jpeg_with_location()])
    assert report.code.startswith("PA260302")
    assert report.status == Status.NEW
    # "mat-duong" has no rule of its own: its parent "giao-thong" routes to the department.
    assert report.agency == pv.transport and report.rule is not None
    # 15 working days from Monday 2/3 09:00 → Monday 23/3 09:00.
    assert report.due_at == at(2026, 3, 23, 9, 0)
    stored = report.files.get()
    assert stored.location_removed
    with Image.open(stored.file.open("rb")) as image:
        assert not image.getexif().get_ifd(0x8825)
        assert image.getexif()[0x010F] == "PhoneMaker"  # the rest of EXIF is kept
    assert Message.objects.filter(recipient="0912345678", kind="feedback").count() == 1

    clock.set(at(2026, 3, 2, 10, 0))
    report = services.report_accept(actor=pv.handler_t, report=report)
    report = services.report_assign(actor=pv.leader_t, report=report, assignee=pv.handler_t)
    report = services.report_start(actor=pv.handler_t, report=report)
    clock.set(at(2026, 3, 10, 15, 0))
    report = services.report_answer(
        actor=pv.handler_t, report=report, answer="Đã vá ổ gà ngày 10/3/2026."
    )
    assert report.status == Status.ANSWERED and report.on_time is True
    report = services.report_rate(actor=None, report=report, rating=5, comment="Cảm ơn")
    assert report.status == Status.CLOSED and report.rating == 5
    actions = list(report.events.values_list("action", flat=True))
    assert actions == ["submit", "accept", "assign", "start", "answer", "rate", "close"]
    assert AuditEvent.objects.filter(action__startswith="feedback.report.").count() == 7
    assert selectors.public_report(report.code) == report
    # The reporter got a notice at each step they are told about (submit, accept, assign,
    # answer, close).
    assert Message.objects.filter(recipient="0912345678", kind="feedback").count() == 5


def test_hotline_report_answered_late_reopened_and_closed(pv, clock, settings) -> None:
    clock.set(at(2026, 3, 2, 8, 0))
    report = services.report_hotline(
        actor=pv.operator,
        caller_name="Trần Thị Bình",
        caller_phone="0255 3822 123",  # a landline: kept, no SMS
        summary="Rác thải đổ trộm ở bãi đất trống cạnh chợ.",
        category="rac-thai",
        unit=pv.ward_a.code,
    )
    assert report.channel == Channel.HOTLINE and report.received_by == pv.operator
    assert report.reporter_phone == "02553822123"
    # Environment in ward A goes to the ward's People's Committee (unit rule beats the
    # province-wide one).
    assert report.agency == pv.commune_a
    assert not Message.objects.filter(kind="feedback", recipient="02553822123").exists()

    report = services.report_assign(actor=pv.leader_a, report=report, assignee=pv.handler_a)
    clock.set(at(2026, 3, 25, 9, 0))  # after the 23/3 08:00 deadline
    assert report in selectors.overdue()
    report = services.report_answer(actor=pv.handler_a, report=report, answer="Đã thu gom.")
    assert report.on_time is False
    assert report not in selectors.overdue()

    clock.set(at(2026, 3, 26, 9, 0))
    report = services.report_rate(
        actor=None, report=report, rating=1, comment="Rác vẫn còn", reopen=True
    )
    assert report.status == Status.IN_PROGRESS and report.reopen_count == 1
    assert report.due_at == at(2026, 4, 16, 9, 0)  # a new 15-working-day deadline
    clock.set(at(2026, 3, 27, 9, 0))
    report = services.report_answer(actor=pv.handler_a, report=report, answer="Đã thu gom hết.")
    assert report.on_time is True
    report = services.report_close(actor=pv.handler_a, report=report)
    assert report.status == Status.CLOSED

    figures = {row.agency: row for row in selectors.statistics()}
    ward = figures["UBND phường Cẩm Thành"]
    assert (ward.received, ward.answered, ward.rated, ward.satisfaction) == (1, 1, 1, 1.0)


def test_reopen_window(pv, clock, settings) -> None:
    settings.FEEDBACK_REOPEN_DAYS = 2
    clock.set(at(2026, 3, 2, 9, 0))
    report = portal_report(pv)
    report = services.report_assign(actor=pv.leader_t, report=report, assignee=pv.handler_t)
    report = services.report_answer(actor=pv.handler_t, report=report, answer="Đã xử lý.")
    clock.set(at(2026, 3, 5, 9, 0))  # more than 2 working days after the answer
    with pytest.raises(DomainError) as caught:
        services.report_rate(actor=None, report=report, rating=2, reopen=True)
    assert caught.value.code == "reopen_window_passed"
    assert Report.objects.get(pk=report.pk).rating is None  # nothing half-stored
    # The sweep closes it.
    assert services.reports_sweep()["closed"] == 1
    assert Report.objects.get(pk=report.pk).status == Status.CLOSED


def test_duplicate_merged_and_its_reporter_gets_the_answer(pv, clock) -> None:
    clock.set(at(2026, 3, 2, 9, 0))
    first = portal_report(pv)
    second = portal_report(pv, reporter_phone="0987654321", reporter_name="Lê Văn C")
    second = services.report_merge(actor=pv.handler_t, report=second, into=first)
    assert second.status == Status.REJECTED and second.rejection == Rejection.DUPLICATE
    assert second.duplicate_of == first
    first = services.report_assign(actor=pv.leader_t, report=first, assignee=pv.handler_t)
    services.report_answer(actor=pv.handler_t, report=first, answer="Đã vá.")
    texts = list(Message.objects.filter(recipient="0987654321").values_list("body", flat=True))
    assert any(first.code in text for text in texts)  # the merge notice names the original
    assert any("đã trả lời" in text or "da tra loi" in text.lower() for text in texts)
    assert list(selectors.published()) == [Report.objects.get(pk=first.pk)]


def test_reroute_and_reject(pv, clock) -> None:
    clock.set(at(2026, 3, 2, 9, 0))
    report = portal_report(pv)
    with pytest.raises(DomainError) as caught:
        services.report_reroute(actor=pv.handler_t, report=report, agency=pv.commune_a, reason="")
    assert caught.value.code == "reason_required"
    report = services.report_reroute(
        actor=pv.handler_t, report=report, agency=pv.commune_a, reason="Đường do phường quản lý"
    )
    assert report.agency == pv.commune_a
    with pytest.raises(DomainError) as caught:  # no longer the department's
        services.report_accept(actor=pv.handler_t, report=report)
    assert caught.value.code == "forbidden"
    report = services.report_reject(
        actor=pv.clerk_a, report=report, reason="Là khiếu nại, đề nghị gửi theo Luật Khiếu nại."
    )
    assert report.status == Status.REJECTED and report.rejection == Rejection.OUT_OF_SCOPE
    with pytest.raises(DomainError) as caught:
        services.report_answer(actor=pv.clerk_a, report=report, answer="x")
    assert caught.value.code == "action_not_allowed"


def test_reminder_then_escalation_to_the_leader(pv, clock) -> None:
    clock.set(at(2026, 3, 2, 9, 0))
    report = portal_report(pv)
    report = services.report_assign(actor=pv.leader_t, report=report, assignee=pv.handler_t)
    clock.set(at(2026, 3, 20, 10, 0))  # within the last working day
    assert services.reports_sweep() == {"reminded": 1, "escalated": 0, "closed": 0}
    assert Message.objects.filter(recipient="cv.sxd@example.vn").count() == 1
    assert services.reports_sweep()["reminded"] == 0  # once
    clock.set(at(2026, 3, 24, 9, 0))
    assert services.reports_sweep()["escalated"] == 1
    assert Message.objects.filter(recipient="ld.sxd@example.vn").count() == 1
    assert services.reports_sweep()["escalated"] == 0
    assert set(
        ReportEvent.objects.filter(report=report, public=False).values_list("action", flat=True)
    ) >= {"remind", "escalate"}


def test_category_suggestion_without_diacritics(pv) -> None:
    found = services.category_suggest(
        text="Đường có ổ gà và sụt lún sau mưa", province_unit=pv.province
    )
    assert found[0].category.code == "mat-duong"
    assert services.category_suggest(text="xin chào", province_unit=pv.province) == []


def test_bad_input_is_refused_and_nothing_stored(pv, clock, settings) -> None:
    clock.set(at(2026, 3, 2, 9, 0))
    cases = [
        ({"unit": pv.foreign_ward.code}, "unit_outside_province"),
        ({"unit": "99999"}, "unit_not_found"),
        ({"category": "khong-co"}, "category_not_found"),
        ({"description": "   "}, "description_required"),
        ({"description": "x" * 5001}, "text_too_long"),
        ({"description": "a\x00b"}, "invalid_text"),
        ({"reporter_phone": "12345"}, "invalid_phone"),
        ({"latitude": "91"}, "coordinates_invalid"),
    ]
    for extra, code in cases:
        with pytest.raises(DomainError) as caught:
            portal_report(pv, **extra)
        assert caught.value.code == code, extra
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.FEEDBACK_MAX_FILE_BYTES = 1000
    big = SimpleUploadedFile("big.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 2000)
    exe = SimpleUploadedFile("anh.jpg", b"MZ\x90\x00" + b"\x00" * 64)
    fake = SimpleUploadedFile("anh2.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 64)
    for upload, code in [
        (big, "file_too_large"),
        (exe, "file_type_not_allowed"),
        (fake, "image_unreadable"),
    ]:
        with pytest.raises(DomainError) as caught:
            portal_report(pv, files=[upload])
        assert caught.value.code == code
    assert Report.objects.count() == 0
    assert not (settings.MEDIA_ROOT / "feedback").exists()


def test_flood_is_limited_per_address_and_per_phone(pv, clock, settings) -> None:
    settings.FEEDBACK_IP_LIMIT = 3
    settings.FEEDBACK_PHONE_LIMIT = 2
    clock.set(at(2026, 3, 2, 9, 0))
    portal_report(pv)
    portal_report(pv)
    with pytest.raises(DomainError) as caught:  # third from the same phone
        portal_report(pv)
    assert caught.value.code == "too_many_reports" and caught.value.status == 429
    portal_report(pv, reporter_phone="0987654321")  # third from the address
    with pytest.raises(DomainError) as caught:
        portal_report(pv, reporter_phone="0977000111")
    assert caught.value.code == "too_many_reports"
    assert Report.objects.count() == 3


def test_keep_location_when_the_reporter_asks(pv, clock) -> None:
    clock.set(at(2026, 3, 2, 9, 0))
    report = portal_report(pv, files=[jpeg_with_location()], keep_location=True)
    stored = report.files.get()
    assert not stored.location_removed
    with Image.open(io.BytesIO(stored.file.open("rb").read())) as image:
        assert image.getexif().get_ifd(0x8825)


def test_feedback_on_a_dossier_goes_to_its_competent_agency(db, clock) -> None:
    """ND 20/2008: feedback on the handling of a dossier goes to the agency that owns it,
    whatever the category's rule says."""
    from congso.org.models import AdministrativeUnit, UnitKind, UnitLevel
    from tests.dossiers.conftest import build_world, submit

    clock.set(at(2026, 3, 2, 9, 0))
    world = build_world()
    ward = AdministrativeUnit.objects.create(
        code="21001",
        name="Phường Một",
        level=UnitLevel.COMMUNE,
        kind=UnitKind.WARD,
        parent=world.province,
        province=world.province,
    )
    services.categories_seed(actor=None, province_unit=world.province)
    category = services.category_for("giai-quyet-ho-so", province_unit=world.province)
    services.rule_add(
        actor=None,
        category=category.parent,
        agency=world.department,
        valid_from=at(2025, 7, 1).date(),
    )
    dossier = submit(world)
    report = services.report_submit(
        actor=world.citizen_user,
        channel=Channel.PORTAL,
        intake=Intake(
            category="giai-quyet-ho-so",
            description="Hồ sơ nộp đã lâu chưa được tiếp nhận.",
            unit=ward.code,
            dossier=dossier.code.lower(),
        ),
    )
    assert report.agency == world.commune_a == dossier.competent_agency
    assert report.procedure == world.procedure and report.rule is None
    assert report.reporter_user == world.citizen_user
    plain = services.report_submit(
        actor=None,
        channel=Channel.PORTAL,
        intake=Intake(category="giai-quyet-ho-so", description="Thủ tục rườm rà.", unit=ward.code),
    )
    assert plain.agency == world.department  # the parent category's rule
    with pytest.raises(DomainError) as caught:
        services.report_submit(
            actor=None,
            channel=Channel.PORTAL,
            intake=Intake(category="mat-duong", description="Ổ gà", unit=ward.code),
        )
    assert caught.value.code == "no_route"


def test_a_location_in_xmp_only_is_removed_too(pv, clock) -> None:
    """Phones and editors may write the position only in the XMP packet."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from congso.feedback import photos

    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
        b'22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
        b'exif:GPSLatitude="15,7.2N" exif:GPSLongitude="108,48.0E"/></rdf:RDF></x:xmpmeta>'
    )
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 60)).save(out, format="JPEG", xmp=xmp)
    assert photos.has_location(out.getvalue())
    clock.set(at(2026, 3, 2, 9, 0))
    upload = SimpleUploadedFile("cay-do.jpg", out.getvalue(), content_type="image/jpeg")
    report = portal_report(pv, files=[upload])
    stored = report.files.get()
    data = stored.file.open("rb").read()
    assert stored.location_removed and b"GPSLatitude" not in data
    assert not photos.has_location(data)
