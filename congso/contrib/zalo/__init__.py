"""Zalo ZNS (Zalo Notification Service): a notice sent as an approved template (template id +
parameters) to the Zalo account of the applicant's phone number, with the Official Account's
access token; delivery confirmed by Zalo's ``user_received_message`` callback; SMS when Zalo
fails for good. ``docs/notify.md``, "Zalo ZNS"."""
