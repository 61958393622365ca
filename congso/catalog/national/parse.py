"""Interpreting an export record: time limits, fees, components per case, applicant types,
levels, legal bases — and what could not be interpreted, as flags.

Pure: no database. :func:`parse_record` turns an :class:`~.records.ExportRecord` into a
:class:`ParsedRecord` whose parts are the catalogue's own specs (``FeeSpec``, ``ComponentSpec``,
``ProcedureSpec``) plus a status per field (``parsed``, ``flagged``, ``missing``) and the
:class:`Flag` list the import report shows per record. The rule throughout: **never guess**. A
value is taken only when the export states it in a form that has one reading; anything else is
kept as text on the version and flagged for an officer:

* time limits ``N WORKING_DAY`` (working days), ``N ngày`` / ``N DAY`` (calendar days, Civil Code
  periods), ``N HOUR`` (working hours); the same limit on every channel gives the version's
  value, different ones give per-case limits (``time_limit_cases``, the longest counts when no
  case is chosen); ``OTHER``, months, years, ``0`` or free text on any channel leave the version
  without a computable limit (the catalogue admin lists those: «hạn giải quyết: chưa tính
  được») with every channel's wording kept in ``time_limit_text`` and, for free text, a
  suggestion the officer may accept;
* fees ``N VNĐ (note)`` (several joined by ``|``) become integer VND fee lines with their note;
  ``0 VNĐ`` is "no fee" only when the note is empty or says so ("Không", "Miễn phí"); a zero
  whose note states amounts or refers to a regulation ("Theo quy định của Bộ Tài chính", "Phí
  thẩm định: … 150.000 đồng/hồ sơ") is an unknown amount (``None``) with the note — flagged;
* components: ``Bản chính: 0, Bản sao: 0`` rows and "Lưu ý" headings are notes, not documents;
  the "Giấy tờ phải xuất trình" heading marks documents shown, not uploaded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from congso.catalog.models import ApplicantType, Level, OriginalOrCopy, TimeLimitUnit
from congso.catalog.national.records import (
    DOCUMENT_NUMBER_RE,
    ChannelEntry,
    ComponentEntry,
    ExportRecord,
    LegalEntry,
    clean,
)
from congso.catalog.search import normalise
from congso.catalog.specs import MAX_TEXT, ComponentSpec, FeeSpec, component_code_for

PARSED, FLAGGED, MISSING = "parsed", "flagged", "missing"
#: The fields the report counts parsed / flagged / missing.
REPORT_FIELDS = (
    "level",
    "applicant_types",
    "time_limit",
    "fees",
    "components",
    "legal_bases",
    "agency",
)
TRUNCATED = "\ufffd"

CHANNELS = {"ONLINE": "online", "POSTAL": "postal", "DIRECT": "direct"}
CHANNEL_LABELS = {"ONLINE": "Trực tuyến", "POSTAL": "Dịch vụ bưu chính", "DIRECT": "Trực tiếp"}
#: Export units that can be counted, and the catalogue unit each is.
UNITS: dict[str, str] = {
    "WORKING_DAY": str(TimeLimitUnit.WORKING_DAYS),
    "DAY": str(TimeLimitUnit.DAYS),
    "NGAY": str(TimeLimitUnit.DAYS),
    "HOUR": str(TimeLimitUnit.WORKING_HOURS),
    "WORKING_HOUR": str(TimeLimitUnit.WORKING_HOURS),
}
UNCOUNTABLE_UNITS = {"OTHER": "khác", "MONTH": "tháng", "YEAR": "năm"}
_LIMIT_RE = re.compile(r"^\s*(?P<value>\d+(?:[.,]\d+)?)\s+(?P<unit>[A-Za-zđĐàá_]+)\s*$")
_SUGGEST_RE = re.compile(
    r"(?P<value>\d+(?:[.,]\d+)?)\s*(?:\([^)]*\)\s*)?(?P<unit>ngày làm việc|giờ làm việc|ngày|giờ)",
    re.IGNORECASE,
)
_FEE_PART_RE = re.compile(
    r"^\s*(?P<amount>\d[\d.,]*)\s*VNĐ\s*(?:\((?P<note>.*)\)?)?\s*$", re.DOTALL
)
_MONEY_RE = re.compile(r"\d[\d.,]*\s*(?:đồng|đ\b|vnđ|vnd|usd)", re.IGNORECASE)
_FREE_NOTES = frozenset(
    {"", "khong", "khong co", "khong quy dinh", "mien phi", "khong thu", "mien", "khong thu phi"}
)
_QUANTITY_RE = re.compile(r"Bản chính:\s*(?P<original>\d+)\s*,\s*Bản sao:\s*(?P<copy>\d+)")
_TEMPLATE_RE = re.compile(r"\b[Mm]ẫu(?:\s+số)?\s+[A-Z0-9][\w./-]*")
_BULLET_RE = re.compile(r"^[\s\-+*•·–]+")
_DOC_KINDS = (
    "Hiến pháp",
    "Bộ luật",
    "Luật",
    "Pháp lệnh",
    "Nghị quyết liên tịch",
    "Nghị quyết",
    "Nghị định",
    "Quyết định",
    "Thông tư liên tịch",
    "Thông tư",
    "Chỉ thị",
    "Công văn",
    "Văn bản hợp nhất",
)

#: Ministries and central bodies by the code their decisions carry (QĐ-BTP) and by their names.
MINISTRIES: dict[str, str] = {
    "BCA": "Bộ Công an",
    "BCT": "Bộ Công Thương",
    "BDTTG": "Bộ Dân tộc và Tôn giáo",
    "BGDĐT": "Bộ Giáo dục và Đào tạo",
    "BGTVT": "Bộ Giao thông vận tải",
    "BKHCN": "Bộ Khoa học và Công nghệ",
    "BNG": "Bộ Ngoại giao",
    "BNNMT": "Bộ Nông nghiệp và Môi trường",
    "BNV": "Bộ Nội vụ",
    "BQP": "Bộ Quốc phòng",
    "BTC": "Bộ Tài chính",
    "BTP": "Bộ Tư pháp",
    "BVHTTDL": "Bộ Văn hóa, Thể thao và Du lịch",
    "BXD": "Bộ Xây dựng",
    "BYT": "Bộ Y tế",
    "NHNN": "Ngân hàng Nhà nước Việt Nam",
    "TANDTC": "Tòa án nhân dân tối cao",
    "TTCP": "Thanh tra Chính phủ",
    "VPCP": "Văn phòng Chính phủ",
}
_MINISTRY_BY_NAME = {normalise(name): code for code, name in MINISTRIES.items()}
_FOLDERS = {
    "bo-tai-chinh": "BTC",
    "bo-nong-nghiep-mt": "BNNMT",
    "bo-xay-dung": "BXD",
    "bo-cong-an": "BCA",
    "bo-tu-phap": "BTP",
    "ngan-hang-nha-nuoc": "NHNN",
    "toa-an-nhan-dan": "TANDTC",
}
#: Decision suffixes of a province's own bodies: a procedure a province published itself.
LOCAL_ISSUERS = ("UBND", "VP", "TTPVHCC", "HĐND")
NATIONAL, LOCAL, UNKNOWN = "national", "local", "unknown"


@dataclass(frozen=True)
class Flag:
    """Something an officer has to look at: ``field`` (report field), ``code`` (stable), a
    Vietnamese ``message``, the export's own ``text`` and, when there is one, a ``suggestion``."""

    field: str
    code: str
    message: str
    text: str = ""
    suggestion: str = ""

    def as_dict(self) -> dict[str, str]:
        data = {"field": self.field, "code": self.code, "message": self.message}
        if self.text:
            data["text"] = self.text[:500]
        if self.suggestion:
            data["suggestion"] = self.suggestion
        return data


@dataclass(frozen=True)
class Case:
    """One case heading (trường hợp) of the components with its documents (codes) and notes.
    ``alternative``: a case the applicant may or may not be in (as opposed to sections such as
    "Giấy tờ phải nộp" that apply to everyone)."""

    name: str
    components: tuple[str, ...]
    notes: tuple[str, ...] = ()
    alternative: bool = False
    presented: bool = False


@dataclass(frozen=True)
class TimeLimit:
    value: Decimal | None
    unit: str
    text: str
    cases: tuple[dict[str, Any], ...] = ()


@dataclass
class ParsedRecord:
    """An export record in the catalogue's terms, with what could not be read."""

    code: str
    name: str
    field_name: str
    levels: tuple[str, ...]
    applicant_types: tuple[str, ...]
    applicant_subjects: tuple[str, ...]
    channels: tuple[str, ...]
    time_limit: TimeLimit
    fees: tuple[FeeSpec, ...]
    components: tuple[ComponentSpec, ...]
    cases: tuple[Case, ...]
    legal_bases: tuple[str, ...]
    legal_references: tuple[dict[str, Any], ...]
    ministry: str
    origin: str
    flags: list[Flag] = field(default_factory=list)
    status: dict[str, str] = field(default_factory=dict)

    def flag(self, flag: Flag) -> None:
        self.flags.append(flag)
        self.status[flag.field] = FLAGGED


@lru_cache(maxsize=65_536)
def plain(text: str) -> str:
    """Lowercase, no diacritics (for matching the exports' wording)."""
    return normalise(text)


def short(text: str, limit: int = MAX_TEXT) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- Levels, applicants, ministry -----------------------------------------------------------------


def parse_levels(text: str) -> tuple[str, ...]:
    """ "Cấp Tỉnh" → province; "Cấp Xã" → commune; "Cấp Bộ/Trung ương" → central; the crawl's
    "Cấp bộ, Cấp tỉnh" → both. Unknown → ()."""
    words = plain(text)
    levels = []
    if "bo" in words.split() or "trung uong" in words:
        levels.append(Level.CENTRAL)
    if "tinh" in words.split():
        levels.append(Level.PROVINCE)
    if "xa" in words.split():
        levels.append(Level.COMMUNE)
    return tuple(str(level) for level in levels)


_CITIZEN_WORDS = (
    "cong dan",
    "nguoi nuoc ngoai",
    "nguoi viet nam",
    "ca nhan",
    "can bo",
    "cong chuc",
    "vien chuc",
    "dang vien",
    "ho gia dinh",
)
_ORGANISATION_WORDS = ("to chuc", "doanh nghiep", "hop tac xa", "htx", "co quan", "don vi")


def parse_applicants(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The catalogue's applicant types and the export's own subject list
    ("Công dân Việt Nam", "Doanh nghiệp"…)."""
    words = plain(text)
    types = []
    if any(word in words for word in _CITIZEN_WORDS):
        types.append(str(ApplicantType.CITIZEN))
    if any(word in words for word in _ORGANISATION_WORDS):
        types.append(str(ApplicantType.ORGANISATION))
    subjects = tuple(
        part.strip()
        for part in re.split(r",\s*(?![^()]*\))", text)
        if part.strip() and not part.strip().startswith(("HTX)", "công chức", "viên chức"))
    )
    return tuple(types), subjects


def ministry_of(record: ExportRecord) -> tuple[str, str]:
    """``(ministry code, origin)``: the body whose decision published the procedure (``QĐ-BTP``
    → BTP, national; ``QĐ-UBND`` → a province's own procedure, local), else the official list's
    issuing body, else the crawl folder."""
    decision = record.decision.upper().replace("QD", "QĐ")
    for part in re.findall(r"[A-ZĐ]+", decision):
        if part in MINISTRIES:
            return part, NATIONAL
        if part.startswith(LOCAL_ISSUERS):
            return "", LOCAL
    issuer = _MINISTRY_BY_NAME.get(plain(record.issuer))
    if issuer:
        return issuer, NATIONAL
    folder = _FOLDERS.get(record.source_file.split("/")[0]) if record.origin == "crawl" else None
    if folder:
        return folder, NATIONAL
    return "", UNKNOWN


# --- Time limits ----------------------------------------------------------------------------------


def _limit(raw: str) -> tuple[Decimal, str] | None:
    """``"7 WORKING_DAY"`` → ``(7, "WORKING_DAY")``; anything else None."""
    found = _LIMIT_RE.match(raw)
    if not found:
        return None
    try:
        value = Decimal(found.group("value").replace(",", "."))
    except InvalidOperation:
        return None
    unit = found.group("unit").upper()
    return value, "NGAY" if plain(unit) == "ngay" else unit


def _describe(entry: ChannelEntry) -> str:
    label = CHANNEL_LABELS.get(entry.channel, entry.channel or "Kênh khác")
    limit = entry.limit or "(trống)"
    return f"{label}: {limit}" + (f" — {entry.note}" if entry.note else "")


def _suggestion(entries: Sequence[ChannelEntry]) -> str:
    """A limit stated in the free text ("Không quá 05 ngày làm việc kể từ…"), offered to the
    officer, never applied."""
    found = set()
    for entry in entries:
        for match in _SUGGEST_RE.finditer(f"{entry.limit} {entry.note}"):
            value = Decimal(match.group("value").replace(",", ".")).normalize()
            found.add(f"{value:f} {match.group('unit').lower()}")
    return "; ".join(sorted(found))


def parse_time_limit(code: str, entries: Sequence[ChannelEntry]) -> tuple[TimeLimit, list[Flag]]:
    """The version's limit from the channels' limits (rules in the module docstring)."""
    text = short("\n".join(_describe(entry) for entry in entries))
    if not entries or all(not entry.limit.strip() for entry in entries):
        return TimeLimit(None, "", text), [
            Flag("time_limit", "limit_missing", "Nguồn dữ liệu không ghi thời hạn giải quyết.")
        ]
    readings: list[tuple[ChannelEntry, Decimal, str]] = []
    problems: list[Flag] = []
    for entry in entries:
        parsed = _limit(entry.limit)
        label = CHANNEL_LABELS.get(entry.channel, entry.channel)
        if parsed is None:
            problems.append(
                Flag(
                    "time_limit",
                    "limit_text",
                    f"Thời hạn ({label}) là văn bản tự do, không đọc được thành số và đơn vị.",
                    entry.limit,
                )
            )
        elif parsed[1] in UNCOUNTABLE_UNITS:
            problems.append(
                Flag(
                    "time_limit",
                    "limit_other" if parsed[1] == "OTHER" else "limit_unit",
                    f"Thời hạn ({label}) có đơn vị «{UNCOUNTABLE_UNITS[parsed[1]]}», không tính "
                    "được ngày hẹn trả.",
                    entry.limit,
                )
            )
        elif parsed[1] not in UNITS:
            problems.append(
                Flag(
                    "time_limit",
                    "limit_unit",
                    f"Thời hạn ({label}) có đơn vị lạ «{parsed[1]}».",
                    entry.limit,
                )
            )
        elif parsed[0] <= 0:
            problems.append(
                Flag(
                    "time_limit",
                    "limit_zero",
                    f"Thời hạn ({label}) bằng 0: nguồn không nói là giải quyết ngay hay chưa ghi.",
                    entry.limit,
                )
            )
        else:
            readings.append((entry, parsed[0], parsed[1]))
    if problems:
        suggestion = _suggestion(entries)
        first = problems[0]
        flag = Flag(
            first.field,
            first.code,
            first.message
            + (f" (và {len(problems) - 1} kênh khác)" if len(problems) > 1 else "")
            + " Cán bộ cần nhập thời hạn.",
            first.text,
            suggestion,
        )
        return TimeLimit(None, "", text), [flag]
    distinct = {(value, UNITS[unit]) for _, value, unit in readings}
    if len(distinct) == 1:
        ((value, unit),) = distinct
        notes = sorted({entry.note for entry, _, _ in readings if entry.note})
        return TimeLimit(value.quantize(Decimal("0.01")), unit, short("\n".join(notes))), []
    cases = []
    per_channel: dict[str, int] = {}
    for entry, value, raw_unit in readings:
        per_channel[entry.channel] = per_channel.get(entry.channel, 0) + 1
        number = per_channel[entry.channel]
        cases.append(
            {
                "case_code": f"{code}.{entry.channel.lower()}.{number}",
                "channel": CHANNELS.get(entry.channel, entry.channel.lower()),
                "value": int(value) if value == value.to_integral_value() else float(value),
                "unit_raw": "DAY" if raw_unit == "NGAY" else raw_unit,
                "text": short(entry.note, 1000),
            }
        )
    return TimeLimit(None, "", text, tuple(cases)), []


# --- Fees -----------------------------------------------------------------------------------------


def legal_reference(text: str) -> str:
    """The first legal document a note cites ("Thông tư số 85/2019/TT-BTC"), or ""."""
    number = DOCUMENT_NUMBER_RE.search(text)
    if number is None:
        return ""
    before = text[max(0, number.start() - 40) : number.start()]
    kinds = [kind for kind in _DOC_KINDS if kind.casefold() in before.casefold()]
    kind = max(kinds, key=lambda k: before.casefold().rfind(k.casefold())) if kinds else ""
    return f"{kind} {number.group(0)}".strip() if kind else number.group(0)


def _fee_part(raw: str) -> tuple[FeeSpec | None, Flag | None]:
    part = raw.strip()
    if not clean(part) or part == "|":
        return None, None
    found = _FEE_PART_RE.match(part)
    if found is None:
        note = short(part)
        return FeeSpec(name="Phí, lệ phí", amount_vnd=None, condition=note), Flag(
            "fees",
            "fee_text",
            "Phí, lệ phí ghi bằng văn bản, không có mức thu bằng số.",
            part,
        )
    amount = int(re.sub(r"[.,]", "", found.group("amount")))
    note = (found.group("note") or "").strip()
    if note.endswith(")") and note.count("(") < note.count(")"):
        note = note[:-1].rstrip()
    basis = legal_reference(note)
    plain_note = plain(note).strip(" .;:")
    if amount == 0 and plain_note not in _FREE_NOTES:
        return FeeSpec(
            name="Phí, lệ phí", amount_vnd=None, condition=short(note), legal_basis=basis
        ), Flag(
            "fees",
            "fee_in_text",
            "Mức thu ghi 0 đồng nhưng ghi chú nêu mức thu hoặc dẫn quy định khác: chưa rõ mức thu.",
            note,
        )
    condition = "" if plain_note in _FREE_NOTES else short(note)
    return FeeSpec(
        name="Phí, lệ phí", amount_vnd=amount, condition=condition, legal_basis=basis
    ), None


def parse_fees(entries: Sequence[ChannelEntry]) -> tuple[tuple[FeeSpec, ...], list[Flag], str]:
    """Fee lines (once when every channel says the same, else per channel), the flags, and the
    status (``parsed``, ``flagged``, ``missing``: the export has no information)."""
    by_text: dict[str, list[str]] = {}
    for entry in entries:
        if clean(entry.fee) and entry.fee.strip() != "|":
            by_text.setdefault(entry.fee.strip(), []).append(entry.channel)
    if not by_text:
        return (), [], MISSING
    fees: list[FeeSpec] = []
    flags: list[Flag] = []
    shared = len(by_text) == 1 and len(next(iter(by_text.values()))) == len(entries)
    for text, channels in by_text.items():
        where = ", ".join(CHANNEL_LABELS.get(c, c).lower() for c in dict.fromkeys(channels))
        for part in text.split("|"):
            fee, flag = _fee_part(part)
            if fee is None:
                continue
            if not shared:
                fee = FeeSpec(
                    name=f"{fee.name} (nộp {where})",
                    amount_vnd=fee.amount_vnd,
                    condition=fee.condition,
                    legal_basis=fee.legal_basis,
                )
            if fee not in fees:
                fees.append(fee)
            if flag is not None and flag not in flags:
                flags.append(flag)
    if not fees:
        return (), [], MISSING
    return tuple(fees), flags[:1], FLAGGED if flags else PARSED


# --- Components -----------------------------------------------------------------------------------

_SECTION_WORDS = ("phai nop", "xuat trinh", "thanh phan ho so", "ho so gom", "ho so bao gom")


def _is_note_heading(heading: str) -> bool:
    return "luu y" in plain(heading)


def _is_section(heading: str) -> bool:
    words = plain(heading)
    return not words or any(word in words for word in _SECTION_WORDS)


def _document_name(text: str) -> str:
    return _BULLET_RE.sub("", " ".join(text.split())).strip()


def _kind(original: int, copy: int, name: str) -> str:
    if original and copy:
        return OriginalOrCopy.ORIGINAL_OR_COPY
    if copy:
        certified = "chứng thực" in name.casefold()
        return OriginalOrCopy.CERTIFIED_COPY if certified else OriginalOrCopy.COPY
    return OriginalOrCopy.ORIGINAL


def parse_components(
    entries: Sequence[ComponentEntry],
) -> tuple[tuple[ComponentSpec, ...], tuple[Case, ...], list[Flag]]:
    """Documents with their codes, the cases they fall under, and flags."""
    order: list[str] = []
    grouped: dict[str, list[ComponentEntry]] = {}
    for entry in entries:
        heading = entry.case.strip()
        if heading not in grouped:
            order.append(heading)
            grouped[heading] = []
        grouped[heading].append(entry)
    alternatives = [h for h in order if not _is_section(h) and not _is_note_heading(h)]
    taken: set[str] = set()
    components: list[ComponentSpec] = []
    cases: list[Case] = []
    flags: list[Flag] = []
    truncated = False
    for heading in order:
        codes: list[str] = []
        notes: list[str] = []
        presented = "xuat trinh" in plain(heading)
        for entry in grouped[heading]:
            name = _document_name(entry.name)
            if not name:
                continue
            quantity = _QUANTITY_RE.search(entry.quantity)
            original = int(quantity.group("original")) if quantity else 1
            copy = int(quantity.group("copy")) if quantity else 0
            if _is_note_heading(heading) or (quantity and not original and not copy):
                notes.append(name)
                continue
            truncated = truncated or TRUNCATED in name
            code = component_code_for(name[:120], taken)
            conditions = []
            if len(alternatives) > 1 and heading in alternatives:
                conditions.append(short(_document_name(heading).rstrip(":"), 500))
            if presented:
                conditions.append("Xuất trình, không nộp")
            optional = "(nếu có)" in name.casefold() or plain(name[:30]).startswith(
                ("truong hop", "doi voi truong hop", "neu ")
            )
            template = entry.template or (
                (_TEMPLATE_RE.search(name) or [""])[0] if "mẫu" in name.casefold() else ""
            )
            components.append(
                ComponentSpec(
                    code=code,
                    name=short(name),
                    original_or_copy=_kind(original, copy, name),
                    quantity=min(max(original, copy, 1), 1000),
                    mandatory=not optional,
                    condition=short("; ".join(conditions)),
                    template_name=short(template, 500),
                )
            )
            codes.append(code)
        if codes or notes:
            cases.append(
                Case(
                    name=_document_name(heading).rstrip(":").strip(),
                    components=tuple(codes),
                    notes=tuple(notes),
                    alternative=heading in alternatives and len(alternatives) > 1,
                    presented=presented,
                )
            )
    if not components:
        flags.append(
            Flag(
                "components",
                "components_missing",
                "Nguồn dữ liệu không ghi thành phần hồ sơ (hoặc chỉ có ghi chú).",
            )
        )
    elif truncated:
        flags.append(
            Flag(
                "components",
                "component_truncated",
                "Tên một số giấy tờ bị cắt cụt trong nguồn dữ liệu (ký tự �): cần đối chiếu.",
            )
        )
    return tuple(components), tuple(cases), flags


# --- Legal bases ----------------------------------------------------------------------------------


def _reference(entry: LegalEntry) -> dict[str, Any]:
    number = entry.number or (DOCUMENT_NUMBER_RE.search(entry.title) or [""])[0]
    title = entry.title or number
    start = plain(title[:40])
    kind = next((k for k in _DOC_KINDS if start.startswith(plain(k))), "")
    year_match = re.search(r"/(\d{4})/", number)
    issuer = number.rsplit("/", 1)[-1] if number.count("/") >= 2 else ""
    return {
        "title": short(title, 1000),
        "number": number,
        "kind": kind,
        "year": int(year_match.group(1)) if year_match else None,
        "issuer": issuer,
    }


def parse_legal_bases(
    entries: Iterable[LegalEntry],
) -> tuple[tuple[str, ...], tuple[dict[str, Any], ...]]:
    """Readable lines ("Luật 54/2014/QH13") and structured references ``{title, number, kind,
    year, issuer}``, duplicates (same number) once."""
    lines: list[str] = []
    references: list[dict[str, Any]] = []
    seen: set[str] = set()
    for entry in entries:
        reference = _reference(entry)
        key = reference["number"] or plain(reference["title"])
        if not key or key in seen:
            continue
        seen.add(key)
        references.append(reference)
        title = reference["title"]
        number = reference["number"]
        line = title if not number or number in title else f"{title} ({number})"
        lines.append(short(line, MAX_TEXT))
    return tuple(lines), tuple(references)


# --- The whole record -----------------------------------------------------------------------------


def parse_record(record: ExportRecord) -> ParsedRecord:
    """Interpret one export record (module docstring)."""
    levels = parse_levels(record.level)
    applicant_types, subjects = parse_applicants(record.applicants)
    time_limit, limit_flags = parse_time_limit(record.code, record.channels)
    fees, fee_flags, fee_status = parse_fees(record.channels)
    components, cases, component_flags = parse_components(record.components)
    legal_bases, references = parse_legal_bases(record.legal_bases)
    ministry, origin = ministry_of(record)
    channels = tuple(
        dict.fromkeys(CHANNELS[e.channel] for e in record.channels if e.channel in CHANNELS)
    )
    parsed = ParsedRecord(
        code=record.code,
        name=short(record.name, 1000),
        field_name=short(record.field or "Chưa phân loại", 255),
        levels=levels,
        applicant_types=applicant_types,
        applicant_subjects=subjects,
        channels=channels,
        time_limit=time_limit,
        fees=fees,
        components=components,
        cases=cases,
        legal_bases=legal_bases,
        legal_references=references,
        ministry=ministry,
        origin=origin,
        status=dict.fromkeys(REPORT_FIELDS, PARSED),
    )
    parsed.status["fees"] = fee_status
    if not levels:
        parsed.flag(
            Flag(
                "level",
                "level_unknown",
                "Nguồn dữ liệu không ghi cấp thực hiện: không nhập được thủ tục.",
                record.level,
            )
        )
    if not applicant_types:
        parsed.applicant_types = (str(ApplicantType.CITIZEN), str(ApplicantType.ORGANISATION))
        parsed.flag(
            Flag(
                "applicant_types",
                "applicants_unknown",
                "Nguồn dữ liệu không ghi đối tượng thực hiện: tạm để cả công dân và tổ chức.",
                record.applicants,
            )
        )
    for flag in (*limit_flags, *fee_flags, *component_flags):
        parsed.flag(flag)
    if limit_flags and limit_flags[0].code == "limit_missing":
        parsed.status["time_limit"] = MISSING
    if component_flags and component_flags[0].code == "components_missing":
        parsed.status["components"] = MISSING
    if not legal_bases:
        parsed.status["legal_bases"] = MISSING
    return parsed
