"""Throughput of the notify worker: SMS per second handed to a real Kannel (sendsms accepted).

Runs on its own scratch SQLite database (or DATABASE_URL when set) and its own Kannel with the
repository's configuration and Kannel's fakesmsc; prints one JSON object::

    .venv/bin/python bench/notify_throughput.py [--messages 500]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=500)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="congso-notify-bench-"))
    os.environ.setdefault("CONGSO_DATA_DIR", str(scratch))
    os.environ["DJANGO_SETTINGS_MODULE"] = "congso.settings.base"
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from congso.contrib.kannel.box import Kannel, free_port
    from congso.core import worker
    from congso.notify.models import Message

    call_command("migrate", verbosity=0)
    kannel = Kannel(run_dir=scratch / "kannel").start()
    settings.NOTIFY_KANNEL_URL = kannel.sendsms_url
    settings.NOTIFY_KANNEL_USER = kannel.username
    settings.NOTIFY_KANNEL_PASSWORD = kannel.password
    settings.NOTIFY_QUIET_HOURS = ""
    # Delivery reports are not measured here: send them to a closed local port.
    settings.NOTIFY_DLR_BASE_URL = f"http://127.0.0.1:{free_port()}"
    settings.NOTIFY_SMS_PER_NUMBER_PER_HOUR = 0
    try:
        with transaction.atomic():
            for n in range(args.messages):
                message = Message.objects.create(
                    kind="received",
                    channel="sms",
                    recipient=f"09{n:08d}",
                    body=f"Ho so {n:06d} da duoc tiep nhan. Hen tra ket qua 17:00 05/03/2026.",
                    created_at=timezone.now(),
                )
                worker.enqueue("notify.send", message_id=message.pk)
        started = time.perf_counter()
        ran = worker.drain(limit=args.messages)
        elapsed = time.perf_counter() - started
    finally:
        kannel.stop()
    sent = Message.objects.filter(status=Message.Status.SENT).count()
    print(
        json.dumps(
            {
                "benchmark": "notify_throughput",
                "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
                "messages": args.messages,
                "jobs_run": ran,
                "accepted_by_kannel": sent,
                "seconds": round(elapsed, 3),
                "messages_per_second": round(sent / elapsed, 1) if elapsed else None,
                "worker": "embedded, one process",
            }
        )
    )
    return 0 if sent == args.messages else 1


if __name__ == "__main__":
    sys.exit(main())
