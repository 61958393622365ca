"""Signing's labels in English (its catalogue): the signature roles and the words of the
verification report. The pages in English are tested with the e-results
(``tests/results/test_english.py``)."""

from __future__ import annotations

from django.utils import translation

from congso.portal.templatetags.congso_ui import ui
from congso.signing import validation
from congso.signing.labels import LABELS
from congso.signing.models import SignatureRole


def test_every_signing_label_has_its_english_text() -> None:
    shown = [*SignatureRole.labels]
    shown += [*validation.INDICATION_LABELS.values(), *validation.SUB_INDICATION_LABELS.values()]
    shown += [*validation.CERTIFICATION_LABELS.values(), *validation.COVERAGE_LABELS.values()]
    assert set(shown) <= set(LABELS)
    with translation.override("en"):
        untranslated = [label for label in LABELS if ui(label) == label]
    assert untranslated == []
