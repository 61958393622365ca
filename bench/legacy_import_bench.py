"""The legacy import at scale (issue 22): dossiers per second of ``manage.py
import_legacy_dossiers`` against a floor measured in the same run.

    .venv/bin/python -m bench.legacy_import_bench [--dossiers 20000] [--files-share 0.25]
        [--postgres] [--batch 1000] [--seed 1]
    ./scripts/bench legacy [same options]

A fresh database (SQLite under var/bench-legacy, or ``congso_bench_legacy`` on BENCH_PG_URL
with ``--postgres``): migrate, ``load_demo``, ``load_catalog_demo``. Then, timed:

1. **generate** a realistic export of N dossiers as the import's JSON Lines
   (docs/legacy-import.md): the published (procedure, agency) pairs of the demo province with a
   popularity curve, the channels each procedure offers, a year of working-hour timestamps,
   88 % returned (20 % of them rated), 3 % stopped, 2 % not accepted, 1 % withdrawn, the rest
   still open; 8 % with a supplement request; codes in the TT 01/2018 form per receiving agency
   and day; applicants drawn from N/3 citizens with valid personal ID numbers; ``--files-share``
   of them with one PDF (unique content) for their first component;
2. the **floor**: the same number of dossier rows and their history lines written by
   ``bulk_create`` in transactions of ``--batch``, without any check, audit, file or counter
   (the fastest ORM write of the same rows), then deleted;
3. the **import** itself (``--no-rebuild``), then ``rebuild_indicators`` (online), then
   ``audit verify`` over the whole chain.

Prints one JSON object: seconds and dossiers/s of each step, the ratio import / floor and the
hour a million dossiers would take at the measured rate (import + rebuild scaled linearly; the
rebuild is set-based and grows a little faster than linearly).
"""

# Test data: pseudo-random is what we want; the generator's records are kept one per line.
# ruff: noqa: S311, E501

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
DB = "congso_bench_legacy"
WORK = ROOT / "var" / "bench-legacy"

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Minh", "Ngọc", "Hữu", "Thanh", "Quốc", "Thu", "Đức", "Kim"]
GIVEN = ["An", "Bình", "Châu", "Dũng", "Hà", "Hùng", "Lan", "Long", "Mai", "Nam", "Phúc",
         "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vy", "Yến"]  # fmt: skip
VILLAGES = ["Thôn Phú Lễ", "Tổ dân phố 3", "Thôn An Hải", "Khu phố 5", "Thôn Tân Mỹ"]


def _environment(postgres: bool) -> dict[str, str]:
    WORK.mkdir(parents=True, exist_ok=True)
    url = f"{PG}/{DB}" if postgres else f"sqlite:///{WORK / 'bench.sqlite3'}"
    return {
        "DATABASE_URL": url,
        "CONGSO_DATA_DIR": str(WORK / "data"),
        "DJANGO_SETTINGS_MODULE": "congso.settings.base",
        "CONGSO_LOG_LEVEL": "WARNING",
    }


def _fresh_database(postgres: bool) -> None:
    if postgres:
        for sql in (f"DROP DATABASE IF EXISTS {DB}", f"CREATE DATABASE {DB}"):
            subprocess.run(
                ["psql", f"{PG}/postgres", "-Atqc", sql], check=True, capture_output=True
            )
    else:
        for suffix in ("", "-wal", "-shm"):
            (WORK / f"bench.sqlite3{suffix}").unlink(missing_ok=True)
    shutil.rmtree(WORK / "data", ignore_errors=True)
    shutil.rmtree(WORK / "export", ignore_errors=True)


def _cpu() -> float:
    """CPU seconds of this process and its finished children (qpdf checks every PDF)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def _person(rng: random.Random) -> dict[str, str]:
    year = rng.randint(1950, 2005)
    century = (0 if year < 2000 else 2) + rng.randint(0, 1)
    number = f"051{century}{year % 100:02d}{rng.randint(0, 999999):06d}"
    name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
    return {
        "kind": "citizen",
        "personal_id": number,
        "name": name,
        "address": f"{rng.choice(VILLAGES)}, tỉnh Quảng Ngãi",
        "phone": f"09{rng.randint(10000000, 99999999)}",
    }


def _working_instant(rng: random.Random, day: date) -> datetime:
    minutes = rng.randint(7 * 60 + 30, 16 * 60 + 30)
    local = datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=UTC)
    return local - timedelta(hours=7)  # Asia/Ho_Chi_Minh


def generate(n: int, *, seed: int, files_share: float, out: Path) -> dict[str, Any]:
    """Write the export (``out``/dossiers.jsonl and ``out``/files/…)."""
    from congso.catalog.models import Component, Process
    from congso.core.errors import DomainError
    from congso.dossiers.services.intake import default_desk

    rng = random.Random(seed)
    pairs = []
    for process in Process.objects.select_related("version__procedure", "agency").order_by("pk"):
        try:
            desk = default_desk(process.agency)
        except DomainError:
            continue
        version = process.version
        offered = {"direct": "in_person", "online": "online", "postal": "postal"}
        channels = sorted({offered[c] for c in version.submission_channels or [] if c in offered})
        if version.online_level == "none" and "online" in channels:
            channels.remove("online")
        first = Component.objects.filter(version=version).order_by("order").first()
        pairs.append((version, process.agency, desk.agency, channels or ["in_person"], first))
    if not pairs:
        raise SystemExit("no published process: load_demo and load_catalog_demo first")
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(pairs))]
    rng.shuffle(weights)
    people = [_person(rng) for _ in range(max(1, n // 3))]
    counters: dict[tuple[str, date], int] = {}
    end = date(2026, 11, 30)
    days = [end - timedelta(days=k) for k in range(365)]
    days = [d for d in days if d.weekday() < 5]
    files_dir = out / "files"
    files_dir.mkdir(parents=True, exist_ok=True)
    path = out / "dossiers.jsonl"
    with_files = 0
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            version, agency, receiving, channels, first = rng.choices(pairs, weights)[0]
            channel = rng.choices(channels, [3 if c == "online" else 2 for c in channels])[0]
            day = rng.choice(days)
            submitted = _working_instant(rng, day)
            received = submitted + timedelta(minutes=rng.randint(2, 90))
            local_day = (received + timedelta(hours=7)).date()
            key = (receiving.code, local_day)
            counters[key] = counters.get(key, 0) + 1
            code = f"{receiving.code}-{local_day:%y%m%d}-{counters[key]:04d}"
            span = timedelta(days=rng.choice((1, 3, 5, 7, 10, 15)))
            due = received + span
            roll = rng.random()
            history: list[dict[str, Any]] = []
            record: dict[str, Any] = {
                "code": code,
                "procedure": version.procedure.code,
                "procedure_version": version.version,
                "agency": agency.code,
                "receiving_agency": receiving.code,
                "channel": channel,
                "applicant": rng.choice(people),
                "form_data": {"ghi_chu": "Dữ liệu từ hệ thống một cửa cũ"},
                "submitted_at": submitted.isoformat(),
            }
            if channel == "online":
                history.append({"action": "submit", "at": submitted.isoformat(), "to_status": "submitted"})  # fmt: skip
            if channel == "online" and roll < 0.02:
                at = received.isoformat()
                history.append({"action": "not_accept", "at": at, "to_status": "not_accepted",
                                "note": "Hồ sơ không thuộc thẩm quyền"})  # fmt: skip
                record.update(status="not_accepted", outcome_reason="Hồ sơ không thuộc thẩm quyền")
                record["history"] = history
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                continue
            history.append({"action": "receive", "at": received.isoformat(), "to_status": "received",
                            "actor": "Cán bộ một cửa"})  # fmt: skip
            record.update(received_at=received.isoformat(), due_at=due.isoformat())
            clock = received + timedelta(minutes=10)
            if rng.random() < 0.08:
                asked, answered = clock, clock + timedelta(days=rng.randint(1, 4))
                history.append({"action": "request_supplement", "at": asked.isoformat(),
                                "to_status": "supplement_requested", "note": "Thiếu bản sao giấy tờ"})  # fmt: skip
                history.append({"action": "supplement", "at": answered.isoformat(), "to_status": "received"})  # fmt: skip
                record["supplements"] = [{"reason": "Thiếu bản sao giấy tờ", "requested_at": asked.isoformat(),
                                          "fulfilled_at": answered.isoformat(), "items": []}]  # fmt: skip
                clock = answered + timedelta(minutes=5)
            history.append({"action": "start_processing", "at": clock.isoformat(), "to_status": "processing"})  # fmt: skip
            ended = clock + span * rng.uniform(0.3, 1.15)
            if roll > 0.96:
                record["status"] = "processing"
            elif roll > 0.95:
                history.append({"action": "request_withdrawal", "at": ended.isoformat(), "to_status": "withdrawal_requested"})  # fmt: skip
                history.append({"action": "confirm_withdrawal", "at": (ended + timedelta(hours=2)).isoformat(), "to_status": "withdrawn"})  # fmt: skip
                record["status"] = "withdrawn"
            elif roll > 0.92:
                history.append({"action": "refuse", "at": ended.isoformat(), "to_status": "stopped", "note": "Không đủ điều kiện"})  # fmt: skip
                record.update(
                    status="stopped",
                    ended_at=ended.isoformat(),
                    outcome_reason="Không đủ điều kiện",
                )
            else:
                returned = ended + timedelta(hours=rng.randint(1, 72))
                history.append({"action": "complete", "at": ended.isoformat(), "to_status": "processed"})  # fmt: skip
                history.append({"action": "return_result", "at": returned.isoformat(), "to_status": "returned"})  # fmt: skip
                record.update(status="returned", ended_at=ended.isoformat(), returned_at=returned.isoformat(),
                              return_method="online" if channel == "online" else "desk",
                              result_summary="Đã giải quyết")  # fmt: skip
                if rng.random() < 0.2:
                    record["rating"] = {"score": rng.choices([5, 4, 3, 2], [60, 30, 7, 3])[0],
                                        "at": (returned + timedelta(hours=3)).isoformat()}  # fmt: skip
            record["history"] = history
            if first is not None and rng.random() < files_share:
                name = f"{i // 1000:04d}/{i}.pdf"
                (files_dir / name).parent.mkdir(exist_ok=True)
                (files_dir / name).write_bytes(
                    b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\n% " + code.encode() + b"\n"
                    + os.urandom(1024) + b"\ntrailer<< /Root 1 0 R >>\n%%EOF\n"
                )  # fmt: skip
                record["files"] = [
                    {"component": first.code, "path": f"files/{name}", "name": "to-khai.pdf"}
                ]
                with_files += 1
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return {"file": str(path), "bytes": path.stat().st_size, "with_files": with_files,
            "pairs": len(pairs)}  # fmt: skip


def floor(path: Path, batch: int) -> dict[str, Any]:
    """The same dossier rows and history lines by bare ``bulk_create``, then deleted."""
    from django.db import connection, transaction

    from congso.catalog.models import Procedure
    from congso.dossiers.models import CodeRule, Dossier, DossierHistory
    from congso.org.models import Agency, Citizen, Desk

    rule = CodeRule.objects.order_by("effective_from").first()
    citizen = Citizen.objects.create(full_name="Sàn đo", personal_id="051090999999")
    versions: dict[tuple[str, int], Any] = {}
    agencies = {a.code: a.pk for a in Agency.objects.all()}
    desks = {d.agency_id: d.pk for d in Desk.objects.order_by("-pk")}
    records = [json.loads(line) for line in path.open(encoding="utf-8")]
    started = time.monotonic()
    cpu = _cpu()
    for first in range(0, len(records), batch):
        with transaction.atomic():
            rows, lines = [], []
            for raw in records[first : first + batch]:
                key = (raw["procedure"], raw["procedure_version"])
                if key not in versions:
                    versions[key] = (
                        Procedure.objects.get(code=key[0]).versions.get(version=key[1]).pk
                    )
                receiving = agencies[raw["receiving_agency"]]
                rows.append(Dossier(
                    code="FLOOR-" + raw["code"], code_rule=rule, procedure_version_id=versions[key],
                    channel=raw["channel"], status=raw["status"], applicant_citizen=citizen,
                    applicant_name=raw["applicant"]["name"],
                    applicant_id_number=raw["applicant"]["personal_id"],
                    desk_id=desks[receiving], receiving_agency_id=receiving,
                    competent_agency_id=agencies[raw["agency"]], form_data=raw["form_data"],
                    submitted_at=datetime.fromisoformat(raw["submitted_at"]),
                ))  # fmt: skip
            Dossier.objects.bulk_create(rows)
            for dossier, raw in zip(rows, records[first : first + batch], strict=True):
                previous = ""
                for item in raw["history"]:
                    lines.append(DossierHistory(
                        dossier=dossier, action=item["action"], from_status=previous,
                        to_status=item["to_status"], actor_label=item.get("actor", ""),
                        at=datetime.fromisoformat(item["at"]),
                    ))  # fmt: skip
                    previous = item["to_status"]
            DossierHistory.objects.bulk_create(lines)
    seconds = time.monotonic() - started
    cpu = _cpu() - cpu
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM dossiers_dossierhistory WHERE dossier_id IN "
            "(SELECT id FROM dossiers_dossier WHERE code LIKE 'FLOOR-%%')"
        )
        cursor.execute("DELETE FROM dossiers_dossier WHERE code LIKE 'FLOOR-%%'")
    citizen.delete()
    return {"seconds": round(seconds, 2), "dossiers_per_second": round(len(records) / seconds, 1),
            "cpu_seconds": round(cpu, 2)}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=20000)
    parser.add_argument("--files-share", type=float, default=0.25)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args(argv)
    _fresh_database(args.postgres)
    os.environ.update(_environment(args.postgres))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    quiet = StringIO()
    report: dict[str, Any] = {"bench": "legacy_import", "dossiers": args.dossiers,
                              "database": "postgresql" if args.postgres else "sqlite",
                              "files_share": args.files_share, "batch": args.batch}  # fmt: skip
    started = time.monotonic()
    call_command("migrate", "--no-input", "-v0")
    call_command("load_demo", stdout=quiet)
    call_command("load_catalog_demo", stdout=quiet)
    report["setup_seconds"] = round(time.monotonic() - started, 1)
    started = time.monotonic()
    report["export"] = generate(args.dossiers, seed=args.seed, files_share=args.files_share,
                                out=WORK / "export")  # fmt: skip
    report["generate_seconds"] = round(time.monotonic() - started, 1)
    export = Path(report["export"]["file"])
    report["floor"] = floor(export, args.batch)
    problems = WORK / "problems.jsonl"
    started = time.monotonic()
    cpu = _cpu()
    out = StringIO()
    call_command("import_legacy_dossiers", str(export), "--batch", str(args.batch), "--quiet",
                 "--no-rebuild", "--report", str(problems), "--actor", "quantri.tinh",
                 stdout=out, stderr=StringIO())  # fmt: skip
    seconds = time.monotonic() - started
    cpu = _cpu() - cpu
    from congso.dossiers.models import Dossier

    imported = Dossier.objects.count()
    rejected = sum(1 for _ in problems.open())
    report["import"] = {"seconds": round(seconds, 2), "imported": imported, "rejected": rejected,
                        "dossiers_per_second": round(imported / seconds, 1),
                        "cpu_seconds": round(cpu, 2),
                        "dossiers_per_cpu_second": round(imported / cpu, 1) if cpu else None,
                        "summary": out.getvalue().strip()}  # fmt: skip
    from congso.indicators import aggregates

    started = time.monotonic()
    rebuilt = aggregates.rebuild()
    report["rebuild"] = {"seconds": round(time.monotonic() - started, 2), **rebuilt}
    from congso.audit.verify import verify_chain

    started = time.monotonic()
    verified = verify_chain()
    report["audit_verify"] = {"seconds": round(time.monotonic() - started, 2), "ok": verified.ok,
                              "events": verified.count}  # fmt: skip
    started = time.monotonic()
    call_command("import_legacy_dossiers", str(export), "--batch", str(args.batch), "--quiet",
                 "--no-rebuild", "--actor", "quantri.tinh", stdout=StringIO(), stderr=StringIO())  # fmt: skip
    report["rerun_seconds"] = round(time.monotonic() - started, 2)
    rate = report["import"]["dossiers_per_second"]
    report["ratio_to_floor"] = round(rate / report["floor"]["dossiers_per_second"], 3)
    per_million = 1_000_000 / rate + report["rebuild"]["seconds"] * 1_000_000 / max(imported, 1)
    report["million_hours_linear"] = round(per_million / 3600, 2)
    report["meets_million_in_an_hour"] = per_million <= 3600
    if cpu:
        # The client's CPU per dossier (on PostgreSQL the server's is not counted), on one core.
        report["million_cpu_hours_client"] = round(1_000_000 * cpu / max(imported, 1) / 3600, 2)
    with contextlib.suppress(OSError):
        report["load_average"] = [round(x, 1) for x in os.getloadavg()]
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
