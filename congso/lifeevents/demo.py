"""The demo's procedure groups and life-event rules (DEMO DATA), ND 63/2024/NĐ-CP's two groups:

* **khai sinh – thường trú – thẻ BHYT cho trẻ dưới 6 tuổi**: birth registration (commune
  People's Committee, civil status), permanent residence registration (commune police), the
  health-insurance card (social insurance);
* **khai tử – xóa đăng ký thường trú – trợ cấp mai táng**: death registration, removal of
  permanent residence, the funeral allowance.

Three component procedures are not in the researched catalogue and are added here through the
catalogue's importer with **local codes** (``DP.…``, ``national_code`` false: their national
codes were not verified), with their forms and demo processes; the social-insurance agency of
the demo province is created with its desk and officers. Time limits of the added procedures
are the demo's reading of the texts named in their notes, to verify.

Run after ``load_demo`` and ``load_catalog_demo``. Idempotent.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from congso.catalog import demo as catalog_demo
from congso.catalog.demo_forms import (
    APPLICANT,
    _person,
    address,
    applicant_fields,
    choice,
    date,
    file_slots,
    gender,
    number,
    offline,
    personal_id,
    text,
)
from congso.catalog.demo_forms import _field as schema_field
from congso.catalog.importexport import import_document
from congso.catalog.selectors import hours_per_day
from congso.catalog.specs import read_components
from congso.core.errors import DomainError
from congso.lifeevents.groups import check_version
from congso.lifeevents.models import GroupVersion, Level, LifeEventRule, ProcedureGroup
from congso.org import services as org_services
from congso.org.models import Agency, AgencyLevel, Desk, DeskKind, Role
from congso.org.selectors import current_roles

BIRTH = "1.001193"
DEATH = "1.000656"
RESIDENCE = "1.004222"
HEALTH_CARD = "DP.BHYT-TE6"
REMOVE_RESIDENCE = "DP.XOA-TT"
FUNERAL = "DP.MAI-TANG"
EFFECTIVE_FROM = datetime.date(2025, 7, 1)
#: The social-insurance agency's y in its code (000.00.y.H51); free in the demo's numbering.
SOCIAL_INSURANCE_Y = 41

RELATIONSHIP_BIRTH = [
    ("father", "Cha"),
    ("mother", "Mẹ"),
    ("grandparent", "Ông, bà"),
    ("relative", "Người thân thích khác"),
]
RELATIONSHIP_DEATH = [
    ("spouse", "Vợ, chồng"),
    ("child", "Con"),
    ("parent", "Cha, mẹ"),
    ("relative", "Người thân thích khác"),
]
CARD_DELIVERY = [
    ("vneid", "Thẻ BHYT điện tử trên ứng dụng VNeID"),
    ("post", "Gửi thẻ giấy qua bưu chính về nơi cư trú"),
    ("desk", "Nhận thẻ giấy tại Bộ phận Một cửa"),
]
PAYMENT = [
    ("bank", "Chuyển khoản vào tài khoản ngân hàng"),
    ("cash", "Nhận tiền mặt tại cơ quan bảo hiểm xã hội"),
]


def _relationship(options: list[tuple[str, str]], label: str) -> dict[str, Any]:
    return choice("applicant_relationship", label, options, required=True, section=APPLICANT)


# --- The three added procedures -----------------------------------------------------------------


def _health_card_form() -> list[dict[str, Any]]:
    child = "Trẻ em được cấp thẻ"
    return [
        *applicant_fields(),
        _relationship(RELATIONSHIP_BIRTH, "Quan hệ với trẻ"),
        text("child_full_name", "Họ, chữ đệm, tên", required=True, max_length=100, section=child),
        date(
            "child_birth_date", "Ngày, tháng, năm sinh", required=True, max="today", section=child
        ),
        gender("child_gender", required=True, section=child),
        personal_id("child_personal_id", "Số định danh cá nhân của trẻ (nếu đã có)", section=child),
        address(
            "child_residence", "Nơi cư trú", required=True, require_detail=False, section=child
        ),
        text(
            "health_facility",
            "Nơi đăng ký khám bệnh, chữa bệnh ban đầu",
            required=True,
            max_length=200,
            section="Thẻ bảo hiểm y tế",
        ),
        choice(
            "card_delivery",
            "Cách nhận thẻ",
            CARD_DELIVERY,
            required=True,
            section="Thẻ bảo hiểm y tế",
        ),
    ]


def _remove_residence_form() -> list[dict[str, Any]]:
    deceased = "Người được xóa đăng ký thường trú"
    return [
        *applicant_fields(),
        _relationship(RELATIONSHIP_DEATH, "Quan hệ với người đã chết"),
        text(
            "deceased_full_name",
            "Họ, chữ đệm, tên",
            required=True,
            max_length=100,
            section=deceased,
        ),
        date("deceased_birth_date", "Ngày, tháng, năm sinh", max="today", section=deceased),
        personal_id("deceased_personal_id", required=True, section=deceased),
        address(
            "deceased_residence",
            "Nơi thường trú",
            required=True,
            require_detail=False,
            section=deceased,
        ),
        date("death_date", "Ngày chết", required=True, max="today", section=deceased),
    ]


def _funeral_form() -> list[dict[str, Any]]:
    deceased = "Người đã chết"
    payment = "Nhận trợ cấp"
    return [
        *applicant_fields(),
        _relationship(RELATIONSHIP_DEATH, "Quan hệ với người đã chết"),
        text(
            "deceased_full_name",
            "Họ, chữ đệm, tên",
            required=True,
            max_length=100,
            section=deceased,
        ),
        personal_id("deceased_personal_id", required=True, section=deceased),
        text(
            "deceased_insurance_number",
            "Mã số bảo hiểm xã hội (nếu biết)",
            max_length=10,
            section=deceased,
        ),
        date("death_date", "Ngày chết", required=True, max="today", section=deceased),
        choice("payment_method", "Hình thức nhận", PAYMENT, required=True, section=payment),
        text("bank_account", "Số tài khoản", max_length=30, section=payment),
        text("bank_name", "Ngân hàng", max_length=100, section=payment),
    ]


def _record(code: str, name: str, **rest: Any) -> dict[str, Any]:
    return {"code": None, "local_code": code, "name": name, "version": 1, **rest}


def added_procedures() -> list[dict[str, Any]]:
    """The three records, as the catalogue's import format (forms and processes added later)."""
    db = "Chỉ khi cơ quan giải quyết không khai thác được từ cơ sở dữ liệu (liên thông)"
    return [
        _record(
            HEALTH_CARD,
            "Cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi",
            field={"name": "Thu, cấp sổ bảo hiểm xã hội, thẻ bảo hiểm y tế", "code": None},
            levels=["province"],
            competent_agency="Bảo hiểm xã hội tỉnh",
            submission_channels=["online", "direct", "postal"],
            time_limit={
                "value": 3,
                "unit": "working_days",
                "text": "Giá trị demo, cần đối chiếu Nghị định 63/2024/NĐ-CP.",
            },
            fees=[
                {
                    "name": "Không thu phí",
                    "amount_vnd": 0,
                    "condition": "Trẻ em dưới 6 tuổi do ngân sách nhà nước đóng BHYT.",
                    "legal_basis": "Luật Bảo hiểm y tế, Điều 12",
                }
            ],
            components=[
                {
                    "name": "Tờ khai tham gia, điều chỉnh thông tin bảo hiểm xã hội, bảo hiểm y tế "
                    "(Mẫu TK1-TS)",
                    "mandatory": True,
                    "original_or_copy": "original",
                    "quantity": 1,
                },
                {
                    "name": "Giấy khai sinh hoặc trích lục khai sinh của trẻ",
                    "mandatory": False,
                    "condition": db,
                    "original_or_copy": "copy",
                    "quantity": 1,
                },
            ],
            result={"type": "certificate", "name": "Thẻ bảo hiểm y tế"},
            online_level="full",
            applicant_types=["citizen"],
            legal_bases=["Luật Bảo hiểm y tế", "Nghị định 63/2024/NĐ-CP"],
            notes="Thủ tục thành phần của nhóm liên thông khai sinh (ND 63/2024). Mã tạm DP.: "
            "chưa đối chiếu mã TTHC quốc gia.",
        ),
        _record(
            REMOVE_RESIDENCE,
            "Xóa đăng ký thường trú",
            field={"name": "Đăng ký, quản lý cư trú", "code": None},
            levels=["commune"],
            competent_agency="Công an cấp xã",
            submission_channels=["online", "direct"],
            time_limit={
                "value": 1,
                "unit": "working_days",
                "text": "Giá trị demo theo Luật Cư trú 2020 Điều 24, cần đối chiếu.",
            },
            fees=[
                {
                    "name": "Không thu lệ phí",
                    "amount_vnd": 0,
                    "condition": "",
                    "legal_basis": "Thông tư 75/2022/TT-BTC",
                }
            ],
            components=[
                {
                    "name": "Tờ khai thay đổi thông tin cư trú (Mẫu CT01)",
                    "mandatory": True,
                    "original_or_copy": "original",
                    "quantity": 1,
                },
                {
                    "name": "Trích lục khai tử hoặc giấy tờ chứng minh thuộc trường hợp xóa đăng "
                    "ký thường trú",
                    "mandatory": False,
                    "condition": db,
                    "original_or_copy": "copy",
                    "quantity": 1,
                },
            ],
            result={"type": "notice", "name": "Cập nhật CSDL về cư trú và thông báo kết quả"},
            online_level="full",
            applicant_types=["citizen"],
            legal_bases=["Luật Cư trú 2020 (68/2020/QH14)", "Nghị định 63/2024/NĐ-CP"],
            notes="Thủ tục thành phần của nhóm liên thông khai tử (ND 63/2024). Mã tạm DP.",
        ),
        _record(
            FUNERAL,
            "Giải quyết hưởng trợ cấp mai táng",
            field={"name": "Thực hiện chính sách bảo hiểm xã hội", "code": None},
            levels=["province"],
            competent_agency="Bảo hiểm xã hội tỉnh",
            submission_channels=["online", "direct", "postal"],
            time_limit={
                "value": 5,
                "unit": "working_days",
                "text": "Giá trị demo, cần đối chiếu Luật Bảo hiểm xã hội 2024.",
            },
            fees=[
                {
                    "name": "Không thu phí",
                    "amount_vnd": 0,
                    "condition": "",
                    "legal_basis": "Luật Bảo hiểm xã hội 2024",
                }
            ],
            components=[
                {
                    "name": "Tờ khai của thân nhân (Mẫu 09-HSB)",
                    "mandatory": True,
                    "original_or_copy": "original",
                    "quantity": 1,
                },
                {
                    "name": "Trích lục khai tử hoặc giấy báo tử",
                    "mandatory": False,
                    "condition": db,
                    "original_or_copy": "copy",
                    "quantity": 1,
                },
            ],
            result={"type": "notice", "name": "Quyết định hưởng trợ cấp mai táng"},
            online_level="full",
            applicant_types=["citizen"],
            legal_bases=["Luật Bảo hiểm xã hội 2024 (41/2024/QH15)", "Nghị định 63/2024/NĐ-CP"],
            notes="Thủ tục thành phần của nhóm liên thông khai tử (ND 63/2024). Mã tạm DP.",
        ),
    ]


FORMS = {
    HEALTH_CARD: _health_card_form,
    REMOVE_RESIDENCE: _remove_residence_form,
    FUNERAL: _funeral_form,
}


# --- The social-insurance agency ----------------------------------------------------------------


@dataclass
class DemoLogins:
    lines: list[str] = field(default_factory=list)


def _officer(username: str, full_name: str, role: str, agency: Agency, desk: Desk | None) -> None:
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=username, defaults={"full_name": full_name, "is_active": True}
    )
    if created:
        user.password = make_password(settings.DEMO_PASSWORD)
        user.save(update_fields=["password"])
    if not current_roles(user, (role,)).filter(agency=agency).exists():
        org_services.role_assign(actor=None, user=user, role=role, agency=agency, desk=desk)


def social_insurance(province_code: str, committee: Agency) -> Agency:
    """The demo province's social-insurance agency, its desk and three officers."""
    code = f"000.00.{SOCIAL_INSURANCE_Y}.H{province_code}"
    place = committee.name.removeprefix("Ủy ban nhân dân ")
    agency = Agency.objects.filter(code=code).first() or org_services.agency_create(
        actor=None,
        name=f"Bảo hiểm xã hội {place}",
        short_name="BHXH tỉnh",
        code=code,
        level=AgencyLevel.PROVINCE,
        unit_code=committee.unit.code if committee.unit else None,
    )
    desk = Desk.objects.filter(agency=agency).first() or org_services.desk_create(
        actor=None,
        agency=agency,
        name=f"Bộ phận Một cửa Bảo hiểm xã hội {place}",
        kind=DeskKind.ONE_STOP,
        serves=[agency],
    )
    _officer("motcua.bhxh", "Tiếp nhận (demo) – BHXH tỉnh", Role.RECEPTION, agency, desk)
    _officer("chuyenvien.bhxh", "Chuyên viên (demo) – BHXH tỉnh", Role.SPECIALIST, agency, None)
    _officer("lanhdao.bhxh", "Lãnh đạo (demo) – BHXH tỉnh", Role.LEADER, agency, None)
    return agency


def _with_processes(
    record: dict[str, Any],
    targets: list[catalog_demo.Target],
    per_day: Decimal,
    agencies: catalog_demo.DemoAgencies,
) -> dict[str, Any]:
    components = read_components(record["components"], "components")
    for raw, spec in zip(record["components"], components, strict=True):
        raw["code"] = spec.code
    record["form_schema"] = {
        "version": 1,
        "title": record["name"],
        "fields": FORMS[record["local_code"]]()
        + file_slots(record["components"], replaced_by_form=True),
        "offline": offline(record["components"], replaced_by_form=True),
    }
    total = catalog_demo._total_hours(record, per_day)
    record["processes"] = [
        {
            "agency": target.agency.code,
            "name": f"Quy trình nội bộ – {target.agency.short_name or target.agency.name}",
            "steps": catalog_demo.process_steps(total, target, code=None, agencies=agencies),
        }
        for target in targets
    ]
    return record


# --- The two groups -------------------------------------------------------------------------


def _file(name: str, label: str, component: str) -> dict[str, Any]:
    return schema_field(
        "file", name, label, component=component, required=True, section="Giấy tờ đính kèm"
    )


def _same(*names: str) -> dict[str, str]:
    return {name: name for name in names}


APPLICANT_NAMES = (
    "applicant_full_name",
    "applicant_personal_id",
    "applicant_address",
    "applicant_phone",
    "applicant_email",
    "applicant_relationship",
)
CHILD_NAMES = (
    "child_full_name",
    "child_birth_date",
    "child_gender",
    "child_ethnicity",
    "child_nationality",
    "child_birth_place",
    "child_birth_facility",
    "child_hometown",
)
PERSON = ("full_name", "birth_date", "ethnicity", "nationality", "personal_id", "residence")


def birth_group() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    child = "Người được khai sinh"
    residence = "Đăng ký thường trú cho trẻ"
    card = "Thẻ bảo hiểm y tế"
    fields = [
        *applicant_fields(),
        _relationship(RELATIONSHIP_BIRTH, "Quan hệ với người được khai sinh"),
        text("child_full_name", "Họ, chữ đệm, tên", required=True, max_length=100, section=child),
        date(
            "child_birth_date", "Ngày, tháng, năm sinh", required=True, max="today", section=child
        ),
        gender("child_gender", required=True, section=child),
        text("child_ethnicity", "Dân tộc", required=True, max_length=50, section=child),
        text("child_nationality", "Quốc tịch", required=True, max_length=50, section=child),
        address(
            "child_birth_place", "Nơi sinh", required=True, require_detail=False, section=child
        ),
        text("child_birth_facility", "Tên cơ sở y tế nơi sinh", max_length=200, section=child),
        text("child_hometown", "Quê quán", max_length=200, section=child),
        *_person("mother", "Mẹ", required=False),
        *_person("father", "Cha", required=False),
        address(
            "child_residence",
            "Nơi đăng ký thường trú của trẻ",
            required=True,
            help="Thường là nơi thường trú của cha hoặc mẹ; chọn đúng xã/phường: hồ sơ "
            "được gửi đến UBND và Công an xã/phường này.",
            section=residence,
        ),
        text(
            "household_head_full_name",
            "Họ, chữ đệm, tên chủ hộ",
            required=True,
            max_length=100,
            section=residence,
        ),
        personal_id(
            "household_head_personal_id", "Số định danh cá nhân của chủ hộ", section=residence
        ),
        text(
            "child_household_relationship",
            "Quan hệ của trẻ với chủ hộ",
            required=True,
            max_length=50,
            help="Ví dụ: Con, Cháu.",
            section=residence,
        ),
        text(
            "health_facility",
            "Nơi đăng ký khám bệnh, chữa bệnh ban đầu",
            required=True,
            max_length=200,
            section=card,
        ),
        choice("card_delivery", "Cách nhận thẻ", CARD_DELIVERY, required=True, section=card),
        number(
            "copies_requested",
            "Số bản sao Giấy khai sinh đề nghị cấp",
            min=0,
            max=10,
            section="Yêu cầu",
        ),
        _file(
            "file_birth_certificate",
            "Giấy chứng sinh (bản chụp hoặc bản điện tử)",
            "giay-chung-sinh",
        ),
    ]
    schema = {
        "version": 1,
        "title": "Liên thông khai sinh – thường trú – thẻ BHYT",
        "fields": fields,
    }
    parents = [f"{who}_{name}" for who in ("mother", "father") for name in PERSON]
    components = [
        {
            "procedure": BIRTH,
            "routing": "commune_justice",
            "fields": _same(*APPLICANT_NAMES, *CHILD_NAMES, *parents, "copies_requested"),
            "files": {"giay-chung-sinh-neu-khong-co-thi-van-ban": "file_birth_certificate"},
        },
        {
            "procedure": RESIDENCE,
            "routing": "commune_police",
            "fields": _same(*APPLICANT_NAMES[:5]),
            "templates": {
                "note": "Đăng ký thường trú cho trẻ {child_full_name}, sinh ngày "
                "{child_birth_date}, vào hộ của {household_head_full_name} (quan hệ "
                "với chủ hộ: {child_household_relationship}); hồ sơ liên thông với "
                "đăng ký khai sinh."
            },
            "declaration": "to-khai-thay-doi-thong-tin-cu-tru",
            "declares": [
                "child_full_name",
                "child_birth_date",
                "child_gender",
                "child_residence",
                "household_head_full_name",
                "household_head_personal_id",
                "child_household_relationship",
                "applicant_full_name",
                "applicant_personal_id",
                "applicant_relationship",
                "applicant_phone",
            ],
        },
        {
            "procedure": HEALTH_CARD,
            "routing": "social_insurance",
            "fields": _same(
                *APPLICANT_NAMES,
                "child_full_name",
                "child_birth_date",
                "child_gender",
                "child_residence",
                "health_facility",
                "card_delivery",
            ),
        },
    ]
    return schema, components


DECEASED_NAMES = (
    "deceased_full_name",
    "deceased_birth_date",
    "deceased_gender",
    "deceased_ethnicity",
    "deceased_nationality",
    "deceased_personal_id",
    "deceased_residence",
    "death_date",
    "death_time",
    "death_place",
    "death_cause",
)


def death_group() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    deceased = "Người đã chết"
    funeral = "Trợ cấp mai táng"
    fields = [
        *applicant_fields(),
        _relationship(RELATIONSHIP_DEATH, "Quan hệ với người đã chết"),
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
        personal_id("deceased_personal_id", required=True, section=deceased),
        address(
            "deceased_residence",
            "Nơi thường trú",
            required=True,
            require_detail=False,
            help="Hồ sơ được gửi đến UBND và Công an xã/phường này.",
            section=deceased,
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
        schema_field(
            "textarea", "death_cause", "Nguyên nhân chết", max_length=500, section=deceased
        ),
        text(
            "deceased_insurance_number",
            "Mã số bảo hiểm xã hội (nếu biết)",
            max_length=10,
            section=funeral,
        ),
        choice("payment_method", "Hình thức nhận trợ cấp", PAYMENT, required=True, section=funeral),
        text("bank_account", "Số tài khoản", max_length=30, section=funeral),
        text("bank_name", "Ngân hàng", max_length=100, section=funeral),
        number(
            "copies_requested",
            "Số bản sao Trích lục khai tử đề nghị cấp",
            min=0,
            max=10,
            section="Yêu cầu",
        ),
        _file("file_death_notice", "Giấy báo tử (bản chụp hoặc bản điện tử)", "giay-bao-tu"),
    ]
    schema = {
        "version": 1,
        "title": "Liên thông khai tử – xóa thường trú – trợ cấp mai táng",
        "fields": fields,
    }
    components = [
        {
            "procedure": DEATH,
            "routing": "commune_justice",
            "fields": _same(*APPLICANT_NAMES, *DECEASED_NAMES, "copies_requested"),
            "files": {"giay-bao-tu-hoac-giay-to-thay-giay-bao": "file_death_notice"},
        },
        {
            "procedure": REMOVE_RESIDENCE,
            "routing": "commune_police",
            "fields": _same(
                *APPLICANT_NAMES,
                "deceased_full_name",
                "deceased_birth_date",
                "deceased_personal_id",
                "deceased_residence",
                "death_date",
            ),
        },
        {
            "procedure": FUNERAL,
            "routing": "social_insurance",
            "fields": _same(
                *APPLICANT_NAMES,
                "deceased_full_name",
                "deceased_personal_id",
                "deceased_insurance_number",
                "death_date",
                "payment_method",
                "bank_account",
                "bank_name",
            ),
        },
    ]
    return schema, components


GROUPS = {
    "khai-sinh": (
        "Liên thông đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế cho "
        "trẻ em dưới 6 tuổi",
        "Khai sinh – thường trú – thẻ BHYT",
        birth_group,
        "child_residence",
    ),
    "khai-tu": (
        "Liên thông đăng ký khai tử, xóa đăng ký thường trú, giải quyết trợ cấp mai táng",
        "Khai tử – xóa thường trú – trợ cấp mai táng",
        death_group,
        "deceased_residence",
    ),
}


def _group(code: str) -> ProcedureGroup:
    name, short_name, build, routing_field = GROUPS[code]
    group, _ = ProcedureGroup.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "short_name": short_name,
            "legal_basis": "Nghị định 63/2024/NĐ-CP (10/6/2024)",
            "active": True,
        },
    )
    schema, components = build()
    check_version(schema, components)
    GroupVersion.objects.update_or_create(
        group=group,
        version=1,
        defaults={
            "effective_from": EFFECTIVE_FROM,
            "form_schema": schema,
            "components": components,
            "routing_field": routing_field,
        },
    )
    return group


#: Where the birth group's residence fields come from after a birth registered alone: the
#: applicant's residence and identity (the parent who registered the birth).
BIRTH_PREFILL = {
    "child_residence": "dossier.applicant_address",
    "household_head_full_name": "dossier.applicant_full_name",
    "household_head_personal_id": "dossier.applicant_personal_id",
}


def _rules(birth: ProcedureGroup, death: ProcedureGroup) -> int:
    rules = [
        {
            "code": "sau-khai-tu",
            "name": "Sau đăng ký khai tử: xóa thường trú, trợ cấp mai táng",
            "event": "death_registered",
            "trigger_procedure": DEATH,
            "group": death,
            "offer_procedures": [REMOVE_RESIDENCE, FUNERAL],
            "level": Level.PREPARE,
            "eligibility": [{"field": "deceased_residence", "present": True}],
            "title": "Tiếp tục các thủ tục sau đăng ký khai tử",
            "message": "Việc đăng ký khai tử cho {name} đã hoàn thành. Hồ sơ xóa đăng ký thường "
            "trú và đề nghị trợ cấp mai táng đã được chuẩn bị sẵn từ dữ liệu khai tử; mời bạn "
            "vào Cổng dịch vụ công, mục Hồ sơ của tôi, để kiểm tra và xác nhận.",
            "minutes_saved": 90,
            "legal_basis": "Nghị định 224/2026/NĐ-CP, Điều 16 khoản 2",
        },
        {
            "code": "sau-khai-sinh",
            "name": "Sau đăng ký khai sinh: thường trú, thẻ BHYT",
            "event": "birth_registered",
            "trigger_procedure": BIRTH,
            "group": birth,
            "offer_procedures": [RESIDENCE, HEALTH_CARD],
            "level": Level.RECOMMEND,
            "eligibility": [{"field": "child_birth_date", "age_under_years": 6}],
            "prefill": BIRTH_PREFILL,
            "title": "Đăng ký thường trú và làm thẻ BHYT cho bé",
            "message": "Bé {name} đã được đăng ký khai sinh. Hồ sơ đăng ký thường trú và cấp thẻ "
            "bảo hiểm y tế (miễn phí cho trẻ dưới 6 tuổi) đã được chuẩn bị sẵn; mời bạn kiểm tra "
            "và xác nhận trên Cổng dịch vụ công.",
            "recommendation": "Nên nộp hai thủ tục cùng lúc theo nhóm liên thông: khai một lần, "
            "hai cơ quan nhận cùng lúc, không mất phí thẻ BHYT.",
            "minutes_saved": 60,
            "legal_basis": "Nghị định 224/2026/NĐ-CP, Điều 16 khoản 3",
        },
        {
            "code": "the-bhyt-tu-dong",
            "name": "Thẻ BHYT cho trẻ dưới 6 tuổi, tự động cấp",
            "event": "birth_registered",
            "trigger_procedure": BIRTH,
            "group": birth,
            "offer_procedures": [HEALTH_CARD],
            "level": Level.ACT,
            "act_allowed": True,
            "active": False,
            "eligibility": [{"field": "child_birth_date", "age_under_years": 6}],
            "prefill": {
                **BIRTH_PREFILL,
                "health_facility": "value:Trạm Y tế xã, phường nơi cư trú",
                "card_delivery": "value:vneid",
            },
            "title": "Thẻ BHYT của bé đang được cấp",
            "message": "Thẻ bảo hiểm y tế của bé {name} được cấp tự động từ dữ liệu khai sinh. "
            "Bạn có thể từ chối hoặc đề nghị điều chỉnh trên Cổng dịch vụ công.",
            "minutes_saved": 30,
            "legal_basis": "Nghị định 224/2026/NĐ-CP, Điều 16 khoản 4",
        },
        {
            "code": "du-14-tuoi",
            "name": "Đủ 14 tuổi: cấp thẻ căn cước",
            "event": "age_reached",
            "age_years": 14,
            "level": Level.REMIND,
            "title": "Làm thẻ căn cước khi đủ 14 tuổi",
            "message": "{name} đã đủ 14 tuổi: công dân từ đủ 14 tuổi phải làm thủ tục cấp thẻ "
            "căn cước (Luật Căn cước 2023, Điều 19). Mời bạn đăng ký tại Công an xã/phường hoặc "
            "trên ứng dụng VNeID.",
            "legal_basis": "Nghị định 224/2026/NĐ-CP, Điều 16 khoản 1",
        },
    ]
    for rule in rules:
        code = rule.pop("code")
        LifeEventRule.objects.get_or_create(
            code=code, defaults={**rule, "effective_from": EFFECTIVE_FROM}
        )
    return len(rules)


@dataclass
class LifeeventsDemoResult:
    procedures: int
    groups: int
    rules: int


@transaction.atomic
def load_lifeevents_demo(*, province_code: str | None = None) -> LifeeventsDemoResult:
    code = str(province_code or settings.DEMO_PROVINCE_CODE).strip().zfill(2)
    agencies = catalog_demo.demo_agencies(code)
    if not agencies.communes:
        raise DomainError("demo_org_missing", "Chạy «manage.py load_demo» trước.")
    bhxh = social_insurance(code, agencies.committee)
    per_day = hours_per_day(code)
    records = []
    for record in added_procedures():
        if record["competent_agency"] == "Công an cấp xã":
            targets = [catalog_demo.Target(a, None, False) for a in agencies.commune_police]
        else:
            targets = [catalog_demo.Target(bhxh, None, False)]
        records.append(_with_processes(record, targets, per_day, agencies))
    import_document(
        actor=None, document={"procedures": records}, default_effective_from=EFFECTIVE_FROM
    )
    birth, death = _group("khai-sinh"), _group("khai-tu")
    return LifeeventsDemoResult(procedures=len(records), groups=2, rules=_rules(birth, death))
