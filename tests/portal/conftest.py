from tests.printing.conftest import clock, media, world  # noqa: F401 (shared fixtures)
