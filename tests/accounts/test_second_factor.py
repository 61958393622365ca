from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from congso.accounts import services, throttle
from congso.audit.models import AuditEvent
from congso.audit.services import record
from congso.org.models import Agency, RoleAssignment
from tests.accounts.helpers import (
    PASSWORD,
    current_code,
    login_verified,
    make_device,
    make_user,
    wrong_code,
)

pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:second_factor")
ENROLL = reverse("accounts:second_factor_enroll")
ADMIN = reverse("admin:index")


def password_login(client, username="canbo"):
    return client.post(LOGIN, {"username": username, "password": PASSWORD})


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))


def test_officer_without_device_is_sent_to_enrolment_before_the_admin(client):
    make_user("canbo", staff=True)
    response = password_login(client)
    assert response.status_code == 302
    assert response.url.startswith(ENROLL)
    # Logged in with a password only: the admin sends them back to the second factor.
    response = client.get(ADMIN)
    assert response.status_code == 302
    assert response.url == f"{ENROLL}?next={quote(ADMIN, safe='')}"


def test_enrolment_shows_a_qr_code_and_the_secret(client):
    officer = make_user("canbo", staff=True)
    password_login(client)
    response = client.get(ENROLL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html and 'class="qr"' in html
    device = TOTPDevice.objects.get(user=officer)
    assert not device.confirmed
    assert services.device_secret(device) in html
    assert "http://" not in html.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org", ""
    )
    # The same pending device is shown again on reload.
    client.get(ENROLL)
    assert TOTPDevice.objects.filter(user=officer).count() == 1


def test_enrolment_with_a_correct_code_opens_the_admin(client):
    officer = make_user("canbo", staff=True, is_superuser=True)
    password_login(client)
    client.get(ENROLL)
    device = TOTPDevice.objects.get(user=officer)
    response = client.post(ENROLL, {"code": current_code(device), "next": ADMIN})
    assert response.status_code == 302
    assert response.url == ADMIN
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(ADMIN).status_code == 200
    assert actions() == ["accounts.login.success", "accounts.otp.enroll"]


def test_enrolment_with_a_wrong_code_is_refused(client):
    officer = make_user("canbo", staff=True)
    password_login(client)
    client.get(ENROLL)
    device = TOTPDevice.objects.get(user=officer)
    response = client.post(ENROLL, {"code": wrong_code(device)})
    assert response.status_code == 403
    assert "Mã xác thực không đúng" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(ADMIN).status_code == 302


def test_officer_with_device_enters_a_code(client):
    officer = make_user("canbo", staff=True, is_superuser=True)
    device = make_device(officer)
    response = password_login(client)
    assert response.url.startswith(VERIFY)
    assert client.get(ADMIN).url == f"{VERIFY}?next={quote(ADMIN, safe='')}"
    response = client.post(VERIFY, {"code": current_code(device), "next": ADMIN})
    assert response.status_code == 302 and response.url == ADMIN
    assert client.get(ADMIN).status_code == 200
    assert actions() == ["accounts.login.success", "accounts.otp.success"]


def test_code_with_a_space_is_accepted(client):
    officer = make_user("canbo", staff=True)
    device = make_device(officer)
    password_login(client)
    code = current_code(device)
    response = client.post(VERIFY, {"code": f"{code[:3]} {code[3:]}"})
    assert response.status_code == 302


def test_malformed_code_is_a_form_error_not_a_failure(client):
    officer = make_user("canbo", staff=True)
    make_device(officer)
    password_login(client)
    response = client.post(VERIFY, {"code": "12ab"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "đúng 6 chữ số" in html
    # The error is announced with the input: aria-describedby points at it.
    assert 'aria-describedby="id_code_error"' in html and 'id="id_code_error"' in html
    assert 'aria-invalid="true"' in html
    assert throttle.failures(services.code_key(officer)) == 0


def test_wrong_code_is_refused_and_counted(client):
    officer = make_user("canbo", staff=True)
    device = make_device(officer)
    password_login(client)
    response = client.post(VERIFY, {"code": wrong_code(device)})
    assert response.status_code == 403
    assert "Mã xác thực không đúng" in response.content.decode()
    assert throttle.failures(services.code_key(officer)) == 1
    assert client.get(ADMIN).status_code == 302
    assert actions()[-1] == "accounts.otp.failure"


def test_replayed_code_is_refused(client):
    officer = make_user("canbo", staff=True)
    device = make_device(officer)
    password_login(client)
    code = current_code(device)
    assert client.post(VERIFY, {"code": code}).status_code == 302
    client.post(reverse("accounts:logout"))
    password_login(client)
    assert client.post(VERIFY, {"code": code}).status_code == 403


def test_wrong_codes_make_the_next_code_wait(client, clock):
    officer = make_user("canbo", staff=True)
    device = make_device(officer)
    password_login(client)
    client.post(VERIFY, {"code": wrong_code(device)})
    client.post(VERIFY, {"code": wrong_code(device)})
    response = client.post(VERIFY, {"code": wrong_code(device)})
    assert "thử lại sau 30 giây" in response.content.decode()
    assert "accounts.otp.throttled" in actions()
    # Even the right code waits; the half-finished sign-in stays (nothing to start again).
    response = client.post(VERIFY, {"code": current_code(device)})
    assert response.status_code == 429 and response["Retry-After"] == "30"
    assert client.get(ADMIN).status_code == 302
    clock.set(clock.now + dt.timedelta(seconds=30))
    assert client.post(VERIFY, {"code": current_code(device), "next": ADMIN}).url == ADMIN
    assert throttle.failures(services.code_key(officer)) == 0


def test_wrong_codes_do_not_delay_the_password(client):
    """Codes have their own count: guessing codes (which needs the password) cannot hold
    the officer's password sign-in back, and wrong passwords do not eat the code attempts."""
    officer = make_user("canbo", staff=True)
    device = make_device(officer)
    password_login(client)
    for _ in range(3):
        client.post(VERIFY, {"code": wrong_code(device)})
    client.post(reverse("accounts:logout"))
    assert password_login(client).url.startswith(VERIFY)
    assert throttle.failures(services.account_key("canbo")) == 0
    assert throttle.failures(services.code_key(officer)) == 3


def test_django_otp_throttle_asks_to_wait(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    officer = make_user("canbo", staff=True)
    device = make_device(officer)
    password_login(client)
    client.post(VERIFY, {"code": wrong_code(device)})
    response = client.post(VERIFY, {"code": current_code(device)})
    assert response.status_code == 429
    assert "chờ vài giây" in response.content.decode()
    # The throttled attempt is not counted.
    assert throttle.failures(services.code_key(officer)) == 1


def test_enrolled_officer_cannot_enrol_another_device(client):
    officer = make_user("canbo", staff=True)
    make_device(officer)
    password_login(client)
    response = client.get(ENROLL)
    assert response.status_code == 302 and response.url.startswith(VERIFY)
    with pytest.raises(services.LoginRefused):
        services.second_factor_enrollment_device(user=officer)


def test_citizen_is_never_asked_for_a_code(client):
    make_user("congdan")
    response = password_login(client, "congdan")
    assert response.url == reverse("core:home")
    assert client.get(VERIFY).url == reverse("core:home")
    assert client.get(ENROLL).url == reverse("core:home")
    # Not staff: the admin shows its own login page, not the second factor.
    response = client.get(ADMIN)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_officer_by_role_is_asked_for_a_code(client):
    officer = make_user("motcua")
    agency = Agency.objects.create(name="Sở Tư pháp", code="000.00.12.H56", level="province")
    RoleAssignment.objects.create(user=officer, role="reception", agency=agency)
    response = password_login(client, "motcua")
    assert response.url.startswith(ENROLL)
    assert client.get("/can-bo/ho-so/").url.startswith(ENROLL)


def test_requirement_can_be_turned_off(client, settings):
    settings.OFFICER_2FA_REQUIRED = False
    make_user("canbo", staff=True, is_superuser=True)
    response = password_login(client)
    assert response.url == reverse("core:home")
    assert client.get(ADMIN).status_code == 200


def test_admin_logout_is_not_blocked(client):
    make_user("canbo", staff=True)
    password_login(client)
    response = client.post(reverse("admin:logout"))
    assert response.status_code == 302
    assert response.url == reverse("core:home")
    assert "_auth_user_id" not in client.session


def test_verified_admin_can_unlock_and_reset(client):
    admin_user = make_user("quantri", staff=True, is_superuser=True)
    login_verified(client, admin_user, make_device(admin_user))
    locked = make_user("biKhoa")
    for _ in range(3):
        Client().post(LOGIN, {"username": "biKhoa", "password": "sai"})
    changelist = reverse("admin:accounts_user_changelist")
    page = client.get(changelist, {"cho": "co"})
    assert page.status_code == 200
    assert "biKhoa" in page.content.decode()
    response = client.post(
        changelist, {"action": "unlock_accounts", "_selected_action": [locked.pk]}
    )
    assert response.status_code == 302
    assert services.delayed_until(locked) is None
    event = AuditEvent.objects.get(action="accounts.user.unlock")
    assert event.actor == admin_user and event.target_id == str(locked.pk)

    officer = make_user("canbo", staff=True)
    make_device(officer)
    client.post(changelist, {"action": "reset_second_factor", "_selected_action": [officer.pk]})
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert AuditEvent.objects.filter(action="accounts.otp.reset").count() == 1


def test_admin_user_changes_are_audited(client):
    admin_user = make_user("quantri", staff=True, is_superuser=True)
    login_verified(client, admin_user, make_device(admin_user))
    target = make_user("nguoidung")
    url = reverse("admin:accounts_user_change", args=[target.pk])
    response = client.post(
        url,
        {
            "username": "nguoidung",
            "full_name": "Trần Thị B",
            "email": "",
            "phone": "0900000000",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="accounts.user.update")
    assert event.before["full_name"] == ""
    assert event.after["full_name"] == "Trần Thị B"
    assert "password" not in event.after
    response = client.post(reverse("admin:accounts_user_delete", args=[target.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="accounts.user.delete").count() == 1


def test_audit_log_admin_is_read_only(client):
    admin_user = make_user("quantri", staff=True, is_superuser=True)
    login_verified(client, admin_user, make_device(admin_user))
    event = record(actor=admin_user, action="test.thing.create", after={"ten": "Sở Y tế"})
    changelist = reverse("admin:audit_auditevent_changelist")
    page = client.get(changelist, {"q": "test.thing"})
    assert page.status_code == 200
    assert "test.thing.create" in page.content.decode()
    detail = client.get(reverse("admin:audit_auditevent_change", args=[event.seq]))
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    delete = reverse("admin:audit_auditevent_delete", args=[event.seq])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(seq=event.seq).exists()
