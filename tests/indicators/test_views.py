"""Dashboard, index page, drill-down and public statistics through the Django test client: who
may open them, what they show, the live partial, and no personal data on the public page."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from congso.org.models import RoleAssignment

PERIOD = "?tu=2026-03-01&den=2026-03-31"


pytestmark = pytest.mark.usefixtures("no_second_factor")


def _as(client, user):
    client.force_login(user)
    return client


def test_dashboard_for_the_province_monitor(client, month, world):
    response = _as(client, world.monitor).get(reverse("indicators:dashboard") + PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert 'id="trend-data"' in html
    assert 'hx-trigger="every 60s"' in html
    # Ranking of communes: commune A with 2 of 3 on time.
    communes = response.context["communes"]
    assert [line.label for line in communes] == ["UBND xã A"]
    assert communes[0].on_time_rate == Decimal("66.7")
    assert response.context["total"].received == 4
    assert response.context["live"]["in_progress"] == 1
    assert response.context["trend"]["received"] == [4]
    # The accessible table fallback carries the chart's figures.
    assert "03/2026" in html


def test_live_partial_and_overdue_list(client, month, world, clock):
    from tests.dossiers.conftest import at

    clock.set(at(2026, 3, 12, 9, 0))  # A4 (due 04/03 or so) is overdue now
    response = _as(client, world.monitor).get(
        reverse("indicators:dashboard") + PERIOD + "&phan=truc-tiep", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="live"')
    assert month.a4.code in html
    assert reverse("backoffice:dossier", args=[month.a4.code]) in html
    assert response.context["live"]["overdue_now"] == 1


def test_agency_head_sees_only_their_agency(client, month, world):
    response = _as(client, world.leader_b).get(reverse("indicators:dashboard") + PERIOD)
    assert response.status_code == 200
    assert response.context["total"].received == 0
    assert response.context["communes"] == []
    assert response.context["overdue"] == []


@pytest.mark.parametrize("name", ["reception_a", "specialist_a", "citizen_user"])
def test_others_are_refused(client, month, world, name):
    client.force_login(getattr(world, name))
    for url in (
        reverse("indicators:dashboard"),
        reverse("indicators:index"),
        reverse("indicators:drilldown", args=["processed_late"]),
    ):
        assert client.get(url).status_code == 403


def test_anonymous_is_sent_to_login(client, month):
    response = client.get(reverse("indicators:dashboard"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_index_page_explains_each_score(client, month, world):
    response = _as(client, world.monitor).get(reverse("indicators:index") + PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert "29.22" in html or "29,22" in html
    assert "Chưa có dữ liệu" in html
    late_link = reverse("indicators:drilldown", args=["progress_bad"])
    assert late_link in html
    assert "50.00" in html or "50,00" in html
    assert "DOSSIER_SYNC" in html and "ORIGINAL_RESULT_AVAILABLE" in html
    assert reverse("indicators:compare") in html


def test_drilldown_lists_the_late_dossier(client, month, world):
    url = reverse("indicators:drilldown", args=["processed_late"]) + PERIOD
    response = _as(client, world.monitor).get(url)
    assert response.status_code == 200
    assert [d.code for d in response.context["page"]] == [month.a2.code]
    assert reverse("backoffice:dossier", args=[month.a2.code]) in response.content.decode()
    assert client.get(reverse("indicators:drilldown", args=["nothing"])).status_code == 404


def test_bad_period_shows_a_vietnamese_message(client, month, world):
    response = _as(client, world.monitor).get(
        reverse("indicators:index") + "?tu=2026-03-31&den=2026-03-01"
    )
    assert response.status_code == 200
    assert "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu." in response.content.decode()


def test_public_statistics_without_login_and_without_personal_data(client, month, world):
    response = client.get(reverse("indicators:public") + PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert "UBND xã A" in html
    assert response.context["total"].received == 4
    citizen = world.citizen
    for private in (
        month.a1.code,
        citizen.full_name,
        citizen.personal_id,
        citizen.phone,
        month.a1.applicant_name,
    ):
        assert private not in html


def test_home_page_teaser(client, month, clock):
    from tests.dossiers.conftest import at

    clock.set(at(2026, 12, 1, 9, 0))
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("indicators:public") in html
    assert "2026" in html


def test_expired_role_no_longer_opens_the_dashboard(client, month, world):
    RoleAssignment.objects.filter(user=world.monitor).update(valid_to=datetime.date(2021, 1, 1))
    assert _as(client, world.monitor).get(reverse("indicators:dashboard")).status_code == 403


@pytest.mark.parametrize("app", ["indicators", "reports"])
def test_english_catalogues_are_complete(app):
    from pathlib import Path

    from django.conf import settings

    po = Path(settings.BASE_DIR) / "congso" / app / "locale" / "en" / "LC_MESSAGES" / "django.po"
    text = po.read_text(encoding="utf-8")
    entries = [e for e in text.split("\n\n")[1:] if e.strip()]
    assert len(entries) > 15
    for entry in entries:
        assert entry.rstrip().splitlines()[-1] != 'msgstr ""', f"untranslated: {entry}"
    assert "#, fuzzy" not in text


def test_public_page_in_english(client, month):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("indicators:public") + PERIOD).content.decode()
    assert "Administrative procedure statistics" in html
    assert "early or on time" in html


def test_index_page_in_english_uses_the_english_names(client, month, world):
    client.force_login(world.monitor)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("indicators:index") + PERIOD).content.decode()
    assert "Dossiers processed early or on time" in html
    assert "Online services and payment" in html  # the 2022 layout of March 2026
    assert "No data yet" in html
    assert "online payment" in html  # the missing input, translated


def test_dashboard_shows_notifications_per_channel(client, month, world, notified):
    assert len(notified["sms"]) == 4 and len(notified["email"]) == 4
    response = _as(client, world.monitor).get(reverse("indicators:dashboard") + PERIOD)
    assert response.status_code == 200
    lines = [
        (line["channel"], line["sent"], line["delivered"], line["delivery_rate"], line["failed"])
        for line in response.context["notifications"]
    ]
    # SMS: 4 created, 1 delivered, 1 undeliverable, 2 accepted without a final report yet.
    assert lines == [("sms", 3, 1, Decimal("33.3"), 1), ("email", 4, 0, None, 0)]
    html = response.content.decode()
    assert 'id="notify-table"' in html
    assert "33,3" in html  # Vietnamese decimal comma
    # Another agency's head: none of these messages are from their dossiers.
    response = _as(client, world.leader_b).get(reverse("indicators:dashboard") + PERIOD)
    assert [(line["sent"], line["failed"]) for line in response.context["notifications"]] == [
        (0, 0),
        (0, 0),
    ]
    # Outside the period: nothing.
    response = _as(client, world.monitor).get(
        reverse("indicators:dashboard") + "?tu=2026-02-01&den=2026-02-28"
    )
    assert [line["sent"] for line in response.context["notifications"]] == [0, 0]


def test_dashboard_notifications_in_english(client, month, world, notified):
    response = _as(client, world.monitor).get(
        reverse("indicators:dashboard") + PERIOD, HTTP_ACCEPT_LANGUAGE="en"
    )
    html = response.content.decode()
    assert "Notifications to citizens (SMS, e-mail)" in html
    assert "Delivery rate (%)" in html and ">E-mail<" in html


def test_compare_export_lists_every_indicator_as_inert_cells(client, month, world):
    """The "compare with the national portal" workbook: congso's numerator, denominator and
    points beside the portal's metric code, one row per indicator; names stay text."""
    from io import BytesIO

    from openpyxl import load_workbook

    from congso.indicators import export, index
    from tests.indicators.dataset import END, START

    world.commune_a.name = '=HYPERLINK("http://evil.example","Xem")'
    world.commune_a.save()
    url = reverse("indicators:compare") + PERIOD + f"&co-quan={world.commune_a.pk}"
    response = _as(client, world.monitor).get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    header = cells.index(list(export.HEADERS))
    rows = {row[1]: row for row in cells[header + 1 :] if row[1]}
    result = index.score(start=START, end=END, agency_ids=[world.commune_a.pk])
    assert list(rows) == [r.code for r in result.indicators]
    assert rows["2.1"][6:12] == [2, 4, 50.0, "tuyến tính", 10.0, 20.0]
    assert rows["4.1"][2:4] == [
        "ORIGINAL_RESULT_AVAILABLE", "/api/v1/reporting/evaluation/dossier-digitized",
    ]  # fmt: skip
    assert rows["1.1"][12] == "Chưa có dữ liệu" and rows["1.1"][10] is None
    assert rows["5.4"][6:8] == [1, 3]
    assert all(value is None for value in rows["2.1"][15:19])
    # No formula anywhere; the agency's name is text.
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
    assert any("HYPERLINK" in str(v) for v in cells[1])
    assert client.get(url).status_code == 200
    client.force_login(world.citizen_user)
    assert client.get(url).status_code == 403
