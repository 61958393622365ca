"""The notify app's registries of channels and providers (see :mod:`.base`); the built-in
channels, SMS then e-mail (:mod:`.builtin`), register on import."""

from congso.notify.channels import builtin
from congso.notify.channels.base import (
    Channel,
    Provider,
    SendError,
    channel_or_none,
    channels,
    provider_for,
    providers,
    require_channel,
)

__all__ = [
    "Channel",
    "Provider",
    "SendError",
    "builtin",
    "channel_or_none",
    "channels",
    "provider_for",
    "providers",
    "require_channel",
]
