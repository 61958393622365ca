"""``python -m simulators.paygov serve --config FILE`` (foreground) or
``start|stop|status [--dir DIR]`` (background; see ``process.py``)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from simulators.paygov.process import ROOT, PayGovSimulator
from simulators.paygov.server import serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulators.paygov", description=__doc__)
    parser.add_argument("action", choices=["serve", "start", "stop", "status"])
    parser.add_argument("--config", type=Path, help="serve: the configuration file")
    parser.add_argument("--dir", type=Path, default=ROOT / "var" / "paygov")
    args = parser.parse_args(argv)
    if args.action == "serve":
        if args.config is None:
            parser.error("serve needs --config")
        serve(args.config)
        return 0
    run_dir: Path = args.dir.resolve()
    if args.action == "start":
        simulator = PayGovSimulator(run_dir=run_dir).start()
        for name, value in simulator.env().items():
            print(f"{name}={value}")
        return 0
    if not (run_dir / "state.json").exists():
        print("the PayGov simulator is not running (no state file)", file=sys.stderr)
        return 1
    simulator = PayGovSimulator.load(run_dir)
    if args.action == "stop":
        simulator.stop()
        return 0
    print(json.dumps({"url": simulator.url, "pid": simulator.pid}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
