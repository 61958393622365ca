"""The in-transaction hooks of signing.

* :data:`on_result_signed` ``(dossier_id, *, signed_at)`` — an electronic result got its last
  signature, in the signing transaction (the indicators count it; ``congso/indicators/hooks.py``
  registers), so ``signing`` does not import the apps that count.
* signing's own guard on the dossier workflow, registered here (the module is imported by
  ``SigningConfig.ready()``): a procedure with an e-result template completes only once its
  latest result is fully signed (:func:`congso.signing.selectors.completion_blocker`,
  :mod:`congso.dossiers.hooks`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from congso.core.hooks import Hooks
from congso.dossiers import hooks as dossier_hooks
from congso.signing.selectors import completion_blocker


class ResultSignedHook(Protocol):
    def __call__(self, dossier_id: int, *, signed_at: datetime) -> None: ...


on_result_signed: Hooks[ResultSignedHook] = Hooks("signing.on_result_signed")


def result_signed(dossier_id: int, *, signed_at: datetime) -> None:
    for hook in on_result_signed:
        hook(dossier_id, signed_at=signed_at)


dossier_hooks.completion_guards.register("signing.e_result")(completion_blocker)
