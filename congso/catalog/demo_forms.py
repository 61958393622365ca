"""Online forms for the demo catalogue (DEMO DATA): real fields for the key procedures, a generic
form (applicant, note, one file slot per component) for the others.

The fields of the key forms follow the paper forms they replace: the civil-status declarations
(tờ khai đăng ký khai sinh, khai tử, kết hôn – Thông tư 04/2020/TT-BTP as amended), the household
business registration (Phụ lục III-1, Thông tư 02/2023/TT-BKHĐT), the certification request and
the criminal-record certificate request (Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp). Field names
are English (code), labels Vietnamese.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

GENDER_OPTIONS = [{"value": "male", "label": "Nam"}, {"value": "female", "label": "Nữ"}]
APPLICANT = "Người yêu cầu"


def _field(kind: str, name: str, label: str, **extra: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": name, "type": kind, "label": label}
    spec.update({key: value for key, value in extra.items() if value is not None})
    return spec


def text(name: str, label: str, **extra: Any) -> dict[str, Any]:
    return _field("text", name, label, **extra)


def date(name: str, label: str, **extra: Any) -> dict[str, Any]:
    return _field("date", name, label, **extra)


def choice(name: str, label: str, options: list[tuple[str, str]], **extra: Any) -> dict[str, Any]:
    return _field(
        "choice", name, label, options=[{"value": v, "label": lbl} for v, lbl in options], **extra
    )


def gender(name: str, label: str = "Giới tính", **extra: Any) -> dict[str, Any]:
    return _field("choice", name, label, options=GENDER_OPTIONS, **extra)


def number(name: str, label: str, **extra: Any) -> dict[str, Any]:
    return _field("number", name, label, integer=True, **extra)


def personal_id(name: str, label: str = "Số định danh cá nhân", **extra: Any) -> dict[str, Any]:
    return _field("personal_id", name, label, **extra)


def address(name: str, label: str, **extra: Any) -> dict[str, Any]:
    return _field("address", name, label, **extra)


def group(name: str, label: str, fields: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return _field("group", name, label, fields=fields, **extra)


def applicant_fields(*, section: str = APPLICANT, birth_date: bool = False) -> list[dict[str, Any]]:
    """The applicant's identity and contact, filled in advance from the citizen's profile."""
    fields = [
        text(
            "applicant_full_name",
            "Họ, chữ đệm, tên người yêu cầu",
            required=True,
            max_length=100,
            prefill="citizen.full_name",
            section=section,
        ),
        personal_id(
            "applicant_personal_id",
            "Số định danh cá nhân",
            required=True,
            prefill="citizen.personal_id",
            section=section,
        ),
    ]
    if birth_date:
        fields.append(
            date(
                "applicant_birth_date",
                "Ngày, tháng, năm sinh",
                required=True,
                max="today",
                prefill="citizen.birth_date",
                section=section,
            )
        )
    fields += [
        address(
            "applicant_address",
            "Nơi cư trú",
            required=True,
            prefill="citizen.address",
            section=section,
        ),
        _field(
            "phone",
            "applicant_phone",
            "Số điện thoại",
            required=True,
            prefill="citizen.phone",
            section=section,
        ),
        _field("email", "applicant_email", "Thư điện tử", prefill="citizen.email", section=section),
    ]
    return fields


def file_name(code: str) -> str:
    return f"file_{code.replace('-', '_')}"[:63]


def online_use(component: Mapping[str, Any], *, replaced_by_form: bool = False) -> str | None:
    """Why a component is not uploaded online (``formschema.OFFLINE_REASONS``), or ``None``
    when it is. Read from the catalogue's wording: the ID card "xuất trình, không nộp", the
    paper declaration "khi nộp trực tiếp", the declaration the interactive e-form replaces."""
    name = str(component.get("name") or "").casefold()
    condition = str(component.get("condition") or "").strip().casefold()
    if "xuất trình, không nộp" in condition or "xuất trình khi làm thủ tục trực tiếp" in name:
        return "show"
    if "điện tử tương tác" in name:
        return "form"
    if condition.startswith("nộp trực tiếp") or "khi nộp trực tiếp" in name:
        return "paper"
    if replaced_by_form and name.startswith(("tờ khai", "giấy đề nghị")):
        return "form"
    return None


def _required_online(component: Mapping[str, Any]) -> bool:
    """Mandatory without a condition, or whose condition only spares the paper copy when the
    electronic one is sent ("Không phải nộp bản giấy nếu đã nộp bản điện tử…")."""
    condition = (component.get("condition") or "").strip().casefold()
    mandatory = bool(component.get("mandatory", True))
    return mandatory and (not condition or condition.startswith("không phải nộp bản giấy"))


def file_slots(
    components: Sequence[Mapping[str, Any]], *, replaced_by_form: bool = False
) -> list[dict[str, Any]]:
    """One file slot per component uploaded online (see :func:`online_use`). Required when
    :func:`_required_online`; a condition is shown as help."""
    slots = []
    for component in components:
        if online_use(component, replaced_by_form=replaced_by_form):
            continue
        condition = (component.get("condition") or "").strip()
        slots.append(
            _field(
                "file",
                file_name(component["code"]),
                component["name"],
                component=component["code"],
                required=_required_online(component),
                help=condition or None,
                section="Giấy tờ đính kèm",
            )
        )
    return slots


def offline(
    components: Sequence[Mapping[str, Any]], *, replaced_by_form: bool = False
) -> list[dict[str, str]]:
    """The schema's ``offline`` list: the components not uploaded online, with why."""
    result = []
    for component in components:
        why = online_use(component, replaced_by_form=replaced_by_form)
        if why:
            result.append({"component": component["code"], "why": why})
    return result


def _person(prefix: str, section: str, *, required: bool) -> list[dict[str, Any]]:
    return [
        text(
            f"{prefix}_full_name",
            "Họ, chữ đệm, tên",
            required=required,
            max_length=100,
            section=section,
        ),
        date(f"{prefix}_birth_date", "Ngày, tháng, năm sinh", max="today", section=section),
        text(f"{prefix}_ethnicity", "Dân tộc", max_length=50, section=section),
        text(f"{prefix}_nationality", "Quốc tịch", max_length=50, section=section),
        personal_id(f"{prefix}_personal_id", section=section),
        address(f"{prefix}_residence", "Nơi cư trú", require_detail=False, section=section),
    ]


def birth_registration() -> list[dict[str, Any]]:
    child = "Người được khai sinh"
    relationship = [
        ("father", "Cha"),
        ("mother", "Mẹ"),
        ("grandparent", "Ông, bà"),
        ("relative", "Người thân thích khác"),
        ("authorised", "Người được ủy quyền"),
    ]
    return [
        *applicant_fields(),
        choice(
            "applicant_relationship",
            "Quan hệ với người được khai sinh",
            relationship,
            required=True,
            section=APPLICANT,
        ),
        text("child_full_name", "Họ, chữ đệm, tên", required=True, max_length=100, section=child),
        date(
            "child_birth_date", "Ngày, tháng, năm sinh", required=True, max="today", section=child
        ),
        gender("child_gender", required=True, section=child),
        text("child_ethnicity", "Dân tộc", required=True, max_length=50, section=child),
        text("child_nationality", "Quốc tịch", required=True, max_length=50, section=child),
        address(
            "child_birth_place",
            "Nơi sinh",
            required=True,
            require_detail=False,
            help="Xã/phường nơi sinh; ghi tên cơ sở y tế ở ô dưới nếu sinh tại cơ sở y tế.",
            section=child,
        ),
        text("child_birth_facility", "Tên cơ sở y tế nơi sinh", max_length=200, section=child),
        text("child_hometown", "Quê quán", max_length=200, section=child),
        *_person("mother", "Mẹ", required=False),
        *_person("father", "Cha", required=False),
        number(
            "copies_requested",
            "Số bản sao Giấy khai sinh đề nghị cấp",
            min=0,
            max=10,
            section="Yêu cầu",
        ),
    ]


def death_registration() -> list[dict[str, Any]]:
    deceased = "Người đã chết"
    relationship = [
        ("spouse", "Vợ, chồng"),
        ("child", "Con"),
        ("parent", "Cha, mẹ"),
        ("relative", "Người thân thích khác"),
        ("organisation", "Đại diện cơ quan, tổ chức"),
        ("authorised", "Người được ủy quyền"),
    ]
    return [
        *applicant_fields(),
        choice(
            "applicant_relationship",
            "Quan hệ với người đã chết",
            relationship,
            required=True,
            section=APPLICANT,
        ),
        text(
            "deceased_full_name",
            "Họ, chữ đệm, tên",
            required=True,
            max_length=100,
            section=deceased,
        ),
        date("deceased_birth_date", "Ngày, tháng, năm sinh", max="today", section=deceased),
        gender("deceased_gender", required=True, section=deceased),
        text("deceased_ethnicity", "Dân tộc", max_length=50, section=deceased),
        text("deceased_nationality", "Quốc tịch", max_length=50, section=deceased),
        personal_id("deceased_personal_id", section=deceased),
        address(
            "deceased_residence", "Nơi cư trú cuối cùng", require_detail=False, section=deceased
        ),
        date("death_date", "Ngày chết", required=True, max="today", section=deceased),
        text(
            "death_time",
            "Giờ, phút chết",
            max_length=20,
            help="Ví dụ 14 giờ 30 phút.",
            section=deceased,
        ),
        address("death_place", "Nơi chết", required=True, require_detail=False, section=deceased),
        _field("textarea", "death_cause", "Nguyên nhân chết", max_length=500, section=deceased),
        number(
            "copies_requested",
            "Số bản sao Trích lục khai tử đề nghị cấp",
            min=0,
            max=10,
            section="Yêu cầu",
        ),
    ]


def marriage_registration() -> list[dict[str, Any]]:
    history = [
        ("first", "Kết hôn lần đầu"),
        ("divorced", "Đã ly hôn"),
        ("widowed", "Vợ/chồng đã chết"),
    ]
    spouse = [
        text("full_name", "Họ, chữ đệm, tên", required=True, max_length=100),
        date("birth_date", "Ngày, tháng, năm sinh", required=True, max="today"),
        gender("gender", required=True),
        text("ethnicity", "Dân tộc", required=True, max_length=50),
        text("nationality", "Quốc tịch", required=True, max_length=50),
        personal_id("personal_id", required=True),
        address("residence", "Nơi cư trú", required=True),
        choice("marriage_history", "Tình trạng hôn nhân trước đây", history, required=True),
    ]
    return [
        *applicant_fields(),
        group(
            "spouses",
            "Thông tin hai bên nam, nữ",
            spouse,
            required=True,
            min=2,
            max=2,
            help="Nhập đủ thông tin của cả hai bên.",
            section="Bên nam, bên nữ",
        ),
        date(
            "preferred_ceremony_date",
            "Ngày đề nghị tổ chức trao Giấy chứng nhận kết hôn",
            min="today",
            section="Yêu cầu",
        ),
        number("copies_requested", "Số bản sao đề nghị cấp", min=0, max=10, section="Yêu cầu"),
    ]


def household_business() -> list[dict[str, Any]]:
    business = "Hộ kinh doanh"
    owner = "Chủ hộ kinh doanh"
    lines = [
        text("line_name", "Tên ngành, nghề kinh doanh", required=True, max_length=300),
        text(
            "vsic_code",
            "Mã ngành cấp 4 (VSIC 2018)",
            max_length=4,
            min_length=4,
            help="Theo Quyết định 27/2018/QĐ-TTg.",
        ),
    ]
    members = [
        text("full_name", "Họ, chữ đệm, tên", required=True, max_length=100),
        personal_id("personal_id", required=True),
        number("capital_vnd", "Giá trị vốn góp (đồng)", min=0),
    ]
    return [
        text("business_name", "Tên hộ kinh doanh", required=True, max_length=200, section=business),
        address(
            "business_address", "Địa chỉ trụ sở hộ kinh doanh", required=True, section=business
        ),
        _field("phone", "business_phone", "Điện thoại", section=business),
        _field("email", "business_email", "Thư điện tử", section=business),
        group(
            "business_lines",
            "Ngành, nghề kinh doanh",
            lines,
            required=True,
            min=1,
            max=30,
            section=business,
        ),
        number("capital_vnd", "Vốn kinh doanh (đồng)", required=True, min=0, section=business),
        number("employees", "Số lao động dự kiến", min=0, max=1000, section=business),
        text(
            "owner_full_name",
            "Họ, chữ đệm, tên chủ hộ",
            required=True,
            max_length=100,
            prefill="citizen.full_name",
            section=owner,
        ),
        personal_id(
            "owner_personal_id", required=True, prefill="citizen.personal_id", section=owner
        ),
        date(
            "owner_birth_date",
            "Ngày, tháng, năm sinh",
            required=True,
            max="today",
            prefill="citizen.birth_date",
            section=owner,
        ),
        gender("owner_gender", required=True, prefill="citizen.gender", section=owner),
        text("owner_ethnicity", "Dân tộc", max_length=50, section=owner),
        address(
            "owner_residence", "Nơi cư trú", required=True, prefill="citizen.address", section=owner
        ),
        _field(
            "phone",
            "owner_phone",
            "Điện thoại",
            required=True,
            prefill="citizen.phone",
            section=owner,
        ),
        _field("email", "owner_email", "Thư điện tử", prefill="citizen.email", section=owner),
        group(
            "members",
            "Thành viên hộ gia đình góp vốn (nếu có)",
            members,
            min=0,
            max=20,
            section="Thành viên góp vốn",
        ),
    ]


def copy_certification() -> list[dict[str, Any]]:
    request = "Giấy tờ cần chứng thực"
    return [
        *applicant_fields(),
        text(
            "document_name", "Tên giấy tờ, văn bản", required=True, max_length=300, section=request
        ),
        text("document_issuer", "Cơ quan, tổ chức cấp", max_length=300, section=request),
        text("document_number", "Số, ký hiệu", max_length=100, section=request),
        number("pages", "Số trang của bản chính", required=True, min=1, max=500, section=request),
        number(
            "copies", "Số bản sao cần chứng thực", required=True, min=1, max=100, section=request
        ),
    ]


def criminal_record() -> list[dict[str, Any]]:
    person = "Người yêu cầu cấp Phiếu"
    family = "Thông tin cha, mẹ, vợ/chồng"
    history = [
        date("period_from", "Từ ngày", required=True, max="today"),
        date("period_to", "Đến ngày", max="today"),
        text("place", "Nơi cư trú", required=True, max_length=300),
        text("occupation", "Nghề nghiệp, nơi làm việc", max_length=300),
    ]
    return [
        *applicant_fields(section=person, birth_date=True),
        text("other_names", "Tên gọi khác", max_length=100, section=person),
        gender("applicant_gender", required=True, prefill="citizen.gender", section=person),
        text("birth_place", "Nơi sinh", required=True, max_length=300, section=person),
        text("nationality", "Quốc tịch", required=True, max_length=50, section=person),
        text("ethnicity", "Dân tộc", max_length=50, section=person),
        address("temporary_residence", "Nơi tạm trú (nếu có)", section=person),
        text("father_full_name", "Họ, chữ đệm, tên cha", max_length=100, section=family),
        text("mother_full_name", "Họ, chữ đệm, tên mẹ", max_length=100, section=family),
        text("spouse_full_name", "Họ, chữ đệm, tên vợ/chồng", max_length=100, section=family),
        group(
            "residence_history",
            "Quá trình cư trú, nghề nghiệp (từ đủ 14 tuổi)",
            history,
            min=0,
            max=20,
            section="Quá trình cư trú",
        ),
        choice(
            "certificate_type",
            "Loại Phiếu đề nghị cấp",
            [("no1", "Phiếu lý lịch tư pháp số 1"), ("no2", "Phiếu lý lịch tư pháp số 2")],
            required=True,
            section="Yêu cầu",
        ),
        text("purpose", "Mục đích yêu cầu cấp Phiếu", max_length=300, section="Yêu cầu"),
        number(
            "copies", "Số lượng Phiếu yêu cầu cấp", required=True, min=1, max=10, section="Yêu cầu"
        ),
    ]


#: Procedure code → the builder of its own fields (file slots are added for every form).
KEY_FORMS: dict[str, Callable[[], list[dict[str, Any]]]] = {
    "1.001193": birth_registration,
    "1.000656": death_registration,
    "1.000894": marriage_registration,
    "1.001612": household_business,
    "2.000815": copy_certification,
    "3.000333": criminal_record,
}


def generic_fields(applicant_types: Sequence[str]) -> list[dict[str, Any]]:
    """The applicant (the signed-in person; for an organisation, its representative) and a
    note. The organisation itself is not typed into the form: the portal's first page offers
    the organisations the account represents (issue 13 item 4)."""
    fields = applicant_fields()
    fields.append(
        _field("textarea", "note", "Nội dung đề nghị, ghi chú", max_length=2000, section="Yêu cầu")
    )
    return fields


def form_for(record: Mapping[str, Any], components: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The demo form of a record: its key form, else the generic one; with the file slots."""
    builder = KEY_FORMS.get(record.get("code") or "")
    fields = builder() if builder else generic_fields(record.get("applicant_types") or ())
    replaced = builder is not None  # a key form is the declaration itself
    schema: dict[str, Any] = {
        "version": 1,
        "title": record["name"],
        "fields": fields + file_slots(components, replaced_by_form=replaced),
    }
    gone = offline(components, replaced_by_form=replaced)
    if gone:
        schema["offline"] = gone
    return schema
