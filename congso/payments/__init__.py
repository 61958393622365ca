"""Fees and charges paid online and at the counter (issue 18): payment intents, the providers'
callbacks applied once, refunds, reconciliation of statements, e-receipts. Providers are plugins
(``congso/contrib/vnpay``, ``congso/contrib/vietqr``) of :mod:`.registry` against :mod:`.base`.
See ``docs/payments.md``.
"""
