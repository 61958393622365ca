"""Document and data exchange with other systems (issue 18 builds the app; this package holds
its seam): the national portal's dossier sync through the LGSP, e-documents (edXML) over the
national document exchange (VXP/NDXP), other agencies' services.

Today only the typed base class (:mod:`.base`) and the registry (:mod:`.registry`) exist. The
app (an outbound ``ExchangeMessage`` outbox fed by a ``@handler`` on the dossier events, the
worker task that sends, the inbound views, the admin) makes this package a Django app. See
``docs/architecture.md``, "Where to put a new … exchange back-end".
"""
