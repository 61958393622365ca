"""E-mail over SMTP through Django's mail backend (EMAIL_* settings)."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from congso.notify.channels import Provider, SendError, providers
from congso.notify.models import Message


@providers.register
class SmtpProvider(Provider):
    id = "smtp"
    label = "SMTP"
    channel = "email"

    def send(self, message: Message) -> str:
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
            # The same Message-ID on every attempt: a resend after a crash is recognisably
            # the same mail to the receiving server and the reader's client.
            headers={
                "Message-ID": f"<{message.key}@{settings.NOTIFY_EMAIL_DOMAIN}>",
                "X-Congso-Key": str(message.key),
            },
        )
        if message.body_html:
            email.attach_alternative(message.body_html, "text/html")
        try:
            with get_connection() as connection:
                sent = connection.send_messages([email])
        except smtplib.SMTPRecipientsRefused as exc:
            raise SendError(f"Máy chủ thư từ chối người nhận: {exc}", permanent=True) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise SendError(f"Máy chủ thư lỗi: {exc}") from exc
        if sent != 1:
            raise SendError("Máy chủ thư không nhận thư.")
        return "250 accepted"
