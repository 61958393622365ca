"""Passwords (issue 13 item 5): 12+ characters and no common words; change while signed in;
reset by e-mail link or SMS code through the notify outbox, without telling which accounts
exist; and the API tokens page under the account."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from congso.accounts import recovery, tokens
from congso.accounts.models import PasswordResetCode
from congso.api.models import ApiToken
from congso.audit.models import AuditEvent
from congso.notify.models import Message
from tests.accounts.helpers import PASSWORD, current_code, login_verified, make_device, make_user

pytestmark = pytest.mark.django_db
NEW = "trăng rằm tháng tám ở quê"


@pytest.mark.parametrize(
    "weak",
    [
        "ngan-11-kyt",  # 11 characters
        "Anhyeuem@2026",
        "matkhau123456",
        "P@ssw0rd2026!",
        "nguyenvananh1990",
        "Quảng Ngãi 2026!",
        "qwertyuiop12",
        "123456789012",
        "abababababab",
        "congso2026!!",
    ],
)
def test_weak_passwords_are_refused(weak):
    with pytest.raises(ValidationError):
        validate_password(weak, make_user("nguoidung"))


@pytest.mark.parametrize("good", [NEW, "correct horse battery staple", "xe đạp màu xanh lá"])
def test_long_uncommon_passphrases_pass(good):
    validate_password(good, make_user("nguoidung"))


def test_the_messages_are_vietnamese():
    with translation.override("vi"):
        with pytest.raises(ValidationError) as refused:
            validate_password("Anhyeuem@2026")
        assert "từ hoặc tên phổ biến" in " ".join(refused.value.messages)
        with pytest.raises(ValidationError) as refused:
            validate_password("ngan-qua")
        assert "cần ít nhất 12 ký tự" in " ".join(refused.value.messages)


# --- change -----------------------------------------------------------------------------------


def test_changing_the_password(client):
    user = make_user()
    url = reverse("accounts:password_change")
    assert client.get(url).url.startswith(reverse("accounts:login"))
    client.force_login(user)
    response = client.post(url, {"old_password": "sai", "new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 200
    response = client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password1": "matkhau123456",
            "new_password2": "matkhau123456",
        },
    )
    assert "từ hoặc tên phổ biến" in response.content.decode()
    response = client.post(
        url, {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert client.get(reverse("core:home")).wsgi_request.user.is_authenticated
    assert AuditEvent.objects.filter(action="accounts.password.change").count() == 1


def test_officers_change_their_password_only_after_the_second_factor(client):
    officer = make_user("canbo", staff=True)
    client.force_login(officer)
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:second_factor_enroll"))


# --- reset by e-mail ----------------------------------------------------------------------------


def test_reset_by_email(client, settings):
    user = make_user(email="dan@example.vn")
    row, _ = tokens.token_create(actor=None, user=user, name="t", scopes=["read"])
    response = client.post(reverse("accounts:password_reset"), {"contact": "DAN@example.vn"})
    assert response.url == reverse("accounts:password_reset_done")
    message = Message.objects.get(kind="password_reset")
    assert message.channel == "email" and message.recipient == "dan@example.vn"
    assert message.dossier is None and message.urgent
    assert "Đặt lại mật khẩu" in message.subject
    link = re.search(r"http://testserver(/tai-khoan/dat-lai-mat-khau/\S+)", message.body).group(1)
    assert link in message.body_html
    page = client.get(link, follow=True)
    assert page.status_code == 200 and "Đặt mật khẩu mới" in page.content.decode()
    set_url = page.redirect_chain[-1][0]
    weak = client.post(set_url, {"new_password1": "anhyeuem2026", "new_password2": "anhyeuem2026"})
    assert weak.status_code == 200
    done = client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert done.url == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW)
    # The link works once; every API token of the account is revoked.
    assert "không hợp lệ" in Client().get(link, follow=True).content.decode()
    assert ApiToken.objects.get(pk=row.pk).revoked_at is not None
    audited = AuditEvent.objects.order_by("seq").values_list("action", flat=True)
    assert [e for e in audited if "password" in e] == [
        "accounts.password.reset_requested",
        "accounts.password.reset",
    ]


def test_reset_answers_the_same_for_unknown_addresses(client):
    make_user(email="dan@example.vn")
    known = client.post(reverse("accounts:password_reset"), {"contact": "dan@example.vn"})
    unknown = client.post(reverse("accounts:password_reset"), {"contact": "ai@example.vn"})
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url
    assert Message.objects.filter(kind="password_reset").count() == 1


def test_reset_requests_are_throttled(client):
    make_user(email="dan@example.vn")
    for _ in range(3):
        client.post(reverse("accounts:password_reset"), {"contact": "dan@example.vn"})
    response = client.post(reverse("accounts:password_reset"), {"contact": "dan@example.vn"})
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert "thử lại sau 1 phút" in response.content.decode()
    assert Message.objects.filter(kind="password_reset").count() == 3


# --- reset by SMS -------------------------------------------------------------------------------


def _sms_code() -> str:
    body = Message.objects.filter(kind="password_reset", channel="sms").latest("pk").body
    return re.search(r"\b(\d{6})\b", body).group(1)


def test_reset_by_sms(client):
    user = make_user(phone="+84 912 345 678")
    response = client.post(reverse("accounts:password_reset"), {"contact": "0912.345.678"})
    assert response.url == reverse("accounts:password_reset_sms")
    message = Message.objects.get(kind="password_reset")
    assert message.channel == "sms" and message.recipient == "0912345678"
    assert "congdan" in message.body and message.segments == 1
    code = _sms_code()
    # Only an HMAC of the code is stored.
    assert code not in PasswordResetCode.objects.get().code_hash
    page = client.get(reverse("accounts:password_reset_sms"))
    assert 'value="0912345678"' in page.content.decode()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    response = client.post(
        reverse("accounts:password_reset_sms"), {"phone": "0912345678", "code": wrong}
    )
    assert response.status_code == 403
    assert "Mã không đúng" in response.content.decode()
    response = client.post(
        reverse("accounts:password_reset_sms"), {"phone": "0912345678", "code": code}
    )
    assert response.status_code == 302
    page = client.get(response.url, follow=True)
    set_url = page.redirect_chain[-1][0]
    assert client.post(set_url, {"new_password1": NEW, "new_password2": NEW}).status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW)
    # Used once.
    response = client.post(
        reverse("accounts:password_reset_sms"), {"phone": "0912345678", "code": code}
    )
    assert response.status_code == 403


def test_an_sms_code_allows_five_tries(client, settings):
    settings.LOGIN_DELAY_SECONDS = 0
    make_user(phone="0912345678")
    client.post(reverse("accounts:password_reset"), {"contact": "0912345678"})
    code = _sms_code()
    wrong = f"{(int(code) + 7) % 1_000_000:06d}"
    for _ in range(recovery.CODE_TRIES):
        response = client.post(
            reverse("accounts:password_reset_sms"), {"phone": "0912345678", "code": wrong}
        )
        assert response.status_code in (403, 429)
    response = client.post(
        reverse("accounts:password_reset_sms"), {"phone": "0912345678", "code": code}
    )
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session


def test_sms_reset_does_not_tell_which_numbers_exist(client):
    make_user(phone="0912345678")
    known = client.post(reverse("accounts:password_reset"), {"contact": "0912345678"})
    unknown = client.post(reverse("accounts:password_reset"), {"contact": "0987654321"})
    assert known.url == unknown.url == reverse("accounts:password_reset_sms")
    assert Message.objects.filter(kind="password_reset").count() == 1
    bad = client.post(reverse("accounts:password_reset"), {"contact": "12345"})
    assert bad.status_code == 200
    assert "không đúng định dạng" in bad.content.decode()


# --- the tokens page ----------------------------------------------------------------------------


def test_a_citizen_creates_lists_and_revokes_a_token(client):
    user = make_user()
    client.force_login(user)
    url = reverse("accounts:tokens")
    response = client.post(url, {"name": "Phần mềm kế toán", "scopes": ["read"], "days": "7"})
    assert response.status_code == 200
    html = response.content.decode()
    secret = re.search(r'<code class="secret">(cs_[^<]+)</code>', html).group(1)
    row = ApiToken.objects.get(key_hash=tokens.hash_token(secret))
    assert row.scopes == ["read"] and row.user == user
    listing = client.get(url).content.decode()
    assert secret not in listing and row.prefix in listing
    response = client.post(reverse("accounts:token_revoke", args=[row.pk]))
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is not None
    other = make_user("nguoikhac")
    theirs, _ = tokens.token_create(actor=None, user=other, name="x", scopes=["read"])
    assert client.post(reverse("accounts:token_revoke", args=[theirs.pk])).status_code == 404


def test_an_officer_needs_a_fresh_code_for_a_token(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    officer = make_user("canbo", staff=True)
    device = make_device(officer)
    url = reverse("accounts:tokens")
    client.force_login(officer)
    assert client.get(url).status_code == 302  # the second factor first
    login_verified(client, officer, device)
    form = {"name": "Ký số", "scopes": ["read", "sign"], "days": "30"}
    response = client.post(url, form)
    assert response.status_code == 403
    assert not ApiToken.objects.exists()
    response = client.post(url, {**form, "code": current_code(device)})
    assert response.status_code == 200
    row = ApiToken.objects.get()
    assert row.second_factor_at is not None and row.scopes == ["read", "sign"]
    assert (row.expires_at - row.created_at).total_seconds() <= 12 * 3600
