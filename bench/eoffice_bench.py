"""E-office throughput (issue 16), each against a floor measured in the same run:

* **registrations**: ``--clerks`` clerks (threads, one database connection each) register
  arrived documents in the same agency's incoming register at once, through
  ``services.incoming_register`` — the gap-free number, the duplicate check, the audit event
  and the signed status package 03 with its outbox row and job. Floor: the same threads doing
  only what any gap-free register must (the counter upsert and the number written on the
  document, one transaction each) on another agency's documents. Both checked: numbers exactly
  1…n, no duplicate, every document numbered.
* **packages**: ``--packages`` issued documents sent end to end through the axis simulator
  (its own process): the edXML built and sealed (XML-DSig), queued, handed to the axis
  (``exchange.deliver``), listed, fetched, validated against the XSD, verified, stored as an
  incoming document with its files and acknowledged (``exchange.poll``), the status 01 queued
  back. Floor: the same bytes through the same axis with the bare client (send, list, fetch,
  confirm), nothing built, checked or stored.

Runs on its own PostgreSQL database (``BENCH_PG_URL``, created and dropped) or ``--sqlite``.
Prints one JSON object.

    ./scripts/bench eoffice [--clerks 32] [--documents 640] [--packages 200] [--sqlite]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
UBND, SO = "000.00.00.H51", "000.00.01.H51"
#: The floor's register (an agency code no real agency has).
FLOOR_AGENCY = "000.00.99.H51"


def _pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _threads(count: int, work: Callable[[int], None]) -> float:
    """Run ``work(i)`` in ``count`` threads started together; the wall time."""
    from django.db import connections

    barrier = threading.Barrier(count + 1)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            work(i)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{len(errors)} worker(s) failed: {errors[0]!r}") from errors[0]
    return elapsed


def _gapless(numbers: list[int | None], expected: int) -> dict[str, Any]:
    got = [n for n in numbers if n is not None]
    return {
        "numbered": len(got),
        "duplicates": len(got) - len(set(got)),
        "gap_free": sorted(got) == list(range(1, expected + 1)),
    }


def _arrived(agency: Any, kind: Any, count: int, tag: str) -> list[int]:
    """``count`` documents arrived from the province's committee, waiting to be registered."""
    from django.utils import timezone

    from congso.eoffice import edxml
    from congso.eoffice.models import Direction, Document, State

    today = timezone.localdate()
    rows = []
    for i in range(count):
        notation = f"{i + 1:02d}/{tag}-UBND"
        rows.append(
            Document(
                agency=agency,
                direction=Direction.INCOMING,
                state=State.ARRIVED,
                doc_type=kind,
                code_number=f"{i + 1:02d}",
                code_notation=f"{tag}-UBND",
                issuer_code=UBND,
                issuer_name="Ủy ban nhân dân tỉnh Demo",
                issued_on=today,
                subject=f"Về việc triển khai nhiệm vụ số {i + 1}",
                signer_name="Nguyễn Văn A",
                signer_position="Chủ tịch",
                document_id=edxml.document_id(UBND, today, notation),
            )
        )
    return [d.pk for d in Document.objects.bulk_create(rows)]


def registrations(clerks: int, documents: int) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from congso.eoffice import registers, services
    from congso.eoffice.models import Direction, Document, DocumentType, OutboxItem
    from congso.org.models import Agency, AgencyLevel, Role, RoleAssignment

    per_clerk = documents // clerks
    total = per_clerk * clerks
    so = Agency.objects.get(code=SO)
    floor_agency = Agency.objects.create(
        code=FLOOR_AGENCY, name="Cơ quan đo sàn", short_name="SAN", level=AgencyLevel.PROVINCE
    )
    kind = DocumentType.objects.get(code="CV")
    users = []
    for i in range(clerks):
        user = get_user_model().objects.create_user(username=f"vanthu{i:02d}", password=None)
        RoleAssignment.objects.create(user=user, role=Role.CLERK, agency=so)
        users.append(user)
    ours = _arrived(so, kind, total, "CV")
    floor_ids = _arrived(floor_agency, kind, total, "SAN")
    today = timezone.localdate()

    def congso(i: int) -> None:
        for pk in ours[i * per_clerk : (i + 1) * per_clerk]:
            services.incoming_register(actor=users[i], document_id=pk)

    def floor(i: int) -> None:
        for pk in floor_ids[i * per_clerk : (i + 1) * per_clerk]:
            with transaction.atomic():
                number = registers.next_number(
                    agency_code=FLOOR_AGENCY,
                    direction=Direction.INCOMING,
                    day=today,
                    confidential=False,
                )
                Document.objects.filter(pk=pk).update(
                    register_number=number, register_year=today.year, state="registered"
                )

    floor_seconds = _threads(clerks, floor)
    congso_seconds = _threads(clerks, congso)

    def numbers(ids: list[int]) -> list[int | None]:
        return list(Document.objects.filter(pk__in=ids).values_list("register_number", flat=True))

    checked = _gapless(numbers(ours), total)
    statuses = OutboxItem.objects.filter(
        package__document_id__in=ours, package__status_code="03"
    ).count()
    return {
        "clerks": clerks,
        "documents": total,
        "congso": {
            "seconds": round(congso_seconds, 3),
            "registered_per_second": round(total / congso_seconds, 1),
            **checked,
            "status_03_queued": statuses,
        },
        "floor": {
            "what": "counter upsert + number written, one transaction each, same threads",
            "seconds": round(floor_seconds, 3),
            "registered_per_second": round(total / floor_seconds, 1),
            **_gapless(numbers(floor_ids), total),
        },
        "ratio": round(floor_seconds / congso_seconds, 3),
    }


def packages(count: int) -> dict[str, Any]:
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from congso.contrib.docaxis import client
    from congso.eoffice import edxml, exchange, registers
    from congso.eoffice.models import (
        Channel,
        Direction,
        Dispatch,
        Document,
        DocumentFile,
        DocumentType,
        FileRole,
        OutboxItem,
        Package,
        State,
    )
    from congso.org.models import Agency

    ubnd = Agency.objects.get(code=UBND)
    kind = DocumentType.objects.get(code="CV")
    pdf = _pdf()
    today = timezone.localdate()
    year_start = 1000  # clear of the registrations' numbers (another register anyway)
    issued = []
    for i in range(count):
        number = registers.format_number(year_start + i)
        document = Document.objects.create(
            agency=ubnd,
            direction=Direction.OUTGOING,
            state=State.ISSUED,
            doc_type=kind,
            code_number=number,
            code_notation="UBND-VP",
            issuer_code=UBND,
            issuer_name=ubnd.name,
            place="Demo",
            issued_on=today,
            subject=f"Về việc liên thông văn bản điện tử, đợt {i + 1}",
            signer_name="Nguyễn Văn A",
            signer_position="Chủ tịch",
            signer_competence="KT.",
            to_places=["Như trên", "Lưu: VT"],
            register_year=today.year,
            register_number=year_start + i,
            document_id=edxml.document_id(UBND, today, f"{number}/UBND-VP"),
        )
        row = DocumentFile(
            document=document,
            version=1,
            role=FileRole.MAIN,
            name="cong-van.pdf",
            mime_type="application/pdf",
            size=len(pdf),
            sha256=hashlib.sha256(pdf).hexdigest(),
            signed=True,
        )
        row.file.save("cong-van.pdf", ContentFile(pdf, name="cong-van.pdf"), save=False)
        row.save()
        Dispatch.objects.create(
            document=document, recipient_code=SO, recipient_name="Sở Nội vụ", channel=Channel.AXIS
        )
        issued.append(document)

    started = time.perf_counter()
    for document in issued:
        exchange.queue_document(document, document.dispatches.get(), actor=None)
    for item in OutboxItem.objects.filter(status=OutboxItem.Status.PENDING, package__kind="edoc"):
        exchange.deliver(item.pk)
    received = 0
    while received < count:
        took = [
            p for p in exchange.poll() if p.kind == "edoc" and p.outcome == Package.Outcome.ACCEPTED
        ]
        if not took:
            raise RuntimeError(f"the axis ran dry after {received} of {count} packages")
        received += len(took)
    congso_seconds = time.perf_counter() - started
    arrived = Document.objects.filter(
        agency__code=SO,
        direction=Direction.INCOMING,
        document_id__in=[d.document_id for d in issued],
    ).count()
    sizes = [
        len(bytes(p.data))
        for p in Package.objects.filter(direction=Direction.OUTGOING, kind="edoc")
    ]

    # The floor: the same bytes, the same axis, the bare client; nothing built or kept.
    payloads = [
        bytes(p.data) for p in Package.objects.filter(direction=Direction.OUTGOING, kind="edoc")
    ]
    started = time.perf_counter()
    for index, data in enumerate(payloads):
        client.send(data=data, message_type="edoc", to=SO, key=f"floor|{index}")
    fetched = 0
    while fetched < len(payloads):
        listing = client.received()
        if not listing:
            raise RuntimeError("the axis ran dry in the floor")
        for entry in listing:
            client.fetch(entry["docId"])
            client.confirm(entry["docId"])
            fetched += 1
    floor_seconds = time.perf_counter() - started
    return {
        "packages": count,
        "package_bytes_median": sorted(sizes)[len(sizes) // 2],
        "congso": {
            "seconds": round(congso_seconds, 3),
            "packages_per_second": round(count / congso_seconds, 1),
            "received_as_documents": arrived,
            "what": "build + seal + queue + send + list + fetch + validate + verify + store + ack",
        },
        "floor": {
            "seconds": round(floor_seconds, 3),
            "packages_per_second": round(len(payloads) / floor_seconds, 1),
            "what": "the same bytes: send + list + fetch + confirm with the bare axis client",
        },
        "ratio": round(floor_seconds / congso_seconds, 3),
    }


def _load() -> dict[str, Any]:
    one, five, fifteen = os.getloadavg()
    return {"cpus": os.cpu_count(), "loadavg": [round(one, 2), round(five, 2), round(fifteen, 2)]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clerks", type=int, default=32)
    parser.add_argument("--documents", type=int, default=640)
    parser.add_argument("--packages", type=int, default=200)
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file instead of PostgreSQL")
    args = parser.parse_args()

    from simulators.docaxis.process import DocAxisSimulator

    scratch = Path(tempfile.mkdtemp(prefix="congso-eoffice-bench-"))
    dbname = f"congso_bench_eoffice_{os.getpid()}"
    os.environ["CONGSO_DATA_DIR"] = str(scratch)
    os.environ["DJANGO_SETTINGS_MODULE"] = "congso.settings.base"
    os.environ["DATABASE_URL"] = (
        f"sqlite:///{scratch / 'bench.sqlite3'}" if args.sqlite else f"{PG}/{dbname}"
    )
    os.environ["CONGSO_EOFFICE_INTERNAL_ROUTING"] = "0"  # through the axis, even in-house
    os.environ["CONGSO_SECRET_KEY"] = secrets.token_urlsafe(48)
    os.environ.pop("CONGSO_BROKER_URL", None)
    axis = DocAxisSimulator(run_dir=scratch / "docaxis").start()
    os.environ.update(axis.env())
    if not args.sqlite:
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", dbname], check=True)
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        from congso.eoffice import seals
        from congso.org.models import Agency, AgencyLevel

        call_command("migrate", "--no-input", verbosity=0)
        seals.issue_demo_seals(Path(settings.EOFFICE_SEALS_DIR), [UBND, SO])
        Agency.objects.create(
            code=UBND, name="Ủy ban nhân dân tỉnh Demo", short_name="UBND",
            level=AgencyLevel.PROVINCE,
        )  # fmt: skip
        Agency.objects.create(
            code=SO, name="Sở Nội vụ tỉnh Demo", short_name="SNV", level=AgencyLevel.PROVINCE
        )
        load_before = _load()
        report: dict[str, Any] = {
            "benchmark": "eoffice",
            "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
            "machine_before": load_before,
            "registrations": registrations(args.clerks, args.documents),
            "packages": packages(args.packages),
            "machine_after": _load(),
        }
        print(json.dumps(report, ensure_ascii=False))
        ok = (
            report["registrations"]["congso"]["gap_free"]
            and report["registrations"]["congso"]["duplicates"] == 0
            and report["packages"]["congso"]["received_as_documents"] == args.packages
        )
        return 0 if ok else 1
    finally:
        from django.db import connections

        connections.close_all()
        axis.stop()
        if not args.sqlite:
            subprocess.run(
                ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", dbname],
                check=False,
                capture_output=True,
            )


if __name__ == "__main__":
    sys.exit(main())
