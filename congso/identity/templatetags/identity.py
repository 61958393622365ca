"""``{% national_sign_in next %}``: the "Đăng nhập bằng VNeID" buttons of the configured
providers (nothing when none is configured)."""

from __future__ import annotations

from typing import Any

from django import template

from congso.identity import oidc

register = template.Library()


@register.inclusion_tag("identity/_sign_in_buttons.html")
def national_sign_in(next_url: str = "") -> dict[str, Any]:
    return {"providers": list(oidc.providers().values()), "next": next_url}
