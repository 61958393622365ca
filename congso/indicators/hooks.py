"""The aggregates are kept in the transaction of the change they count (docs/decisions.md 15):
they register on the dossier's in-transaction hooks (:mod:`congso.dossiers.hooks`) and on
the e-results' (:mod:`congso.results.hooks`), so neither app imports the indicators. Imported by
``IndicatorsConfig.ready()``."""

from __future__ import annotations

from congso.dossiers import hooks as dossier_hooks
from congso.indicators import aggregates
from congso.results import hooks as result_hooks

dossier_hooks.on_lock.register("indicators.aggregates")(aggregates.capture)
dossier_hooks.on_change.register("indicators.aggregates")(aggregates.record_change)
result_hooks.on_result_signed.register("indicators.aggregates")(aggregates.record_signed_result)


@dossier_hooks.after_bulk_write.register("indicators.rebuild")
def _rebuild_after_bulk_write(*, reason: str) -> None:
    """A bulk write (the legacy import) ran no per-dossier hook: rebuild (online when outside
    a transaction)."""
    aggregates.rebuild()
