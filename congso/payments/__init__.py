"""Online payment of fees and charges (issue 16 builds the app; this package holds its seam).

Today only the typed base class (:mod:`.base`) and the registry (:mod:`.registry`) exist, so a
gateway plugin can be written against a stable interface; the app (``PaymentOrder`` model,
services that settle an order and call ``dossier_confirm_payment(actor=None)``, the return and
notification views, the reconciliation task) makes this package a Django app. See
``docs/architecture.md``, "Where to put a new … payment provider".
"""
