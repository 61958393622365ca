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

Hostile files (issue 13 item 8):

* **Active PDF content is refused** (``pdf_active_content``): JavaScript, actions that run on
  opening or on events (``/OpenAction``, ``/AA``, ``/Launch``, ``/SubmitForm``, ``/ImportData``,
  ``/GoToR``, ``/GoToE``), embedded files (``/EmbeddedFiles``, ``/EF``), XFA forms and rich media.
  ``qpdf --json`` reads the whole object graph (object streams and name escapes such as
  ``/J#61vaScript`` included); a PDF qpdf cannot parse is scanned byte-wise instead, and refused
  as unreadable if it holds compressed streams the scan cannot see into. A citizen who gets the
  refusal prints the document to PDF again (the message says so).
* **File names are cleaned** (:func:`clean_name`): bidirectional controls (``U+202E`` made
  ``\u202efdp.exe`` show as ``exe.pdf``), other control and format characters, and path
  separators are removed, and the extension is set to the sniffed type (``fdp.exe`` holding a
  PDF is kept as ``fdp.pdf``).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import tempfile
import unicodedata
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, Protocol

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_noop

from congso.core.errors import DomainError, Message
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
    #: The file name to keep and serve: cleaned, with the sniffed type's extension.
    name: str = ""


# --- File names ---------------------------------------------------------------------------------

#: Extensions kept as written for each sniffed type (anything else is replaced).
_KNOWN_EXTENSIONS = {PDF: (".pdf",), JPEG: (".jpg", ".jpeg"), PNG: (".png",)}


def _strip_controls(name: str) -> str:
    """Without control (Cc) and format (Cf: bidi overrides and isolates, zero-width marks)
    characters, surrogates or path separators."""
    kept = (
        ch
        for ch in name
        if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn") and ch not in "/\\"
    )
    return unicodedata.normalize("NFC", "".join(kept)).strip(" .")


def clean_name(name: str, mime_type: str | None = None) -> str:
    """The name to store and show for an upload: controls stripped, and (given the sniffed
    ``mime_type``) the extension that type's, e.g. ``"\u202efdp.exe"`` holding a PDF →
    ``"fdp.pdf"``."""
    cleaned = _strip_controls(name) or "tep"
    if mime_type is None or mime_type not in EXTENSIONS:
        return cleaned[:255]
    stem, dot, suffix = cleaned.rpartition(".")
    if dot and f".{suffix.lower()}" in _KNOWN_EXTENSIONS[mime_type]:
        return f"{stem[:250]}.{suffix.lower()}"
    stem = (stem if dot else cleaned).rstrip(" .") or "tep"
    return stem[:250] + EXTENSIONS[mime_type]


# --- Active PDF content -------------------------------------------------------------------------

#: Names whose presence anywhere in a PDF means code, an automatic action or an embedded file.
ACTIVE_PDF_NAMES = frozenset(
    {
        "/JavaScript",
        "/JS",
        "/OpenAction",
        "/AA",
        "/Launch",
        "/SubmitForm",
        "/ImportData",
        "/GoToR",
        "/GoToE",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/EF",
        "/XFA",
        "/RichMedia",
    }
)
_RAW_NAME = re.compile(rb"/[^\s/<>\[\]()%{}]+")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_CACHE: OrderedDict[str, tuple[str, ...] | None] = OrderedDict()
_PDF_CACHE_SIZE = 256
QPDF_TIMEOUT_SECONDS = 30


def _json_names(value: Any) -> Iterator[str]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                yield key
                stack.append(child)
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str) and item.startswith("/"):
            yield item


def _raw_names(data: bytes) -> set[str]:
    found = set()
    for match in _RAW_NAME.finditer(data):
        raw = _HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group())
        found.add(raw.decode("latin-1"))
    return found


def _qpdf_names(path: str) -> set[str] | None:
    """Every name in the PDF's objects as qpdf reads them, or None if qpdf cannot parse it."""
    qpdf = shutil.which("qpdf")
    if qpdf is None:
        return None
    try:
        completed = subprocess.run(  # noqa: S603 (fixed program, our own temporary file)
            [qpdf, "--json=2", "--json-key=qpdf", "--", path, "-"],
            capture_output=True,
            timeout=QPDF_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if completed.returncode not in (0, 3):  # 3: warnings (a repaired file) but parsed
        return None
    try:
        document = json.loads(completed.stdout)
    except ValueError:
        return None
    return set(_json_names(document.get("qpdf")))


def pdf_active_content(upload: IO[bytes], sha256: str) -> tuple[str, ...] | None:
    """The active-content names found in the PDF ``upload`` (empty if none), or None when it
    cannot be read safely (unparseable with compressed streams)."""
    if sha256 in _PDF_CACHE:
        _PDF_CACHE.move_to_end(sha256)
        return _PDF_CACHE[sha256]
    with tempfile.NamedTemporaryFile(suffix=".pdf") as copy:
        upload.seek(0)
        data = upload.read()
        upload.seek(0)
        copy.write(data)
        copy.flush()
        names = _qpdf_names(copy.name)
    result: tuple[str, ...] | None
    if names is None:
        raw = _raw_names(data)
        if raw & {"/ObjStm", "/Filter", "/FlateDecode"} and raw.isdisjoint(ACTIVE_PDF_NAMES):
            result = None
        else:
            result = tuple(sorted(raw & ACTIVE_PDF_NAMES))
    else:
        result = tuple(sorted(names & ACTIVE_PDF_NAMES))
    _PDF_CACHE[sha256] = result
    if len(_PDF_CACHE) > _PDF_CACHE_SIZE:
        _PDF_CACHE.popitem(last=False)
    return result


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
                Message(
                    gettext_noop(
                        "Tệp «%(name)s» của thành phần «%(slot)s» vượt quá dung lượng cho phép "
                        "(%(limit)s)."
                    ),
                    name=name,
                    slot=slot_name,
                    limit=_mb(limit),
                ),
                field=field_name,
            )
        digest.update(chunk)
    upload.seek(0)
    if size == 0:
        raise DomainError(
            "file_empty",
            Message(
                gettext_noop("Tệp «%(name)s» của thành phần «%(slot)s» rỗng."),
                name=name,
                slot=slot_name,
            ),
            field=field_name,
        )
    mime = sniff(head)
    if mime is None or mime not in allowed:
        labels = ", ".join(TYPE_LABELS.get(item, item) for item in allowed)
        raise DomainError(
            "file_type_not_allowed",
            Message(
                gettext_noop(
                    "Tệp «%(name)s» của thành phần «%(slot)s» không đúng loại cho phép "
                    "(%(types)s); loại tệp được xác định theo nội dung, không theo tên tệp."
                ),
                name=name,
                slot=slot_name,
                types=labels,
            ),
            field=field_name,
        )
    sha256 = digest.hexdigest()
    if mime == PDF:
        _refuse_active_pdf(upload, sha256, name=name, slot_name=slot_name, field=field_name)
    return Checked(mime_type=mime, size=size, sha256=sha256, name=clean_name(name, mime))


def _refuse_active_pdf(
    upload: IO[bytes], sha256: str, *, name: str, slot_name: str, field: str
) -> None:
    found = pdf_active_content(upload, sha256)
    if found is None:
        raise DomainError(
            "pdf_unreadable",
            Message(
                gettext_noop(
                    "Tệp «%(name)s» của thành phần «%(slot)s» bị hỏng, không đọc được để kiểm "
                    "tra; hãy xuất hoặc in lại ra PDF rồi tải lên."
                ),
                name=name,
                slot=slot_name,
            ),
            field=field,
        )
    if found:
        raise DomainError(
            "pdf_active_content",
            Message(
                gettext_noop(
                    "Tệp «%(name)s» của thành phần «%(slot)s» chứa mã lệnh, hành động tự chạy "
                    "hoặc tệp đính kèm (%(found)s) nên không được nhận; hãy in tài liệu ra PDF "
                    "(Print to PDF) rồi tải lên bản đó."
                ),
                name=name,
                slot=slot_name,
                found=", ".join(item.lstrip("/") for item in found),
            ),
            field=field,
        )


def upload_name(upload: Any) -> str:
    """The client's file name without control or bidi characters (the extension is set to the
    sniffed type by :func:`check`, see ``Checked.name``)."""
    return clean_name(str(getattr(upload, "name", "") or "tep"))


class _Slot(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def allowed_types(self) -> Sequence[str] | None: ...
    @property
    def max_size_bytes(self) -> int | None: ...


def check_for_slot(upload: Any, slot: _Slot) -> Checked:
    """:func:`check` an upload against the component slot it is for (a catalogue component or
    its spec: anything with ``code``, ``name``, ``allowed_types``, ``max_size_bytes``), under
    its cleaned upload name."""
    return check(
        upload,
        name=upload_name(upload),
        slot_code=slot.code,
        slot_name=slot.name,
        allowed_types=slot.allowed_types,
        max_size_bytes=slot.max_size_bytes,
    )


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
        original_name=checked.name,
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
