"""The built-in channels, registered in this order (the order of the preferences page, the
figures and the messages of one event):

* **SMS** — the applicant's mobile number, text without diacritics (unless
  ``CONGSO_NOTIFY_SMS_UNICODE``) counted in segments, quiet hours and the per-number limit,
  delivery reports from the operator; sent by the provider ``CONGSO_NOTIFY_SMS_PROVIDER`` names
  (Kannel: ``congso/contrib/kannel``).
* **E-mail** — a subject with the dossier code, a text and an HTML part; SMTP answers 250 or
  refuses, there is no delivery report; sent by the provider ``CONGSO_NOTIFY_EMAIL_PROVIDER``
  names (SMTP: ``congso/contrib/smtp``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from congso.notify import defaults
from congso.notify.channels.base import Channel, channels
from congso.notify.phone import normalise_phone
from congso.notify.text import render, segments, sms_text


@channels.register
class SmsChannel(Channel):
    id = "sms"
    label = "SMS"
    contact = "phone"
    provider_setting = "NOTIFY_SMS_PROVIDER"
    preference_label = _("Nhận thông báo qua SMS")
    delivery_reports = True
    quiet_hours = True
    per_number_limit = True

    def address(self, raw: str) -> str:
        return normalise_phone(raw)

    def default_template(self, event: str) -> tuple[str, str] | None:
        body = defaults.SMS.get(event)
        return ("", body) if body is not None else None

    def render(self, template: Any, context: dict[str, Any]) -> dict[str, Any]:
        text = sms_text(render(template.body, context), unicode=settings.NOTIFY_SMS_UNICODE)
        return {
            "subject": "",
            "body": text,
            "body_html": "",
            "segments": segments(text)[2],
            "payload": {},
        }

    def preview_html(self, rendered: dict[str, Any]) -> SafeString:
        encoding, units, count = segments(rendered["body"])
        return format_html(
            "<pre>{}</pre><p>{} ký tự, mã {}, <strong>{} tin SMS</strong></p>",
            rendered["body"],
            units,
            encoding,
            count,
        )

    def receipt_timeout(self) -> timedelta | None:
        return timedelta(hours=settings.NOTIFY_DLR_TIMEOUT_HOURS)


@channels.register
class EmailChannel(Channel):
    id = "email"
    label = "Thư điện tử"
    contact = "email"
    provider_setting = "NOTIFY_EMAIL_PROVIDER"
    preference_label = _("Nhận thông báo qua thư điện tử")
    template_fields = ("subject", "body", "body_html")

    def default_template(self, event: str) -> tuple[str, str] | None:
        return defaults.EMAIL.get(event)

    def render(self, template: Any, context: dict[str, Any]) -> dict[str, Any]:
        text = render(template.body, context)
        html = render(template.body_html or defaults.HTML, {**context, "text": text}, html=True)
        subject = " ".join(render(template.subject, context).split())
        return {"subject": subject, "body": text, "body_html": html, "segments": 0, "payload": {}}
