from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
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


def _age_stamp(client, seconds: int) -> None:
    """Time travel: the session row was last written ``seconds`` ago."""
    from django.contrib.sessions.backends.db import SessionStore

    from congso.core.middleware import SESSION_SEEN_KEY

    store = SessionStore(session_key=client.session.session_key)
    store[SESSION_SEEN_KEY] = store[SESSION_SEEN_KEY] - seconds
    store.save()


def test_a_request_after_the_refresh_interval_slides_the_idle_expiry(client):
    login(client)
    row = session_row(client)
    _age_stamp(client, settings.SESSION_REFRESH_SECONDS)
    Session.objects.filter(pk=row.pk).update(expire_date=timezone.now() + dt.timedelta(seconds=5))
    client.get(reverse("core:home"))
    expected = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert abs(session_row(client).expire_date - expected) < dt.timedelta(seconds=30)


def test_a_page_view_soon_after_the_last_save_writes_no_session(client):
    login(client)
    client.get(reverse("core:home"))  # stamps the session once
    soon = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 5)
    Session.objects.filter(pk=session_row(client).pk).update(expire_date=soon)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("core:home"))
    sessions = [q["sql"] for q in queries if "django_session" in q["sql"]]
    writes = [sql for sql in sessions if not sql.lstrip().startswith("SELECT")]
    assert writes == []
    assert session_row(client).expire_date == soon
    # Never longer than the idle limit: the expiry was set at the last save.
    assert settings.SESSION_REFRESH_SECONDS < settings.SESSION_COOKIE_AGE


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
    # The expiry slides through SessionRefreshMiddleware, not a write on every request.
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    middleware = settings.MIDDLEWARE
    assert (
        middleware.index("congso.core.middleware.SessionRefreshMiddleware")
        == middleware.index("django.contrib.sessions.middleware.SessionMiddleware") + 1
    )


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
