"""A procedure group's data read and applied: its components (mapping, routing), the version in
force, the component forms built from the combined answers, the agency of each component and
the deadline preview (the latest of the components' appointments)."""

from __future__ import annotations

import datetime
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from string import Formatter
from typing import Any
from xml.sax.saxutils import escape

from django.db.models import Q
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

from congso.catalog import selectors as catalog
from congso.catalog.formschema import validate_schema
from congso.catalog.models import Procedure, ProcedureVersion
from congso.core.errors import DomainError, NotFound
from congso.lifeevents.models import GroupVersion, ProcedureGroup
from congso.org.models import AdministrativeUnit, Agency
from congso.printing import fonts

#: The kinds of agency a component is routed to (shown to the citizen).
ROUTING_LABELS = {
    "commune_justice": "Ủy ban nhân dân cấp xã (công chức tư pháp – hộ tịch)",
    "commune_police": "Công an cấp xã",
    "social_insurance": "Cơ quan bảo hiểm xã hội",
}


@dataclass(frozen=True)
class ComponentSpec:
    """One component procedure of a group version.

    ``fields``: component field → combined field; ``templates``: component field → a text
    with ``{combined_field}`` places; ``values``: component field → a constant; ``files``:
    component slot → combined file field; ``declaration``: the component slot the combined
    answers are printed into (a generated declaration PDF, for a procedure whose own online
    form still asks for its paper declaration), with ``declares``: the combined fields printed.
    """

    procedure: str
    routing: str
    fields: dict[str, str] = field(default_factory=dict)
    templates: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    declaration: str = ""
    declares: tuple[str, ...] = ()

    @property
    def routing_label(self) -> str:
        return ROUTING_LABELS.get(self.routing, self.routing)


def _invalid(message: str, path: str) -> DomainError:
    return DomainError("group_invalid", message, field=path)


def read_components(raw: Any) -> list[ComponentSpec]:
    """The ``components`` of a version, checked (the shape; procedures are checked on load)."""
    if not isinstance(raw, list) or not raw:
        raise _invalid("Nhóm thủ tục cần ít nhất một thủ tục thành phần.", "components")
    specs = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        path = f"components.{index}"
        if not isinstance(item, Mapping) or not item.get("procedure"):
            raise _invalid("Mỗi thủ tục thành phần cần mã thủ tục («procedure»).", path)
        if item.get("routing") not in ROUTING_LABELS:
            raise _invalid(
                f"«routing» là một trong: {', '.join(ROUTING_LABELS)}.", f"{path}.routing"
            )
        code = str(item["procedure"])
        if code in seen:
            raise _invalid(f"Thủ tục «{code}» bị trùng.", f"{path}.procedure")
        seen.add(code)
        for key in ("fields", "templates", "values", "files"):
            if not isinstance(item.get(key, {}), Mapping):
                raise _invalid(f"«{key}» là một bảng tên trường → giá trị.", f"{path}.{key}")
        specs.append(
            ComponentSpec(
                procedure=code,
                routing=str(item["routing"]),
                fields=dict(item.get("fields") or {}),
                templates=dict(item.get("templates") or {}),
                values=dict(item.get("values") or {}),
                files=dict(item.get("files") or {}),
                declaration=str(item.get("declaration") or ""),
                declares=tuple(item.get("declares") or ()),
            )
        )
    return specs


def check_version(form_schema: Mapping[str, Any], components: Any) -> list[ComponentSpec]:
    """The combined form is a valid form schema and every mapping names its fields."""
    validate_schema(form_schema)
    specs = read_components(components)
    names = {str(spec.get("name")) for spec in form_schema.get("fields") or ()}
    for index, spec in enumerate(specs):
        used = [*spec.fields.values(), *spec.files.values(), *spec.declares]
        for template in spec.templates.values():
            used += [name for _, name, _, _ in Formatter().parse(template) if name]
        for name in used:
            if name not in names:
                raise _invalid(f"Biểu mẫu chung không có trường «{name}».", f"components.{index}")
    return specs


def version_in_force(group: ProcedureGroup, day: datetime.date | None = None) -> GroupVersion:
    day = day or timezone.localdate()
    found = (
        group.versions.filter(effective_from__lte=day)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        .order_by("-effective_from", "-version")
        .first()
    )
    if found is None or not group.active:
        raise DomainError(
            "group_not_in_force", f"Nhóm thủ tục «{group.name}» chưa có phiên bản đang hiệu lực."
        )
    return found


def group_by_code(code: str) -> ProcedureGroup:
    group = ProcedureGroup.objects.filter(code=code, active=True).first()
    if group is None:
        raise NotFound("group_not_found", f"Không có nhóm thủ tục liên thông «{code}».")
    return group


def components_of(version: GroupVersion, only: Sequence[str] = ()) -> list[ComponentSpec]:
    specs = read_components(version.components)
    return [spec for spec in specs if not only or spec.procedure in only]


def used_fields(version: GroupVersion, specs: Sequence[ComponentSpec]) -> set[str]:
    """The combined fields the given components read (an offer of part of a group asks only
    these)."""
    used: set[str] = {version.routing_field}
    for spec in specs:
        used |= set(spec.fields.values()) | set(spec.files.values()) | set(spec.declares)
        for template in spec.templates.values():
            used |= {name for _, name, _, _ in Formatter().parse(template) if name}
    return used


def schema_for(version: GroupVersion, specs: Sequence[ComponentSpec]) -> dict[str, Any]:
    """The combined form restricted to the fields the components read."""
    used = used_fields(version, specs)
    schema = dict(version.form_schema)
    schema["fields"] = [f for f in version.form_schema.get("fields") or () if f["name"] in used]
    return schema


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def _text(value: Any) -> str:
    if isinstance(value, Mapping):
        return str(value.get("detail") or value.get("unit_code") or "")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return "" if value is None else str(value)


def component_form(spec: ComponentSpec, data: Mapping[str, Any]) -> dict[str, Any]:
    """The component's own form data from the combined answers (blank ones left out)."""
    result: dict[str, Any] = {}
    for target, source in spec.fields.items():
        value = data.get(source)
        if value not in (None, "", [], {}):
            result[target] = value
    texts = _Blank({name: _text(value) for name, value in data.items()})
    for target, template in spec.templates.items():
        result[target] = " ".join(template.format_map(texts).split())
    result.update(spec.values)
    return result


def route(spec: ComponentSpec, version: ProcedureVersion, unit_code: str) -> Agency:
    """The agency of a component: among those with an active internal process for the version,
    the one of the commune the application is for (its unit), else the one above that commune
    (its province), else the only one."""
    agencies = list(
        Agency.objects.filter(
            active=True, catalog_processes__version=version, catalog_processes__active=True
        )
        .select_related("unit")
        .distinct()
        .order_by("code")
    )
    own = [a for a in agencies if a.unit is not None and a.unit.code == unit_code]
    if own:
        return own[0]
    unit = (
        AdministrativeUnit.objects.current()
        .filter(code=unit_code)
        .select_related("province")
        .first()
    )
    province = getattr(unit, "province", None)
    above = [a for a in agencies if province is not None and a.unit_id == province.pk]
    if above:
        return above[0]
    if len(agencies) == 1:
        return agencies[0]
    name = version.procedure.name
    raise DomainError(
        "no_agency",
        f"Chưa có cơ quan giải quyết «{name}» cho địa bàn đã chọn.",
        field="routing",
    )


@dataclass(frozen=True)
class Preview:
    """One component's agency and its appointment if received now; ``latest``: the group's."""

    procedure: Procedure
    version: ProcedureVersion
    agency: Agency
    spec: ComponentSpec
    due: datetime.datetime | None


def preview(
    version: GroupVersion, unit_code: str, *, only: Sequence[str] = (), at: Any = None
) -> list[Preview]:
    at = at or timezone.now()
    rows = []
    for spec in components_of(version, only):
        procedure = Procedure.objects.filter(code=spec.procedure, active=True).first()
        if procedure is None:
            raise DomainError(
                "group_invalid", f"Thủ tục thành phần «{spec.procedure}» không có trong danh mục."
            )
        procedure_version = catalog.current_version(procedure)
        agency = route(spec, procedure_version, unit_code)
        due = catalog.estimate_due(
            procedure_version, received_at=at, province_code=catalog.province_code_of(agency)
        )
        rows.append(Preview(procedure, procedure_version, agency, spec, due))
    return rows


def latest(rows: Sequence[Preview]) -> datetime.datetime | None:
    dues = [row.due for row in rows if row.due is not None]
    return max(dues) if dues else None


def unit_of(data: Mapping[str, Any], version: GroupVersion) -> str:
    value = data.get(version.routing_field)
    return str(value.get("unit_code") or "") if isinstance(value, Mapping) else ""


# --- The generated declaration ------------------------------------------------------------------


def declaration_pdf(
    title: str, rows: Sequence[tuple[str, str]], *, group_code: str, applicant: str
) -> bytes:
    """The combined answers a component reads, printed as its declaration (A4, the printed
    forms' typeface): what the citizen declared once, for an agency whose procedure still
    files a declaration."""
    fonts.register_fonts()
    body = ParagraphStyle("body", fontName=fonts.REGULAR, fontSize=11, leading=14)
    head = ParagraphStyle("head", parent=body, fontName=fonts.BOLD, fontSize=13, alignment=1)
    out = io.BytesIO()
    document = SimpleDocTemplate(out, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm)
    story: list[Any] = [
        Paragraph("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", head),
        Paragraph("Độc lập – Tự do – Hạnh phúc", head),
        Spacer(1, 8 * mm),
        Paragraph(escape(title.upper()), head),
        Paragraph(
            escape(f"(kê khai một lần trên biểu mẫu liên thông, mã hồ sơ {group_code})"), body
        ),
        Spacer(1, 6 * mm),
        Table(
            [
                [Paragraph(escape(label), body), Paragraph(escape(value), body)]
                for label, value in rows
            ],
            colWidths=[65 * mm, 105 * mm],
        ),
        Spacer(1, 8 * mm),
        Paragraph(escape(f"Người kê khai: {applicant}"), body),
    ]
    document.build(story)
    return out.getvalue()
