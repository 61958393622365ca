"""The admin pages write through the services (audited) and show conflicts as form errors."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from congso.audit.models import AuditEvent
from congso.calendar.models import CalendarOverride, WorkingHours
from congso.calendar.selectors import get_calendar

pytestmark = pytest.mark.django_db

ADD_URL = "/quan-tri/workcalendar/calendaroverride/add/"


@pytest.fixture
def admin_client(settings) -> Client:
    settings.OFFICER_2FA_REQUIRED = False
    user = get_user_model().objects.create_superuser(username="quantri", password="x")
    client = Client()
    client.force_login(user)
    return client


def form(**changes: str) -> dict[str, str]:
    return {
        "date": "2027-03-03",
        "kind": "day_off",
        "name": "Ngày nghỉ của tỉnh",
        "legal_source": "Quyết định của UBND tỉnh",
        "province_code": "51",
    } | changes


def test_add_goes_through_the_service(admin_client: Client) -> None:
    response = admin_client.post(ADD_URL, form())
    assert response.status_code == 302
    override = CalendarOverride.objects.get(date=date(2027, 3, 3), province_code="51")
    event = AuditEvent.objects.get(action="calendar.override.create")
    assert event.target_id == str(override.pk)
    assert not get_calendar("51").is_working_day(date(2027, 3, 3))


def test_a_second_row_for_the_day_is_a_form_error(admin_client: Client) -> None:
    admin_client.post(ADD_URL, form())
    response = admin_client.post(ADD_URL, form(kind="working_day", name="Làm bù"))
    assert response.status_code == 200
    assert "không thể vừa là ngày nghỉ vừa là ngày làm việc" in response.content.decode()
    assert CalendarOverride.objects.filter(date=date(2027, 3, 3)).count() == 1


def test_change_and_delete(admin_client: Client) -> None:
    admin_client.post(ADD_URL, form())
    override = CalendarOverride.objects.get(date=date(2027, 3, 3), province_code="51")
    url = f"/quan-tri/workcalendar/calendaroverride/{override.pk}/change/"
    assert admin_client.post(url, form(name="Tên mới")).status_code == 302
    assert AuditEvent.objects.get(action="calendar.override.update").after["name"] == "Tên mới"
    delete_url = f"/quan-tri/workcalendar/calendaroverride/{override.pk}/delete/"
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not CalendarOverride.objects.filter(pk=override.pk).exists()
    assert AuditEvent.objects.filter(action="calendar.override.delete").count() == 1


def test_list_filters_and_search(admin_client: Client) -> None:
    url = "/quan-tri/workcalendar/calendaroverride/"
    response = admin_client.get(url, {"q": "Tết", "kind": "day_off", "scope": "national"})
    assert response.status_code == 200
    assert "Tết Nguyên đán Bính Ngọ" in response.content.decode()


def test_working_hours_periods_are_validated(admin_client: Client) -> None:
    url = "/quan-tri/workcalendar/workinghours/add/"
    data = {
        "province_code": "51",
        "effective_from": "2027-01-01",
        "periods": '[["13:00", "17:00"], ["07:00", "11:00"]]',
        "cutoff": "15:00",
        "legal_source": "",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "không chồng lên nhau" in response.content.decode()
    data["periods"] = '[["07:00", "11:00"], ["13:00", "17:00"]]'
    assert admin_client.post(url, data).status_code == 302
    assert WorkingHours.objects.get().periods == [["07:00", "11:00"], ["13:00", "17:00"]]
    assert AuditEvent.objects.filter(action="calendar.working_hours.create").count() == 1
