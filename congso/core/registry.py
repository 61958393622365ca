"""Typed plugin registries: one per extension point, one typed base class per registry.

The shape is Open Forms' (``openforms/plugins/registry.py``): a registry instance per module,
a base class every plugin of that module derives from, a decorator that registers a plugin
class and refuses a second one under a used identifier, and ``choices()`` for forms and the
admin. Registries in use (``docs/architecture.md``, "Where to put a new …"):

=====================================  ============================================  ==========
registry                               base class                                    module
=====================================  ============================================  ==========
``congso.notify.channels.channels``    :class:`congso.notify.channels.Channel`       notify
``congso.notify.channels.providers``   :class:`congso.notify.channels.Provider`      notify
``congso.catalog.fieldtypes.registry`` :class:`congso.catalog.fieldtypes.FieldType`  catalog
``congso.payments.registry.registry``  :class:`congso.payments.base.PaymentProvider` payments
``congso.exchange.registry.registry``  :class:`congso.exchange.base.ExchangeBackend` exchange
=====================================  ============================================  ==========

The exchange package holds only its base class and registry until its app is built; payments
is an app with its VNPay and VietQR providers (docs/payments.md).

Where plugins come from: a plugin is a class in a Django app; the app's ``AppConfig.ready()``
imports its ``plugin`` module, whose decorators register the classes (Open Forms' contrib
apps). The vendor apps shipped with congso live in ``congso/contrib/<vendor>/`` and are listed in
``INSTALLED_APPS``; a province's own apps are named in ``CONGSO_PLUGINS`` (NetBox's ``PLUGINS``)
and appended to ``INSTALLED_APPS`` by the settings, so nothing in congso is edited to add one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar, Generic, TypeVar

#: Plugin identifiers are stored in the database (message channels, form schemas): short,
#: lower-case, stable.
ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,29}$")


class Plugin:
    """What every plugin declares: a stable ``id`` and a Vietnamese ``label``."""

    id: ClassVar[str]
    label: ClassVar[str]

    def is_enabled(self) -> bool:
        """Whether the plugin is usable in this deployment (configured); default yes."""
        return True


P = TypeVar("P", bound=Plugin)


class Registry(Generic[P]):
    """Plugins of one extension point, by id, in registration order.

    ``register`` is a class decorator: it instantiates the class once (plugins keep no state of
    their own; state lives in the database or settings) and refuses a class that is not a
    ``base`` subclass, has a malformed id, or reuses the id of another class. Registering the
    same class again (a module imported twice) is a no-op. A test that needs other plugins
    builds its own ``Registry`` (dependency injection, as Open Forms suggests) or uses
    :meth:`unregister`."""

    def __init__(self, module: str, base: type[Plugin]) -> None:
        # ``type[Plugin]``, not ``type[P]``: a base class is often abstract (ABC).
        self.module = module
        self.base = base
        self._plugins: dict[str, P] = {}

    def register(self, cls: type[P]) -> type[P]:
        if not (isinstance(cls, type) and issubclass(cls, self.base)):
            raise TypeError(f"{self.module}: {cls!r} is not a {self.base.__name__}")
        plugin_id = getattr(cls, "id", "")
        if not isinstance(plugin_id, str) or not ID_RE.match(plugin_id):
            raise ValueError(f"{self.module}: malformed plugin id {plugin_id!r} on {cls.__name__}")
        if not getattr(cls, "label", ""):
            raise ValueError(f"{self.module}: plugin {plugin_id!r} has no label")
        existing = self._plugins.get(plugin_id)
        if existing is not None:
            if type(existing).__qualname__ == cls.__qualname__ and (
                type(existing).__module__ == cls.__module__
            ):
                return cls
            raise ValueError(f"{self.module}: plugin id {plugin_id!r} is already registered")
        self._plugins[plugin_id] = cls()
        return cls

    def unregister(self, plugin_id: str) -> None:
        self._plugins.pop(plugin_id, None)

    def get(self, plugin_id: str) -> P:
        """The plugin registered under ``plugin_id``; ``LookupError`` when there is none."""
        try:
            return self._plugins[plugin_id]
        except KeyError:
            raise LookupError(f"{self.module}: no plugin {plugin_id!r}") from None

    def __contains__(self, plugin_id: object) -> bool:
        return plugin_id in self._plugins

    def __iter__(self) -> Iterator[P]:
        return iter(list(self._plugins.values()))

    def __len__(self) -> int:
        return len(self._plugins)

    def ids(self) -> list[str]:
        return list(self._plugins)

    def enabled(self) -> list[P]:
        return [plugin for plugin in self._plugins.values() if plugin.is_enabled()]

    def choices(self, *, enabled_only: bool = False) -> list[tuple[str, str]]:
        """``[(id, label)]`` for a form field or the admin."""
        plugins = self.enabled() if enabled_only else list(self._plugins.values())
        return [(plugin.id, plugin.label) for plugin in plugins]

    def label(self, plugin_id: str) -> str:
        """The plugin's label, or the bare id when it is not installed (old rows stay readable)."""
        plugin = self._plugins.get(plugin_id)
        return plugin.label if plugin is not None else plugin_id
