"""The hostile-input tests reuse the dossier tests' small world (fixtures imported by name)."""

from tests.dossiers.conftest import clock, media, world  # noqa: F401
