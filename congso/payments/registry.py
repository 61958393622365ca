"""The payment-provider registry (see :mod:`congso.payments.base`)."""

from __future__ import annotations

from congso.core.registry import Registry
from congso.payments.base import PaymentProvider

registry: Registry[PaymentProvider] = Registry("payments.providers", PaymentProvider)
