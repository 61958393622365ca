"""What the e-office pages show for its choices, translated (English pages read English).

The models' choices keep the Vietnamese wording of the law and of QCVN 102 practice: that is
the *wire text* (:func:`wire`) written into edXML packages, registers, audit rows and the
versions' notes, and it never changes with the reader's language. The tables here are only
for reading: the same Vietnamese text as msgid (a test keeps them equal), translated in
``congso/eoffice/locale``. Kept apart from the models so that a label change is not a
migration."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from congso.eoffice import edxml
from congso.eoffice.models import (
    AssignmentRole,
    Channel,
    Competence,
    Confidentiality,
    Decision,
    Direction,
    Dispatch,
    FileRole,
    IncomingUpdate,
    State,
    Urgency,
)

STATE = {
    State.DRAFT: _("Dự thảo"),
    State.IN_REVIEW: _("Đang trình duyệt"),
    State.APPROVED: _("Đã duyệt, chờ ký"),
    State.SIGNED: _("Đã ký, chờ cấp số"),
    State.ISSUED: _("Đã ban hành"),
    # "Đã thu hồi" alone is an API token's "Revoked" in the project's catalogue.
    State.RECALLED: pgettext_lazy("văn bản", "Đã thu hồi"),
    State.ARRIVED: _("Đã đến, chờ vào sổ"),
    State.RETURNED: _("Đã trả lại"),
    State.REGISTERED: _("Đã vào sổ, chờ phân công"),
    State.ASSIGNED: _("Đã phân công"),
    State.PROCESSING: _("Đang xử lý"),
    State.DONE: _("Hoàn thành"),
    State.WITHDRAWN: _("Nơi gửi đã lấy lại"),
}
DIRECTION = {Direction.OUTGOING: _("Văn bản đi"), Direction.INCOMING: _("Văn bản đến")}
URGENCY = {
    Urgency.NORMAL: _("Thường"),
    Urgency.URGENT: _("Khẩn"),
    Urgency.VERY_URGENT: _("Thượng khẩn"),
    Urgency.FLASH: _("Hỏa tốc"),
}
CONFIDENTIALITY = {
    Confidentiality.NORMAL: _("Thường"),
    Confidentiality.CONFIDENTIAL: _("Mật"),
    Confidentiality.SECRET: _("Tối mật"),
    Confidentiality.TOP_SECRET: _("Tuyệt mật"),
}
COMPETENCE = {
    Competence.NONE: _("Ký trực tiếp"),
    Competence.TM: _("TM. (thay mặt tập thể)"),
    Competence.KT: _("KT. (ký thay)"),
    Competence.Q: _("Q. (quyền)"),
    Competence.TL: _("TL. (thừa lệnh)"),
    Competence.TUQ: _("TUQ. (thừa ủy quyền)"),
}
DECISION = {
    Decision.PENDING: _("Chờ ý kiến"),
    Decision.APPROVED: _("Đã duyệt (ký nháy)"),
    Decision.SENT_BACK: _("Trả lại để sửa"),
}
CHANNEL = {
    Channel.AXIS: _("Trục liên thông văn bản"),
    Channel.PAPER: _("Bản giấy"),
    Channel.EMAIL: _("Thư điện tử"),
}
DELIVERY = {
    Dispatch.Delivery.PENDING: _("Chờ gửi"),
    Dispatch.Delivery.SENT: _("Đã gửi"),
    Dispatch.Delivery.FAILED: _("Gửi lỗi"),
    Dispatch.Delivery.MARKED: _("Đã gửi (ngoài hệ thống)"),
}
ASSIGNMENT_ROLE = {
    AssignmentRole.LEAD: _("Chủ trì"),
    AssignmentRole.CO: _("Phối hợp"),
    AssignmentRole.INFO: _("Để biết"),
}
FILE_ROLE = {
    FileRole.MAIN: _("Văn bản chính"),
    FileRole.ATTACHMENT: _("Phụ lục, tài liệu kèm theo"),
}
UPDATE_DECISION = {
    IncomingUpdate.Decision.PENDING: _("Chờ văn thư"),
    IncomingUpdate.Decision.APPLIED: _("Đã cập nhật"),
    IncomingUpdate.Decision.REFUSED: _("Đã từ chối"),
}
#: The ND 30/2020 Annex III types by code (the data migration ``0002``'s names).
DOC_TYPE = {
    "NQ": _("Nghị quyết"),
    "QD": _("Quyết định"),
    "CT": _("Chỉ thị"),
    "QC": _("Quy chế"),
    "QYD": _("Quy định"),
    "TC": _("Thông cáo"),
    "TB": _("Thông báo"),
    "HD": _("Hướng dẫn"),
    "CTR": _("Chương trình"),
    "KH": _("Kế hoạch"),
    "PA": _("Phương án"),
    "DA": _("Đề án"),
    "DAN": _("Dự án"),
    "BC": _("Báo cáo"),
    "BB": _("Biên bản"),
    "TTR": _("Tờ trình"),
    "HDO": _("Hợp đồng"),
    "CV": _("Công văn"),
    "CD": _("Công điện"),
    "BGN": _("Bản ghi nhớ"),
    "BTT": _("Bản thỏa thuận"),
    "GUQ": _("Giấy ủy quyền"),
    "GM": _("Giấy mời"),
    "GGT": _("Giấy giới thiệu"),
    "GNP": _("Giấy nghỉ phép"),
    "PG": _("Phiếu gửi"),
    "PC": _("Phiếu chuyển"),
    "PB": _("Phiếu báo"),
}
#: QCVN 102 status codes, as the sender reads them on a recipient's row.
STATUS = {
    edxml.ARRIVED: _("Đã đến"),
    edxml.REFUSED: _("Bị trả lại"),
    edxml.REGISTERED: _("Đã vào sổ"),
    edxml.ASSIGNED: _("Đã phân công xử lý"),
    edxml.PROCESSING: _("Đang xử lý"),
    edxml.DONE: _("Đã xử lý xong"),
    edxml.RECALL_REQUESTED: _("Đề nghị thu hồi"),
    edxml.RECALL_ACCEPTED: _("Đồng ý"),
    edxml.RECALL_REFUSED: _("Từ chối"),
}
#: BussinessDocType: what a package does to a document already sent.
BUSINESS = {
    edxml.NEW: _("Văn bản mới"),
    edxml.REVOKE: _("Thu hồi, hủy bỏ văn bản"),
    edxml.UPDATE: _("Cập nhật, đính chính văn bản"),
    edxml.REPLACE: _("Văn bản thay thế"),
}

TABLES: dict[str, dict[Any, Any]] = {
    "state": STATE,
    "direction": DIRECTION,
    "urgency": URGENCY,
    "confidentiality": CONFIDENTIALITY,
    "competence": COMPETENCE,
    "decision": DECISION,
    "channel": CHANNEL,
    "delivery": DELIVERY,
    "assignment_role": ASSIGNMENT_ROLE,
    "file_role": FILE_ROLE,
    "update_decision": UPDATE_DECISION,
    "doc_type": DOC_TYPE,
    "status": STATUS,
    "business": BUSINESS,
}

#: The model choices each table reads (the wire text).
WIRE: dict[str, Any] = {
    "state": State,
    "direction": Direction,
    "urgency": Urgency,
    "confidentiality": Confidentiality,
    "competence": Competence,
    "decision": Decision,
    "channel": Channel,
    "delivery": Dispatch.Delivery,
    "assignment_role": AssignmentRole,
    "file_role": FileRole,
    "update_decision": IncomingUpdate.Decision,
}


def label(kind: str, value: Any, default: str = "—") -> Any:
    """The reader's label of ``value`` (lazy: translated when shown)."""
    table = TABLES[kind]
    if value in table:
        return table[value]
    if isinstance(value, str) and value.isdigit() and int(value) in table:
        return table[int(value)]
    return value if value not in (None, "") else default


def wire(kind: str, value: Any) -> str:
    """The Vietnamese text of ``value`` as the model's choices have it: what packages,
    registers and audit rows carry whatever the reader's language."""
    choices = WIRE[kind]
    return str(dict(choices.choices).get(value, value))


def choices(kind: str) -> list[tuple[Any, Any]]:
    """A form's choices for one table, in the model's order."""
    return [(value, TABLES[kind][value]) for value in WIRE[kind].values]


def doc_type(document_type: Any) -> Any:
    """A document type's name for the reader (a type not in the ND 30 list: its own name)."""
    if document_type is None:
        return "—"
    return DOC_TYPE.get(document_type.code, document_type.name)


#: The status texts congso itself sends (services): each has its translation.
_KNOWN: dict[str, Any] = {
    "Văn bản đã đến.": _("Văn bản đã đến."),
    "Đã vào sổ văn bản đến.": _("Đã vào sổ văn bản đến."),
    "Đang xử lý.": _("Đang xử lý."),
    "Đã xử lý xong.": _("Đã xử lý xong."),
    "Đồng ý thu hồi.": _("Đồng ý thu hồi."),
    "Từ chối thu hồi.": _("Từ chối thu hồi."),
    "Đồng ý cập nhật.": _("Đồng ý cập nhật."),
    "Từ chối cập nhật.": _("Từ chối cập nhật."),
    "Đồng ý hủy bỏ văn bản.": _("Đồng ý hủy bỏ văn bản."),
    "Từ chối hủy bỏ văn bản.": _("Từ chối hủy bỏ văn bản."),
}
_PATTERNS: list[tuple[re.Pattern[str], Any]] = [
    (
        re.compile(r"^Đã trả lời bằng văn bản số (?P<n>.+)\.$"),
        _("Đã trả lời bằng văn bản số %(n)s."),
    ),
    (
        re.compile(r"^Đã phân công (?P<n>.+) chủ trì xử lý\.$"),
        _("Đã phân công %(n)s chủ trì xử lý."),
    ),
]


def status_text(code: str, description: str) -> str:
    """What a status package says, for the reader: congso's own wordings translated; another
    system's free text (a reason, a note) after the code's label, as written."""
    text = (description or "").strip()
    if text in _KNOWN:
        return str(_KNOWN[text])
    for pattern, template in _PATTERNS:
        match = pattern.match(text)
        if match:
            return str(template) % match.groupdict()
    name = str(label("status", edxml.STATUS_ALIASES.get(code, code), default=code))
    return f"{name}: {text}" if text else name


#: A revocation's diff says what becomes of the record in words (``exchange.REVOKED_LABEL``).
_REVOKED = _("Bị nơi ban hành thu hồi, hủy bỏ")


def from_wire(kind: str, text: Any) -> Any:
    """The reader's label of a wire text (a state as a diff stored it in Vietnamese)."""
    if text == "Bị nơi ban hành thu hồi, hủy bỏ":
        return _REVOKED
    for value, wording in WIRE[kind].choices:
        if wording == text:
            return TABLES[kind][value]
    return text
