"""E-mail intake: one RFC 5322 message (from a maildir or an ``.eml`` file) read with the
standard library's parser and filed through :func:`congso.feedback.services.report_submit` on
the ``email`` channel, like any other report (docs/feedback.md, "E-mail").

* the sender (``From``) becomes the reporter's name and e-mail; a Vietnamese mobile number in
  the text becomes the reporter's phone;
* the text part is preferred; an HTML-only message is reduced to its text (scripts, styles and
  every tag dropped, entities decoded) — the text is then stored as typed and shown escaped
  everywhere, like every citizen text;
* attachments go through the same checks as the portal's uploads (type from the content, size,
  active PDF content, EXIF location removed);
* the category is the first suggestion from the text, the commune/ward the first one named in
  the text (diacritics-free), otherwise the importer's defaults; without them the message is
  refused and left for an officer to enter by hand;
* a message is imported once (its ``Message-ID``, or the SHA-256 of the bytes without one);
  automatic replies and bulk mail are skipped, and no answer is sent to a refused message (no
  backscatter); floods are limited per sender like per client address.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr
from html.parser import HTMLParser
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from congso.catalog.search import normalise
from congso.core.errors import DomainError
from congso.feedback import selectors, services
from congso.feedback.models import Channel, Report
from congso.notify.phone import normalise_phone

_BLOCKS = frozenset(
    {"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table"}
)
_HIDDEN = frozenset({"script", "style", "head", "title", "noscript", "template"})
_PHONE = re.compile(r"(?<!\d)(?:\+84|0)(?:[\s.]?\d){9}(?!\d)")


class _Text(HTMLParser):
    """The text of an HTML body: tags dropped, the content of scripts and styles too."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


@dataclass(frozen=True)
class Parsed:
    message_id: str
    sender_name: str
    sender_email: str
    subject: str
    text: str
    files: list[SimpleUploadedFile]
    automatic: bool


def _is_automatic(message: EmailMessage, sender: str) -> bool:
    auto = str(message.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(message.get("Precedence", "")).strip().lower()
    local = sender.split("@", 1)[0].lower()
    return (
        auto != "no"
        or precedence in ("bulk", "junk", "list")
        or not sender
        or local in ("mailer-daemon", "postmaster", "noreply", "no-reply")
    )


def parse(raw: bytes) -> Parsed:
    """The parts of a message congso uses (nothing is stored)."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    name, address = parseaddr(str(message.get("From", "")))
    message_id = str(message.get("Message-ID", "")).strip()
    if not message_id:
        message_id = "sha256:" + hashlib.sha256(raw).hexdigest()
    text = ""
    body = message.get_body(preferencelist=("plain", "html"))
    if body is not None:
        content = body.get_content()
        text = html_to_text(content) if body.get_content_subtype() == "html" else content
    files = []
    for number, part in enumerate(message.iter_attachments(), start=1):
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes) or not data:
            continue
        filename = part.get_filename() or f"tep-dinh-kem-{number}"
        files.append(SimpleUploadedFile(filename, data, content_type=part.get_content_type()))
    return Parsed(
        message_id=message_id[:255],
        sender_name=name.strip(),
        sender_email=address.strip(),
        subject=str(message.get("Subject", "")).strip(),
        text=text.strip(),
        files=files,
        automatic=_is_automatic(message, address.strip()),
    )


def _phone_in(text: str) -> str:
    for found in _PHONE.finditer(text):
        try:
            return normalise_phone(re.sub(r"[\s.]", "", found.group()))
        except DomainError:
            continue
    return ""


def _unit_in(text: str, province_id: int) -> str:
    """The commune or ward whose full name the text mentions (the longest name first)."""
    words = f" {normalise(text)} "
    units = sorted(selectors.communes(province_id), key=lambda u: -len(u.name))
    for unit in units:
        if f" {normalise(unit.name)} " in words:
            return unit.code
    return ""


@dataclass(frozen=True)
class Outcome:
    status: str  # imported | duplicate | skipped | refused | retry
    detail: str = ""
    report: Report | None = None
    code: str = ""


#: Errors that may pass on a later run: the message is left unread.
_TEMPORARY = frozenset({"too_many_reports", "province_not_configured"})


def import_message(raw: bytes, *, default_category: str = "", default_unit: str = "") -> Outcome:
    """File one message as a report. Never raises a :class:`DomainError`: the outcome says
    what happened (``retry``: leave the message for the next run)."""
    parsed = parse(raw)
    if parsed.automatic:
        return Outcome("skipped", "automatic reply or bulk mail")
    if Report.objects.filter(message_id=parsed.message_id).exists():
        return Outcome("duplicate", parsed.message_id, code="already_imported")
    try:
        home = services.province()
        text = "\n\n".join(part for part in (parsed.subject, parsed.text) if part)
        suggestions = services.category_suggest(text=text, province_unit=home, limit=1)
        category = suggestions[0].category.code if suggestions else default_category
        intake = services.Intake(
            category=category,
            description=parsed.text or parsed.subject,
            unit=_unit_in(text, home.pk) or default_unit,
            title=parsed.subject[:200],
            reporter_name=parsed.sender_name,
            reporter_email=parsed.sender_email,
            reporter_phone=_phone_in(parsed.text),
            files=parsed.files,
            message_id=parsed.message_id,
        )
        report = services.report_submit(
            actor=None,
            channel=Channel.EMAIL,
            intake=intake,
            client_address=f"mail:{parsed.sender_email.lower()}",
        )
    except DomainError as exc:
        if exc.code == "already_imported":
            return Outcome("duplicate", str(exc.message), code=exc.code)
        status = "retry" if exc.code in _TEMPORARY else "refused"
        return Outcome(status, str(exc.message), code=exc.code)
    return Outcome("imported", report.code or "", report=report)


def summary(outcomes: list[Outcome]) -> dict[str, Any]:
    counts: dict[str, Any] = {}
    for outcome in outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    return counts
