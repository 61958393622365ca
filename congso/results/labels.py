"""The e-result labels shown on pages, marked for translation. The models keep their Vietnamese
text (the API's); the templates pass it through the ``ui`` filter of ``congso_ui``, which looks
it up in ``congso/results/locale``. The signature roles and the verification report's words are
signing's (:mod:`congso.signing.labels`). ``tests/results/test_english.py`` checks that every
label below exists in the code and has its English text."""

from __future__ import annotations

from django.utils.translation import gettext_noop

LABELS = (
    # ResultStatus.
    gettext_noop("Chờ ký"),
    gettext_noop("Đã ký một phần"),
    gettext_noop("Đã ký số đầy đủ"),
)
