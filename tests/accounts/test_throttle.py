"""Sign-in throttle (issue 13 item 5): progressive delays per account and per address instead of
a hard lock, the owner's known browser unaffected by failures from elsewhere, 429 with when to
try again. Time moves with the ``clock`` fixture, never by sleeping."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from congso.accounts import devices, services, throttle
from congso.accounts.models import Throttle
from congso.audit.models import AuditEvent
from congso.audit.verify import verify_chain
from tests.accounts.helpers import PASSWORD, make_user

pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")


def post_login(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))


def account_failures(username: str) -> int:
    return throttle.failures(services.account_key(username))


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
    assert event.after == {
        "ip": "127.0.0.1",
        "second_factor": "not_required",
        "known_browser": False,
    }
    # The browser is remembered (signed, HttpOnly cookie naming this account).
    cookie = response.cookies[devices.COOKIE]
    assert cookie["httponly"] and devices.device_id(cookie.value, user) is not None


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
    assert account_failures("congdan") == 1
    event = AuditEvent.objects.get()
    assert event.action == "accounts.login.failure"
    assert event.target_id == str(user.pk)
    assert event.actor is None and event.actor_label == "anonymous"
    assert event.after == {"ip": "127.0.0.1", "kind": "account", "failures": 1}


def test_after_the_free_failures_each_attempt_waits_and_is_told_when(client, clock):
    make_user()
    for _ in range(2):
        assert post_login(client, "congdan", "sai").status_code == 403
    third = post_login(client, "congdan", "sai")
    assert third.status_code == 403
    assert "thử lại sau 30 giây" in third.content.decode()
    # Even the right password waits: no password is checked before the time.
    response = post_login(client, "congdan", PASSWORD)
    assert response.status_code == 429
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    shown = timezone.localtime(clock.now + dt.timedelta(seconds=30)).strftime("%H:%M:%S")
    assert f"vui lòng thử lại sau 30 giây (lúc {shown})" in html
    assert "_auth_user_id" not in client.session
    assert actions() == ["accounts.login.failure"] * 3 + ["accounts.login.throttled"]
    clock.set(clock.now + dt.timedelta(seconds=29))
    assert post_login(client, "congdan", PASSWORD)["Retry-After"] == "1"
    clock.set(clock.now + dt.timedelta(seconds=1))
    assert post_login(client, "congdan", PASSWORD).status_code == 302
    assert account_failures("congdan") == 0
    assert verify_chain().ok


def test_waits_double_up_to_the_cap_and_never_lock(client, clock, settings):
    settings.LOGIN_MAX_DELAY_SECONDS = 300
    make_user()
    waits = []
    for _ in range(3 + 6):
        response = post_login(client, "congdan", "sai")
        assert response.status_code == 403
        until = throttle.blocked(
            services.account_key("congdan"), services.account_rule(), now=clock.now
        )
        waits.append(int((until - clock.now).total_seconds()) if until else 0)
        if until:
            clock.set(until)
    assert waits == [0, 0, 30, 60, 120, 240, 300, 300, 300]
    # The right password still works at the announced time, however long the attack went on.
    assert post_login(client, "congdan", PASSWORD).status_code == 302
    assert actions().count("accounts.login.throttled") == 1


def test_failures_are_forgotten_after_the_window(client, clock):
    make_user()
    post_login(client, "congdan", "sai")
    post_login(client, "congdan", "sai")
    clock.set(clock.now + dt.timedelta(days=1, seconds=1))
    post_login(client, "congdan", "sai")
    assert account_failures("congdan") == 1


def test_success_resets_the_counter(client):
    make_user()
    post_login(client, "congdan", "sai")
    post_login(client, "congdan", "sai")
    assert account_failures("congdan") == 2
    post_login(client, "congdan", PASSWORD)
    assert account_failures("congdan") == 0
    client.logout()
    # Two more failures do not delay: the count started again.
    post_login(client, "congdan", "sai")
    post_login(client, "congdan", "sai")
    assert post_login(client, "congdan", PASSWORD).status_code == 302


def test_anonymous_failures_never_delay_the_owner_on_a_known_browser(clock):
    """The issue: five anonymous wrong passwords locked any leader again and again. Now they
    delay only browsers the account does not know."""
    leader = make_user("lanhdao.a")
    own = Client()
    assert post_login(own, "lanhdao.a", PASSWORD).status_code == 302
    own.post(reverse("accounts:logout"))  # keeps the device cookie, as a browser does
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(10):
        post_login(attacker, "lanhdao.a", "doan-mo")
    assert post_login(attacker, "lanhdao.a", PASSWORD).status_code == 429
    # The owner's browser is counted on its own key: signed in at once.
    response = post_login(own, "lanhdao.a", PASSWORD)
    assert response.status_code == 302
    assert own.session["_auth_user_id"] == str(leader.pk)
    assert (
        AuditEvent.objects.filter(action="accounts.login.success")
        .order_by("seq")
        .last()
        .after["known_browser"]
    )


def test_a_known_browser_has_its_own_count(clock):
    make_user()
    own = Client()
    post_login(own, "congdan", PASSWORD)
    own.post(reverse("accounts:logout"))  # keeps the device cookie, as a browser does
    for _ in range(3):
        assert post_login(own, "congdan", "sai").status_code == 403
    assert post_login(own, "congdan", PASSWORD).status_code == 429
    # … which does not touch the count of unknown browsers.
    assert account_failures("congdan") == 0
    assert post_login(Client(), "congdan", PASSWORD).status_code == 302


def test_the_device_cookie_is_tied_to_the_account_and_its_password(clock):
    user = make_user()
    other = make_user("nguoikhac")
    token = devices.issue(user)
    assert devices.device_id(token, user) is not None
    assert devices.device_id(token, other) is None
    assert devices.device_id(token + "x", user) is None
    user.set_password("mot-mat-khau-moi-rat-dai")
    user.save()
    assert devices.device_id(token, user) is None
    clock.set(clock.now + dt.timedelta(days=181))
    assert devices.device_id(devices.issue(other), other) is not None  # issued now: valid


def test_unknown_names_are_throttled_like_real_ones(client):
    """The answers do not tell which names exist."""
    make_user()
    for name in ("congdan", "khongcoai"):
        for _ in range(3):
            post_login(client, name, "sai")
        response = post_login(client, name, "sai")
        assert response.status_code == 429
        assert "thử lại sau 30 giây" in response.content.decode()
    event = AuditEvent.objects.filter(action="accounts.login.failure").order_by("seq").last()
    assert event.target_type == ""
    assert event.after == {"username": "khongcoai", "ip": "127.0.0.1"}
    # Case variants share one count; the name tried is stored only as a digest.
    assert services.account_key("KhongCoAi") == services.account_key("khongcoai")
    assert not Throttle.objects.filter(key__contains="khongcoai").exists()


def test_password_spraying_from_one_address_is_answered_429():
    """The issue: 25 failures over 25 names from one address, no 429. Default limits."""
    client = Client(REMOTE_ADDR="198.51.100.7")
    statuses = [post_login(client, f"canbo{n:02d}", "Matkhau@2026").status_code for n in range(25)]
    assert statuses[:20] == [403] * 20
    assert statuses[20:] == [429] * 5
    response = post_login(client, "canbo99", "Matkhau@2026")
    assert response.status_code == 429
    assert response["Retry-After"].isdigit()
    assert "từ địa chỉ mạng của bạn" in response.content.decode()
    assert actions().count("accounts.login.ip_throttled") == 1
    # Another address is not affected.
    make_user("a")
    assert post_login(Client(REMOTE_ADDR="10.0.0.9"), "a", PASSWORD).status_code == 302


def test_address_window_passes(client, clock, settings):
    settings.LOGIN_IP_FREE_FAILURES = 4
    settings.LOGIN_FREE_FAILURES = 100
    make_user("a")
    for name in ["a", "b", "x", "a"]:
        post_login(client, name, "sai")
    assert post_login(client, "a", PASSWORD).status_code == 429
    clock.set(clock.now + dt.timedelta(seconds=901))
    assert post_login(client, "a", PASSWORD).status_code == 302


def test_a_known_browser_is_not_held_back_by_its_address(settings):
    settings.LOGIN_IP_FREE_FAILURES = 2
    make_user()
    own = Client(REMOTE_ADDR="192.0.2.1")
    post_login(own, "congdan", PASSWORD)
    own.post(reverse("accounts:logout"))  # keeps the device cookie, as a browser does
    shared = Client(REMOTE_ADDR="192.0.2.1")  # a colleague behind the same office address
    for name in ["x", "y", "z"]:
        post_login(shared, name, "sai")
    assert post_login(shared, "congdan", PASSWORD).status_code == 429
    assert post_login(own, "congdan", PASSWORD).status_code == 302


def test_behind_a_configured_proxy_each_client_has_its_own_count(settings):
    settings.PROXY_ADDRESSES = ["10.0.0.1"]
    settings.LOGIN_IP_FREE_FAILURES = 2
    make_user()
    sprayer = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.50")
    for name in ["x", "y"]:
        post_login(sprayer, name, "sai")
    assert post_login(sprayer, "z", "sai").status_code == 429
    neighbour = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.51")
    assert post_login(neighbour, "congdan", PASSWORD).status_code == 302
    # A client cannot pick its address: what it writes before the proxy's entry is ignored.
    forged = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.50")
    assert post_login(forged, "w", "sai").status_code == 429


def test_no_password_is_checked_while_the_key_waits(client, monkeypatch):
    make_user()
    for _ in range(3):
        post_login(client, "congdan", "sai")
    checked = []
    real = services.authenticate
    monkeypatch.setattr(
        services, "authenticate", lambda *a, **k: checked.append(1) or real(*a, **k)
    )
    for _ in range(5):
        assert post_login(client, "congdan", PASSWORD).status_code == 429
    assert checked == []


def test_inactive_user_cannot_log_in(client):
    make_user(is_active=False)
    response = post_login(client, "congdan", PASSWORD)
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_wait_message_in_english(client):
    make_user()
    for _ in range(3):
        post_login(client, "congdan", "sai")
    client.cookies["django_language"] = "en"
    response = post_login(client, "congdan", PASSWORD)
    assert response.status_code == 429
    assert "please try again in 30 seconds" in response.content.decode()


def test_admin_login_goes_through_the_throttle(client):
    make_user("quantri", staff=True)
    url = reverse("admin:login")
    for _ in range(3):
        client.post(url, {"username": "quantri", "password": "sai"})
    response = client.post(url, {"username": "quantri", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert "thử lại sau" in response.content.decode()
    assert "accounts.login.throttled" in actions()


def test_an_administrator_lifts_the_delays(client):
    user = make_user()
    for _ in range(3):
        post_login(client, "congdan", "sai")
    assert services.delayed_until(user) is not None
    admin_user = make_user("quantri", staff=True, is_superuser=True)
    assert services.account_unlock(actor=admin_user, user=user)
    assert services.delayed_until(user) is None
    assert post_login(client, "congdan", PASSWORD).status_code == 302
    assert not services.account_unlock(actor=admin_user, user=user)
