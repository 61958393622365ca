"""A simulator of the provincial integration platform (LGSP) and the national public-service
portal behind it (``server.py``), run as its own process (``process.py``)."""
