"""A Zalo simulator: the ZNS send API, the OA token refresh and signed delivery callbacks
(``server.py``), started and driven by ``process.py`` (tests, ``scripts/demo``)."""
