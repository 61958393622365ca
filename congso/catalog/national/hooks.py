"""What apps above the catalogue do when a national-catalogue import run has finished
(``run_execute``), without the catalogue importing them: the integration app refreshes its
suggested local → national procedure mappings (``integration.mapping.after_import``).

A hook is called with ``run`` (the finished ``ImportRun``) and ``actor``, after the run's last
batch has committed; one that fails is logged and does not fail the run (the mappings can be
suggested again from the admin)."""

from __future__ import annotations

from typing import Any, Protocol

from congso.core.hooks import Hooks


class AfterImport(Protocol):
    def __call__(self, *, run: Any, actor: Any) -> None: ...


after_import: Hooks[AfterImport] = Hooks("catalog_national.after_import")
