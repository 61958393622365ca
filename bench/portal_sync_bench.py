"""The portal sync at issue 20's scale: 1,000 dossiers taken through their lifecycle while the
LGSP simulator injects faults (20 % of calls: 5xx, wrong codes, duplicated replies, expired
sessions; a late answer every 50 dossiers), then compared field by field with what the
simulated portal holds — the test ``tests/integration/test_bulk.py`` run at full size.

    .venv/bin/python -m bench.portal_sync_bench [--dossiers 1000] [--floor 5]

Prints JSON: the figures of the run and ``items_per_second`` of the sync phase, compared with
``--floor`` (sync items confirmed per second; the run fails below it, or when the comparison
fails).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.portal_sync_bench")
    parser.add_argument("--dossiers", type=int, default=1000)
    parser.add_argument("--floor", type=float, default=5.0, help="items per second")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "congso.settings.test",
            "CONGSO_SYNC_BULK": str(args.dossiers),
            "CONGSO_SYNC_BULK_REPORT": str(report),
        }
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "tests/integration/test_bulk.py",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0 or not report.exists():
            print(json.dumps({"ok": False, "output": done.stdout[-4000:]}))
            return 1
        figures = json.loads(report.read_text(encoding="utf-8"))
    rate = figures["items"] / max(figures["sync_seconds"], 0.001)
    figures.update(
        ok=rate >= args.floor, items_per_second=round(rate, 1), floor=args.floor, equal=True
    )
    print(json.dumps(figures))
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
