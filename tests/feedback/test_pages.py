"""The feedback pages: the public form (anonymous, rate-limited, text shown escaped), the
reporter's follow-up page, the 1022 operator's form, the officers' queue and actions, the
published answers and the statistics."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from congso.feedback.models import Channel, Report
from congso.feedback.workflow import Status
from tests.feedback.conftest import at, jpeg_with_location

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def officer(user: Any, settings: Any) -> Client:
    settings.OFFICER_2FA_REQUIRED = False
    client = Client()
    client.force_login(user)
    return client


def post_report(client: Client, pv: Any, **extra: Any) -> Any:
    data = {
        "category": "mat-duong",
        "description": "Ổ gà trước chợ " + SCRIPT,
        "unit": pv.ward_a.code,
        "address": "Chợ Cẩm Thành",
        "reporter_phone": "0912345678",
        "publishable": "on",
    }
    data.update(extra)
    return client.post("/phan-anh/gui/", data)


def test_anonymous_report_from_the_portal_then_answered_and_published(pv, clock, settings):
    clock.set(at(2026, 3, 2, 9, 0))
    client = Client()
    page = client.get("/phan-anh/gui/")
    assert page.status_code == 200 and "Phường Cẩm Thành" in page.text
    response = post_report(client, pv, photos=jpeg_with_location())
    assert response.status_code == 302, response.content[:2000]
    report = Report.objects.get()
    assert report.channel == Channel.PORTAL and report.files.count() == 1
    follow = client.get(response["Location"])
    assert follow.status_code == 200
    assert "<script>" not in follow.text and "&lt;script&gt;" in follow.text
    assert client.get(f"/phan-anh/theo-doi/{report.code}/?t=wrong").status_code == 404

    staff = officer(pv.handler_t, settings)
    queue = staff.get("/can-bo/phan-anh/?xem=new")
    assert report.code in queue.text
    detail = staff.get(f"/can-bo/phan-anh/{report.code}/")
    assert "&lt;script&gt;" in detail.text and "<script>alert" not in detail.text
    base = f"/can-bo/phan-anh/{report.code}/thao-tac/"
    assert staff.post(base + "accept/", {"version": 1}).status_code == 302
    assert (
        staff.post(base + "assign/", {"version": 1, "assignee": pv.handler_t.pk}).status_code == 409
    )
    assert (
        staff.post(base + "assign/", {"version": 2, "assignee": pv.handler_t.pk}).status_code == 302
    )
    empty = staff.post(base + "answer/", {"version": 3, "answer": ""})
    assert empty.status_code == 400 and "Chưa nhập nội dung trả lời" in empty.text
    assert (
        staff.post(base + "answer/", {"version": 3, "answer": "Đã vá " + SCRIPT}).status_code == 302
    )
    report.refresh_from_db()
    assert report.status == Status.ANSWERED and report.on_time

    rated = client.post(follow.request["PATH_INFO"], {"t": str(report.token), "rating": "4"})
    assert rated.status_code == 200
    report.refresh_from_db()
    assert report.status == Status.CLOSED and report.rating == 4

    listing = Client().get("/phan-anh/?linh_vuc=giao-thong")
    assert report.code in listing.text and "<script>alert" not in listing.text
    assert report.code not in Client().get("/phan-anh/?linh_vuc=moi-truong").text
    assert report.code not in Client().get("/phan-anh/?tu=2026-03-03").text
    assert report.code in Client().get("/phan-anh/?tu=2026-03-02&den=2026-03-02").text
    assert report.code in Client().get(f"/phan-anh/?xa={pv.ward_a.code}").text
    assert report.code not in Client().get(f"/phan-anh/?xa={pv.ward_b.code}").text
    public = Client().get(f"/phan-anh/cong-khai/{report.code}/")
    assert "Sở Xây dựng" in public.text and "0912345678" not in public.text
    stats = Client().get("/phan-anh/thong-ke/")
    figures = r"Sở Xây dựng</th>\s*<td>1</td>\s*<td>1</td>\s*<td>1 \(100.0 %\)"
    assert re.search(figures, stats.text)
    # The province's public statistics page and the operations dashboard carry them too.
    public_stats = Client().get("/thong-ke/?tu=2026-03-01&den=2026-03-31")
    assert "Phản ánh, kiến nghị theo cơ quan" in public_stats.text
    assert re.search(figures, public_stats.text)
    dashboard = officer(pv.leader_t, settings).get("/can-bo/chi-so/?tu=2026-03-01&den=2026-03-31")
    assert dashboard.status_code == 200 and re.search(figures, dashboard.text)


def test_the_form_refuses_bad_input_with_a_message(pv, clock, settings):
    clock.set(at(2026, 3, 2, 9, 0))
    client = Client()
    outside = post_report(client, pv, unit=pv.foreign_ward.code)
    assert outside.status_code == 400  # not one of the choices offered
    from django.core.files.uploadedfile import SimpleUploadedFile

    disguised = SimpleUploadedFile("anh.jpg", b"MZ\x90\x00" + b"\x00" * 64)
    refused = post_report(client, pv, photos=disguised)
    assert refused.status_code == 400 and "không đúng loại cho phép" in refused.text
    settings.FEEDBACK_IP_LIMIT = 1
    assert post_report(client, pv).status_code == 302
    flooded = post_report(client, pv)
    assert flooded.status_code == 429 and "quá nhiều phản ánh" in flooded.text
    assert Report.objects.count() == 1


def test_hotline_operator_form(pv, clock, settings):
    clock.set(at(2026, 3, 2, 9, 0))
    staff = officer(pv.operator, settings)
    assert staff.get("/can-bo/phan-anh/tong-dai/").status_code == 200
    response = staff.post(
        "/can-bo/phan-anh/tong-dai/",
        {
            "caller_name": "Bà Hoa",
            "caller_phone": "0905111222",
            "summary": "Cây đổ chắn đường sau bão.",
            "category": "cay-xanh",
            "unit": pv.ward_b.code,
        },
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.channel == Channel.HOTLINE and report.received_by == pv.operator
    assert report.agency == pv.transport  # environment outside ward A: the province-wide rule
    assert Client().get("/can-bo/phan-anh/tong-dai/").status_code == 302  # sign-in first
    citizen = Client()
    citizen.force_login(pv.citizen)
    assert citizen.get("/can-bo/phan-anh/tong-dai/").status_code == 403
