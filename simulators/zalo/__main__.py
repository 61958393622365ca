"""``python -m simulators.zalo serve --config FILE`` (foreground) or
``start|stop|status [--dir DIR] [--webhook URL]`` (background; see ``process.py``)."""

from __future__ import annotations

import sys

from simulators._process import cli
from simulators.zalo.process import ZaloSimulator
from simulators.zalo.server import serve


def main(argv: list[str] | None = None) -> int:
    return cli(
        ZaloSimulator,
        serve,
        argv,
        doc=__doc__,
        options=[
            ("--webhook", "webhook", {"default": "", "help": "start: congso's Zalo callback URL"})
        ],
    )


if __name__ == "__main__":
    sys.exit(main())
