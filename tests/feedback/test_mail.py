"""E-mail intake: a maildir of citizens' messages imported by ``feedback_import_mail`` — the
sender becomes the reporter, an HTML-only body is reduced to inert text, attachments are
checked like uploads (EXIF location removed, a disguised file refused with nothing stored),
each message imported once, automatic replies skipped."""

from __future__ import annotations

import io
import json
import mailbox
from email.message import EmailMessage
from typing import Any

from django.core.management import call_command
from PIL import Image

from congso.feedback.models import Channel, Report
from congso.notify.models import Message
from tests.feedback.conftest import at, jpeg_with_location
from tests.feedback.test_pages import officer


def _message(
    *,
    sender: str = "Phạm Thị Dung <dung.pham@example.vn>",
    subject: str = "Đèn đường hỏng",
    text: str | None = None,
    html: str | None = None,
    attachment: tuple[str, bytes, str] | None = None,
    message_id: str = "<pakn-1@example.vn>",
    **headers: str,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "phananh@quangngai.gov.vn"
    message["Subject"] = subject
    message["Message-ID"] = message_id
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    if text is not None:
        message.set_content(text)
    if html is not None:
        if text is None:
            message.set_content(html, subtype="html")
        else:
            message.add_alternative(html, subtype="html")
    if attachment is not None:
        name, data, mime = attachment
        maintype, subtype = mime.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return bytes(message)


HTML = (
    "<html><head><style>p{color:red}</style><script>alert('x')</script></head><body>"
    "<p>Đèn đường <b>mất điện</b> cả tuần ở phường Nghĩa Lộ, tổ 5.</p>"
    "<p>Liên hệ: 0912 345 678 &lt;script&gt;alert(1)&lt;/script&gt;</p>"
    "<img src=x onerror=alert(1)></body></html>"
)


def _import(path: Any, *extra: str) -> dict[str, int]:
    out = io.StringIO()
    call_command("feedback_import_mail", str(path), *extra, stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def test_a_maildir_is_imported_once_with_inert_text_and_checked_photos(
    pv, clock, settings, tmp_path
) -> None:
    clock.set(at(2026, 3, 2, 9, 0))
    box = mailbox.Maildir(str(tmp_path / "phananh"), create=True)
    photo = jpeg_with_location().read()
    box.add(_message(html=HTML, attachment=("den-duong.jpg", photo, "image/jpeg")))
    box.add(
        _message(
            sender="Mail Delivery <mailer-daemon@example.vn>",
            subject="Undelivered",
            text="Delivery failed",
            message_id="<bounce@example.vn>",
        )
    )
    box.add(
        _message(
            sender="Trần Văn Em <em@example.vn>",
            subject="Rác",
            text="Rác thải đổ bừa bãi ở phường Cẩm Thành.",
            attachment=("anh.jpg", b"MZ\x90\x00" + b"\x00" * 64, "image/jpeg"),
            message_id="<pakn-2@example.vn>",
        )
    )
    box.add(_message(text="Vẫn là thư cũ", subject="Fwd"))  # the same Message-ID again

    assert _import(tmp_path / "phananh") == {
        "duplicate": 1,
        "imported": 1,
        "refused": 1,
        "skipped": 1,
    }
    report = Report.objects.get()
    assert report.channel == Channel.EMAIL
    assert (report.reporter_name, report.reporter_email) == (
        "Phạm Thị Dung",
        "dung.pham@example.vn",
    )
    assert report.reporter_phone == "0912345678"
    assert report.category.code == "chieu-sang" and report.unit == pv.ward_b
    assert report.agency == pv.transport  # routed by the transport rule
    assert report.title == "Đèn đường hỏng"
    assert "mất điện" in report.description and "<b>" not in report.description
    assert "alert('x')" not in report.description and "color:red" not in report.description
    assert "<script>alert(1)</script>" in report.description  # typed text, kept as text
    stored = report.files.get()
    assert stored.location_removed
    with Image.open(stored.file.open("rb")) as image:
        assert not image.getexif().get_ifd(0x8825)
    # The sender is acknowledged by e-mail and SMS; nothing is sent to the refused message.
    assert Message.objects.filter(recipient="dung.pham@example.vn").count() == 1
    assert not Message.objects.filter(recipient="em@example.vn").exists()
    assert (
        not (settings.MEDIA_ROOT / "feedback").exists()
        or len(list((settings.MEDIA_ROOT / "feedback").rglob("*.jpg"))) == 1
    )

    # Every handled message is marked read; a second run imports nothing.
    flags = sorted(box.get_message(key).get_flags() for key in box.iterkeys())
    assert flags == ["FS", "S", "S", "S"]
    assert _import(tmp_path / "phananh") == {}
    assert Report.objects.count() == 1

    # The officer sees the e-mail's text escaped.
    page = officer(pv.handler_t, settings).get(f"/can-bo/phan-anh/{report.code}/").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page


def test_eml_files_with_defaults_and_a_flood_from_one_sender(pv, clock, settings, tmp_path):
    clock.set(at(2026, 3, 2, 9, 0))
    settings.FEEDBACK_IP_LIMIT = 2
    for number in range(3):
        (tmp_path / f"{number}.eml").write_bytes(
            _message(
                subject="Góp ý",
                text="Xin hỏi giờ làm việc của trụ sở vào thứ bảy.",  # no unit named
                message_id=f"<gop-y-{number}@example.vn>",
            )
        )
    # Without a default unit nothing can be routed: refused, nothing stored.
    assert _import(tmp_path) == {"refused": 3}
    assert Report.objects.count() == 0
    counts = _import(tmp_path, "--unit", pv.ward_a.code, "--category", "giao-thong")
    assert counts == {"imported": 2, "retry": 1}  # the third waits: too many from one sender
    assert set(Report.objects.values_list("unit__code", flat=True)) == {pv.ward_a.code}
