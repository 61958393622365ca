"""Providers behind a registry: one per channel kind in use, chosen by setting.

A provider sends one :class:`~congso.notify.models.Message` and raises
:class:`SendError` when the gateway refused or could not be reached (the worker retries).
Add a provider (Zalo ZNS, an operator's HTTP API…) in ``contrib/<vendor>/plugin.py`` with
``@register`` and select it with the channel's setting; the lifecycle is not touched.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings

if TYPE_CHECKING:
    from congso.notify.models import Message


class SendError(Exception):
    """The provider did not accept the message; ``permanent`` ones are not retried."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Provider(ABC):
    id: ClassVar[str]
    channel: ClassVar[str]

    @abstractmethod
    def send(self, message: Message) -> str:
        """Send; return the gateway's answer (kept as the operator answer)."""


PROVIDERS: dict[str, type[Provider]] = {}


def register(cls: type[Provider]) -> type[Provider]:
    if cls.id in PROVIDERS and PROVIDERS[cls.id] is not cls:
        raise ValueError(f"notification provider {cls.id!r} is already registered")
    PROVIDERS[cls.id] = cls
    return cls


def provider_for(channel: str) -> Provider:
    chosen: dict[str, str] = {
        "sms": settings.NOTIFY_SMS_PROVIDER,
        "email": settings.NOTIFY_EMAIL_PROVIDER,
    }
    cls = PROVIDERS.get(chosen.get(channel, ""))
    if cls is None or cls.channel != channel:
        raise LookupError(f"no provider configured for channel {channel!r}")
    return cls()


ProviderFactory = Callable[[], Provider]
