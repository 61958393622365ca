"""``python -m simulators.paygov serve --config FILE`` (foreground) or
``start|stop|status [--dir DIR]`` (background; see ``process.py``)."""

from __future__ import annotations

import sys

from simulators._process import cli
from simulators.paygov.process import PayGovSimulator
from simulators.paygov.server import serve


def main(argv: list[str] | None = None) -> int:
    return cli(PayGovSimulator, serve, argv, doc=__doc__)


if __name__ == "__main__":
    sys.exit(main())
