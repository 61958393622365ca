"""Every page: Vietnamese by default, English after switching, and the same accessible shell."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.accounts.helpers import make_device, make_user

pytestmark = pytest.mark.django_db

HOME = reverse("core:home")


def assert_shell(html: str, lang: str) -> None:
    assert re.search(rf'<html lang="{lang}">', html)
    assert re.search(r'<main id="main"', html)
    assert 'class="skip-link" href="#main"' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "/static/congso/site.css" in html
    # Nothing is loaded from another site (no CDN).
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert not url.startswith(("http://", "https://", "//")), url


def test_home_in_vietnamese(client):
    response = client.get(HOME)
    assert response.status_code == 200
    html = response.content.decode()
    assert_shell(html, "vi")
    assert "Cổng dịch vụ công trực tuyến và Hệ thống một cửa điện tử của tỉnh" in html
    assert f'href="{reverse("accounts:login")}' in html
    # A search box, sending its words to the procedure search.
    assert f'action="{reverse("portal:search")}" role="search"' in html
    assert 'type="search" name="q" id="home-q"' in html
    assert f'href="{reverse("portal:search")}?q=%C4%90%C4%83ng%20k%C3%BD%20khai%20sinh"' in html
    # No developer or administration links for citizens; officers find their workspace below.
    for link in [
        reverse("admin:index"),
        reverse("core:healthz"),
        "/api/v1/docs",
        "/api/v1/openapi.json",
        "/api/v1/calendar/",
    ]:
        assert f'href="{link}' not in html, link
    assert f'href="{reverse("backoffice:index")}"' in html
    assert 'action="/i18n/setlang/"' in html
    # Each language is named in itself (Django's autonyms; Vietnamese comes decomposed, NFD).
    nfc = unicodedata.normalize("NFC", html)
    assert ">Tiếng Việt</button>" in nfc and ">English</button>" in nfc


def test_switch_to_english_and_back(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": HOME})
    assert response.status_code == 302 and response.url == HOME
    html = client.get(HOME).content.decode()
    assert_shell(html, "en")
    assert "The province's online public-service portal and electronic one-stop shop" in html
    assert "Skip to main content" in html
    assert "Sign in" in html
    login_html = client.get(reverse("accounts:login")).content.decode()
    assert_shell(login_html, "en")
    assert ">Username<" in login_html or "Username" in login_html
    client.post(reverse("set_language"), {"language": "vi", "next": HOME})
    assert "Đăng nhập" in client.get(HOME).content.decode()


def test_home_for_a_logged_in_user(client):
    user = make_user(full_name="Lê Văn C")
    client.force_login(user)
    html = client.get(HOME).content.decode()
    assert "Lê Văn C" in html
    # The logout also ends a national (VNeID) session: identity:logout (docs/identity.md).
    assert f'action="{reverse("identity:logout")}"' in html
    assert f'href="{reverse("admin:index")}"' not in html


def test_staff_find_the_administration_and_api_in_the_footer(client):
    from django.contrib.auth.models import Permission

    staff = make_user("quantri", staff=True)
    client.force_login(staff)
    html = client.get(HOME).content.decode()
    footer = html[html.index('<footer class="site-footer">') :]
    # Staff with no permission: the administration would answer "no permission"; not offered.
    assert f'href="{reverse("admin:index")}"' not in footer
    assert 'href="/api/v1/docs"' in footer
    staff.user_permissions.add(Permission.objects.get(codename="view_agency"))
    client.force_login(type(staff).objects.get(pk=staff.pk))
    html = client.get(HOME).content.decode()
    footer = html[html.index('<footer class="site-footer">') :]
    assert f'href="{reverse("admin:index")}"' in footer


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_page_has_lang_and_main(client, lang):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    pages = [HOME, reverse("accounts:login"), "/khong-co-trang-nay/"]
    for url in pages:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert_shell(response.content.decode(), lang)
    officer = make_user("canbo", staff=True)
    client.force_login(officer)
    response = client.get(reverse("accounts:second_factor_enroll"))
    assert response.status_code == 200
    assert_shell(response.content.decode(), lang)
    make_device(officer)
    response = client.get(reverse("accounts:second_factor"))
    assert response.status_code == 200
    assert_shell(response.content.decode(), lang)


def test_not_found_page_is_translated(client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_error_pages_render_without_a_request():
    from django.template.loader import render_to_string

    for name in ["500.html", "403.html", "403_csrf.html", "404.html"]:
        html = render_to_string(name)
        assert "<main" in html and '<html lang="' in html


def test_stylesheet_is_served_by_the_project():
    path = finders.find("congso/site.css")
    assert path is not None
    css = Path(path).read_text(encoding="utf-8")
    assert ":focus-visible" in css
    assert "@import" not in css and "url(http" not in css
    assert finders.find("congso/favicon.svg") is not None


def test_english_catalogue_is_complete():
    po = Path(settings.BASE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po")
    text = po.read_text(encoding="utf-8")
    entries = [e for e in text.split("\n\n")[1:] if e.strip()]
    assert len(entries) > 50
    for entry in entries:
        assert entry.rstrip().splitlines()[-1] != 'msgstr ""', f"untranslated: {entry}"
    assert "#, fuzzy" not in text
