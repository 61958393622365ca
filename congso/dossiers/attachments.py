"""Checking and storing the files of a dossier.

The type of a file is read from its first bytes (PDF ``%PDF-``, JPEG ``FF D8 FF``, PNG
``89 50 4E 47 0D 0A 1A 0A``); the name and the content type the client sends are ignored. Each
component slot limits types and size (``DossierComponent.allowed_types`` and
``max_size_bytes``, copied from the catalogue when the dossier was submitted); an empty list
allows PDF, JPEG and PNG, an empty size :data:`DEFAULT_MAX_SIZE_BYTES`.

Files go to the default storage (``MEDIA_ROOT``) under
``dossiers/<YYYY>/<MM>/<code>/<component>/v<n>-<sha256 prefix>.<ext>``; a new upload for a slot
is a new version, never a replacement. :class:`StoredFiles` deletes what a failed transaction
left behind.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db.models import Max
from django.utils import timezone

from congso.core.errors import DomainError
from congso.dossiers.models import Attachment, DossierComponent, SupplementRequest

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"

MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", PDF),
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
)
EXTENSIONS = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png"}
TYPE_LABELS = {PDF: "PDF", JPEG: "JPEG", PNG: "PNG"}
DEFAULT_ALLOWED_TYPES = (PDF, JPEG, PNG)
#: Size limit of a slot whose catalogue component sets none: 20 MB.
DEFAULT_MAX_SIZE_BYTES = 20 * 1024 * 1024
_HEAD = 16
_CHUNK = 64 * 1024


def sniff(head: bytes) -> str | None:
    """The MIME type recognised from a file's first bytes, or None."""
    for magic, mime in MAGIC:
        if head.startswith(magic):
            return mime
    return None


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".") + " MB"


@dataclass
class Checked:
    mime_type: str
    size: int
    sha256: str


def check(
    upload: IO[bytes],
    *,
    name: str,
    slot_code: str,
    slot_name: str,
    allowed_types: Sequence[str] | None,
    max_size_bytes: int | None,
) -> Checked:
    """Read ``upload`` once: size, SHA-256 and the type from its content, against the slot's
    limits. Raises :class:`DomainError` with a Vietnamese message naming the file and slot."""
    limit = max_size_bytes or DEFAULT_MAX_SIZE_BYTES
    allowed = tuple(allowed_types or DEFAULT_ALLOWED_TYPES)
    field_name = f"files.{slot_code}"
    digest = hashlib.sha256()
    size = 0
    head = b""
    upload.seek(0)
    while chunk := upload.read(_CHUNK):
        if len(head) < _HEAD:
            head += chunk[: _HEAD - len(head)]
        size += len(chunk)
        if size > limit:
            upload.seek(0)
            raise DomainError(
                "file_too_large",
                f"Tệp «{name}» của thành phần «{slot_name}» vượt quá dung lượng cho phép "
                f"({_mb(limit)}).",
                field=field_name,
            )
        digest.update(chunk)
    upload.seek(0)
    if size == 0:
        raise DomainError(
            "file_empty",
            f"Tệp «{name}» của thành phần «{slot_name}» rỗng.",
            field=field_name,
        )
    mime = sniff(head)
    if mime is None or mime not in allowed:
        labels = ", ".join(TYPE_LABELS.get(item, item) for item in allowed)
        raise DomainError(
            "file_type_not_allowed",
            f"Tệp «{name}» của thành phần «{slot_name}» không đúng loại cho phép "
            f"({labels}); loại tệp được xác định theo nội dung, không theo tên tệp.",
            field=field_name,
        )
    return Checked(mime_type=mime, size=size, sha256=digest.hexdigest())


def upload_name(upload: Any) -> str:
    return str(getattr(upload, "name", "") or "tep")[:255]


@dataclass
class StoredFiles:
    """The storage names written during one service call, to delete if it fails."""

    names: list[str] = field(default_factory=list)

    def discard(self) -> None:
        for name in self.names:
            default_storage.delete(name)
        self.names.clear()


def store(
    slot: DossierComponent,
    upload: Any,
    *,
    actor: Any,
    stored: StoredFiles,
    supplement: SupplementRequest | None = None,
    version: int | None = None,
) -> Attachment:
    """Check ``upload`` against ``slot`` and save it as the slot's next version. Call inside the
    service's transaction, with the slot's dossier row locked (versions are numbered under it).
    ``version`` spares the look-up when the caller knows it (a slot created in this call)."""
    name = upload_name(upload)
    checked = check(
        upload,
        name=name,
        slot_code=slot.code,
        slot_name=slot.name,
        allowed_types=slot.allowed_types,
        max_size_bytes=slot.max_size_bytes,
    )
    if version is None:
        version = (slot.attachments.aggregate(top=Max("version"))["top"] or 0) + 1
    attachment = Attachment(
        component=slot,
        version=version,
        original_name=name,
        size=checked.size,
        mime_type=checked.mime_type,
        sha256=checked.sha256,
        supplement=supplement,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        uploaded_at=timezone.now(),
    )
    filename = checked.sha256[:16] + EXTENSIONS[checked.mime_type]
    attachment.file.save(filename, File(upload, name=filename), save=False)
    stored.names.append(attachment.file.name)
    attachment.save()
    return attachment
