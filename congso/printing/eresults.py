"""The electronic results as the official documents they replace, built from a dossier's form.

* Civil status (Thông tư 04/2020/TT-BTP as amended by Thông tư 04/2024/TT-BTP): the birth
  extract ("TRÍCH LỤC KHAI SINH (BẢN SAO)", number "…/TLKS-BS"), the death extract ("TRÍCH LỤC
  KHAI TỬ (BẢN CHÍNH)", "…/TLKT-BC") and the marriage extract ("TRÍCH LỤC KẾT HÔN (BẢN SAO)",
  "…/TLKH-BS"), with the register entry (place of registration, date, register number) and
  the signer's block "NGƯỜI KÝ TRÍCH LỤC".
* The household-business registration certificate ("GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH").
* Any other procedure: "KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH" with the form's sections.

A document is plain data (:class:`EResult`, JSON-able with :meth:`EResult.as_dict`, so the
officer pages show exactly what the PDF prints); :func:`eresult_story` lays it out. Values are
read through :class:`FormReader`: addresses as their full text, dates as dd/mm/yyyy, choices as
their Vietnamese label, amounts grouped ("500.000.000 đồng"). A field with no value prints its
label and nothing after it, as the registers leave it ("để trống", TT 04/2020 art. 31, 34):
never "None", a code or a program name. Citizen text is escaped before reportlab reads it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from congso.printing import fonts
from congso.printing.layout import Letterhead, Styles, date_phrase, esc, grid_table, para
from congso.printing.words import amount_words, date_words, grouped, vnd

# --- The document ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One printed field: its label and its value ("" prints the label alone)."""

    label: str
    value: str = ""
    strong: bool = False  # names are printed in capitals, bold


@dataclass(frozen=True)
class Section:
    heading: str
    #: Lines of the section; each line holds one or more fields side by side.
    lines: list[list[Item]] = field(default_factory=list)
    #: A ruled table instead of lines: the header row, then the rows.
    table: list[list[str]] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)  # fractions of the text width


@dataclass(frozen=True)
class EResult:
    kind: str
    title: str
    subtitle: str
    number: str  # "12/TLKS-BS"; printed as "Số: …" under the issuing body
    issuer_parent: str
    issuer: str
    place: str
    issued_on: str  # ISO date
    sections: list[Section]
    signer_heading: list[str]  # ["NGƯỜI KÝ TRÍCH LỤC"] or ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    signer_hint: str

    def letterhead(self) -> Letterhead:
        # ND 30/2020: "ỦY BAN NHÂN DÂN" above the name of its commune or province.
        issuer = self.issuer
        head = "ủy ban nhân dân "
        if issuer.lower().startswith(head) and len(issuer) > len(head):
            issuer = f"{issuer[: len(head) - 1]}\n{issuer[len(head) :]}"
        return Letterhead(
            parent_name=self.issuer_parent,
            name=issuer,
            place=self.place,
            issued_on=datetime.date.fromisoformat(self.issued_on),
            number=self.number,
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EResult:
        sections = [
            Section(
                heading=item["heading"],
                lines=[[Item(**cell) for cell in line] for line in item.get("lines", [])],
                table=[list(row) for row in item.get("table", [])],
                widths=list(item.get("widths", [])),
            )
            for item in data["sections"]
        ]
        values = {key: data[key] for key in data if key != "sections"}
        return cls(sections=sections, **values)

    def text_lines(self) -> list[str]:
        """The document as plain lines (tests, previews)."""
        lines = [self.title, self.subtitle, f"Số: {self.number}" if self.number else ""]
        for section in self.sections:
            if section.heading:
                lines.append(section.heading)
            for line in section.lines:
                lines.append("  ".join(f"{item.label}: {item.value}".strip() for item in line))
            lines += [" | ".join(row) for row in section.table]
        return [line for line in lines if line]


# --- Reading the form -----------------------------------------------------------------------------


def _iso_date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return datetime.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def short(day: datetime.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day is not None else ""


class FormReader:
    """The printable text of a dossier's form values (one level: top fields, or a group's item)."""

    def __init__(
        self,
        fields: Sequence[Mapping[str, Any]],
        data: Mapping[str, Any] | None,
        *,
        unit_name: Callable[[str], str] | None = None,
    ):
        self.specs = {str(spec.get("name")): spec for spec in fields}
        self.data = data or {}
        self.unit_name = unit_name

    def raw(self, name: str) -> Any:
        value = self.data.get(name)
        return None if value in ("", [], {}) else value

    def date(self, name: str) -> datetime.date | None:
        return _iso_date(self.raw(name))

    def year(self, name: str) -> str:
        day = self.date(name)
        return str(day.year) if day is not None else ""

    def items(self, name: str) -> list[FormReader]:
        """The items of a repeating group."""
        spec = self.specs.get(name) or {}
        value = self.raw(name)
        if not isinstance(value, list):
            return []
        return [
            FormReader(spec.get("fields") or [], item, unit_name=self.unit_name)
            for item in value
            if isinstance(item, Mapping)
        ]

    def address(self, value: Any) -> str:
        if isinstance(value, Mapping):
            if str(value.get("full") or "").strip():
                return " ".join(str(value["full"]).split())
            code = str(value.get("unit_code") or "").strip()
            place = str(value.get("unit_name") or "").strip()
            if not place and code and self.unit_name is not None:
                place = self.unit_name(code)
            province = str(value.get("province_name") or "").strip()
            parts = [str(value.get("detail") or "").strip(), place, province]
            return ", ".join(part for part in parts if part)
        return " ".join(str(value).split()) if isinstance(value, str) else ""

    def text(self, name: str) -> str:  # noqa: PLR0911 (one return per kind of value)
        """The value as it is printed; "" when there is none."""
        value = self.raw(name)
        if value is None:
            return ""
        spec = self.specs.get(name) or {}
        kind = spec.get("type")
        if kind == "address" or isinstance(value, Mapping):
            return self.address(value)
        if kind == "date":
            return short(_iso_date(value))
        if kind == "choice":
            labels = {str(o.get("value")): str(o.get("label")) for o in spec.get("options", [])}
            chosen = value if isinstance(value, list) else [value]
            return ", ".join(labels.get(str(item), "") for item in chosen if str(item) in labels)
        if isinstance(value, bool):
            return "Có" if value else "Không"
        if isinstance(value, int | float):
            return grouped(value)
        if isinstance(value, list):
            return ""  # groups and files are printed by the layouts, never as a list
        return " ".join(str(value).split()) if kind != "textarea" else str(value).strip()

    def name(self, key: str) -> str:
        return self.text(key).upper()


# --- Who registered, and where --------------------------------------------------------------------


@dataclass(frozen=True)
class Registration:
    """The register entry and the issuing body (filled by the signing service)."""

    issuer_parent: str
    issuer: str  # "Ủy ban nhân dân xã Tịnh Khê"
    place: str  # "Tịnh Khê" (the date line)
    place_full: str  # "Ủy ban nhân dân xã Tịnh Khê, tỉnh Quảng Ngãi" (where registered)
    registered_on: datetime.date
    register_number: int  # the entry's number in the agency's register of that year
    extract_number: int  # the extract's own number (Sổ cấp bản sao trích lục / certificates)


def _line(*items: Item) -> list[Item]:
    return list(items)


def _registration_lines(reg: Registration, what: str) -> list[list[Item]]:
    return [
        _line(Item(f"Nơi đăng ký {what}", reg.place_full)),
        _line(
            Item("Số đăng ký", str(reg.register_number)),
            Item("Ngày, tháng, năm đăng ký", short(reg.registered_on)),
        ),
    ]


def _extract_signer() -> tuple[list[str], str]:
    return ["NGƯỜI KÝ TRÍCH LỤC"], "(Ký số, ghi rõ họ, chữ đệm, tên, chức vụ)"


def _base(kind: str, title: str, subtitle: str, number: str, reg: Registration) -> dict[str, Any]:
    return {
        "kind": kind,
        "title": title,
        "subtitle": subtitle,
        "number": number,
        "issuer_parent": reg.issuer_parent,
        "issuer": reg.issuer,
        "place": reg.place,
        "issued_on": reg.registered_on.isoformat(),
    }


def _date_with_words(day: datetime.date | None) -> list[Item]:
    return [
        Item("Ngày, tháng, năm sinh", short(day)),
        Item("ghi bằng chữ", date_words(day) if day is not None else ""),
    ]


def _parent(form: FormReader, prefix: str, who: str) -> list[list[Item]]:
    return [
        _line(Item(f"Họ, chữ đệm, tên người {who}", form.name(f"{prefix}_full_name"), True)),
        _line(
            Item("Năm sinh", form.year(f"{prefix}_birth_date")),
            Item("Dân tộc", form.text(f"{prefix}_ethnicity")),
            Item("Quốc tịch", form.text(f"{prefix}_nationality")),
        ),
        _line(Item("Số định danh cá nhân", form.text(f"{prefix}_personal_id"))),
        _line(Item("Nơi cư trú", form.text(f"{prefix}_residence"))),
    ]


def birth_extract(form: FormReader, reg: Registration) -> EResult:
    """TRÍCH LỤC KHAI SINH (bản sao) of the birth just registered."""
    place = form.text("child_birth_place")
    facility = form.text("child_birth_facility")
    born_at = ", ".join(part for part in (facility, place) if part)
    signer, hint = _extract_signer()
    child = Section(
        "",
        [
            _line(Item("Họ, chữ đệm, tên", form.name("child_full_name"), True)),
            _line(*_date_with_words(form.date("child_birth_date"))),
            _line(
                Item("Giới tính", form.text("child_gender")),
                Item("Dân tộc", form.text("child_ethnicity")),
                Item("Quốc tịch", form.text("child_nationality")),
            ),
            _line(Item("Nơi sinh", born_at)),
            _line(Item("Quê quán", form.text("child_hometown"))),
            _line(Item("Số định danh cá nhân", form.text("child_personal_id"))),
        ],
    )
    return EResult(
        **_base(
            "birth_extract",
            "TRÍCH LỤC KHAI SINH",
            "(BẢN SAO)",
            f"{reg.extract_number}/TLKS-BS",
            reg,
        ),
        sections=[
            child,
            Section("", _parent(form, "mother", "mẹ")),
            Section("", _parent(form, "father", "cha")),
            Section(
                "",
                [
                    *_registration_lines(reg, "khai sinh"),
                    _line(Item("Ghi chú", "")),
                ],
            ),
        ],
        signer_heading=signer,
        signer_hint=hint,
    )


def _death_time(form: FormReader) -> tuple[str, str]:
    day = form.date("death_date")
    clock = form.text("death_time")
    figures = ", ".join(part for part in (clock, f"ngày {short(day)}" if day else "") if part)
    words = date_words(day) if day is not None else ""
    return figures, words


def death_extract(form: FormReader, reg: Registration) -> EResult:
    """TRÍCH LỤC KHAI TỬ (bản chính), issued when the death is registered."""
    figures, words = _death_time(form)
    signer, hint = _extract_signer()
    deceased = Section(
        "",
        [
            _line(Item("Họ, chữ đệm, tên", form.name("deceased_full_name"), True)),
            _line(
                Item("Ngày, tháng, năm sinh", form.text("deceased_birth_date")),
                Item("Giới tính", form.text("deceased_gender")),
            ),
            _line(
                Item("Dân tộc", form.text("deceased_ethnicity")),
                Item("Quốc tịch", form.text("deceased_nationality")),
            ),
            _line(Item("Số định danh cá nhân", form.text("deceased_personal_id"))),
            _line(Item("Nơi cư trú cuối cùng", form.text("deceased_residence"))),
            _line(Item("Đã chết vào lúc", figures)),
            _line(Item("ghi bằng chữ", words)),
            _line(Item("Nơi chết", form.text("death_place"))),
            _line(Item("Nguyên nhân chết", form.text("death_cause"))),
        ],
    )
    declarant = Section(
        "",
        [
            _line(
                Item("Họ, chữ đệm, tên người đi khai tử", form.name("applicant_full_name"), True)
            ),
            _line(
                Item("Số định danh cá nhân", form.text("applicant_personal_id")),
                Item("Quan hệ với người đã chết", form.text("applicant_relationship")),
            ),
        ],
    )
    return EResult(
        **_base(
            "death_extract",
            "TRÍCH LỤC KHAI TỬ",
            "(BẢN CHÍNH)",
            f"{reg.extract_number}/TLKT-BC",
            reg,
        ),
        sections=[
            deceased,
            declarant,
            Section("", [*_registration_lines(reg, "khai tử"), _line(Item("Ghi chú", ""))]),
        ],
        signer_heading=signer,
        signer_hint=hint,
    )


def _spouses(form: FormReader) -> tuple[FormReader | None, FormReader | None]:
    items = form.items("spouses")
    husband = next((s for s in items if s.raw("gender") == "male"), None)
    wife = next((s for s in items if s.raw("gender") == "female" and s is not husband), None)
    rest = [s for s in items if s is not husband and s is not wife]
    if husband is None and rest:
        husband = rest.pop(0)
    if wife is None and rest:
        wife = rest.pop(0)
    return husband, wife


def marriage_extract(form: FormReader, reg: Registration) -> EResult:
    """TRÍCH LỤC KẾT HÔN (bản sao): the two spouses side by side, then the register entry."""
    husband, wife = _spouses(form)

    def cell(person: FormReader | None, key: str) -> str:
        if person is None:
            return ""
        return person.name(key) if key == "full_name" else person.text(key)

    rows = [["Thông tin", "Chồng", "Vợ"]]
    for label, key in (
        ("Họ, chữ đệm, tên", "full_name"),
        ("Ngày, tháng, năm sinh", "birth_date"),
        ("Dân tộc", "ethnicity"),
        ("Quốc tịch", "nationality"),
        ("Nơi cư trú", "residence"),
        ("Số định danh cá nhân", "personal_id"),
    ):
        rows.append([label, cell(husband, key), cell(wife, key)])
    signer, hint = _extract_signer()
    return EResult(
        **_base(
            "marriage_extract",
            "TRÍCH LỤC KẾT HÔN",
            "(BẢN SAO)",
            f"{reg.extract_number}/TLKH-BS",
            reg,
        ),
        sections=[
            Section("", table=rows, widths=[0.28, 0.36, 0.36]),
            Section("", [*_registration_lines(reg, "kết hôn"), _line(Item("Ghi chú", ""))]),
        ],
        signer_heading=signer,
        signer_hint=hint,
    )


def _issuer_signer(issuer: str) -> tuple[list[str], str]:
    """ND 30/2020: a people's committee signs on behalf of the collective ("TM.")."""
    if issuer.lower().startswith("ủy ban nhân dân"):
        return ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"], "(Ký số)"
    return ["THỦ TRƯỞNG CƠ QUAN"], "(Ký số)"


def household_business_certificate(form: FormReader, reg: Registration) -> EResult:
    """GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH (first registration)."""
    capital = form.raw("capital_vnd")
    capital_text = ""
    if isinstance(capital, int | float):
        capital_text = f"{vnd(capital)} (bằng chữ: {amount_words(int(capital))})"
    lines = [["STT", "Tên ngành", "Mã ngành"]]
    for index, line in enumerate(form.items("business_lines"), start=1):
        lines.append([str(index), line.text("line_name"), line.text("vsic_code")])
    members = form.items("members")
    member_rows = [["STT", "Họ, chữ đệm, tên", "Số định danh cá nhân", "Giá trị vốn góp (đồng)"]]
    for index, member in enumerate(members, start=1):
        member_rows.append(
            [
                str(index),
                member.name("full_name"),
                member.text("personal_id"),
                member.text("capital_vnd"),
            ]
        )
    sections = [
        Section(
            "",
            [
                _line(Item("Số đăng ký", f"{reg.register_number}/{reg.registered_on.year}")),
                _line(Item("Đăng ký lần đầu", date_phrase(reg.registered_on))),
            ],
        ),
        Section(
            "1. Tên hộ kinh doanh",
            [_line(Item("Tên hộ kinh doanh", form.name("business_name"), True))],
        ),
        Section(
            "2. Địa chỉ trụ sở hộ kinh doanh",
            [
                _line(Item("Địa chỉ", form.text("business_address"))),
                _line(
                    Item("Điện thoại", form.text("business_phone")),
                    Item("Thư điện tử", form.text("business_email")),
                ),
            ],
        ),
        Section("3. Ngành, nghề kinh doanh", table=lines, widths=[0.1, 0.7, 0.2]),
        Section("4. Vốn kinh doanh", [_line(Item("Tổng số vốn", capital_text))]),
        Section(
            "5. Số lượng lao động", [_line(Item("Số lao động dự kiến", form.text("employees")))]
        ),
        Section(
            "6. Thông tin về chủ hộ kinh doanh",
            [
                _line(Item("Họ, chữ đệm, tên", form.name("owner_full_name"), True)),
                _line(
                    Item("Ngày, tháng, năm sinh", form.text("owner_birth_date")),
                    Item("Giới tính", form.text("owner_gender")),
                    Item("Dân tộc", form.text("owner_ethnicity")),
                ),
                _line(Item("Số định danh cá nhân", form.text("owner_personal_id"))),
                _line(Item("Nơi cư trú", form.text("owner_residence"))),
                _line(
                    Item("Điện thoại", form.text("owner_phone")),
                    Item("Thư điện tử", form.text("owner_email")),
                ),
            ],
        ),
    ]
    if members:
        sections.append(
            Section(
                "7. Thành viên hộ gia đình tham gia đăng ký hộ kinh doanh",
                table=member_rows,
                widths=[0.08, 0.38, 0.27, 0.27],
            )
        )
    signer, hint = _issuer_signer(reg.issuer)
    return EResult(
        **_base(
            "household_business",
            "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH",
            "",
            "",  # the certificate carries its registration number in the body
            reg,
        ),
        sections=sections,
        signer_heading=signer,
        signer_hint=hint,
    )


def generic_result(
    form: FormReader,
    reg: Registration,
    *,
    title: str,
    procedure_name: str,
    applicant_name: str,
    applicant_address: str,
    result_summary: str,
) -> EResult:
    """Any other procedure: who it is for, then the form's sections as printed lines."""
    sections = [
        Section(
            "",
            [
                _line(Item("Thủ tục", procedure_name)),
                _line(Item("Cấp cho", applicant_name.upper(), True)),
                _line(Item("Địa chỉ", applicant_address)),
            ],
        )
    ]
    by_section: dict[str, list[list[Item]]] = {}
    for name, spec in form.specs.items():
        kind = spec.get("type")
        if kind == "file":
            continue
        heading = str(spec.get("section") or "Nội dung")
        rows = by_section.setdefault(heading, [])
        if kind == "group":
            for index, item in enumerate(form.items(name), start=1):
                values = [
                    f"{sub.get('label')}: {item.text(str(sub.get('name')))}"
                    for sub in item.specs.values()
                    if item.text(str(sub.get("name")))
                ]
                rows.append([Item(f"{spec.get('label')} ({index})", "; ".join(values))])
            continue
        rows.append([Item(str(spec.get("label") or ""), form.text(name))])
    sections += [Section(heading, rows) for heading, rows in by_section.items() if rows]
    if result_summary:
        sections.append(Section("Kết quả giải quyết", [[Item("Nội dung", result_summary)]]))
    signer, hint = _issuer_signer(reg.issuer)
    return EResult(
        **_base(
            "certificate",
            title.upper(),
            "",
            f"{reg.extract_number}/KQ",
            reg,
        ),
        sections=sections,
        signer_heading=signer,
        signer_hint=hint,
    )


#: Result template kind → builder.
BUILDERS: dict[str, Callable[[FormReader, Registration], EResult]] = {
    "birth_extract": birth_extract,
    "death_extract": death_extract,
    "marriage_extract": marriage_extract,
    "household_business": household_business_certificate,
}

#: The register book of each kind (numbers run per agency, book and year).
BOOKS: dict[str, tuple[str, str]] = {
    # kind: (register of the event, register of the issued document)
    "birth_extract": ("KS", "TLKS-BS"),
    "death_extract": ("KT", "TLKT-BC"),
    "marriage_extract": ("KH", "TLKH-BS"),
    "household_business": ("HKD", "GCN-HKD"),
    "certificate": ("KQ", "KQ"),
}


# --- Layout ---------------------------------------------------------------------------------------


def _item_markup(item: Item) -> str:
    value = esc(item.value)
    if item.value and item.strong:
        value = f"<b>{value}</b>"
    return f"{esc(item.label)}: {value}"


#: Fields of one line are set in columns when every value is short, else run on in one line.
_COLUMN_VALUE = 24


def _lines_table(lines: list[list[Item]], styles: Styles, width: float) -> Flowable:
    rows: list[list[Any]] = []
    spans: list[tuple[Any, ...]] = []
    columns = max((len(line) for line in lines), default=1)
    for index, line in enumerate(lines):
        if len(line) > 1 and any(len(item.value) > _COLUMN_VALUE for item in line):
            joined = ";&nbsp;&nbsp; ".join(_item_markup(item) for item in line)
            cells: list[Any] = [para(joined, styles.body_left)]
        else:
            cells = [para(_item_markup(item), styles.body_left) for item in line]
        if len(cells) < columns:
            spans.append(("SPAN", (len(cells) - 1, index), (columns - 1, index)))
            cells += [""] * (columns - len(cells))
        rows.append(cells)
    widths = [width / columns] * columns
    if columns == 3:  # a long first field: "Ngày, tháng, năm sinh: 12/04/1996"
        widths = [width * 0.44, width * 0.28, width * 0.28]
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 0.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                *spans,
            ]
        )
    )
    return table


def _ruled(section: Section, styles: Styles, width: float) -> Flowable:
    head, *body = section.table
    rows = [[para(esc(cell), styles.cell_head) for cell in head]]
    rows += [[para(esc(cell), styles.cell) for cell in row] for row in body]
    widths = section.widths or [1 / len(head)] * len(head)
    return grid_table(rows, [width * part for part in widths])


def eresult_story(doc: EResult, styles: Styles, width: float) -> list[Flowable]:
    """The body of the document, below the letterhead: title, subtitle, sections."""
    story: list[Flowable] = [para(esc(doc.title), styles.title)]
    if doc.subtitle:
        story.append(para(esc(doc.subtitle), styles.subtitle))
    story.append(Spacer(1, 4 * mm))
    for section in doc.sections:
        if section.heading:
            story.append(para(f"<b>{esc(section.heading)}</b>", styles.body_left))
        if section.lines:
            story.append(_lines_table(section.lines, styles, width))
        if section.table:
            story += [Spacer(1, 1 * mm), _ruled(section, styles, width)]
        story.append(Spacer(1, 2.5 * mm))
    return story


def example_birth_extract() -> EResult:
    """A birth extract from made-up data (tests, benchmarks and layout previews without a
    database): the father is unknown, so his lines are left empty as the register does."""
    fields: list[dict[str, Any]] = [
        {"name": "child_full_name", "type": "text"},
        {"name": "child_birth_date", "type": "date"},
        {
            "name": "child_gender",
            "type": "choice",
            "options": [{"value": "male", "label": "Nam"}, {"value": "female", "label": "Nữ"}],
        },
        {"name": "child_birth_place", "type": "address"},
        {"name": "mother_birth_date", "type": "date"},
        {"name": "mother_residence", "type": "address"},
    ]
    data = {
        "child_full_name": "Nguyễn Ngọc An",
        "child_birth_date": "2026-01-20",
        "child_gender": "female",
        "child_ethnicity": "Kinh",
        "child_nationality": "Việt Nam",
        "child_birth_facility": "Bệnh viện Sản - Nhi tỉnh Quảng Ngãi",
        "child_birth_place": {"full": "Phường Cẩm Thành, Tỉnh Quảng Ngãi"},
        "child_hometown": "Xã Tịnh Khê, tỉnh Quảng Ngãi",
        "mother_full_name": "Nguyễn Thị Hồng Nhung",
        "mother_birth_date": "1996-04-12",
        "mother_ethnicity": "Kinh",
        "mother_nationality": "Việt Nam",
        "mother_personal_id": "051196000123",
        "mother_residence": {"full": "Số 12, thôn Cổ Lũy, Xã Tịnh Khê, Tỉnh Quảng Ngãi"},
    }
    registration = Registration(
        issuer_parent="",
        issuer="Ủy ban nhân dân xã Tịnh Khê",
        place="Tịnh Khê",
        place_full="Ủy ban nhân dân xã Tịnh Khê, tỉnh Quảng Ngãi",
        registered_on=datetime.date(2026, 1, 26),
        register_number=15,
        extract_number=15,
    )
    return birth_extract(FormReader(fields, data), registration)
