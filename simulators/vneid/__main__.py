"""``python -m simulators.vneid serve --config FILE`` (foreground) or
``start|stop|status [--dir DIR] [--profile vneid|dvcqg] [--redirect-uri URL]…
[--logout-uri URL]…`` (background; see ``process.py``)."""

from __future__ import annotations

import sys

from simulators._process import cli
from simulators.vneid.process import VneidSimulator
from simulators.vneid.server import serve


def main(argv: list[str] | None = None) -> int:
    return cli(
        VneidSimulator,
        serve,
        argv,
        doc=__doc__,
        options=[
            ("--profile", "profile", {"choices": ["vneid", "dvcqg"], "default": "vneid"}),
            (
                "--redirect-uri",
                "redirect_uris",
                {"action": "append", "default": [], "help": "start: congso's"},
            ),
            (
                "--logout-uri",
                "post_logout_redirect_uris",
                {"action": "append", "default": [], "help": "start: after logout"},
            ),
        ],
    )


if __name__ == "__main__":
    sys.exit(main())
