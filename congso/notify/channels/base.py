"""Channels and providers: the notify app's two registries.

A **channel** is a kind of notice (SMS, e-mail, Zalo…): which contact of the applicant it goes
to, how its template is shaped and rendered, whether quiet hours and the per-number limit apply,
whether the gateway reports delivery, and which channel takes over when it fails for good
(``fallback``). A **provider** is a gateway that sends the messages of one channel (Kannel for
SMS, SMTP for e-mail, Zalo's ZNS API for Zalo); each channel names, in a setting, the provider
it uses. The set of channels is open: ``Message.channel`` and ``Template.channel`` store the id
with no closed list in the database.

Add a channel or a provider in the ``plugin`` module of an app (``congso/contrib/<vendor>/``, or
a province's app named in ``CONGSO_PLUGINS``) with ``@channels.register`` /
``@providers.register``; the lifecycle in ``services.py`` is not touched.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString

from congso.core.errors import DomainError
from congso.core.registry import Plugin, Registry
from congso.notify.text import render

if TYPE_CHECKING:
    from congso.notify.models import Message, Template


class SendError(Exception):
    """The provider did not accept the message; ``permanent`` ones are not retried."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Channel(Plugin):
    """A kind of notice. The defaults fit a plain text channel with no delivery reports."""

    #: Which contact of the applicant the channel uses: ``"phone"`` or ``"email"``.
    contact: ClassVar[str]
    #: The Django setting that holds the id of the provider sending this channel.
    provider_setting: ClassVar[str]
    #: The citizen's choice on the preferences page (translated in the channel's app).
    preference_label: ClassVar[Any]
    preference_help: ClassVar[Any] = ""
    #: Counts towards "at least one channel on": a channel that reaches every citizen with the
    #: contact (SMS, e-mail). A channel that depends on an account the citizen may not have
    #: (Zalo) does not.
    assured: ClassVar[bool] = True
    #: The channel that takes over when a message of this one fails for good (no account,
    #: refused, given up, no receipt in time); it is created then, not before.
    fallback: ClassVar[str] = ""
    #: The gateway reports delivery (``sent`` is not final; see :meth:`receipt_timeout`).
    delivery_reports: ClassVar[bool] = False
    #: Non-urgent messages wait for the end of ``CONGSO_NOTIFY_QUIET_HOURS``.
    quiet_hours: ClassVar[bool] = False
    #: Subject to ``CONGSO_NOTIFY_SMS_PER_NUMBER_PER_HOUR``.
    per_number_limit: ClassVar[bool] = False
    #: The template fields an officer fills for this channel (the admin shows these).
    template_fields: ClassVar[tuple[str, ...]] = ("body",)

    def wanted_by_default(self) -> bool:
        """Used for a citizen who has not chosen (no preference saved for this channel)."""
        return True

    def address(self, raw: str) -> str:
        """The recipient as stored and sent; ``DomainError`` when it cannot be used (the
        message is then recorded as failed with the reason)."""
        return raw

    def default_template(self, event: str) -> tuple[str, str] | None:
        """Version 1 of the template for ``event``: ``(subject, body)``; None when the channel
        has no built-in text (its templates are data an officer enters)."""
        return None

    def check_template(
        self, *, subject: str, body: str, body_html: str, external_id: str, params: Any
    ) -> None:
        """Refuse a template this channel cannot send (raise ``DomainError``)."""

    def render(self, template: Template, context: dict[str, Any]) -> dict[str, Any]:
        """The message fields for ``template`` with ``context``: ``subject``, ``body``,
        ``body_html``, ``segments``, ``payload`` (what the provider sends besides the text)."""
        text = render(template.body, context)
        return {"subject": "", "body": text, "body_html": "", "segments": 0, "payload": {}}

    def preview_html(self, rendered: dict[str, Any]) -> SafeString:
        """How the admin shows a rendered template (sample data)."""
        if rendered.get("subject"):
            return format_html(
                "<p><strong>{}</strong></p><pre>{}</pre>", rendered["subject"], rendered["body"]
            )
        return format_html("<pre>{}</pre>", rendered["body"])

    def receipt_timeout(self) -> timedelta | None:
        """How long a ``sent`` message waits for its delivery report before the reconciliation
        records ``no_report`` (and, for a channel with a fallback, hands over to it)."""
        return None

    def is_enabled(self) -> bool:
        """Usable when the provider its setting names is installed."""
        return str(getattr(settings, self.provider_setting, "")) in providers


class Provider(Plugin, ABC):
    """A gateway for the messages of one channel."""

    channel: ClassVar[str]
    #: The provider's callbacks (delivery reports…) are mounted at ``/thong-bao/<url_prefix>/``
    #: in the ``notify`` URL namespace (``notify/urls.py``).
    url_prefix: ClassVar[str] = ""

    def urlpatterns(self) -> list[Any]:
        """The callback URL patterns (names are in the ``notify`` namespace)."""
        return []

    @abstractmethod
    def send(self, message: Message) -> str:
        """Send; return the gateway's answer (kept as the operator answer). Raise
        :class:`SendError` when the gateway refused or could not be reached."""


channels: Registry[Channel] = Registry("notify.channels", Channel)
providers: Registry[Provider] = Registry("notify.providers", Provider)


def provider_for(channel: str) -> Provider:
    """The provider configured for ``channel`` (``LookupError`` when there is none)."""
    kind = channels.get(channel)
    provider = providers.get(str(getattr(settings, kind.provider_setting, "")))
    if provider.channel != channel:
        raise LookupError(f"provider {provider.id!r} does not send channel {channel!r}")
    return provider


def channel_or_none(channel: str) -> Channel | None:
    """The channel when it is installed and configured, else None (messages of a channel that
    was removed stay readable; they are no longer sent)."""
    if channel not in channels:
        return None
    kind = channels.get(channel)
    return kind if kind.is_enabled() else None


def require_channel(channel: str) -> Channel:
    if channel not in channels:
        raise DomainError(
            "unknown_channel", f"Không có kênh thông báo «{channel}».", field="channel"
        )
    return channels.get(channel)
