"""``python -m simulators.lgsp serve --config FILE`` (foreground) or
``python -m simulators.lgsp start|stop|status [--dir DIR]`` (background; see ``process.py``)."""

from __future__ import annotations

import sys

from simulators._process import cli
from simulators.lgsp.process import LgspSimulator
from simulators.lgsp.server import serve


def main(argv: list[str] | None = None) -> int:
    return cli(LgspSimulator, serve, argv, doc=__doc__)


if __name__ == "__main__":
    sys.exit(main())
