"""The Zalo channel and its ZNS provider.

The channel goes to the applicant's mobile number, like SMS, but as an approved Zalo template:
a notice kind's template (``notify.Template`` with ``channel="zalo"``) carries the Zalo
``template_id`` (``external_id``) and its parameters (``params``: parameter name → Django
template text), entered in the admin. A citizen who receives both Zalo and SMS gets Zalo alone;
SMS follows only when the Zalo message fails for good (no Zalo account, refused, given up after
retries, no receipt in time) or when the notice kind has no Zalo template.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.urls import path
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from congso.contrib.zalo import client, services, tokens
from congso.core.errors import DomainError
from congso.notify import defaults
from congso.notify.channels import Channel, Provider, SendError, channels, providers
from congso.notify.models import Message
from congso.notify.phone import normalise_phone, to_e164
from congso.notify.text import render

_TEMPLATE_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_PARAM_RE = re.compile(r"^[A-Za-z0-9_]{1,50}$")


@channels.register
class ZaloChannel(Channel):
    id = "zalo"
    label = gettext_noop("Zalo (tin ZNS)")
    contact = "phone"
    provider_setting = "NOTIFY_ZALO_PROVIDER"
    preference_label = _("Nhận thông báo qua Zalo")
    preference_help = _(
        "Thông báo đến tài khoản Zalo của số điện thoại của bạn, thay cho SMS; nếu không gửi "
        "được qua Zalo, thông báo được gửi bằng SMS (khi bạn chọn nhận SMS)."
    )
    assured = False
    fallback = "sms"
    delivery_reports = True
    quiet_hours = True
    template_fields = ("body", "external_id", "params")

    def is_enabled(self) -> bool:
        configured = settings.ZALO_APP_ID and (
            settings.ZALO_ACCESS_TOKEN or settings.ZALO_REFRESH_TOKEN
        )
        return bool(configured) and super().is_enabled()

    def wanted_by_default(self) -> bool:
        return bool(settings.ZALO_DEFAULT_ON)

    def address(self, raw: str) -> str:
        return normalise_phone(raw)

    def check_template(
        self, *, subject: str, body: str, body_html: str, external_id: str, params: Any
    ) -> None:
        if not _TEMPLATE_ID_RE.match(external_id or ""):
            raise DomainError(
                "zalo_template_id",
                "Nhập mã mẫu ZNS (template_id) đã được Zalo duyệt.",
                field="external_id",
            )
        if not isinstance(params, dict) or not params:
            raise DomainError(
                "zalo_template_params",
                'Nhập các tham số của mẫu ZNS: {"tên tham số": "{{ code }}", …}.',
                field="params",
            )
        for name, source in params.items():
            if not _PARAM_RE.match(str(name)) or not isinstance(source, str):
                raise DomainError(
                    "zalo_template_params",
                    f"Tham số «{name}»: tên gồm chữ, số, dấu gạch dưới; giá trị là chuỗi.",
                    field="params",
                )
            render(source, defaults.SAMPLE)

    def render(self, template: Any, context: dict[str, Any]) -> dict[str, Any]:
        data = {
            str(name): " ".join(render(str(source), context).split())
            for name, source in (template.params or {}).items()
        }
        return {
            "subject": "",
            "body": render(template.body, context),
            "body_html": "",
            "segments": 0,
            "payload": {"template_id": template.external_id, "template_data": data},
        }

    def preview_html(self, rendered: dict[str, Any]) -> SafeString:
        payload = rendered.get("payload") or {}
        rows = format_html_join(
            "", "<tr><th>{}</th><td>{}</td></tr>", (payload.get("template_data") or {}).items()
        )
        return format_html(
            "<p>Mẫu ZNS <strong>{}</strong></p><table>{}</table><pre>{}</pre>",
            payload.get("template_id", ""),
            rows,
            rendered["body"],
        )

    def receipt_timeout(self) -> timedelta | None:
        minutes = settings.ZALO_RECEIPT_TIMEOUT_MINUTES
        if minutes > 0:
            return timedelta(minutes=minutes)
        return timedelta(hours=settings.NOTIFY_DLR_TIMEOUT_HOURS)


@providers.register
class ZnsProvider(Provider):
    """``POST /message/template`` with the OA's access token (refreshed once on -124)."""

    id = "zalo_zns"
    label = "Zalo ZNS API"
    channel = "zalo"
    url_prefix = "zalo"

    def urlpatterns(self) -> list[Any]:
        from congso.contrib.zalo import views

        return [path("webhook/", views.webhook, name="zalo-webhook")]

    def send(self, message: Message) -> str:
        payload = message.payload or {}
        template_id = str(payload.get("template_id") or "")
        data = payload.get("template_data") or {}
        if not template_id:
            raise SendError("Tin Zalo không có mã mẫu ZNS.", permanent=True)
        try:
            token = tokens.access_token()
            answer = self._post(message, token, template_id, data)
            if answer.error == client.TOKEN_INVALID:
                token = tokens.refresh(stale=token)
                answer = self._post(message, token, template_id, data)
        except client.RefreshFailed as exc:
            # Every Zalo message fails until the app is authorised again: this one goes by SMS.
            raise SendError(str(exc), permanent=True) from exc
        except client.ZaloUnavailable as exc:
            raise SendError(str(exc)) from exc
        except client.ZaloRefused as exc:
            raise SendError(str(exc), permanent=True) from exc
        if answer.error == 0:
            msg_id = str(answer.data.get("msg_id") or "")
            if msg_id:
                services.send_record(message=message, msg_id=msg_id)
            return f"Zalo msg_id {msg_id}"[:255]
        reason = client.REASONS.get(answer.error) or answer.message
        transient = answer.error in client.TRANSIENT_ERRORS or answer.error == client.TOKEN_INVALID
        raise SendError(f"Zalo {answer.error}: {reason}", permanent=not transient)

    @staticmethod
    def _post(message: Message, token: str, template_id: str, data: dict[str, str]) -> Any:
        return client.send_template(
            access_token=token,
            phone=to_e164(message.recipient)[1:],
            template_id=template_id,
            data=data,
            tracking_id=services.tracking_id(message),
        )
