"""Vendor plugins: one Django app per vendor or protocol, each registering its classes with the
platform's registries from its ``plugin`` module (``AppConfig.ready``).

* ``kannel`` — SMS through Kannel's smsbox, with delivery reports (notify provider);
* ``smtp`` — e-mail through Django's SMTP backend (notify provider);
* ``zalo`` — Zalo ZNS: the Zalo channel and its provider, the OA token store, the signed
  delivery callback, the SMS fallback (notify channel + provider).

A province's own plugin apps are named in ``CONGSO_PLUGINS``. See ``docs/architecture.md``,
"Where to put a new channel / field type / payment provider / exchange back-end".
"""
