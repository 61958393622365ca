"""What integration plugs into the dossiers (imported by ``IntegrationConfig.ready()``):

* the sync outbox, fed in the dossier change's own transaction (``dossiers.on_change``);
* the transfers' outbox (liên thông between systems): an incoming transfer's local copy tells
  its origin what happened, in the change's transaction (``dossiers.on_change``);
* the webhooks, fed from the dossiers' event outbox after commit (``dossiers.events``);
* the LGSP client for the adapters below this app (``exchange.platform``: the population
  database and the document axis through the platform);
* the suggested procedure mappings, refreshed after every national-catalogue import;
* the "% synced within 5 minutes" panel of the operations dashboard (``indicators.panels``).
"""

from __future__ import annotations

from congso.catalog.national import hooks as catalogue_hooks
from congso.dossiers import events as dossier_events
from congso.dossiers import hooks as dossier_hooks
from congso.exchange import platform
from congso.indicators import panels
from congso.integration import lgsp, mapping, sync, transfers, views, webhooks

dossier_hooks.on_change.register("integration.portal_sync")(sync.record_change)
dossier_hooks.on_change.register("integration.transfers")(transfers.record_change)
dossier_events.handler("integration.webhooks")(webhooks.fan_out)
panels.dashboard_panels.register("integration.portal_sync")(views.dashboard_panel)
platform.register(lgsp.bridge)
catalogue_hooks.after_import.register("integration.procedure_mapping")(mapping.after_import)
