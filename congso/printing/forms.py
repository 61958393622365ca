"""The one-stop forms of TT 01/2018/TT-VPCP (art. 9 and its appendix), rendered as PDF.

* 01 Giấy tiếp nhận hồ sơ và hẹn trả kết quả — A5
* 02 Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ — A5
* 03 Phiếu từ chối tiếp nhận giải quyết hồ sơ — A5
* 04 Phiếu xin lỗi và hẹn lại ngày trả kết quả — A5
* 05 Phiếu kiểm soát quá trình giải quyết hồ sơ — A5
* 06 Sổ theo dõi hồ sơ — A4 landscape

Public entry points: :func:`render_form` and :func:`render_tracking_book` (from the database);
``layout_*`` functions render a context from :mod:`congso.printing.context` directly.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from reportlab.lib.pagesizes import A4, A5, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from congso.printing import context as ctx
from congso.printing import fonts
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
    short_datetime,
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

TITLES: dict[int, str] = {
    1: "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
    2: "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
    3: "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
    4: "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
    5: "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
    6: "SỔ THEO DÕI HỒ SƠ",
}
FORM_NUMBERS = tuple(TITLES)
DOSSIER_FORMS = (1, 2, 3, 4, 5)


def _subject_line(number: int) -> str:
    return f"Mẫu số {number:02d} – Thông tư số 01/2018/TT-VPCP"


def _title_block(number: int, code: str, styles: Styles) -> list[Flowable]:
    return [
        para(TITLES[number], styles.title),
        para(f"Mã hồ sơ: <b>{esc(code)}</b>", styles.subtitle),
        Spacer(1, 2 * mm),
    ]


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


def _a5(number: int, story: list[Flowable], code: str) -> bytes:
    return build_pdf(
        story,
        pagesize=A5,
        title=f"{TITLES[number].capitalize()} – {code}",
        subject=_subject_line(number),
        margins=A5_MARGINS,
    )


# --- 01 -------------------------------------------------------------------------------------------


def layout_receipt(data: ctx.ReceiptContext) -> bytes:
    styles = Styles()
    subject = data.subject
    story: list[Flowable] = [
        letterhead_block(data.letterhead, styles, width=A5_WIDTH, qr_payload=subject.qr_payload),
        *_title_block(1, subject.code, styles),
        labelled("Bộ phận tiếp nhận và trả kết quả", data.desk_name, styles.body_left),
        labelled("Tiếp nhận hồ sơ của", subject.applicant.name, styles.body_left),
        *_contact_lines(subject.applicant, styles),
        para(
            f"Nội dung yêu cầu giải quyết: <b>{esc(subject.procedure_name)}</b>"
            f" (mã thủ tục {esc(subject.procedure_code)})",
            styles.body,
        ),
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
    appointment = (
        time_phrase(data.appointment_at)
        if data.appointment_at is not None
        else "Không ấn định (thủ tục không có thời hạn cố định)"
    )
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
    ]
    if data.book_sequence is not None:
        story.append(
            para(
                f"Vào Sổ theo dõi hồ sơ, Quyển số: <b>{esc(data.book_volume)}</b>, "
                f"Số thứ tự: <b>{data.book_sequence}</b>",
                styles.body_left,
            )
        )
    if data.lookup_url:
        story.append(para(f"Tra cứu tình trạng hồ sơ tại: {esc(data.lookup_url)}", styles.small))
    story.append(
        _signatures(
            [Signer("NGƯỜI NỘP HỒ SƠ"), Signer("NGƯỜI TIẾP NHẬN HỒ SƠ", name=data.officer)],
            styles,
        )
    )
    story.append(
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
        )
    )
    return _a5(1, story, subject.code)


def _signatures(signers: list[Signer | None], styles: Styles) -> Flowable:
    return signature_block(signers, styles, width=A5_WIDTH)


# --- 02 -------------------------------------------------------------------------------------------


def layout_supplement(data: ctx.SupplementContext) -> bytes:
    styles = Styles()
    subject = data.subject
    applicant = subject.applicant
    story: list[Flowable] = [
        letterhead_block(data.letterhead, styles, width=A5_WIDTH, qr_payload=subject.qr_payload),
        *_title_block(2, subject.code, styles),
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
    return _a5(2, story, subject.code)


# --- 03 -------------------------------------------------------------------------------------------


def layout_refusal(data: ctx.RefusalContext) -> bytes:
    styles = Styles()
    subject = data.subject
    applicant = subject.applicant
    story: list[Flowable] = [
        letterhead_block(data.letterhead, styles, width=A5_WIDTH, qr_payload=subject.qr_payload),
        *_title_block(3, subject.code, styles),
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
    return _a5(3, story, subject.code)


# --- 04 -------------------------------------------------------------------------------------------


def layout_apology(data: ctx.ApologyContext) -> bytes:
    styles = Styles()
    subject = data.subject
    applicant = subject.applicant
    who = esc(applicant.salutation)
    agency = esc(data.agency)
    received = ctx.local_date(data.received_at)
    old = time_phrase(data.old_appointment) if data.old_appointment else "không ấn định"
    new = time_phrase(data.new_appointment) if data.new_appointment else "khi có kết quả"
    letterhead = data.letterhead
    if not letterhead.number:
        # An official letter carries the number the clerk gives it when registering it.
        letterhead = dataclasses.replace(letterhead, number="……/……")
    story: list[Flowable] = [
        letterhead_block(letterhead, styles, width=A5_WIDTH, qr_payload=subject.qr_payload),
        *_title_block(4, subject.code, styles),
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
    ]
    recipients: list[Flowable] = [
        para("<b><i>Nơi nhận:</i></b>", styles.small),
        para("- Như trên;", styles.small),
    ]
    if data.desk_name:
        recipients.append(para(f"- {esc(data.desk_name)};", styles.small))
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
    story += [Spacer(1, 3 * mm), closing]
    return _a5(4, story, subject.code)


# --- 05 -------------------------------------------------------------------------------------------


def _times(row: ctx.SlipRow) -> str:
    parts = []
    if row.received_at is not None:
        parts.append(f"Nhận: {short_datetime(row.received_at)}")
    if row.due_at is not None:
        parts.append(f"Hạn: {short_datetime(row.due_at)}")
    if row.finished_at is not None:
        parts.append(f"Xong: {short_datetime(row.finished_at)}")
    return "<br/>".join(esc(part) for part in parts)


def layout_control_slip(data: ctx.ControlSlipContext) -> bytes:
    styles = Styles()
    subject = data.subject
    story: list[Flowable] = [
        letterhead_block(data.letterhead, styles, width=A5_WIDTH, qr_payload=subject.qr_payload),
        *_title_block(5, subject.code, styles),
        labelled("Kèm theo hồ sơ của", subject.applicant.name, styles.body_left),
        para(f"Nội dung yêu cầu giải quyết: <b>{esc(subject.procedure_name)}</b>", styles.body),
        labelled("Cơ quan (bộ phận) giải quyết hồ sơ", data.competent_agency, styles.body_left),
        labelled(
            "Cơ quan phối hợp giải quyết hồ sơ",
            "; ".join(data.cooperating) or "Không",
            styles.body_left,
        ),
    ]
    if data.appointment_at is not None:
        story.append(
            labelled("Ngày hẹn trả kết quả", time_phrase(data.appointment_at), styles.body_left)
        )
    rows: list[list[Any]] = [
        [
            para("TÊN CƠ QUAN", styles.cell_head),
            para("THỜI GIAN GIAO, NHẬN HỒ SƠ", styles.cell_head),
            para(
                "KẾT QUẢ GIẢI QUYẾT HỒ SƠ (Trước hạn/đúng hạn/quá hạn)",
                styles.cell_head,
            ),
            para("GHI CHÚ", styles.cell_head),
        ]
    ]
    for index, row in enumerate(data.rows, start=1):
        who = f"<b>{index}. {esc(row.title)}</b>"
        if row.unit:
            who += f"<br/>{esc(row.unit)}"
        if row.officer:
            who += f"<br/>Cán bộ: {esc(row.officer)}"
        rows.append(
            [
                para(who, styles.cell),
                para(_times(row), styles.cell),
                para(esc(row.result), styles.cell_center),
                para(esc(row.note), styles.cell),
            ]
        )
    story += [
        Spacer(1, 1.5 * mm),
        grid_table(rows, [44 * mm, 33 * mm, 21 * mm, 28 * mm]),
    ]
    return _a5(5, story, subject.code)


# --- 06 -------------------------------------------------------------------------------------------

_BOOK_WIDTHS_MM = (8, 35, 32, 10, 24, 25, 24, 16, 16, 16, 16, 16, 16, 18)


def _stamp(moment: datetime.datetime | None) -> str:
    if moment is None:
        return ""
    value = local(moment)
    return f"{value:%d/%m/%Y}<br/>{value:%H:%M}"


def layout_tracking_book(data: ctx.TrackingBookContext) -> bytes:
    styles = Styles(body_size=10)
    cell = Styles(body_size=8.5)
    story: list[Flowable] = [
        letterhead_block(data.letterhead, styles, width=A4_WIDTH),
        para(TITLES[6], styles.title),
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
        subject=_subject_line(6),
        margins=A4_MARGINS,
    )


# --- Entry points -------------------------------------------------------------------------------

_LAYOUTS: dict[int, Callable[[Any], bytes]] = {
    1: layout_receipt,
    2: layout_supplement,
    3: layout_refusal,
    4: layout_apology,
    5: layout_control_slip,
}


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return str(value).strip() if value else ""


def render_form(
    number: int, dossier: Dossier, *, request_data: Mapping[str, Any] | None = None
) -> bytes:
    """Form ``number`` (1–5) for ``dossier`` as PDF bytes.

    ``request_data`` carries what the page request adds to the stored dossier (every key
    optional): ``number`` — the registered document number printed as "Số: …";
    ``lookup_url`` — the public look-up address printed on form 01; ``supplement_id`` — which
    supplement request form 02 prints (default: the latest).

    Raises :class:`~congso.printing.context.FormNotAvailable` when the dossier has no such form
    yet (no refusal for 03, no apology for 04…), and ``ValueError`` for an unknown number.
    """
    if number not in _LAYOUTS:
        raise ValueError(f"no dossier form {number!r}; expected one of {DOSSIER_FORMS}")
    data = request_data or {}
    doc_number = _text(data, "number")
    builders: dict[int, Callable[[], Any]] = {
        1: lambda: ctx.receipt_context(
            dossier, number=doc_number, lookup_url=_text(data, "lookup_url")
        ),
        2: lambda: ctx.supplement_context(
            dossier,
            supplement_id=int(data["supplement_id"]) if data.get("supplement_id") else None,
            number=doc_number,
        ),
        3: lambda: ctx.refusal_context(dossier, number=doc_number),
        4: lambda: ctx.apology_context(dossier, number=doc_number),
        5: lambda: ctx.control_slip_context(dossier, number=doc_number),
    }
    return _LAYOUTS[number](builders[number]())


def render_tracking_book(
    desk: Desk,
    date_from: datetime.date,
    date_to: datetime.date,
    *,
    queryset: QuerySet[Dossier] | None = None,
) -> bytes:
    """Form 06 for ``desk`` over ``date_from``–``date_to`` (inclusive) as PDF bytes; with
    ``queryset`` (``Dossier.objects.restrict(user, "view")``) only the dossiers it holds."""
    return layout_tracking_book(
        ctx.tracking_book_context(desk, date_from, date_to, queryset=queryset)
    )


__all__ = [
    "DOSSIER_FORMS",
    "FORM_NUMBERS",
    "TITLES",
    "layout_apology",
    "layout_control_slip",
    "layout_receipt",
    "layout_refusal",
    "layout_supplement",
    "layout_tracking_book",
    "render_form",
    "render_tracking_book",
]
