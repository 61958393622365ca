"""The national population database (CSDLQG về dân cư) through the provincial integration
platform (LGSP), as provincial one-stop systems call it (wave2-anchors §2.2; docs/identity.md).

A look-up gives the personal ID, the full name in upper case without diacritics and the birth
year — all three must match — and carries its purpose: the procedure (``MaDVC``), the officer
(``MaCanBo``), a unique request id (``MaYeuCau``). Every look-up, whatever its outcome, is
written to :class:`~congso.identity.models.PopulationLookup`, which the person can read. The
answer is kept briefly (:class:`~congso.identity.models.PopulationRecord`) and never written over
the citizen's profile: callers show it beside what is recorded (prefill with its source).
"""

from __future__ import annotations

import datetime
import json
import logging
import unicodedata
import urllib.error
import urllib.request
import uuid
from dataclasses import asdict, dataclass
from http import HTTPStatus
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from congso.audit.services import record
from congso.core.errors import DomainError, Message, PermissionDenied
from congso.exchange import platform
from congso.identity.models import LookupOutcome, PopulationLookup, PopulationRecord
from congso.org.identity import validate_personal_id
from congso.org.models import Citizen
from congso.org.selectors import is_officer

log = logging.getLogger("congso.identity")

SOURCE_LABEL = gettext_noop("từ CSDLQG về dân cư")


class PopulationError(DomainError):
    """The look-up gave no answer to use."""


def plain_upper(name: str) -> str:
    """``Nguyễn Văn Đức`` → ``NGUYEN VAN DUC``: upper case, no diacritics, spaces collapsed."""
    text = name.replace("đ", "d").replace("Đ", "D")
    stripped = "".join(
        ch for ch in unicodedata.normalize("NFD", text) if unicodedata.category(ch) != "Mn"
    )
    return " ".join(stripped.upper().split())


@dataclass(frozen=True)
class Place:
    province_code: str
    commune_code: str
    detail: str
    district_code: str = ""  # only in answers that still carry the abolished district level


@dataclass(frozen=True)
class Relative:
    full_name: str
    personal_id: str
    relation: str = ""


@dataclass(frozen=True)
class Resident:
    personal_id: str
    full_name: str
    gender: str  # male | female | ""
    birth_date: datetime.date | None
    birth_place: Place | None
    home_town: Place | None
    permanent: Place | None
    current: Place | None
    father: Relative | None
    mother: Relative | None
    spouse: Relative | None
    household_head: Relative | None
    household_book: str
    nationality: str

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["birth_date"] = self.birth_date.isoformat() if self.birth_date else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Resident:
        def place(value: Any) -> Place | None:
            return Place(**value) if value else None

        def relative(value: Any) -> Relative | None:
            return Relative(**value) if value else None

        return cls(
            personal_id=data["personal_id"],
            full_name=data["full_name"],
            gender=data["gender"],
            birth_date=(
                datetime.date.fromisoformat(data["birth_date"]) if data["birth_date"] else None
            ),
            birth_place=place(data["birth_place"]),
            home_town=place(data["home_town"]),
            permanent=place(data["permanent"]),
            current=place(data["current"]),
            father=relative(data["father"]),
            mother=relative(data["mother"]),
            spouse=relative(data["spouse"]),
            household_head=relative(data["household_head"]),
            household_book=data["household_book"],
            nationality=data["nationality"],
        )


# --- Parsing the answer ---------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(node: Element | None, name: str) -> Element | None:
    if node is None:
        return None
    return next((c for c in node if _local(c.tag) == name), None)


def _text(node: Element | None, name: str) -> str:
    found = _child(node, name)
    return (found.text or "").strip() if found is not None else ""


def _place(node: Element | None) -> Place | None:
    if node is None or not _text(node, "MaPhuongXa"):
        return None
    return Place(
        province_code=_text(node, "MaTinhThanh"),
        commune_code=_text(node, "MaPhuongXa"),
        detail=_text(node, "ChiTiet"),
        district_code=_text(node, "MaQuanHuyen"),
    )


def _relative(node: Element | None) -> Relative | None:
    if node is None or not _text(node, "HoVaTen"):
        return None
    return Relative(
        full_name=_text(node, "HoVaTen"),
        personal_id=_text(node, "SoDinhDanh"),
        relation=_text(node, "QuanHe"),
    )


def parse_answer(message: str) -> tuple[str, Resident | None]:
    """``(KetQua, resident)`` from the SOAP envelope the LGSP wraps in JSON."""
    root = ElementTree.fromstring(message)
    body = next((n for n in root.iter() if _local(n.tag) == "Body"), None)
    result = _text(body, "KetQua")
    collection = _child(body, "CongdanCollection")
    citizen = _child(collection, "CongDan")
    if citizen is None:
        return result or "1", None
    born = _child(citizen, "NgayThangNamSinh")
    raw_date = _text(born, "NgayThangNam")
    try:
        birth_date = datetime.datetime.strptime(raw_date, "%Y%m%d").date()  # noqa: DTZ007
    except ValueError:
        birth_date = None
    gender = {"1": "male", "2": "female"}.get(_text(citizen, "GioiTinh"), "")
    return result or "0", Resident(
        personal_id=_text(citizen, "SoDinhDanh"),
        full_name=_text(_child(citizen, "HoVaTen"), "Ten"),
        gender=gender,
        birth_date=birth_date,
        birth_place=_place(_child(citizen, "NoiDangKyKhaiSinh")),
        home_town=_place(_child(citizen, "QueQuan")),
        permanent=_place(_child(citizen, "ThuongTru")),
        current=_place(_child(citizen, "NoiOHienTai")),
        father=_relative(_child(citizen, "Cha")),
        mother=_relative(_child(citizen, "Me")),
        spouse=_relative(_child(citizen, "VoChong")),
        household_head=_relative(_child(citizen, "ChuHo")),
        household_book=_text(citizen, "SoSoHoKhau"),
        nationality=_text(citizen, "QuocTich"),
    )


# --- The look-up ----------------------------------------------------------------------------------


def _error(code: str, message: str, **params: Any) -> PopulationError:
    return PopulationError(code, Message(message, **params))


def _actor_kind(actor: Any, personal_id: str) -> str:
    if actor is None:
        return "system"
    if Citizen.objects.filter(user_id=actor.pk, personal_id=personal_id).exists():
        return "citizen"
    if is_officer(actor):
        return "officer"
    raise PermissionDenied(
        "population_forbidden",
        Message(gettext_noop("Chỉ chính công dân hoặc cán bộ tiếp nhận được tra cứu.")),
    )


def _log(
    *,
    personal_id: str,
    actor: Any,
    kind: str,
    purpose: str,
    procedure_code: str,
    dossier_code: str,
    request_id: str,
    outcome: str,
) -> PopulationLookup:
    with transaction.atomic():
        entry = PopulationLookup.objects.create(
            personal_id=personal_id,
            actor=actor,
            actor_kind=kind,
            actor_label=(str(actor) if actor is not None else "")[:255],
            purpose=purpose[:255],
            procedure_code=procedure_code[:30],
            dossier_code=dossier_code[:40],
            request_id=request_id,
            outcome=outcome,
        )
        record(
            actor=actor,
            action="identity.population.lookup",
            target=entry,
            after={"outcome": outcome, "procedure": procedure_code, "dossier": dossier_code},
        )
    return entry


def configured() -> bool:
    """Whether look-ups can be made: straight to the endpoint, or through the platform."""
    return bool(settings.POPULATION_VIA_LGSP or settings.POPULATION_URL)


#: The population database's look-up as the integration platform names it.
LGSP_SERVICE = "CSDLDC.TraCuuCongDan"


def _ask(query: dict[str, str]) -> str:
    if settings.POPULATION_VIA_LGSP:
        try:
            answer = platform.call(LGSP_SERVICE, query, subject=query["MaYeuCau"])
        except platform.PlatformError as exc:
            raise OSError(str(exc)) from exc  # reported as population_unavailable
        if answer.get("status") != HTTPStatus.OK or not isinstance(answer.get("body"), dict):
            raise OSError(f"population database answered {answer.get('status')}")
        return str(answer["body"]["message"])
    body = json.dumps(query, ensure_ascii=False).encode()
    request = urllib.request.Request(  # noqa: S310 - the configured LGSP endpoint
        settings.POPULATION_URL,
        data=body,
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {settings.POPULATION_TOKEN}",
        },
        method="POST",
    )
    with urllib.request.urlopen(  # noqa: S310
        request, timeout=settings.POPULATION_TIMEOUT_SECONDS
    ) as response:
        answer = json.loads(response.read())
    return str(answer["message"])


def lookup(
    *,
    personal_id: str,
    full_name: str,
    birth_year: int,
    purpose: str,
    procedure_code: str,
    actor: Any,
    dossier_code: str = "",
) -> Resident:
    """The person's record, or :class:`PopulationError` (``population_not_found``,
    ``population_mismatch``, ``population_unavailable``). Logged in every case."""
    if not configured():
        raise _error(
            "population_not_configured",
            gettext_noop("Cổng chưa kết nối CSDLQG về dân cư."),
        )
    info = validate_personal_id(personal_id)
    kind = _actor_kind(actor, info.number)
    request_id = uuid.uuid4().hex
    common = {
        "personal_id": info.number,
        "actor": actor,
        "kind": kind,
        "purpose": purpose,
        "procedure_code": procedure_code,
        "dossier_code": dossier_code,
        "request_id": request_id,
    }
    name = plain_upper(full_name)
    fresh_since = timezone.now() - datetime.timedelta(seconds=settings.POPULATION_CACHE_SECONDS)
    # Minimisation: an answer is not kept past its brief use (anyone's).
    PopulationRecord.objects.filter(fetched_at__lt=fresh_since).delete()
    cached = PopulationRecord.objects.filter(
        personal_id=info.number, fetched_at__gte=fresh_since
    ).first()
    if cached is not None:
        known = Resident.from_json(cached.data)
        birth = known.birth_date.year if known.birth_date else None
        if plain_upper(known.full_name) == name and birth == birth_year:
            _log(**common, outcome=LookupOutcome.CACHED)
            return known
    query = {
        "HoVaTen": name,
        "SoDinhDanh": info.number,
        "Nam": str(birth_year),
        "MaTichHop": settings.POPULATION_INTEGRATION_CODE,
        "MaDVC": procedure_code,
        "MaCanBo": actor.get_username() if kind == "officer" else "",
        "MaYeuCau": request_id,
    }
    try:
        result, resident = parse_answer(_ask(query))
    except (OSError, ValueError, KeyError, ElementTree.ParseError) as exc:
        log.warning("population lookup %s: %s", request_id, type(exc).__name__)
        _log(**common, outcome=LookupOutcome.UNAVAILABLE)
        raise _error(
            "population_unavailable",
            gettext_noop(
                "CSDLQG về dân cư đang không trả lời. Bạn vẫn có thể tự nhập thông tin; cán bộ "
                "sẽ kiểm tra khi tiếp nhận."
            ),
        ) from None
    if result == "2" or (resident is not None and resident.personal_id != info.number):
        _log(**common, outcome=LookupOutcome.MISMATCH)
        raise _error(
            "population_mismatch",
            gettext_noop(
                "Họ tên hoặc năm sinh không khớp với số định danh cá nhân trong CSDLQG về dân cư. "
                "Kiểm tra lại họ tên (đủ dấu) và năm sinh."
            ),
        )
    if resident is None:
        _log(**common, outcome=LookupOutcome.NOT_FOUND)
        raise _error(
            "population_not_found",
            gettext_noop("CSDLQG về dân cư không có số định danh cá nhân %(number)s."),
            number=info.number,
        )
    with transaction.atomic():
        PopulationRecord.objects.update_or_create(
            personal_id=info.number,
            defaults={"data": resident.as_json(), "fetched_at": timezone.now()},
        )
        _log(**common, outcome=LookupOutcome.FOUND)
    return resident


def access_log(citizen: Citizen) -> list[PopulationLookup]:
    """Who looked this person up, newest first (their own page)."""
    return list(
        PopulationLookup.objects.filter(personal_id=citizen.personal_id).order_by("-at")[:200]
    )


@dataclass(frozen=True)
class Difference:
    label: str  # gettext_noop: translated where shown
    on_file: str
    in_database: str


def _plain(value: str) -> str:
    return plain_upper(value).strip()


def differences(citizen: Citizen | None, resident: Resident) -> list[Difference]:
    """What the applicant's record on file (entered by the citizen or an officer) says
    differently from the population database — shown to the officer, never written over."""
    if citizen is None:
        return []
    found: list[Difference] = []
    if _plain(citizen.full_name) != _plain(resident.full_name):
        found.append(Difference(gettext_noop("Họ và tên"), citizen.full_name, resident.full_name))
    if citizen.birth_date != resident.birth_date:
        found.append(
            Difference(
                gettext_noop("Ngày sinh"),
                f"{citizen.birth_date:%d/%m/%Y}" if citizen.birth_date else "",
                f"{resident.birth_date:%d/%m/%Y}" if resident.birth_date else "",
            )
        )
    if citizen.gender and resident.gender and citizen.gender != resident.gender:
        labels = {"male": "Nam", "female": "Nữ"}
        found.append(
            Difference(
                gettext_noop("Giới tính"),
                labels.get(citizen.gender, citizen.gender),
                labels.get(resident.gender, resident.gender),
            )
        )
    place = resident.current or resident.permanent
    unit = citizen.address_unit.code if citizen.address_unit_id and citizen.address_unit else ""
    if place is not None and unit and place.commune_code and unit != place.commune_code:
        found.append(Difference(gettext_noop("Xã/phường nơi ở (mã)"), unit, place.commune_code))
    return found
