"""PAdES-LTA: archival document time-stamps on stored signed PDFs, before the proofs they hold
lose their force.

A signature's time-stamp proves when it was made only while the time-stamping authority's
certificate is valid (and its algorithms strong). Before the newest time-stamp's TSA
certificate ends, a new *document time-stamp* (ETSI EN 319 142-1 § 5.5, pyHanko's
``PdfTimeStamper.update_archival_timestamp_chain``) covers the whole file, with the revocation
data of the previous one embedded (DSS): the chain of archival time-stamps keeps every earlier
signature verifiable after its certificates have expired. Each is an incremental update: the
earlier signatures stay as they were.

Signing stores no document: an app registers a source on :data:`sources` (``() -> iterable of
ArchivedDocument``) in its ``AppConfig.ready()``, giving how to read a stored PDF and how to
replace it with the re-time-stamped one (its own write, audited by it). :func:`retimestamp` is
what ``manage.py signing_retimestamp`` runs; every document it changes is audited here
(``signing.archive.retimestamp``).
"""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.db import models, transaction
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
from pyhanko.sign.validation.dss import async_add_validation_info

from congso.audit.services import record
from congso.core.errors import DomainError, localise
from congso.core.hooks import Hooks
from congso.signing import services, validation
from congso.signing.tokens import TimeStamp, timestamps


def latest(pdf: bytes) -> TimeStamp | None:
    """The newest time-stamp: its TSA certificate decides when the next one is due."""
    found = timestamps(pdf)
    return found[-1] if found else None


def due(stamp: TimeStamp | None, *, within_days: int, now: datetime.datetime) -> bool:
    """A document with a time-stamp whose TSA certificate ends within ``within_days``."""
    return stamp is not None and stamp.tsa_not_after <= now + datetime.timedelta(days=within_days)


def add_archive_timestamp(pdf: bytes) -> bytes:
    """The document with a new archival document time-stamp from the configured TSA, the
    revocation data of its signatures (when the file has none yet) and of its previous
    time-stamp embedded first. Raises ``tsa_unavailable`` / ``signing_failed``."""
    context = validation.signing_validation_context()
    try:
        return asyncio.run(_add(pdf, context))
    except DomainError:
        raise
    except Exception as exc:  # pyHanko, the TSA, the OCSP/CRL services
        raise services.signing_error(exc) from exc


async def _add(pdf: bytes, context: Any) -> bytes:
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    if not reader.embedded_timestamp_signatures:
        # The first archival time-stamp: make each signature long-term first (B-T → B-LT),
        # unless the file already carries validation data (signed at B-LT).
        dss = reader.root.get("/DSS")
        dss = dss.get_object() if dss is not None else None
        if dss is None or not ("/OCSPs" in dss or "/CRLs" in dss):
            for index in range(len(reader.embedded_regular_signatures)):
                buffer = io.BytesIO(pdf)
                embedded = PdfFileReader(buffer, strict=False).embedded_regular_signatures[index]
                out = await async_add_validation_info(embedded, context, in_place=False)
                pdf = out.getvalue()
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    stamper = PdfTimeStamper(services.timestamper(), field_name=None)
    output = io.BytesIO()
    await stamper.async_update_archival_timestamp_chain(
        reader, context, in_place=False, output=output
    )
    return output.getvalue()


# --- The stored documents ------------------------------------------------------------------------


@dataclass(frozen=True)
class ArchivedDocument:
    """A stored signed PDF, as its owning app lends it to the archive."""

    kind: str  # the owner's name for it: "results.signedresult", "eoffice.document"
    code: str  # what people call it: the result's code, the document's number
    target: models.Model  # the audited object
    read: Callable[[], bytes]
    #: Store the re-time-stamped bytes in place of the current file (in the caller's
    #: transaction; the owner updates its hash).
    replace: Callable[[bytes], None]


class ArchiveSource(Protocol):
    def __call__(self) -> Iterable[ArchivedDocument]: ...


sources: Hooks[ArchiveSource] = Hooks("signing.archive_sources")


def documents() -> Iterator[ArchivedDocument]:
    for source in sources:
        yield from source()


@dataclass
class Candidate:
    document: ArchivedDocument
    latest: TimeStamp | None
    due: bool
    done: bool = False
    error: str = ""
    new_latest: TimeStamp | None = None
    levels: list[str] = field(default_factory=list)

    @property
    def days_left(self) -> int | None:
        if self.latest is None:
            return None
        left = self.latest.tsa_not_after - datetime.datetime.now(datetime.UTC)
        return left.days


def retimestamp(
    *,
    actor: Any = None,
    within_days: int | None = None,
    apply: bool = False,
    now: datetime.datetime | None = None,
    only_due: bool = True,
) -> list[Candidate]:
    """The stored signed PDFs whose newest time-stamp's TSA certificate ends within
    ``within_days`` (``CONGSO_SIGNING_RETIMESTAMP_DAYS``); with ``apply``, each gets an archival
    time-stamp, is stored by its owner and audited — one transaction per document, so a
    failure (TSA down) leaves that file as it was and the others done."""
    days = settings.SIGNING_RETIMESTAMP_DAYS if within_days is None else within_days
    moment = now or datetime.datetime.now(datetime.UTC)
    found: list[Candidate] = []
    for document in documents():
        current = latest(document.read())
        candidate = Candidate(document, current, due(current, within_days=days, now=moment))
        if only_due and not candidate.due:
            continue
        found.append(candidate)
        if apply and candidate.due:
            _apply(candidate, actor=actor, days=days)
    return found


def _apply(candidate: Candidate, *, actor: Any, days: int) -> None:
    document = candidate.document
    try:
        with transaction.atomic():
            before = document.read()
            after = add_archive_timestamp(before)
            document.replace(after)
            candidate.new_latest = latest(after)
            report = validation.validate_pdf(after)
            candidate.levels = [item.level for item in report.signatures]
            record(
                actor=actor,
                action="signing.archive.retimestamp",
                target=document.target,
                after={
                    "kind": document.kind,
                    "code": document.code,
                    "sha256_before": hashlib.sha256(before).hexdigest(),
                    "sha256": hashlib.sha256(after).hexdigest(),
                    "previous_tsa_not_after": candidate.latest.tsa_not_after.isoformat()
                    if candidate.latest
                    else None,
                    "tsa_not_after": candidate.new_latest.tsa_not_after.isoformat()
                    if candidate.new_latest
                    else None,
                    "within_days": days,
                    "levels": candidate.levels,
                },
            )
        candidate.done = True
    except DomainError as exc:
        candidate.error = str(localise(exc.message))
        record(
            actor=actor,
            action="signing.archive.retimestamp_failed",
            target=document.target,
            after={"kind": document.kind, "code": document.code, "error": exc.code},
        )
