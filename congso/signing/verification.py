"""The stored documents the public verification page shows (``/xac-thuc/<token>/``).

Signing stores no document: the app that keeps signed documents registers a look-up here in
its ``AppConfig.ready()`` (the e-results of dossiers: ``congso/results/hooks.py``), and the
page asks each in name order for the document of a public token. The page shows the stored
original's report and compares an uploaded copy with it; it never shows or serves the document
itself (it is personal data).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_noop

from congso.core.errors import Message, NotFound
from congso.core.hooks import Hooks
from congso.signing.models import PublicToken

#: What the page calls the stored document (``StoredDocument.kind``).
RESULT = "result"
DOCUMENT = "document"


@dataclass(frozen=True)
class StoredDocument:
    """A signed document kept by the app that owns it, as the verification page shows it."""

    code: str
    title: str
    sha256: str
    public_token: str
    read: Callable[[], bytes]  # the stored file's bytes (validated, never served)
    #: ``result`` (an e-result of a dossier) or ``document`` (an official document): the
    #: page's heading.
    kind: str = RESULT


class DocumentLookup(Protocol):
    def __call__(self, token: str) -> StoredDocument | None: ...


stored_documents: Hooks[DocumentLookup] = Hooks("signing.stored_documents")


def document_by_token(token: str) -> StoredDocument:
    for lookup in stored_documents:
        document = lookup(token)
        if document is not None:
            return document
    raise NotFound(
        "result_not_found",
        Message(
            gettext_noop(
                "Không tìm thấy văn bản hoặc kết quả điện tử này. Hãy kiểm tra lại địa chỉ "
                "hoặc quét lại mã QR trên văn bản."
            )
        ),
    )


def token_for(kind: str, object_id: int, *, make: bool = True) -> str:
    """The public token of an owner's document (made once, kept): for apps whose documents have
    no token of their own. ``kind`` names the owner's kind of document (``eoffice.document``).
    With ``make`` false (a page only reading) a document without one gets ``""``."""
    found = PublicToken.objects.filter(kind=kind, object_id=object_id).first()
    if found is not None:
        return found.token
    if not make:
        return ""
    try:
        with transaction.atomic():
            made = PublicToken.objects.create(
                kind=kind, object_id=object_id, token=secrets.token_urlsafe(24)
            )
    except IntegrityError:  # made by a concurrent call
        return PublicToken.objects.get(kind=kind, object_id=object_id).token
    return made.token


def object_for(kind: str, token: str) -> int | None:
    """The owner's key of the document with this public token, or None."""
    found = PublicToken.objects.filter(kind=kind, token=token).first()
    return found.object_id if found is not None else None
