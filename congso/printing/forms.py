"""The one-stop forms, rendered as PDF, in the set in force on the dossier's reception day
(:mod:`congso.printing.formsets`).

TT 01/2018/TT-VPCP (art. 9), dossiers received before 15/9/2025:
01 Giấy tiếp nhận hồ sơ và hẹn trả kết quả; 02 Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ; 03 Phiếu
từ chối tiếp nhận giải quyết hồ sơ; 04 Phiếu xin lỗi và hẹn lại ngày trả kết quả; 05 Phiếu kiểm
soát quá trình giải quyết hồ sơ; 06 Sổ theo dõi hồ sơ.

TT 03/2025/TT-VPCP (Phụ lục I), from 15/9/2025: 01–03 as before; 04 Văn bản xin lỗi và đề nghị
gia hạn thời gian giải quyết; 05 Thông báo dừng giải quyết hồ sơ; 06 the control slip; 07 the
tracking book. A5, the tracking book A4 landscape.

Public entry points: :func:`render_form` and :func:`render_tracking_book` (from the database);
``layout_*`` functions render a context from :mod:`congso.printing.context` directly (in the
set given, today's by default).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from reportlab.lib.pagesizes import A4, A5, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Spacer, Table, TableStyle

from congso.printing import context as ctx
from congso.printing import fonts
from congso.printing.formsets import FormDef, FormSet, form_set_of, form_set_on, form_sets
from congso.printing.layout import (
    Signer,
    Styles,
    build_pdf,
    date_phrase,
    esc,
    grid_table,
    labelled,
    letterhead_block,
    local,
    para,
    short_date,
    signature_block,
    time_phrase,
)

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from congso.dossiers.models import Dossier
    from congso.org.models import Desk

A5_MARGINS = (8 * mm, 10 * mm, 11 * mm, 12 * mm)  # top, right, bottom, left
A5_WIDTH = A5[0] - A5_MARGINS[1] - A5_MARGINS[3]
A4_LANDSCAPE = landscape(A4)
A4_MARGINS = (12 * mm, 10 * mm, 12 * mm, 15 * mm)
A4_WIDTH = A4_LANDSCAPE[0] - A4_MARGINS[1] - A4_MARGINS[3]

#: Every form number of any set.
FORM_NUMBERS = tuple(sorted({f.number for s in form_sets() for f in s.forms}))
#: The dossier forms' numbers of any set (the tracking book is per desk).
DOSSIER_FORMS = tuple(sorted({f.number for s in form_sets() for f in s.dossier_forms}))
#: The two copies of form 01 (one kept with the control slip, one for the applicant).
RECEIPT_COPIES = ("Liên 1: Lưu", "Liên 2: Giao khách hàng")
#: What a blank instant looks like on the paper forms.
BLANK_INSTANT = "…… giờ …… phút, ngày …… tháng …… năm ……"


def _current() -> FormSet:
    return form_sets()[-1]


def _title_block(form: FormDef, code: str, styles: Styles, copy: str = "") -> list[Flowable]:
    block = [para(form.title, styles.title), para(f"Mã hồ sơ: <b>{esc(code)}</b>", styles.subtitle)]
    if copy:
        block.append(para(f"<i>({esc(copy)})</i>", styles.subtitle))
    block.append(Spacer(1, 2 * mm))
    return block


def _contact_lines(applicant: ctx.Applicant, styles: Styles) -> list[Flowable]:
    lines: list[Flowable] = [labelled("Địa chỉ", applicant.address, styles.body_left)]
    lines.append(
        para(
            f"Số điện thoại: <b>{esc(applicant.phone)}</b>"
            f"&nbsp;&nbsp;&nbsp;&nbsp;Email: <b>{esc(applicant.email)}</b>",
            styles.body_left,
        )
    )
    return lines


def _a5(form_set: FormSet, form: FormDef, story: list[Flowable], code: str) -> bytes:
    return build_pdf(
        story,
        pagesize=A5,
        title=f"{form.name} – {code}",
        subject=form_set.subject(form),
        margins=A5_MARGINS,
    )


# --- 01 -------------------------------------------------------------------------------------------


def _receipt_copy(data: ctx.ReceiptContext, form: FormDef, copy: str) -> list[Flowable]:
    styles = Styles()
    subject = data.subject
    story: list[Flowable] = [
        letterhead_block(data.letterhead, styles, width=A5_WIDTH, qr_payload=subject.qr_payload),
        *_title_block(form, subject.code, styles, copy),
        labelled("Bộ phận tiếp nhận và trả kết quả", data.desk_name, styles.body_left),
        labelled("Tiếp nhận hồ sơ của", subject.applicant.name, styles.body_left),
        *_contact_lines(subject.applicant, styles),
        para(f"Nội dung yêu cầu giải quyết: <b>{esc(subject.procedure_name)}</b>", styles.body),
        para("1. Thành phần hồ sơ nộp gồm:", styles.body_left),
    ]
    rows: list[list[Any]] = [
        [
            para("TT", styles.cell_head),
            para("Tên giấy tờ", styles.cell_head),
            para("Hình thức (bản chính, bản sao)", styles.cell_head),
            para("Số lượng", styles.cell_head),
            para("Ghi chú", styles.cell_head),
        ]
    ]
    for index, component in enumerate(data.components, start=1):
        rows.append(
            [
                para(str(index), styles.cell_center),
                para(esc(component.name), styles.cell),
                para(esc(component.kind), styles.cell_center),
                para(f"{component.quantity:02d}", styles.cell_center),
                para(esc(component.note), styles.cell),
            ]
        )
    extra: list[tuple[Any, ...]] = []
    if not data.components:
        rows.append([para("Không có giấy tờ nào được ghi nhận.", styles.cell), "", "", "", ""])
        extra.append(("SPAN", (0, 1), (-1, 1)))
    story.append(grid_table(rows, [8 * mm, 54 * mm, 24 * mm, 13 * mm, 27 * mm], extra_style=extra))
    story.append(Spacer(1, 1.5 * mm))
    appointment = time_phrase(data.appointment_at) or BLANK_INSTANT
    volume = esc(data.book_volume) if data.book_volume else "……"
    sequence = str(data.book_sequence) if data.book_sequence is not None else "……"
    story += [
        para(f"2. Số lượng hồ sơ: <b>{data.sets:02d}</b> (bộ)", styles.body_left),
        para(
            f"3. Thời gian giải quyết hồ sơ theo quy định là: <b>{esc(data.time_limit)}</b>",
            styles.body_left,
        ),
        para(
            f"4. Thời gian nhận hồ sơ: <b>{esc(time_phrase(data.received_at))}</b>",
            styles.body_left,
        ),
        para(
            f"5. Thời gian trả kết quả giải quyết hồ sơ: <b>{esc(appointment)}</b>",
            styles.body_left,
        ),
        para(f"6. Đăng ký nhận kết quả tại: <b>{esc(data.return_place)}</b>", styles.body_left),
        para(
            f"Vào Sổ theo dõi hồ sơ, Quyển số: <b>{volume}</b>, Số thứ tự: <b>{sequence}</b>",
            styles.body_left,
        ),
        _signatures(
            [Signer("NGƯỜI NỘP HỒ SƠ"), Signer("NGƯỜI TIẾP NHẬN HỒ SƠ", name=data.officer)],
            styles,
        ),
        KeepTogether(
            [
                Spacer(1, 1.5 * mm),
                para("<i>Ghi chú:</i>", styles.small),
                para(
                    "- Giấy tiếp nhận hồ sơ và hẹn trả kết quả được lập thành 02 liên; một liên "
                    "chuyển kèm theo Phiếu kiểm soát quá trình giải quyết hồ sơ và được lưu tại "
                    "Bộ phận tiếp nhận và trả kết quả; một liên giao cho cá nhân, tổ chức nộp hồ "
                    "sơ;",
                    styles.small,
                ),
                para(
                    "- Cá nhân, tổ chức có thể đăng ký nhận kết quả tại Bộ phận tiếp nhận và trả "
                    "kết quả hoặc tại nhà (trụ sở tổ chức) qua dịch vụ bưu chính.",
                    styles.small,
                ),
            ]
        ),
    ]
    return story


def layout_receipt(data: ctx.ReceiptContext, form_set: FormSet | None = None) -> bytes:
    """Form 01 in its two copies, each starting on its own page ("Liên 1: Lưu", "Liên 2: Giao
    khách hàng"), with the tracking-book line and the QR code (TT 01/2023)."""
    form_set = form_set or _current()
    form = form_set.by_kind("receipt")
    story: list[Flowable] = []
    for index, copy in enumerate(RECEIPT_COPIES):
        if index:
            story.append(PageBreak())
        story += _receipt_copy(data, form, copy)
    return _a5(form_set, form, story, data.subject.code)


def _signatures(signers: list[Signer | None], styles: Styles) -> Flowable:
    return signature_block(signers, styles, width=A5_WIDTH)


# --- 02 -------------------------------------------------------------------------------------------


def layout_supplement(data: ctx.SupplementContext, form_set: FormSet | None = None) -> bytes:
    form_set = form_set or _current()
    form = form_set.by_kind("supplement")
    styles = Styles()
    subject = data.subject
    applicant = subject.applicant
    story: list[Flowable] = [
        letterhead_block(data.letterhead, styles, width=A5_WIDTH, qr_payload=subject.qr_payload),
        *_title_block(form, subject.code, styles),
        labelled("Hồ sơ của", applicant.name, styles.body_left),
        para(f"Nội dung yêu cầu giải quyết: <b>{esc(subject.procedure_name)}</b>", styles.body),
        *_contact_lines(applicant, styles),
        para("Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:", styles.body_left),
    ]
    for index, item in enumerate(data.items, start=1):
        story.append(para(f"{index}. {esc(item)}", styles.item))
    story.append(para(f"Lý do: {esc(data.reason)}", styles.body))
    contact = f"{esc(data.officer)}" if data.officer else "Bộ phận tiếp nhận và trả kết quả"
    if data.contact_phone:
        contact += f", số điện thoại {esc(data.contact_phone)}"
    story.append(
        para(
            "Trong quá trình hoàn thiện hồ sơ nếu có vướng mắc, "
            f"{esc(applicant.salutation)} liên hệ với {contact} để được hướng dẫn./.",
            styles.body,
        )
    )
    story.append(_signatures([None, Signer("NGƯỜI HƯỚNG DẪN", name=data.officer)], styles))
    return _a5(form_set, form, story, subject.code)


# --- 03 -------------------------------------------------------------------------------------------


def layout_refusal(data: ctx.RefusalContext, form_set: FormSet | None = None) -> bytes:
    form_set = form_set or _current()
    form = form_set.by_kind("refusal")
    styles = Styles()
    subject = data.subject
    applicant = subject.applicant
    story: list[Flowable] = [
        letterhead_block(data.letterhead, styles, width=A5_WIDTH, qr_payload=subject.qr_payload),
        *_title_block(form, subject.code, styles),
        para(f"<b>{esc(data.issuer)}</b>", styles.body_left),
        labelled("Tiếp nhận hồ sơ của", applicant.name, styles.body_left),
        *_contact_lines(applicant, styles),
        para(f"Nội dung yêu cầu giải quyết: <b>{esc(subject.procedure_name)}</b>", styles.body),
        para(
            f"Qua xem xét, {esc(data.issuer)} thông báo không tiếp nhận, giải quyết hồ sơ này "
            "với lý do cụ thể như sau:",
            styles.body,
        ),
    ]
    for reason in data.reasons:
        story.append(para(f"- {esc(reason)}", styles.item))
    story.append(
        para(
            f"Xin thông báo cho {esc(applicant.salutation)} được biết và thực hiện./.",
            styles.body,
        )
    )
    story.append(_signatures([None, Signer(data.signer_title, name=data.officer)], styles))
    return _a5(form_set, form, story, subject.code)


# --- 04 -------------------------------------------------------------------------------------------


def _official_closing(desk_name: str, styles: Styles) -> list[Flowable]:
    """ "Nơi nhận" on the left, the head of the body's signature on the right."""
    recipients: list[Flowable] = [
        para("<b><i>Nơi nhận:</i></b>", styles.small),
        para("- Như trên;", styles.small),
    ]
    if desk_name:
        recipients.append(para(f"- {esc(desk_name)};", styles.small))
    recipients.append(para("- Lưu: VT.", styles.small))
    signer = [
        para("THỦ TRƯỞNG CƠ QUAN", styles.sign_title),
        para("(Ký, ghi rõ họ tên và đóng dấu)", styles.sign_hint),
    ]
    closing = Table([[recipients, signer]], colWidths=[A5_WIDTH / 2, A5_WIDTH / 2])
    closing.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 1),
                ("RIGHTPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return [Spacer(1, 3 * mm), closing]


def _numbered(letterhead: Any) -> Any:
    if letterhead.number:
        return letterhead
    # An official letter carries the number the clerk gives it when registering it.
    return dataclasses.replace(letterhead, number="……/……")


def layout_apology(data: ctx.ApologyContext, form_set: FormSet | None = None) -> bytes:
    """TT 01/2018 Mẫu 04: the apology with the new appointment (in TT 03/2025 the same
    situation prints :func:`layout_extension`)."""
    form_set = form_set or form_sets()[0]
    if not form_set.has("apology"):
        return layout_extension(data, form_set)
    form = form_set.by_kind("apology")
    styles = Styles()
    subject = data.subject
    applicant = subject.applicant
    who = esc(applicant.salutation)
    agency = esc(data.agency)
    received = ctx.local_date(data.received_at)
    old = time_phrase(data.old_appointment) or BLANK_INSTANT
    new = time_phrase(data.new_appointment) or BLANK_INSTANT
    story: list[Flowable] = [
        letterhead_block(
            _numbered(data.letterhead), styles, width=A5_WIDTH, qr_payload=subject.qr_payload
        ),
        *_title_block(form, subject.code, styles),
        para(f"Kính gửi: <b>{esc(applicant.name)}</b>", styles.subtitle),
        Spacer(1, 1.5 * mm),
        para(
            f"{date_phrase(received).capitalize()}, {agency} tiếp nhận giải quyết hồ sơ đề nghị "
            f"<b>{esc(subject.procedure_name)}</b> của {who} <b>{esc(applicant.name)}</b>.",
            styles.letter,
        ),
        para(f"Mã số hồ sơ: <b>{esc(subject.code)}</b>.", styles.letter),
        para(f"Thời gian hẹn trả kết quả giải quyết hồ sơ: <b>{esc(old)}</b>.", styles.letter),
        para(
            f"Tuy nhiên đến nay, {agency} chưa trả kết quả giải quyết hồ sơ của {who}, "
            f"lý do: {esc(data.reason)}",
            styles.letter,
        ),
        para(
            f"Sự chậm trễ này đã gây phiền hà cho {who}. {agency} xin lỗi {who} và sẽ trả kết quả "
            f"giải quyết hồ sơ cho {who} vào <b>{esc(new)}</b>.",
            styles.letter,
        ),
        para(f"Xin trân trọng cảm ơn sự hợp tác của {who}./.", styles.letter),
        *_official_closing(data.desk_name, styles),
    ]
    return _a5(form_set, form, story, subject.code)


def layout_extension(data: ctx.ApologyContext, form_set: FormSet | None = None) -> bytes:
    """TT 03/2025 Mẫu 04: the competent body apologises and asks for an extension, with its
    reason and the time asked for (ND 61/2018 art. 19.9); the desk then sets the new
    appointment and tells the applicant. The 2025 annex's lines are not public: the 2018
    apology's layout, with the request for an extension in place of the new date."""
    form_set = form_set or _current()
    form = form_set.by_kind("extension")
    styles = Styles()
    subject = data.subject
    applicant = subject.applicant
    who = esc(applicant.salutation)
    agency = esc(data.agency)
    received = ctx.local_date(data.received_at)
    old = time_phrase(data.old_appointment) or BLANK_INSTANT
    new = time_phrase(data.new_appointment) or BLANK_INSTANT
    story: list[Flowable] = [
        letterhead_block(
            _numbered(data.letterhead), styles, width=A5_WIDTH, qr_payload=subject.qr_payload
        ),
        *_title_block(form, subject.code, styles),
        para(f"Kính gửi: <b>{esc(applicant.name)}</b>", styles.subtitle),
        Spacer(1, 1.5 * mm),
        para(
            f"{date_phrase(received).capitalize()}, {agency} tiếp nhận giải quyết hồ sơ đề nghị "
            f"<b>{esc(subject.procedure_name)}</b> của {who} <b>{esc(applicant.name)}</b>.",
            styles.letter,
        ),
        para(f"Mã số hồ sơ: <b>{esc(subject.code)}</b>.", styles.letter),
        para(f"Thời gian hẹn trả kết quả giải quyết hồ sơ: <b>{esc(old)}</b>.", styles.letter),
        para(
            f"Tuy nhiên đến nay, {agency} chưa giải quyết xong hồ sơ của {who}, "
            f"lý do: {esc(data.reason)}",
            styles.letter,
        ),
        para(
            f"{agency} xin lỗi {who} về sự chậm trễ này và đề nghị gia hạn thời gian giải quyết "
            f"hồ sơ đến <b>{esc(new)}</b>.",
            styles.letter,
        ),
        para(
            "Bộ phận tiếp nhận và trả kết quả điều chỉnh ngày hẹn trả kết quả và thông báo cho "
            f"{who}.",
            styles.letter,
        ),
        para(f"Xin trân trọng cảm ơn sự hợp tác của {who}./.", styles.letter),
        *_official_closing(data.desk_name, styles),
    ]
    return _a5(form_set, form, story, subject.code)


def layout_stop(data: ctx.StopContext, form_set: FormSet | None = None) -> bytes:
    """TT 03/2025 Mẫu 05: the competent body stops handling the dossier and says why. The
    annex's lines are not public: an official letter laid out like the 2018 apology."""
    form_set = form_set or _current()
    form = form_set.by_kind("stop")
    styles = Styles()
    subject = data.subject
    applicant = subject.applicant
    who = esc(applicant.salutation)
    agency = esc(data.agency)
    received = ctx.local_date(data.received_at)
    story: list[Flowable] = [
        letterhead_block(
            _numbered(data.letterhead), styles, width=A5_WIDTH, qr_payload=subject.qr_payload
        ),
        *_title_block(form, subject.code, styles),
        para(f"Kính gửi: <b>{esc(applicant.name)}</b>", styles.subtitle),
        Spacer(1, 1.5 * mm),
        para(
            f"{date_phrase(received).capitalize()}, {agency} tiếp nhận giải quyết hồ sơ đề nghị "
            f"<b>{esc(subject.procedure_name)}</b> của {who} <b>{esc(applicant.name)}</b>.",
            styles.letter,
        ),
        para(f"Mã số hồ sơ: <b>{esc(subject.code)}</b>.", styles.letter),
        para(
            f"Qua xem xét, {agency} thông báo dừng giải quyết hồ sơ nêu trên với lý do cụ thể "
            "như sau:",
            styles.letter,
        ),
        *[para(f"- {esc(reason)}", styles.item) for reason in data.reasons],
        para(
            f"Hồ sơ và giấy tờ kèm theo được trả lại cho {who} tại Bộ phận tiếp nhận và trả "
            "kết quả.",
            styles.letter,
        ),
        para(f"Xin thông báo để {who} được biết./.", styles.letter),
        *_official_closing(data.desk_name, styles),
    ]
    return _a5(form_set, form, story, subject.code)


# --- 05 -------------------------------------------------------------------------------------------


def _signature_cells(giver: str, receiver: str, styles: Styles) -> Table:
    """The two signature cells of a hand-over: "Người giao" / "Người nhận"."""
    table = Table(
        [
            [para("Người giao", styles.cell_head), para("Người nhận", styles.cell_head)],
            [Spacer(1, 9 * mm), Spacer(1, 9 * mm)],
        ],
        colWidths=[21 * mm, 21 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR),
                ("GRID", (0, 0), (-1, -1), 0.4, "#000000"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 1),
                ("RIGHTPADDING", (0, 0), (-1, -1), 1),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return table


def layout_control_slip(data: ctx.ControlSlipContext, form_set: FormSet | None = None) -> bytes:
    """The control slip: one row per hand-over ("1. Giao: … 2. Nhận: …"), its instant
    ("… giờ … phút, ngày … tháng … năm …"), the signature cells "Người giao" / "Người nhận",
    and the result of the step handed over (before / on / after time)."""
    form_set = form_set or _current()
    form = form_set.by_kind("control_slip")
    styles = Styles()
    subject = data.subject
    story: list[Flowable] = [
        letterhead_block(data.letterhead, styles, width=A5_WIDTH, qr_payload=subject.qr_payload),
        *_title_block(form, subject.code, styles),
        labelled("Kèm theo hồ sơ của", subject.applicant.name, styles.body_left),
        para(f"Nội dung yêu cầu giải quyết: <b>{esc(subject.procedure_name)}</b>", styles.body),
        labelled("Cơ quan (bộ phận) giải quyết hồ sơ", data.competent_agency, styles.body_left),
        labelled(
            "Cơ quan phối hợp giải quyết hồ sơ",
            "; ".join(data.cooperating) or "Không",
            styles.body_left,
        ),
        labelled(
            "Ngày hẹn trả kết quả", time_phrase(data.appointment_at) or BLANK_INSTANT,
            styles.body_left,
        ),
    ]  # fmt: skip
    rows: list[list[Any]] = [
        [
            para("TÊN CƠ QUAN", styles.cell_head),
            para("THỜI GIAN GIAO, NHẬN HỒ SƠ", styles.cell_head),
            para("KẾT QUẢ GIẢI QUYẾT HỒ SƠ (Trước hạn/đúng hạn/quá hạn)", styles.cell_head),
            para("GHI CHÚ", styles.cell_head),
        ]
    ]
    for handover in data.handovers:
        receiver = esc(handover.receiver) if handover.receiver else "……"
        who = f"1. Giao: <b>{esc(handover.giver)}</b><br/>2. Nhận: <b>{receiver}</b>"
        instant = time_phrase(handover.at) or BLANK_INSTANT
        rows.append(
            [
                para(who, styles.cell),
                [para(esc(instant), styles.cell), _signature_cells("", "", styles)],
                para(esc(handover.result), styles.cell_center),
                para(esc(handover.note), styles.cell),
            ]
        )
    story += [
        Spacer(1, 1.5 * mm),
        grid_table(rows, [36 * mm, 44 * mm, 20 * mm, 26 * mm]),
    ]
    return _a5(form_set, form, story, subject.code)


# --- 06 -------------------------------------------------------------------------------------------

_BOOK_WIDTHS_MM = (8, 35, 32, 10, 24, 25, 24, 16, 16, 16, 16, 16, 16, 18)


def _stamp(moment: datetime.datetime | None) -> str:
    if moment is None:
        return ""
    value = local(moment)
    return f"{value:%d/%m/%Y}<br/>{value:%H:%M}"


def layout_tracking_book(data: ctx.TrackingBookContext, form_set: FormSet | None = None) -> bytes:
    form_set = form_set or _current()
    form = form_set.by_kind("tracking_book")
    styles = Styles(body_size=10)
    cell = Styles(body_size=8.5)
    story: list[Flowable] = [
        letterhead_block(data.letterhead, styles, width=A4_WIDTH),
        para(form.title, styles.title),
        para(f"<b>{esc(data.desk_name)}</b>", styles.subtitle),
        para(
            f"Từ ngày {short_date(data.date_from)} đến ngày {short_date(data.date_to)}",
            styles.subtitle_italic,
        ),
        Spacer(1, 2 * mm),
    ]
    head = cell.cell_head
    header_top = [
        para("STT", head),
        para("Mã hồ sơ", head),
        para("Tên thủ tục hành chính", head),
        para("Số lượng hồ sơ (bộ)", head),
        para("Tên cá nhân, tổ chức", head),
        para("Địa chỉ, số điện thoại", head),
        para("Cơ quan chủ trì giải quyết", head),
        para("Ngày, tháng, năm", head),
        "",
        "",
        "",
        "",
        para("Kết quả giải quyết", head),
        para("Ghi chú", head),
    ]
    header_bottom = [
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        para("Nhận hồ sơ", head),
        para("Hẹn trả kết quả", head),
        para("Chuyển hồ sơ đến cơ quan giải quyết", head),
        para("Nhận kết quả từ cơ quan giải quyết", head),
        para("Trả kết quả cho cá nhân, tổ chức", head),
        "",
        "",
    ]
    body = cell.cell
    center = cell.cell_center
    rows: list[list[Any]] = [header_top, header_bottom]
    for row in data.rows:
        rows.append(
            [
                para(str(row.sequence), center),
                para(esc(row.code), body),
                para(esc(row.procedure), body),
                para(f"{row.sets:02d}", center),
                para(esc(row.applicant), body),
                para(esc(row.address_phone), body),
                para(esc(row.competent_agency), body),
                para(_stamp(row.received_at), center),
                para(_stamp(row.appointment_at), center),
                para(_stamp(row.transferred_at), center),
                para(_stamp(row.processed_at), center),
                para(_stamp(row.returned_at), center),
                para(esc(row.outcome), body),
                para(esc(row.note), body),
            ]
        )
    spans: list[tuple[Any, ...]] = [
        *(("SPAN", (column, 0), (column, 1)) for column in (0, 1, 2, 3, 4, 5, 6, 12, 13)),
        ("SPAN", (7, 0), (11, 0)),
    ]
    if not data.rows:
        rows.append(
            [para("Không có hồ sơ nào được tiếp nhận trong thời gian này.", body)]
            + [""] * (len(_BOOK_WIDTHS_MM) - 1)
        )
        spans.append(("SPAN", (0, 2), (-1, 2)))
    story.append(
        grid_table(
            rows,
            [width * mm for width in _BOOK_WIDTHS_MM],
            header_rows=2,
            extra_style=spans,
        )
    )
    story += [
        Spacer(1, 2 * mm),
        para(f"Tổng số hồ sơ: <b>{len(data.rows)}</b>", styles.body_left),
    ]
    return build_pdf(
        story,
        pagesize=A4_LANDSCAPE,
        title=f"Sổ theo dõi hồ sơ – {data.desk_name}",
        subject=form_set.subject(form),
        margins=A4_MARGINS,
    )


# --- Entry points -------------------------------------------------------------------------------

_LAYOUTS: dict[str, Callable[[Any, FormSet], bytes]] = {
    "receipt": layout_receipt,
    "supplement": layout_supplement,
    "refusal": layout_refusal,
    "apology": layout_apology,
    "extension": layout_extension,
    "stop": layout_stop,
    "control_slip": layout_control_slip,
}


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return str(value).strip() if value else ""


def render_form(
    number: int, dossier: Dossier, *, request_data: Mapping[str, Any] | None = None
) -> bytes:
    """Form ``number`` of the dossier's set (:func:`~congso.printing.formsets.form_set_of`:
    01–05 of TT 01/2018, 01–06 of TT 03/2025) for ``dossier`` as PDF bytes.

    ``request_data`` carries what the page request adds to the stored dossier (every key
    optional): ``number`` — the registered document number printed as "Số: …";
    ``lookup_url`` — the public look-up address printed on form 01; ``supplement_id`` — which
    supplement request form 02 prints (default: the latest).

    Raises :class:`~congso.printing.context.FormNotAvailable` when the dossier has no such form
    (yet) — no refusal for 03, no apology for 04, a number of the other set or the tracking
    book — and ``ValueError`` for a number no set has.
    """
    if number not in DOSSIER_FORMS:
        raise ValueError(f"no dossier form {number!r}; expected one of {DOSSIER_FORMS}")
    form_set = form_set_of(dossier)
    form = form_set.by_number(number)
    if form is None or form.kind not in _LAYOUTS:
        raise ctx.FormNotAvailable(f"{form_set.circular} không có mẫu số {number:02d} cho hồ sơ.")
    data = request_data or {}
    doc_number = _text(data, "number")
    builders: dict[str, Callable[[], Any]] = {
        "receipt": lambda: ctx.receipt_context(dossier, number=doc_number),
        "supplement": lambda: ctx.supplement_context(
            dossier,
            supplement_id=int(data["supplement_id"]) if data.get("supplement_id") else None,
            number=doc_number,
        ),
        "refusal": lambda: ctx.refusal_context(
            dossier, number=doc_number, reception_only=form_set.has("stop")
        ),
        "apology": lambda: ctx.apology_context(dossier, number=doc_number),
        "extension": lambda: ctx.apology_context(dossier, number=doc_number),
        "stop": lambda: ctx.stop_context(dossier, number=doc_number),
        "control_slip": lambda: ctx.control_slip_context(dossier, number=doc_number),
    }
    return _LAYOUTS[form.kind](builders[form.kind](), form_set)


def render_tracking_book(
    desk: Desk,
    date_from: datetime.date,
    date_to: datetime.date,
    *,
    queryset: QuerySet[Dossier] | None = None,
) -> bytes:
    """The tracking book (TT 01/2018 Mẫu 06, TT 03/2025 Mẫu 07: the set in force on the
    period's last day) for ``desk`` over ``date_from``–``date_to`` (inclusive) as PDF bytes;
    with ``queryset`` (``Dossier.objects.restrict(user, "view")``) only the dossiers it holds."""
    return layout_tracking_book(
        ctx.tracking_book_context(desk, date_from, date_to, queryset=queryset),
        form_set_on(date_to),
    )


__all__ = [
    "DOSSIER_FORMS",
    "FORM_NUMBERS",
    "layout_apology",
    "layout_control_slip",
    "layout_extension",
    "layout_receipt",
    "layout_refusal",
    "layout_stop",
    "layout_supplement",
    "layout_tracking_book",
    "render_form",
    "render_tracking_book",
]
