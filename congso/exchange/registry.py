"""The exchange back-end registry (see :mod:`congso.exchange.base`)."""

from __future__ import annotations

from congso.core.registry import Registry
from congso.exchange.base import ExchangeBackend

registry: Registry[ExchangeBackend] = Registry("exchange.backends", ExchangeBackend)
