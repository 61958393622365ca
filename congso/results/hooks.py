"""The in-transaction hooks of results, and what results registers on the apps below.

* :data:`on_result_signed` ``(dossier_id, *, signed_at)`` — an electronic result got its last
  signature, in the signing transaction (the indicators count it; ``congso/indicators/hooks.py``
  registers), so ``results`` does not import the apps that count.
* the e-result guard on the dossier workflow: a procedure with an e-result template completes
  only once its latest result is fully signed
  (:func:`congso.results.selectors.completion_blocker`, :mod:`congso.dossiers.hooks`);
* the look-up of the public verification page (:mod:`congso.signing.verification`): the QR
  code on a result opens the report of its stored original.

Imported by ``ResultsConfig.ready()``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from congso.core.hooks import Hooks
from congso.dossiers import hooks as dossier_hooks
from congso.results.selectors import completion_blocker, stored_result
from congso.signing import verification


class ResultSignedHook(Protocol):
    def __call__(self, dossier_id: int, *, signed_at: datetime) -> None: ...


on_result_signed: Hooks[ResultSignedHook] = Hooks("results.on_result_signed")


def result_signed(dossier_id: int, *, signed_at: datetime) -> None:
    for hook in on_result_signed:
        hook(dossier_id, signed_at=signed_at)


dossier_hooks.completion_guards.register("results.e_result")(completion_blocker)
verification.stored_documents.register("results.e_result")(stored_result)
