from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from congso.accounts import services
from congso.accounts.models import LoginThrottle, User
from congso.audit.models import AuditEvent
from congso.audit.verify import verify_chain
from tests.accounts.helpers import PASSWORD, make_user

pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")


def post_login(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))


def test_login_page_renders(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'for="id_username"' in html and 'id="id_username"' in html
    assert 'for="id_password"' in html and 'autocomplete="current-password"' in html


def test_citizen_logs_in_and_is_not_asked_for_a_code(client):
    user = make_user()
    response = post_login(client, "congdan", PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("core:home")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert actions() == ["accounts.login.success"]
    event = AuditEvent.objects.get()
    assert event.actor == user
    assert event.after == {"ip": "127.0.0.1", "second_factor": "not_required"}


def test_next_is_followed_only_inside_the_site(client):
    make_user()
    response = post_login(client, "congdan", PASSWORD, QUERY_STRING="next=/healthz")
    assert response.url == "/healthz"
    client.logout()
    response = client.post(
        LOGIN, {"username": "congdan", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response.url == reverse("core:home")


def test_wrong_password_is_refused_and_counted(client):
    user = make_user()
    response = post_login(client, "congdan", "sai")
    assert response.status_code == 403
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.content.decode()
    assert "_auth_user_id" not in client.session
    user.refresh_from_db()
    assert user.failed_logins == 1
    assert user.locked_until is None
    event = AuditEvent.objects.get()
    assert event.action == "accounts.login.failure"
    assert event.target_id == str(user.pk)
    assert event.actor is None and event.actor_label == "anonymous"


def test_lockout_after_max_failures(client):
    user = make_user()
    before = timezone.now()
    for _ in range(2):
        post_login(client, "congdan", "sai")
    response = post_login(client, "congdan", "sai")
    user.refresh_from_db()
    assert user.locked_until is not None
    assert user.locked_until >= before + dt.timedelta(seconds=900)
    assert user.failed_logins == 0  # a new count starts with the lock
    html = response.content.decode()
    assert "tạm thời bị khóa" in html
    shown = timezone.localtime(user.locked_until + dt.timedelta(seconds=59))
    assert shown.strftime("%H:%M") in html and shown.strftime("%d/%m/%Y") in html
    assert actions() == ["accounts.login.failure"] * 3 + ["accounts.login.lockout"]
    assert verify_chain().ok


def test_locked_account_refuses_the_correct_password(client):
    user = make_user()
    until = timezone.now() + dt.timedelta(minutes=10)
    User.objects.filter(pk=user.pk).update(locked_until=until)
    response = post_login(client, "congdan", PASSWORD)
    assert response.status_code == 403
    assert "tạm thời bị khóa" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert actions() == ["accounts.login.refused_locked"]


def test_lock_ends_after_the_period(client):
    user = make_user()
    User.objects.filter(pk=user.pk).update(
        locked_until=timezone.now() - dt.timedelta(seconds=1), failed_logins=2
    )
    response = post_login(client, "congdan", PASSWORD)
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.failed_logins, user.locked_until) == (0, None)


def test_success_resets_the_counter(client):
    user = make_user()
    post_login(client, "congdan", "sai")
    post_login(client, "congdan", "sai")
    user.refresh_from_db()
    assert user.failed_logins == 2
    post_login(client, "congdan", PASSWORD)
    user.refresh_from_db()
    assert user.failed_logins == 0
    client.logout()
    # Two more failures do not lock: the count started again.
    post_login(client, "congdan", "sai")
    post_login(client, "congdan", "sai")
    user.refresh_from_db()
    assert user.locked_until is None


def test_unknown_username_is_audited_without_a_target(client):
    post_login(client, "khongcoai", "sai")
    event = AuditEvent.objects.get()
    assert event.action == "accounts.login.failure"
    assert event.target_type == ""
    assert event.after == {"username": "khongcoai", "ip": "127.0.0.1"}


def test_inactive_user_cannot_log_in(client):
    make_user(is_active=False)
    response = post_login(client, "congdan", PASSWORD)
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_lock_message_in_english(client):
    user = make_user()
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() + dt.timedelta(minutes=5))
    client.cookies["django_language"] = "en"
    response = post_login(client, "congdan", PASSWORD)
    assert "temporarily locked" in response.content.decode()


def test_ip_throttle(client, settings):
    settings.LOGIN_IP_MAX_FAILURES = 4
    settings.LOGIN_MAX_FAILURES = 100
    make_user("a")
    make_user("b")
    for name in ["a", "b", "x", "a"]:
        post_login(client, name, "sai")
    response = post_login(client, "b", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert actions().count("accounts.login.ip_throttled") == 1
    # Another address is not affected.
    other = post_login(client, "b", PASSWORD, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302
    # The window passes.
    LoginThrottle.objects.update(window_started=timezone.now() - dt.timedelta(seconds=901))
    client.logout()
    assert post_login(client, "a", PASSWORD).status_code == 302


def test_ip_throttle_is_off_by_default(client):
    make_user()
    for _ in range(10):
        post_login(client, "khongcoai", "sai")
    assert not LoginThrottle.objects.exists()
    assert post_login(client, "congdan", PASSWORD).status_code == 302


def test_an_attempt_takes_its_slot_in_one_statement(django_assert_num_queries):
    user = make_user()
    with django_assert_num_queries(1):  # UPDATE … WHERE not locked AND failed_logins < limit
        assert services._reserve_attempt(user, now=timezone.now())
    user.refresh_from_db()
    assert user.failed_logins == 1


def test_no_password_is_checked_when_every_slot_is_taken(client):
    """Attempts still running hold every slot: the next one locks instead of guessing."""
    user = make_user()
    User.objects.filter(pk=user.pk).update(failed_logins=3)
    response = post_login(client, "congdan", PASSWORD)
    assert response.status_code == 403
    assert "tạm thời bị khóa" in response.content.decode()
    user.refresh_from_db()
    assert user.locked_until is not None
    assert actions() == ["accounts.login.lockout", "accounts.login.refused_locked"]


def test_admin_login_goes_through_the_lockout(client):
    user = make_user("quantri", staff=True)
    url = reverse("admin:login")
    for _ in range(3):
        client.post(url, {"username": "quantri", "password": "sai"})
    user.refresh_from_db()
    assert user.locked_until is not None
    response = client.post(url, {"username": "quantri", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert "tạm thời bị khóa" in response.content.decode()
    assert "accounts.login.lockout" in actions()
