"""Reading the national procedure exports into typed records, whatever their shape.

Two exports of the national procedure database (CSDL quốc gia về TTHC, published on the national
public-service portal) and the official list spreadsheets (``../shared/catalog-data``, each folder's
``SOURCE.md`` says where it comes from):

* the **detail export** (VAIC 2026 set, 5,652 procedures): one JSON object per line
  (``procedures_parsed.jsonl[.gz]``) with the channels, components, legal bases as lists;
* the **portal crawl** (2,642 procedures, 69 of them not in the detail export): one JSON object
  per line (``procedures_no_rawtext.jsonl[.gz]``) or a folder of ``<code>.json`` files, whose
  channels, components and legal bases are table text flattened without separators
  ("Trực tuyến7 Ngày làm việc10,000 Việt Nam Đồng(…)");
* the **official lists** (``danh-sach-tthc-*.xlsx``): code, name, issuing body, implementing
  body, field.

:func:`read_sources` merges them into one :class:`ExportRecord` per code: the detail export where
it has the code (it is the structured one), else the crawl, with the crawl's portal address and
the lists' issuing body added to either. Nothing here interprets a value (that is
:mod:`congso.catalog.national.parse`): the crawl's flattened text is only cut into the same
channel / component / legal-basis entries the detail export has, values kept verbatim.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

#: Values the exports use for "nothing here".
NO_INFORMATION = frozenset({"", "không có thông tin", "không", "-", "--", "null", "none"})

DETAIL = "detail"
CRAWL = "crawl"


@dataclass(frozen=True)
class ChannelEntry:
    """One row of "Cách thức thực hiện": a channel (``ONLINE``, ``DIRECT``, ``POSTAL``), its time
    limit (``"7 WORKING_DAY"``, ``"15 ngày"``, ``"1 OTHER"``, free text) and fee (``"10000 VNĐ
    (note)"``, several joined by ``" | "``) as the export gives them, and the row's description."""

    channel: str
    limit: str
    fee: str
    note: str = ""


@dataclass(frozen=True)
class ComponentEntry:
    """One document of "Thành phần hồ sơ" under its case heading (trường hợp), with the
    export's quantity text (``"Bản chính: 1, Bản sao: 0"``)."""

    case: str
    name: str
    quantity: str
    template: str = ""


@dataclass(frozen=True)
class LegalEntry:
    title: str
    number: str


@dataclass(frozen=True)
class ExportRecord:
    """One procedure as an export states it (verbatim text, nothing interpreted)."""

    code: str
    name: str
    origin: str  # DETAIL or CRAWL
    decision: str = ""
    level: str = ""
    procedure_type: str = ""
    field: str = ""
    steps: str = ""
    channels: tuple[ChannelEntry, ...] = ()
    components: tuple[ComponentEntry, ...] = ()
    applicants: str = ""
    implementing_agency: str = ""
    competent_agency: str = ""
    received_at: str = ""
    authorised_agency: str = ""
    coordinating_agency: str = ""
    result: str = ""
    legal_bases: tuple[LegalEntry, ...] = ()
    conditions: str = ""
    keywords: str = ""
    description: str = ""
    detail_url: str = ""
    issuer: str = ""
    source_file: str = ""
    also_in: tuple[str, ...] = ()

    def digest(self) -> str:
        """A stable fingerprint of what the export says (a re-import of an unchanged record is
        skipped by it)."""
        data = json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(data.encode()).hexdigest()


@dataclass(frozen=True)
class ListEntry:
    """One row of an official list spreadsheet."""

    code: str
    name: str
    issuer: str
    implementing_agency: str
    field: str
    sheet: str


def blank(value: Any) -> bool:
    return str(value or "").strip().casefold() in NO_INFORMATION


def clean(value: Any) -> str:
    """A text value with "no information" markers emptied and whitespace trimmed."""
    text = str(value or "").replace("\xa0", " ").strip()
    return "" if blank(text) else text


# --- Files ----------------------------------------------------------------------------------------


def _open_text(path: Path) -> io.TextIOBase:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8")
    return io.TextIOWrapper(path.open("rb"), encoding="utf-8")


def iter_json_objects(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(where, object)`` from a JSON-lines file (optionally gzipped) or a folder of ``.json``
    files (searched recursively, in path order)."""
    if path.is_dir():
        for item in sorted(path.rglob("*.json")):
            yield str(item.relative_to(path)), json.loads(item.read_text(encoding="utf-8"))
        return
    with _open_text(path) as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield f"{path.name}:{number}", json.loads(line)


# --- The detail export ----------------------------------------------------------------------------


def detail_record(raw: Mapping[str, Any], where: str = "") -> ExportRecord:
    """A record of the detail export (``procedures_parsed.jsonl``)."""
    return ExportRecord(
        code=clean(raw.get("ma_thu_tuc")),
        name=clean(raw.get("ten_thu_tuc")),
        origin=DETAIL,
        decision=clean(raw.get("so_quyet_dinh")),
        level=clean(raw.get("cap_thuc_hien")),
        procedure_type=clean(raw.get("loai_thu_tuc")),
        field=clean(raw.get("linh_vuc")),
        steps=clean(raw.get("trinh_tu_thuc_hien")),
        channels=tuple(
            ChannelEntry(
                channel=clean(item.get("hinh_thuc_nop")).upper(),
                limit=str(item.get("thoi_han_giai_quyet") or "").strip(),
                fee=str(item.get("phi_le_phi") or "").strip(),
                note=clean(str(item.get("ghi_chu") or "").removeprefix("Mô tả:")),
            )
            for item in raw.get("cach_thuc_thuc_hien") or ()
            if isinstance(item, Mapping)
        ),
        components=tuple(
            ComponentEntry(
                case=clean(item.get("truong_hop")),
                name=str(item.get("giay_to") or "").strip(),
                quantity=str(item.get("so_luong") or "").strip(),
            )
            for item in raw.get("thanh_phan_ho_so") or ()
            if isinstance(item, Mapping) and str(item.get("giay_to") or "").strip()
        ),
        applicants=clean(raw.get("doi_tuong_thuc_hien")),
        implementing_agency=clean(raw.get("co_quan_thuc_hien")),
        competent_agency=clean(raw.get("co_quan_co_tham_quyen")),
        received_at=clean(raw.get("dia_chi_tiep_nhan_hs")),
        authorised_agency=clean(raw.get("co_quan_duoc_uy_quyen")),
        coordinating_agency=clean(raw.get("co_quan_phoi_hop")),
        result=clean(raw.get("ket_qua_thuc_hien")),
        legal_bases=tuple(
            LegalEntry(title=clean(item.get("ten")), number=clean(item.get("so_hieu")))
            for item in raw.get("can_cu_phap_ly") or ()
            if isinstance(item, Mapping) and (clean(item.get("ten")) or clean(item.get("so_hieu")))
        ),
        conditions=clean(raw.get("yeu_cau_dieu_kien")),
        keywords=clean(raw.get("tu_khoa")),
        description=clean(raw.get("mo_ta")),
        source_file=clean(raw.get("_source_file")) or where,
    )


# --- The portal crawl -----------------------------------------------------------------------------

_CHANNELS = {"Trực tuyến": "ONLINE", "Dịch vụ bưu chính": "POSTAL", "Trực tiếp": "DIRECT"}
_CHANNEL_RE = re.compile("|".join(re.escape(label) for label in _CHANNELS))
_UNITS = {
    "ngày làm việc": "WORKING_DAY",
    "ngày": "DAY",
    "giờ làm việc": "WORKING_HOUR",
    "giờ": "HOUR",
    "tháng": "MONTH",
    "năm": "YEAR",
}
_LIMIT_RE = re.compile(
    r"^(?P<value>\d+(?:[.,]\d+)?)(?![\d,]*\s*Việt Nam Đồng)\s*"
    r"(?P<unit>Ngày làm việc|Giờ làm việc|Ngày|Giờ|Tháng|Năm)?",
    re.IGNORECASE,
)
_FEE_RE = re.compile(r"^(?P<amount>\d[\d,.]*)\s*Việt Nam Đồng\s*(?:\((?P<note>.*?)\))?", re.DOTALL)
_HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"
_COMPONENT_HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
_QUANTITY_RE = re.compile(
    r"(?:(?P<original>\d+) bản chính(?:\s*,\s*(?P<copy_after>\d+) bản sao)?|(?P<copy>\d+) bản sao)"
)
_LEGAL_HEADER = "Tên văn bản pháp lýMã văn bản"
#: A legal document number: 60/2014/QH13, 123/2015/NĐ-CP, 66.7/2025/NQ-CP, 08/2025/TT-BTP.
DOCUMENT_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?/\d{4}/[A-ZĐ][A-ZĐ0-9]*(?:-[A-ZĐ0-9]+)*")


def _balanced_note(text: str) -> tuple[str, str]:
    """``"(note)rest"`` → ``("note", "rest")``, parentheses nested inside the note kept."""
    if not text.startswith("("):
        return "", text
    depth = 0
    for index, char in enumerate(text):
        depth += 1 if char == "(" else -1 if char == ")" else 0
        if depth == 0:
            return text[1:index].strip(), text[index + 1 :]
    return text[1:].strip(), ""


def crawl_channels(text: str) -> tuple[ChannelEntry, ...]:
    """Cut "Trực tuyến7 Ngày làm việc10,000 Việt Nam Đồng(…)Trực tiếp…" into channel entries with
    the detail export's notation ("7 WORKING_DAY", "10000 VNĐ (…)", a bare number: "1 OTHER")."""
    body = text.replace(_HEADER, "", 1)
    marks = list(_CHANNEL_RE.finditer(body))
    entries = []
    for index, mark in enumerate(marks):
        end = marks[index + 1].start() if index + 1 < len(marks) else len(body)
        segment = body[mark.end() : end].strip()
        limit = ""
        found = _LIMIT_RE.match(segment)
        if found:
            unit = _UNITS.get((found.group("unit") or "").casefold(), "OTHER")
            limit = f"{found.group('value').replace(',', '.')} {unit}"
            segment = segment[found.end() :].strip()
        fee = ""
        if segment.startswith("Miễn phí"):
            note, rest = _balanced_note(segment[len("Miễn phí") :].strip())
            fee, segment = f"0 VNĐ ({note or 'Miễn phí'})", rest
        elif segment.startswith("Không có thông tin"):
            fee, segment = "Không có thông tin", segment[len("Không có thông tin") :]
        else:
            money = re.match(r"^(\d[\d,.]*)\s*Việt Nam Đồng", segment)
            if money:
                amount = re.sub(r"[,.]", "", money.group(1))
                note, rest = _balanced_note(segment[money.end() :].strip())
                fee, segment = f"{amount} VNĐ ({note})", rest
        entries.append(
            ChannelEntry(
                channel=_CHANNELS[mark.group(0)], limit=limit, fee=fee, note=clean(segment)
            )
        )
    return tuple(entries)


_TEMPLATE_RE = re.compile(r"\.(?:docx?|pdf|xlsx?|odt|rar|zip)$", re.IGNORECASE)


def _seams(text: str) -> list[int]:
    """Where a capital letter follows a lowercase letter or punctuation with no space: the
    places the crawl glued two table cells together."""
    return [
        index
        for index in range(1, len(text))
        if text[index].isupper() and (text[index - 1].islower() or text[index - 1] in ".;:)")
    ]


def _split_template(name: str) -> tuple[str, str]:
    """The crawl glues the "Mẫu đơn, tờ khai" cell to the document's name ("…theo quy
    địnhĐơn đề nghị.docx"): cut the file name off at the last seam."""
    if not _TEMPLATE_RE.search(name):
        return name, ""
    seams = _seams(name)
    if not seams:
        return name, ""
    return name[: seams[-1]].strip(), name[seams[-1] :].strip()


def crawl_components(text: str) -> tuple[ComponentEntry, ...]:
    """Cut the flattened component tables ("<case>Tên giấy tờMẫu đơn, tờ khaiSố lượng<name>1 bản
    chính<name>0 bản chính,1 bản sao…") into entries with the detail export's quantity text."""
    entries: list[ComponentEntry] = []
    parts = text.split(_COMPONENT_HEADER)
    case = clean(parts[0]) if len(parts) > 1 else ""
    for index, part in enumerate(parts[1:], start=1):
        last_end = 0
        items = list(_QUANTITY_RE.finditer(part))
        for match in items:
            name = part[last_end : match.start()].strip()
            original = int(match.group("original") or 0)
            copy = int(match.group("copy_after") or match.group("copy") or 0)
            name, template = _split_template(name)
            if name:
                entries.append(
                    ComponentEntry(
                        case=case,
                        name=name,
                        quantity=f"Bản chính: {original}, Bản sao: {copy}",
                        template=template,
                    )
                )
            last_end = match.end()
        # What follows the last quantity is the next case's heading.
        if index < len(parts) - 1:
            case = clean(part[last_end:])
    return tuple(entries)


@dataclass(frozen=True)
class _Span:
    text: str
    begin: int
    finish: int

    def start(self) -> int:
        return self.begin

    def end(self) -> int:
        return self.finish

    def group(self, _: int = 0) -> str:
        return self.text


_ONSETS = frozenset({"ch", "gh", "gi", "kh", "ng", "nh", "ph", "qu", "th", "tr"})
_VOWELS = frozenset("aăâeêioôơuưy")


def _starts_word(capital: str, following: str) -> bool:
    """Whether ``capital`` + ``following`` can begin a Vietnamese word ("Qu", "Th", "Đi")."""
    base = unicodedata.normalize("NFD", following.lower())[:1]
    return capital.lower() + following.lower() in _ONSETS or base in _VOWELS or capital in "ĐĐ"


def _unglued(body: str, match: re.Match[str]) -> _Span:
    """A document number glued to the next title loses that title's first capital
    ("…NĐ-CPQuy định" → "NĐ-CP"; "…NĐ-CPquy định" stays)."""
    end = match.end()
    if (
        end - match.start() > 2
        and end < len(body)
        and body[end].islower()
        and body[end - 1].isupper()
        and body[end - 2] != "-"
        and _starts_word(body[end - 1], body[end])
    ):
        end -= 1
    return _Span(body[match.start() : end], match.start(), end)


def crawl_legal_bases(text: str) -> tuple[LegalEntry, ...]:
    """ "Tên văn bản pháp lýMã văn bản<title><number><title><number>…": each title is the text
    before a document number that ends it (the number may also appear inside its title)."""
    body = text.replace(_LEGAL_HEADER, "", 1)
    entries: list[LegalEntry] = []
    seen: set[str] = set()
    start = 0
    for found in DOCUMENT_NUMBER_RE.finditer(body):
        match = _unglued(body, found)
        # A number cited inside its title ("Thông tư số 53/2025/TT-BCA ngày …") does not end it.
        if re.search(r"(?:số|theo|tại)\s*$", body[max(start, match.start() - 8) : match.start()]):
            continue
        title = clean(body[start : match.start()])
        number = match.group(0)
        start = match.end()
        if number in seen:
            continue
        seen.add(number)
        entries.append(LegalEntry(title=title or number, number=number))
    return tuple(entries)


def _crawl_result(text: str) -> str:
    """The result names, without the portal's trailing page chrome ("Từ khóa…", "Mã: KQ…")."""
    body = text.split("Từ khóa", 1)[0]
    names = [clean(part) for part in re.split(r"Mã: KQ\.[A-Z0-9.]+", body)]
    return "; ".join(name for name in names if name)


def crawl_record(raw: Mapping[str, Any], where: str = "") -> ExportRecord:
    """A record of the portal crawl (``procedures_no_rawtext.jsonl``, or
    ``raw/<folder>/<code>.json``)."""
    return ExportRecord(
        code=clean(raw.get("ma_thu_tuc")),
        name=clean(raw.get("ten_thu_tuc")),
        origin=CRAWL,
        decision=clean(raw.get("so_quyet_dinh")),
        level=clean(raw.get("cap_thuc_hien")),
        procedure_type=clean(raw.get("loai_thu_tuc")),
        field=clean(raw.get("linh_vuc")),
        steps=clean(raw.get("trinh_tu_thuc_hien")),
        channels=crawl_channels(str(raw.get("cach_thuc_thuc_hien") or "")),
        components=crawl_components(str(raw.get("thanh_phan_ho_so") or "")),
        applicants=clean(raw.get("doi_tuong_thuc_hien")),
        implementing_agency=clean(raw.get("co_quan_thuc_hien")),
        competent_agency=clean(raw.get("co_quan_co_tham_quyen")),
        received_at=clean(raw.get("dia_chi_tiep_nhan")),
        authorised_agency=clean(raw.get("co_quan_duoc_uy_quyen")),
        coordinating_agency=clean(raw.get("co_quan_phoi_hop")),
        result=_crawl_result(str(raw.get("ket_qua_xu_ly") or "")),
        legal_bases=crawl_legal_bases(str(raw.get("can_cu_phap_ly") or "")),
        conditions=clean(raw.get("yeu_cau_dieu_kien")),
        detail_url=clean(raw.get("detail_url")),
        source_file=clean(raw.get("_source_folder")) or where,
    )


# --- The official lists ---------------------------------------------------------------------------

_LIST_COLUMNS = ("Mã số", "Tên", "Cơ quan ban hành", "Cơ quan thực hiện", "Lĩnh vực")


def read_list_workbook(path: Path) -> Iterator[ListEntry]:
    """The rows of one "DANH SÁCH THỦ TỤC HÀNH CHÍNH" spreadsheet (header row found by its
    column names; the title rows above it are skipped)."""
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        for sheet in workbook.worksheets:
            columns: dict[str, int] | None = None
            for row in sheet.iter_rows(values_only=True):
                cells = [str(cell).strip() if cell is not None else "" for cell in row]
                if columns is None:
                    if all(name in cells for name in _LIST_COLUMNS):
                        columns = {name: cells.index(name) for name in _LIST_COLUMNS}
                    continue
                found = {
                    name: clean(cells[index]) if index < len(cells) else ""
                    for name, index in columns.items()
                }
                code = found["Mã số"]
                if not code:
                    continue
                yield ListEntry(
                    code=code,
                    name=found["Tên"],
                    issuer=found["Cơ quan ban hành"],
                    implementing_agency=found["Cơ quan thực hiện"],
                    field=found["Lĩnh vực"],
                    sheet=f"{path.name}/{sheet.title}",
                )
    finally:
        workbook.close()


def read_lists(paths: Iterable[Path]) -> dict[str, ListEntry]:
    """Every list row by code (a folder is searched for ``*.xlsx``)."""
    entries: dict[str, ListEntry] = {}
    for path in paths:
        files = sorted(path.rglob("*.xlsx")) if path.is_dir() else [path]
        for item in files:
            for entry in read_list_workbook(item):
                entries.setdefault(entry.code, entry)
    return entries


# --- Merging --------------------------------------------------------------------------------------


@dataclass
class Sources:
    """What :func:`read_sources` found: the merged records by code, and what was set aside."""

    records: dict[str, ExportRecord]
    detail_count: int = 0
    crawl_count: int = 0
    crawl_only: int = 0
    list_count: int = 0
    listed_only: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)


def _read(path: Path, reader: Any, into: dict[str, ExportRecord], sources: Sources) -> int:
    count = 0
    for where, raw in iter_json_objects(path):
        record = reader(raw, where)
        if not record.code or not record.name:
            sources.unreadable.append(where)
            continue
        count += 1
        if record.code in into:
            sources.duplicates.append(record.code)
            continue
        into[record.code] = record
    return count


#: Text fields of a detail record that the crawl of the same code may fill when blank.
_FILLABLE = (
    "level",
    "field",
    "applicants",
    "implementing_agency",
    "competent_agency",
    "received_at",
    "result",
    "conditions",
)


def read_sources(
    *,
    detail: Iterable[Path] = (),
    crawl: Iterable[Path] = (),
    lists: Iterable[Path] = (),
) -> Sources:
    """Read the exports and merge them into one record per code (see the module docstring)."""
    sources = Sources(records={})
    details: dict[str, ExportRecord] = {}
    crawled: dict[str, ExportRecord] = {}
    for path in detail:
        sources.detail_count += _read(path, detail_record, details, sources)
    for path in crawl:
        sources.crawl_count += _read(path, crawl_record, crawled, sources)
    listed = read_lists(lists)
    sources.list_count = len(listed)
    merged: dict[str, ExportRecord] = {}
    for code in sorted(set(details) | set(crawled)):
        base = details.get(code)
        other = crawled.get(code)
        if base is None:
            assert other is not None
            base = other
            sources.crawl_only += 1
        elif other is not None:
            # The detail export is kept; what it leaves blank the crawl may say.
            filled = {
                name: getattr(other, name)
                for name in _FILLABLE
                if not getattr(base, name) and getattr(other, name)
            }
            base = replace(base, detail_url=other.detail_url, also_in=(CRAWL,), **filled)
        entry = listed.get(code)
        if entry is not None:
            base = replace(base, issuer=entry.issuer)
        merged[code] = base
    sources.listed_only = sorted(set(listed) - set(merged))
    sources.records = merged
    return sources
