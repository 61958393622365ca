"""The feedback operations of /api/v1/: categories and suggestion, filing (public), the
reporter's follow-up and rating, the officer's queue and actions, published answers and
statistics; errors with the feedback codes."""

from __future__ import annotations

from django.test import Client

from tests.feedback.conftest import at

API = "/api/v1/feedback"


def test_file_handle_and_rate_through_the_api(pv, clock, settings) -> None:
    settings.OFFICER_2FA_REQUIRED = False
    clock.set(at(2026, 3, 2, 9, 0))
    public = Client()
    categories = public.get(f"{API}/categories").json()
    assert any(c["code"] == "mat-duong" and c["parent_code"] == "giao-thong" for c in categories)
    suggested = public.get(f"{API}/categories/suggest", {"text": "đèn đường bị mất, tối om"})
    assert suggested.json()[0]["code"] == "chieu-sang"

    filed = public.post(
        f"{API}/reports",
        {
            "category": "chieu-sang",
            "description": "Đèn đường tắt cả tuần <script>x</script>",
            "unit": pv.ward_b.code,
            "reporter_email": "dan@example.vn",
            "publishable": True,
        },
        content_type="application/json",
    )
    assert filed.status_code == 201, filed.content
    body = filed.json()
    code, token = body["code"], body["token"]
    assert body["agency"] == pv.transport.code and body["status"] == "new"

    outside = public.post(
        f"{API}/reports",
        {"category": "chieu-sang", "description": "x", "unit": pv.foreign_ward.code},
        content_type="application/json",
    )
    assert outside.status_code == 400 and outside.json()["code"] == "unit_outside_province"

    staff = Client()
    staff.force_login(pv.handler_t)
    queue = staff.get(f"{API}/queue", {"view": "new"}).json()
    assert [row["code"] for row in queue] == [code]
    url = f"{API}/reports/{code}/actions"
    stale = staff.post(f"{url}/accept", {"version": 9}, content_type="application/json")
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    step = staff.post(
        f"{url}/assign", {"version": 1, "assignee": "nobody"}, content_type="application/json"
    )
    assert step.status_code == 400 and step.json()["code"] == "assignee_invalid"
    step = staff.post(
        f"{url}/assign",
        {"version": 1, "assignee": pv.handler_t.username},
        content_type="application/json",
    )
    assert step.status_code == 200 and step.json()["status"] == "assigned"
    step = staff.post(
        f"{url}/answer", {"version": 2, "answer": "Đã thay bóng."}, content_type="application/json"
    )
    assert step.json()["on_time"] is True
    outsider = Client()
    outsider.force_login(pv.handler_a)
    assert (
        outsider.post(f"{url}/close", {"version": 3}, content_type="application/json").status_code
        == 404
    )

    assert public.get(f"{API}/reports/{code}", {"token": "x"}).status_code == 404
    followed = public.get(f"{API}/reports/{code}", {"token": token}).json()
    assert followed["answer"] == "Đã thay bóng."
    rated = public.post(
        f"{API}/reports/{code}/rating",
        {"token": token, "rating": 5},
        content_type="application/json",
    )
    assert rated.json()["status"] == "closed"
    listed = public.get(f"{API}/published", {"category": "giao-thong"}).json()
    assert listed[0]["code"] == code and "dan@example.vn" not in str(listed)
    stats = public.get(f"{API}/statistics").json()
    assert stats == [
        {
            "agency": "Sở Xây dựng",
            "received": 1,
            "answered": 1,
            "on_time": 1,
            "overdue_open": 0,
            "rated": 1,
            "satisfaction": 5.0,
        }
    ]


def test_api_floods_per_address_and_per_phone_get_429(pv, clock, settings) -> None:
    from congso.feedback.models import Report

    settings.FEEDBACK_IP_LIMIT = 3
    settings.FEEDBACK_PHONE_LIMIT = 1
    clock.set(at(2026, 3, 2, 9, 0))
    client = Client()

    def file(phone: str) -> object:
        return client.post(
            f"{API}/reports",
            {
                "category": "chieu-sang",
                "description": "Đèn đường tắt",
                "unit": pv.ward_b.code,
                "reporter_phone": phone,
            },
            content_type="application/json",
        )

    assert file("0912345678").status_code == 201
    again = file("0912345678")  # the same phone
    assert again.status_code == 429 and again.json()["code"] == "too_many_reports"
    assert int(again["Retry-After"]) > 0
    assert file("0987654321").status_code == 201
    assert file("0977000111").status_code == 201
    flooded = file("0966000222")  # the fourth from this address
    assert flooded.status_code == 429 and flooded.json()["code"] == "too_many_reports"
    assert Report.objects.count() == 3
