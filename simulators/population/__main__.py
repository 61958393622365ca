"""``python -m simulators.population serve --config FILE`` (foreground) or
``start|stop|status [--dir DIR]`` (background; see ``process.py``)."""

from __future__ import annotations

import sys

from simulators._process import cli
from simulators.population.process import PopulationSimulator
from simulators.population.server import serve


def main(argv: list[str] | None = None) -> int:
    return cli(PopulationSimulator, serve, argv, doc=__doc__)


if __name__ == "__main__":
    sys.exit(main())
