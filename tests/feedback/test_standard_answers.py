"""Standard answers (mẫu trả lời): the officer picks one on the report page (or through the
API) and completes it; a standard answer of another category is refused. Rerouting from the
page needs a reason and lands in the other agency's queue."""

from __future__ import annotations

import pytest

from congso.core.errors import DomainError
from congso.feedback import services
from congso.feedback.models import Report, StandardAnswer
from congso.feedback.workflow import Status
from tests.feedback.conftest import at
from tests.feedback.test_lifecycle import portal_report
from tests.feedback.test_pages import officer

API = "/api/v1/feedback"


def _answers(pv) -> tuple[StandardAnswer, StandardAnswer, StandardAnswer]:
    road = StandardAnswer.objects.create(
        province=pv.province,
        category=pv.category("giao-thong"),
        title="Đã sửa chữa mặt đường",
        text="Sở Xây dựng đã kiểm tra hiện trường và chỉ đạo đơn vị duy tu sửa chữa.",
    )
    general = StandardAnswer.objects.create(
        province=pv.province,
        title="Cảm ơn",
        text="Cảm ơn ông/bà đã phản ánh.",
        order=9,
    )
    waste = StandardAnswer.objects.create(
        province=pv.province,
        category=pv.category("moi-truong"),
        title="Đã thu gom",
        text="Đã thu gom rác.",
    )
    return road, general, waste


def test_officer_picks_a_standard_answer_on_the_page(pv, clock, settings) -> None:
    clock.set(at(2026, 3, 2, 9, 0))
    road, general, waste = _answers(pv)
    report = portal_report(pv)  # mat-duong, a child of giao-thong
    assert services.standard_answers_for(report) == [road, general]
    report = services.report_assign(actor=pv.leader_t, report=report, assignee=pv.handler_t)

    staff = officer(pv.handler_t, settings)
    page = staff.get(f"/can-bo/phan-anh/{report.code}/").text
    assert "Đã sửa chữa mặt đường" in page and "Đã thu gom" not in page
    url = f"/can-bo/phan-anh/{report.code}/thao-tac/answer/"
    refused = staff.post(url, {"version": report.version, "standard": waste.pk})
    assert refused.status_code == 400  # not offered: the form refuses the choice
    done = staff.post(
        url,
        {"version": report.version, "standard": road.pk, "answer": "Hoàn thành ngày 05/3/2026."},
    )
    assert done.status_code == 302, done.content[:2000]
    report = Report.objects.get(pk=report.pk)
    assert report.status == Status.ANSWERED
    assert report.answer == (
        "Sở Xây dựng đã kiểm tra hiện trường và chỉ đạo đơn vị duy tu sửa chữa.\n\n"
        "Hoàn thành ngày 05/3/2026."
    )
    assert report.events.get(action="answer").note.startswith("[Đã sửa chữa mặt đường]")
    timeline = staff.get(f"/can-bo/phan-anh/{report.code}/").text
    assert "— Giao cán bộ xử lý →" in timeline and "— assign →" not in timeline


def test_standard_answer_through_the_api_and_the_service_check(pv, clock, settings) -> None:
    settings.OFFICER_2FA_REQUIRED = False
    clock.set(at(2026, 3, 2, 9, 0))
    road, general, waste = _answers(pv)
    report = portal_report(pv)
    report = services.report_assign(actor=pv.leader_t, report=report, assignee=pv.handler_t)
    with pytest.raises(DomainError) as caught:
        services.report_answer(actor=pv.handler_t, report=report, answer="", standard=waste)
    assert caught.value.code == "standard_answer_invalid"

    staff = officer(pv.handler_t, settings)
    listed = staff.get(f"{API}/reports/{report.code}/standard-answers").json()
    assert [row["title"] for row in listed] == ["Đã sửa chữa mặt đường", "Cảm ơn"]
    wrong = staff.post(
        f"{API}/reports/{report.code}/actions/answer",
        {"version": report.version, "standard_answer": 999999},
        content_type="application/json",
    )
    assert wrong.status_code == 400 and wrong.json()["code"] == "standard_answer_invalid"
    done = staff.post(
        f"{API}/reports/{report.code}/actions/answer",
        {"version": report.version, "standard_answer": general.pk},
        content_type="application/json",
    )
    assert done.status_code == 200, done.content
    assert Report.objects.get(pk=report.pk).answer == "Cảm ơn ông/bà đã phản ánh."


def test_reroute_from_the_page_needs_a_reason(pv, clock, settings) -> None:
    clock.set(at(2026, 3, 2, 9, 0))
    report = portal_report(pv)
    staff = officer(pv.handler_t, settings)
    url = f"/can-bo/phan-anh/{report.code}/thao-tac/reroute/"
    refused = staff.post(url, {"version": 1, "agency": pv.commune_a.pk})
    assert refused.status_code == 400 and "Cần ghi lý do chuyển." in refused.text
    assert Report.objects.get(pk=report.pk).agency == pv.transport
    done = staff.post(
        url, {"version": 1, "agency": pv.commune_a.pk, "reason": "Đường do phường quản lý"}
    )
    assert done.status_code == 302
    assert report.code in officer(pv.clerk_a, settings).get("/can-bo/phan-anh/?xem=new").text
    event = Report.objects.get(pk=report.pk).events.get(action="reroute")
    assert event.public and "Đường do phường quản lý" in event.note
