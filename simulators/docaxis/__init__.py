"""A national document axis simulator (pull model: send, list received, fetch, confirm; system id
and secret per connected system) with fault injection (``server.py``), started and driven by
``process.py`` (tests, the demo)."""
