"""Who an online dossier is for, and the right to submit it (issue 13 item 4).

Three cases, decided before anything is written (:func:`claim_for`):

* **for oneself** (the default): the form's applicant identity fields — the top-level fields
  prefilled from the citizen's profile with one of :data:`IDENTITY_SOURCES` (full name, personal
  ID, birth date, gender) — are *the signed-in citizen's*: a blank one is filled from the
  profile, a different one is refused (``applicant_identity_mismatch``, naming the field);
* **for an organisation**: only a current representative (:mod:`congso.org.representation`)
  may; anyone else gets one refusal, ``not_representative``, whether the tax code exists or
  not. The identity fields are the representative's own, tied as above;
* **for someone else** (:class:`OnBehalf`): the citizen declares the relationship
  (:class:`~congso.dossiers.models.Relationship`: authorised by a letter, parent of a minor,
  guardian, other legal representative) and uploads the proof when the relationship needs one
  (component :data:`PROOF_COMPONENT`); the identity fields then hold the other person's
  identity, which must not be the citizen's own. The desk checks the declaration at reception
  (:func:`check_at_reception`).

The dossier's applicant stays the submitting citizen (account, receipt, notifications); the
declaration (:class:`~congso.dossiers.models.ApplicantDeclaration`) says for whom. Only
:func:`congso.dossiers.services.dossier_submit_online` and ``dossier_receive`` call this module
(plus the portal, to show the same messages page by page).
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils import timezone

from congso.audit.services import record
from congso.audit.services import snapshot as audit_snapshot
from congso.core.errors import DomainError
from congso.core.text import require_valid_text
from congso.dossiers import attachments
from congso.dossiers.models import (
    ApplicantDeclaration,
    Attachment,
    DeclarationKind,
    Dossier,
    DossierComponent,
    Relationship,
)
from congso.org import representation
from congso.org.identity import InvalidIdentifier, validate_personal_id
from congso.org.models import Citizen, GenderChoice, Organisation, Representative

#: The dossier component that holds the proof of the right to act for someone else.
PROOF_COMPONENT = "giay-to-nop-thay"
PROOF_NAME = "Giấy tờ chứng minh quyền nộp thay (văn bản ủy quyền, giấy tờ về việc giám hộ…)"
PROOF_TYPES = attachments.DEFAULT_ALLOWED_TYPES
PROOF_MAX_BYTES = 10 * 1024 * 1024
PROOF_MAX_FILES = 5
PROOF_FIELD = f"files.{PROOF_COMPONENT}"
#: Relationships that need an uploaded proof, and those that need an explanation.
PROOF_REQUIRED = frozenset({Relationship.AUTHORISED, Relationship.GUARDIAN, Relationship.OTHER})
NOTE_REQUIRED = frozenset({Relationship.OTHER})
MAX_NOTE = 1000
ADULT_AGE = 18

#: Form prefill sources that are the applicant's identity (``catalog.formschema``). Contact
#: sources (phone, e-mail, address) are not tied: a dossier may give another contact.
IDENTITY_SOURCES: dict[str, str] = {
    "citizen.full_name": "full_name",
    "citizen.personal_id": "personal_id",
    "citizen.birth_date": "birth_date",
    "citizen.gender": "gender",
}


class Kind(StrEnum):
    SELF = "self"
    ORGANISATION = "organisation"
    ON_BEHALF = "on_behalf"


@dataclass(frozen=True)
class OnBehalf:
    """The declaration of a citizen submitting for another person. ``principal_*`` are read
    from the form's identity fields when it has them (and only then from here)."""

    relationship: str
    note: str = ""
    principal_name: str = ""
    principal_id_number: str = ""
    files: Sequence[Any] = ()


@dataclass(frozen=True)
class ProofSlot:
    """The proof's upload slot, shaped like a catalogue component for the portal's files page."""

    code: str
    name: str
    mandatory: bool
    allowed_types: tuple[str, ...]
    max_size_bytes: int
    condition: str = ""


def proof_slot(relationship: str) -> ProofSlot:
    return ProofSlot(
        code=PROOF_COMPONENT,
        name=PROOF_NAME,
        mandatory=relationship in PROOF_REQUIRED,
        allowed_types=tuple(PROOF_TYPES),
        max_size_bytes=PROOF_MAX_BYTES,
        condition="Bản chụp hoặc bản điện tử của văn bản ủy quyền (đã chứng thực nếu pháp luật "
        "yêu cầu), quyết định hoặc trích lục về việc giám hộ…; cán bộ đối chiếu khi tiếp nhận.",
    )


@dataclass
class Claim:
    """Who the dossier is for, as established by :func:`claim_for` and :func:`bind`."""

    kind: Kind
    citizen: Citizen
    organisation: Organisation | None = None
    representative: Representative | None = None
    on_behalf: OnBehalf | None = None
    principal_name: str = ""
    principal_id_number: str = ""


# --- Deciding who the dossier is for --------------------------------------------------------------


def _applicant_types(procedure: Any) -> set[str]:
    return set(getattr(procedure, "applicant_types", None) or ())


def _check_applicant_type(procedure: Any, kind: Kind) -> None:
    types = _applicant_types(procedure)
    if not types:
        return
    if kind == Kind.ORGANISATION and "organisation" not in types:
        raise DomainError(
            "applicant_type_not_accepted",
            "Thủ tục này dành cho cá nhân, không nhận hồ sơ nộp cho tổ chức.",
            field="organisation",
        )
    if kind != Kind.ORGANISATION and "citizen" not in types:
        raise DomainError(
            "applicant_type_not_accepted",
            "Thủ tục này dành cho tổ chức, doanh nghiệp: hãy nộp cho tổ chức mà bạn là người "
            "đại diện đã đăng ký.",
            field="organisation",
        )


def relationship_of(value: str) -> Relationship:
    try:
        return Relationship(value)
    except ValueError:
        labels = "; ".join(str(label) for label in Relationship.labels)
        raise DomainError(
            "relationship_invalid",
            f"Cần chọn quan hệ với người được nộp thay: {labels}.",
            field="on_behalf.relationship",
        ) from None


def _note(on_behalf: OnBehalf, relationship: Relationship) -> str:
    text = " ".join((on_behalf.note or "").split())
    if len(text) > MAX_NOTE:
        raise DomainError(
            "too_long", f"Phần giải thích dài quá {MAX_NOTE} ký tự.", field="on_behalf.note"
        )
    if not text and relationship in NOTE_REQUIRED:
        raise DomainError(
            "required",
            f"Cần giải thích tư cách «{relationship.label}» (căn cứ nào bạn đại diện cho người "
            "được nộp thay).",
            field="on_behalf.note",
        )
    return text


def claim_for(
    *,
    actor: Any,
    citizen: Citizen | None,
    procedure: Any,
    organisation: Organisation | None = None,
    on_behalf: OnBehalf | None = None,
) -> Claim:
    """Who the online dossier of ``actor`` is for; refuses what the actor may not claim."""
    if organisation is not None and on_behalf is not None:
        raise DomainError(
            "on_behalf_with_organisation",
            "Khi nộp cho tổ chức, quyền nộp được xác định theo danh sách người đại diện của tổ "
            "chức; không khai thêm việc nộp thay.",
            field="on_behalf",
        )
    if organisation is not None:
        found = representation.require_representative(actor, organisation)
        _check_applicant_type(procedure, Kind.ORGANISATION)
        return Claim(
            kind=Kind.ORGANISATION,
            citizen=found.citizen,
            organisation=organisation,
            representative=found,
            principal_name=organisation.name,
            principal_id_number=organisation.tax_code,
        )
    if citizen is None:
        raise DomainError(
            "citizen_profile_required",
            "Tài khoản chưa có thông tin công dân (số định danh cá nhân); hãy cập nhật trước "
            "khi nộp hồ sơ.",
            field="applicant",
        )
    if on_behalf is None:
        _check_applicant_type(procedure, Kind.SELF)
        return Claim(kind=Kind.SELF, citizen=citizen)
    require_valid_text(
        {
            "relationship": on_behalf.relationship,
            "note": on_behalf.note,
            "principal_name": on_behalf.principal_name,
            "principal_id_number": on_behalf.principal_id_number,
        },
        "on_behalf",
    )
    relationship = relationship_of(on_behalf.relationship)
    _check_applicant_type(procedure, Kind.ON_BEHALF)
    declared = OnBehalf(
        relationship=relationship.value,
        note=_note(on_behalf, relationship),
        principal_name=" ".join((on_behalf.principal_name or "").split())[:255],
        principal_id_number=(on_behalf.principal_id_number or "").strip(),
        files=list(on_behalf.files),
    )
    return Claim(kind=Kind.ON_BEHALF, citizen=citizen, on_behalf=declared)


# --- The form's identity fields -------------------------------------------------------------------


def identity_fields(schema: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The top-level form fields that are the applicant's identity, in form order."""
    return [
        dict(spec)
        for spec in schema.get("fields") or ()
        if isinstance(spec, Mapping) and spec.get("prefill") in IDENTITY_SOURCES
    ]


def own_value(citizen: Citizen, source: str) -> str | None:
    """The citizen's verified value for an identity source, as the form stores it (``None``
    when the profile has none: the field is then not tied)."""
    attribute = IDENTITY_SOURCES[source]
    value = getattr(citizen, attribute, None)
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value or "").strip()
    return text or None


def _normal(source: str, value: Any) -> str:
    text = unicodedata.normalize("NFC", str(value or ""))
    if source == "citizen.full_name":
        return " ".join(text.split()).casefold()
    return text.strip()


def _shown(source: str, value: str) -> str:
    if source == "citizen.birth_date":
        return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
    if source == "citizen.gender":
        return str(dict(GenderChoice.choices).get(value, value))
    return value


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def mismatch(spec: Mapping[str, Any], citizen: Citizen) -> DomainError:
    source = str(spec["prefill"])
    expected = own_value(citizen, source) or ""
    return DomainError(
        "applicant_identity_mismatch",
        f"«{spec.get('label') or spec['name']}» phải đúng thông tin định danh của tài khoản "
        f"đang nộp ({_shown(source, expected)}): hồ sơ nộp cho chính bạn (hoặc cho tổ chức bạn "
        "đại diện) lấy thông tin người nộp từ tài khoản. Nếu bạn nộp thay người khác, hãy chọn "
        "«Nộp thay người khác» và khai quan hệ với người đó.",
        field=str(spec["name"]),
        status=422,
    )


def same_person(spec: Mapping[str, Any]) -> DomainError:
    return DomainError(
        "on_behalf_same_person",
        f"«{spec.get('label') or spec['name']}» đang là thông tin của chính bạn: khi nộp thay "
        "người khác, hãy nhập thông tin của người được nộp thay (hoặc chọn «Nộp cho bản thân»).",
        field=str(spec["name"]),
        status=422,
    )


def identity_errors(
    kind: Kind, citizen: Citizen, specs: Sequence[Mapping[str, Any]], values: Mapping[str, Any]
) -> dict[str, str]:
    """``{field name: message}`` for the identity fields among ``specs`` (one page of the
    portal's form): the same rules and messages as :func:`bind`, blanks left to it."""
    errors: dict[str, str] = {}
    for spec in specs:
        source = spec.get("prefill")
        if source not in IDENTITY_SOURCES:
            continue
        value, own = values.get(spec["name"]), own_value(citizen, str(source))
        if _blank(value) or own is None:
            continue
        same = _normal(str(source), value) == _normal(str(source), own)
        if kind != Kind.ON_BEHALF and not same:
            errors[spec["name"]] = mismatch(spec, citizen).message
        elif kind == Kind.ON_BEHALF and same and source == "citizen.personal_id":
            errors[spec["name"]] = same_person(spec).message
    return errors


def _first(
    cleaned: Mapping[str, Any], specs: Sequence[Mapping[str, Any]], source: str
) -> tuple[Mapping[str, Any] | None, str]:
    for spec in specs:
        if spec.get("prefill") == source and not _blank(cleaned.get(spec["name"])):
            return spec, str(cleaned[spec["name"]]).strip()
    return None, ""


def _age_on(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _check_minor(claim: Claim, cleaned: Mapping[str, Any], specs: Sequence[Any]) -> None:
    today = timezone.localdate()
    _spec, birth_text = _first(cleaned, specs, "citizen.birth_date")
    adult = False
    shown = ""
    if birth_text:
        birth = datetime.date.fromisoformat(birth_text)
        adult, shown = _age_on(birth, today) >= ADULT_AGE, f"sinh ngày {birth:%d/%m/%Y}"
    elif claim.principal_id_number:
        try:
            year = validate_personal_id(claim.principal_id_number).birth_year
        except InvalidIdentifier:
            return
        # Born in ``year``: at least ``today.year - year - 1`` years old today.
        adult, shown = today.year - year - 1 >= ADULT_AGE, f"sinh năm {year}"
    if adult:
        raise DomainError(
            "principal_not_minor",
            f"Người được nộp thay ({shown}) đã đủ {ADULT_AGE} tuổi: cha, mẹ chỉ nộp thay con "
            "chưa thành niên. Với người đã thành niên, cần văn bản ủy quyền (chọn «Người được ủy "
            "quyền») hoặc giấy tờ về việc giám hộ.",
            field="on_behalf.relationship",
            status=422,
        )


def bind(claim: Claim, schema: Mapping[str, Any], cleaned: Mapping[str, Any]) -> dict[str, Any]:
    """The cleaned form data with its identity fields tied to the claim.

    For oneself and for an organisation: blanks are filled from the citizen's profile, a
    different value is refused. For someone else: the values are the other person's; the
    personal ID must not be the citizen's own, the name is required (from the form, else from
    the declaration), and a parent acts only for a minor. Sets ``claim.principal_*``."""
    specs = identity_fields(schema)
    data = dict(cleaned)
    citizen = claim.citizen
    if claim.kind != Kind.ON_BEHALF:
        for spec in specs:
            source, name = str(spec["prefill"]), spec["name"]
            own = own_value(citizen, source)
            if own is None:
                continue
            if _blank(data.get(name)):
                data[name] = own
            elif _normal(source, data[name]) != _normal(source, own):
                raise mismatch(spec, citizen)
        return data
    assert claim.on_behalf is not None
    declared = claim.on_behalf
    id_spec, principal_id = _first(data, specs, "citizen.personal_id")
    if id_spec is None and declared.principal_id_number:
        try:
            principal_id = validate_personal_id(declared.principal_id_number).number
        except InvalidIdentifier as exc:
            field = "on_behalf.principal_id_number"
            raise DomainError(exc.code, exc.message, field=field) from None
    if principal_id and principal_id == citizen.personal_id:
        raise same_person(
            id_spec or {"name": "on_behalf.principal_id_number", "label": "Số định danh cá nhân"}
        )
    _name_spec, principal_name = _first(data, specs, "citizen.full_name")
    principal_name = principal_name or declared.principal_name
    if not principal_name:
        raise DomainError(
            "principal_required",
            "Cần nhập họ, chữ đệm, tên của người được nộp thay.",
            field="on_behalf.principal_name",
            status=422,
        )
    claim.principal_name = principal_name[:255]
    claim.principal_id_number = principal_id[:14]
    if declared.relationship == Relationship.PARENT_OF_MINOR:
        _check_minor(claim, data, specs)
    return data


# --- The proof ------------------------------------------------------------------------------------


def check_proof(claim: Claim) -> None:
    """Check the proof's files (content type, size, active PDFs) before anything is written;
    refuse a relationship that needs a proof without one."""
    if claim.kind != Kind.ON_BEHALF or claim.on_behalf is None:
        return
    files = list(claim.on_behalf.files)
    relationship = Relationship(claim.on_behalf.relationship)
    if not files and relationship in PROOF_REQUIRED:
        raise DomainError(
            "proof_required",
            f"Nộp thay với tư cách «{relationship.label}» cần tải lên «{PROOF_NAME}».",
            field=PROOF_FIELD,
        )
    if len(files) > PROOF_MAX_FILES:
        raise DomainError(
            "too_many_files",
            f"«{PROOF_NAME}» nhận tối đa {PROOF_MAX_FILES} tệp.",
            field=PROOF_FIELD,
        )
    for upload in files:
        attachments.check(
            upload,
            name=attachments.upload_name(upload),
            slot_code=PROOF_COMPONENT,
            slot_name=PROOF_NAME,
            allowed_types=PROOF_TYPES,
            max_size_bytes=PROOF_MAX_BYTES,
        )


# --- Writing and reading the declaration ----------------------------------------------------------


def record_declaration(
    claim: Claim,
    *,
    dossier: Dossier,
    actor: Any,
    stored: attachments.StoredFiles,
    now: datetime.datetime,
    by_code: dict[str, DossierComponent],
    files_of: dict[int, list[Attachment]],
) -> ApplicantDeclaration | None:
    """Inside the submission's transaction: the declaration row and, for someone else, the
    proof slot and its files (added to ``by_code`` / ``files_of``, the created parts)."""
    if claim.kind == Kind.SELF:
        return None
    citizen = claim.citizen
    if claim.kind == Kind.ORGANISATION:
        assert claim.representative is not None
        relationship = claim.representative.role
        note = ""
    else:
        assert claim.on_behalf is not None
        relationship, note = claim.on_behalf.relationship, claim.on_behalf.note
    declaration = ApplicantDeclaration.objects.create(
        dossier=dossier,
        kind=DeclarationKind.ORGANISATION
        if claim.kind == Kind.ORGANISATION
        else DeclarationKind.ON_BEHALF,
        relationship=relationship,
        note=note,
        principal_name=claim.principal_name,
        principal_id_number=claim.principal_id_number,
        submitter=citizen,
        submitter_name=citizen.full_name[:200],
        submitter_id_number=citizen.personal_id,
        representative=claim.representative,
        check_required=claim.kind == Kind.ON_BEHALF,
        created_at=now,
    )
    if claim.kind == Kind.ON_BEHALF and claim.on_behalf is not None:
        slot = by_code.get(PROOF_COMPONENT)
        if slot is None:
            slot = DossierComponent.objects.create(
                dossier=dossier,
                component=None,
                code=PROOF_COMPONENT,
                name=PROOF_NAME,
                mandatory=claim.on_behalf.relationship in PROOF_REQUIRED,
                allowed_types=list(PROOF_TYPES),
                max_size_bytes=PROOF_MAX_BYTES,
            )
            by_code[PROOF_COMPONENT] = slot
        done = len(files_of.get(slot.pk, []))
        for number, upload in enumerate(claim.on_behalf.files, start=done + 1):
            item = attachments.store(slot, upload, actor=actor, stored=stored, version=number)
            files_of.setdefault(slot.pk, []).append(item)
    return declaration


def history_data(claim: Claim) -> dict[str, Any] | None:
    """What the submission's history row (and its audit event) records about the claim."""
    if claim.kind == Kind.SELF:
        return None
    data: dict[str, Any] = {
        "kind": claim.kind.value,
        "principal_name": claim.principal_name,
        "principal_id_number": claim.principal_id_number,
        "submitter_id_number": claim.citizen.personal_id,
    }
    if claim.representative is not None:
        data["relationship"] = claim.representative.role
        data["representative_id"] = claim.representative.pk
    elif claim.on_behalf is not None:
        data["relationship"] = claim.on_behalf.relationship
        data["proof_files"] = len(claim.on_behalf.files)
    return {"declaration": data}


def declaration_of(dossier: Dossier) -> ApplicantDeclaration | None:
    """The dossier's declaration (cached on the instance when it was just created)."""
    try:
        return dossier.declaration
    except ApplicantDeclaration.DoesNotExist:
        return None


def cached_declaration(dossier: Dossier) -> ApplicantDeclaration | None:
    """The declaration :func:`record_declaration` has just attached to ``dossier``, without a
    query; ``None`` when none was (a dossier submitted for oneself)."""
    related = Dossier.declaration.related
    if not related.is_cached(dossier):
        return None
    found = related.get_cached_value(dossier)
    return found if isinstance(found, ApplicantDeclaration) else None


def check_at_reception(
    dossier: Dossier, *, actor: Any, checked: bool, now: datetime.datetime
) -> dict[str, Any] | None:
    """Inside ``dossier_receive``'s transaction: a dossier submitted for someone else is
    received only once the officer confirms having checked the declaration and its proof
    (``declaration_check_required`` otherwise). Records who checked and when (audited
    ``dossiers.declaration.check``); returns the history data, ``None`` when nothing was due."""
    declaration = (
        ApplicantDeclaration.objects.select_for_update().filter(dossier_id=dossier.pk).first()
    )
    if declaration is None or not declaration.check_required or declaration.checked_at:
        return None
    if not checked:
        raise DomainError(
            "declaration_check_required",
            f"Hồ sơ được nộp thay cho {declaration.principal_name} (người nộp: "
            f"{declaration.submitter_name}, {declaration.relationship_label.lower()}): hãy kiểm "
            "tra giấy tờ chứng minh quyền nộp thay và xác nhận «Đã kiểm tra» khi tiếp nhận. Nếu "
            "giấy tờ chưa hợp lệ, hãy yêu cầu bổ sung hoặc từ chối tiếp nhận.",
            field="declaration_checked",
        )
    fields = ["checked_at", "checked_by"]
    before = audit_snapshot(declaration, fields)
    declaration.checked_at = now
    declaration.checked_by = actor
    declaration.save(update_fields=fields)
    record(
        actor=actor,
        action="dossiers.declaration.check",
        target=declaration,
        before=before,
        after=audit_snapshot(declaration, fields),
    )
    return {"declaration_checked": True}
