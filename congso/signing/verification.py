"""The stored documents the public verification page shows (``/xac-thuc/<token>/``).

Signing stores no document: the app that keeps signed documents registers a look-up here in
its ``AppConfig.ready()`` (the e-results of dossiers: ``congso/results/hooks.py``), and the
page asks each in name order for the document of a public token. The page shows the stored
original's report and compares an uploaded copy with it; it never shows or serves the document
itself (it is personal data).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from django.utils.translation import gettext_noop

from congso.core.errors import Message, NotFound
from congso.core.hooks import Hooks


@dataclass(frozen=True)
class StoredDocument:
    """A signed document kept by the app that owns it, as the verification page shows it."""

    code: str
    title: str
    sha256: str
    public_token: str
    read: Callable[[], bytes]  # the stored file's bytes (validated, never served)


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
                "Không tìm thấy kết quả điện tử này. Hãy kiểm tra lại địa chỉ hoặc quét lại "
                "mã QR trên văn bản."
            )
        ),
    )
