"""``python -m simulators.docaxis serve --config FILE`` (foreground) or
``start|stop|status [--dir DIR]`` (background; see ``process.py``)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from simulators.docaxis.process import ROOT, DocAxisSimulator, _alive
from simulators.docaxis.server import serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulators.docaxis", description=__doc__)
    parser.add_argument("action", choices=["serve", "start", "stop", "status"])
    parser.add_argument("--config", type=Path, help="serve: the configuration file")
    parser.add_argument("--dir", type=Path, default=ROOT / "var" / "docaxis")
    args = parser.parse_args(argv)
    if args.action == "serve":
        if args.config is None:
            parser.error("serve needs --config")
        serve(args.config)
        return 0
    run_dir: Path = args.dir.resolve()
    if args.action == "start":
        simulator = DocAxisSimulator(run_dir=run_dir).start()
        for name, value in simulator.env().items():
            print(f"{name}={value}")
        return 0
    if not (run_dir / "state.json").exists():
        print("the axis simulator is not running (no state file)", file=sys.stderr)
        return 1
    simulator = DocAxisSimulator.load(run_dir)
    if args.action == "stop":
        simulator.stop()
        return 0
    alive = bool(simulator.pid) and _alive(simulator.pid)
    print(json.dumps({"url": simulator.url, "alive": alive}))
    return 0 if alive else 1


if __name__ == "__main__":
    sys.exit(main())
