"""A generic online form for an imported procedure that has no curated one.

Built from the procedure's components in the schema format :mod:`congso.catalog.formschema`
validates (``{"version": 1, "title", "fields", "offline"}``): the applicant section (filled in
advance from the citizen's profile), the organisation when organisations may apply, the cases
the applicant is in when the components differ per case (trường hợp), a free note, and one
upload slot per component, grouped under its case. A slot is required only for a mandatory
component with no condition in a procedure without alternative cases (otherwise which documents
apply depends on the case the applicant states, shown beside each slot). Documents that are
shown, not handed in ("Giấy tờ phải xuất trình") are listed as not uploaded online.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from congso.catalog.formschema import DEFAULT_MAX_FILES, MAX_FIELDS
from congso.catalog.models import ApplicantType, OriginalOrCopy
from congso.catalog.national.parse import Case
from congso.catalog.specs import ComponentSpec

APPLICANT = "Người nộp hồ sơ"
ORGANISATION = "Tổ chức, doanh nghiệp"
CASES = "Trường hợp"
DOCUMENTS = "Thành phần hồ sơ"
LABEL_LENGTH = 200
#: Slots after which the remaining components are listed as handed in on paper (the schema's
#: field limit); the import flags such a procedure.
MAX_SLOTS = MAX_FIELDS - 12

_KIND_WORDS: dict[str, str] = {
    OriginalOrCopy.ORIGINAL: "bản chính",
    OriginalOrCopy.COPY: "bản sao",
    OriginalOrCopy.CERTIFIED_COPY: "bản sao có chứng thực",
    OriginalOrCopy.ORIGINAL_OR_COPY: "bản chính hoặc bản sao",
}


def _field(kind: str, name: str, label: str, **extra: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": name, "type": kind, "label": label}
    spec.update({key: value for key, value in extra.items() if value not in (None, "")})
    return spec


def _label(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= LABEL_LENGTH else text[: LABEL_LENGTH - 1].rstrip() + "…"


def applicant_fields(*, organisation_only: bool) -> list[dict[str, Any]]:
    """Who submits: the citizen (or the organisation's representative), prefilled."""
    who = "người đại diện" if organisation_only else "người nộp hồ sơ"
    return [
        _field(
            "text",
            "applicant_full_name",
            f"Họ, chữ đệm, tên {who}",
            required=True,
            max_length=100,
            prefill="citizen.full_name",
            section=APPLICANT,
        ),
        _field(
            "personal_id",
            "applicant_personal_id",
            "Số định danh cá nhân",
            required=True,
            prefill="citizen.personal_id",
            section=APPLICANT,
        ),
        _field(
            "address",
            "applicant_address",
            "Nơi cư trú",
            required=True,
            prefill="citizen.address",
            section=APPLICANT,
        ),
        _field(
            "phone",
            "applicant_phone",
            "Số điện thoại",
            required=True,
            prefill="citizen.phone",
            section=APPLICANT,
        ),
        _field(
            "email", "applicant_email", "Thư điện tử", prefill="citizen.email", section=APPLICANT
        ),
    ]


def organisation_fields(*, required: bool) -> list[dict[str, Any]]:
    section = ORGANISATION if required else f"{ORGANISATION} (nếu nộp thay mặt tổ chức)"
    return [
        _field(
            "text",
            "organisation_name",
            "Tên tổ chức, doanh nghiệp",
            required=required or None,
            max_length=255,
            section=section,
        ),
        _field(
            "text",
            "organisation_tax_code",
            "Mã số thuế, mã số doanh nghiệp",
            max_length=14,
            section=section,
        ),
    ]


def _slot_help(component: ComponentSpec, *, per_case: bool) -> str:
    kind = _KIND_WORDS.get(OriginalOrCopy(component.original_or_copy), "")
    parts = [f"Số lượng: {component.quantity} {kind}"]
    if component.template_name:
        parts.append(f"Mẫu: {component.template_name}")
    if component.condition:
        parts.append(component.condition)
    if len(" ".join(component.name.split())) > LABEL_LENGTH:
        parts.append(component.name)
    if per_case:
        parts.append("Nộp nếu thuộc trường hợp của bạn.")
    return ". ".join(part.strip().rstrip(".") for part in parts if part.strip())[:2000]


def _file_name(code: str) -> str:
    return f"file_{code.replace('-', '_')}"[:63]


def generic_form(
    *,
    title: str,
    applicant_types: Iterable[str],
    components: Sequence[ComponentSpec],
    cases: Sequence[Case],
) -> tuple[dict[str, Any], list[str]]:
    """The schema, and the codes of components beyond the form's slot limit (listed as handed in
    on paper; the caller flags them)."""
    types = set(applicant_types)
    organisation_only = types == {ApplicantType.ORGANISATION}
    fields = applicant_fields(organisation_only=organisation_only)
    if ApplicantType.ORGANISATION in types:
        fields += organisation_fields(required=organisation_only)
    alternatives = [case for case in cases if case.alternative and case.components]
    if alternatives:
        fields.append(
            _field(
                "choice",
                "cases",
                "Trường hợp của bạn",
                required=True,
                multiple=True,
                options=[
                    {"value": f"case_{index}", "label": _label(case.name or f"Trường hợp {index}")}
                    for index, case in enumerate(alternatives, start=1)
                ],
                help="Chọn các trường hợp đúng với bạn; giấy tờ cần nộp ghi theo từng trường hợp.",
                section=CASES,
            )
        )
    fields.append(
        _field(
            "textarea",
            "note",
            "Nội dung đề nghị, ghi chú",
            max_length=2000,
            section="Nội dung đề nghị",
        )
    )
    by_code = {component.code: component for component in components}
    placed: set[str] = set()
    offline: list[dict[str, str]] = []
    beyond: list[str] = []
    ordered: list[tuple[ComponentSpec, Case | None]] = []
    for heading in cases:
        for code in heading.components:
            if code in by_code and code not in placed:
                placed.add(code)
                ordered.append((by_code[code], heading))
    ordered += [(c, None) for c in components if c.code not in placed]
    slots = 0
    for component, case in ordered:
        if case is not None and case.presented:
            offline.append({"component": component.code, "why": "show"})
            continue
        if slots >= MAX_SLOTS:
            offline.append({"component": component.code, "why": "paper"})
            beyond.append(component.code)
            continue
        slots += 1
        per_case = bool(alternatives) and case is not None and case.alternative
        fields.append(
            _field(
                "file",
                _file_name(component.code),
                _label(component.name),
                component=component.code,
                required=(not alternatives and component.mandatory and not component.condition)
                or None,
                help=_slot_help(component, per_case=per_case),
                section=_label(case.name) if case is not None and case.name else DOCUMENTS,
                max_files=DEFAULT_MAX_FILES,
                accept=list(component.allowed_types),
                max_size_bytes=component.max_size_bytes,
            )
        )
    schema: dict[str, Any] = {"version": 1, "title": _label(title), "fields": fields}
    if offline:
        schema["offline"] = offline
    return schema, beyond
