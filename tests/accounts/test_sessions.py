from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from congso.audit.models import AuditEvent
from tests.accounts.helpers import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def login(client):
    user = make_user()
    client.post(reverse("accounts:login"), {"username": "congdan", "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(user.pk)
    return user


def session_row(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_every_request_slides_the_idle_expiry(client):
    login(client)
    row = session_row(client)
    Session.objects.filter(pk=row.pk).update(expire_date=timezone.now() + dt.timedelta(seconds=5))
    client.get(reverse("core:home"))
    expected = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert abs(session_row(client).expire_date - expected) < dt.timedelta(seconds=30)


def test_idle_session_is_logged_out(client):
    login(client)
    key = client.session.session_key
    # Time travel: the last request was longer ago than the idle limit.
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    response = client.get(reverse("core:home"))
    assert response.wsgi_request.user.is_authenticated is False
    assert "Xin chào" not in response.content.decode()
    response = client.get(reverse("accounts:second_factor"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_session_cookie_ends_with_the_browser():
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_logout_needs_post(client):
    login(client)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in client.session


def test_logout(client):
    user = login(client)
    response = client.post(reverse("accounts:logout"), follow=True)
    assert response.redirect_chain == [(reverse("core:home"), 302)]
    assert "_auth_user_id" not in client.session
    assert "Bạn đã đăng xuất." in response.content.decode()
    event = AuditEvent.objects.get(action="accounts.logout")
    assert event.actor == user


def test_logout_checks_csrf(client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    make_user()
    strict.post(reverse("accounts:login"), {"username": "congdan", "password": PASSWORD})
    assert strict.post(reverse("accounts:logout")).status_code == 403
