"""The aggregates are kept in the transaction of the change they count (docs/decisions.md 15):
they register on the dossier's in-transaction hooks (:mod:`congso.dossiers.hooks`) and on
signing's (:mod:`congso.signing.hooks`), so neither app imports the indicators. Imported by
``IndicatorsConfig.ready()``."""

from __future__ import annotations

from congso.dossiers import hooks as dossier_hooks
from congso.indicators import aggregates
from congso.signing import hooks as signing_hooks

dossier_hooks.on_lock.register("indicators.aggregates")(aggregates.capture)
dossier_hooks.on_change.register("indicators.aggregates")(aggregates.record_change)
signing_hooks.on_result_signed.register("indicators.aggregates")(aggregates.record_signed_result)
