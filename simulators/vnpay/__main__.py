"""``python -m simulators.vnpay serve --config FILE`` (foreground) or
``start|stop|status [--dir DIR] [--ipn URL] [--bank-webhook URL]`` (background; see
``process.py``)."""

from __future__ import annotations

import sys

from simulators._process import cli
from simulators.vnpay.process import VNPaySimulator
from simulators.vnpay.server import serve


def main(argv: list[str] | None = None) -> int:
    return cli(
        VNPaySimulator,
        serve,
        argv,
        doc=__doc__,
        options=[
            ("--ipn", "ipn_url", {"default": "", "help": "start: congso's VNPay IPN URL"}),
            (
                "--bank-webhook",
                "bank_webhook",
                {"default": "", "help": "start: congso's bank webhook URL"},
            ),
        ],
    )


if __name__ == "__main__":
    sys.exit(main())
