"""The portal's writes: self-registration, the citizen's contact details, and drafts of online
applications. Submitting a draft calls :func:`congso.dossiers.services.dossier_submit_online`;
nothing here touches a dossier directly."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils.translation import gettext_noop

from congso.audit.services import record
from congso.catalog.models import Component, Procedure, ProcedureVersion
from congso.catalog.selectors import current_version
from congso.core.errors import Conflict, DomainError, Message, NotFound
from congso.docstore import services as docstore
from congso.dossiers import applicant, attachments
from congso.dossiers import services as dossier_services
from congso.dossiers.models import Dossier
from congso.org import services as org_services
from congso.org.models import Agency, Citizen
from congso.org.services import snapshot
from congso.portal import acting
from congso.portal.models import Draft, DraftFile

#: Most files one component slot of a draft holds.
MAX_FILES_PER_SLOT = 5
USERNAME_MAX = 150


def account_register(
    *,
    username: str,
    password: str,
    full_name: str,
    personal_id: str,
    birth_date: datetime.date | None,
    gender: str | None,
    phone: str,
    email: str,
) -> Any:
    """A person opens a local account with their citizen profile (used to prefill forms).

    One transaction: the account and the profile (``org.services.citizen_create``, which checks
    the personal ID against the birth date and gender) both exist, or neither does."""
    user_model = get_user_model()
    username = (username or "").strip().lower()
    if not username or len(username) > USERNAME_MAX:
        raise DomainError(
            "required", Message(gettext_noop("Cần nhập tên đăng nhập.")), field="username"
        )
    if not phone.strip() and not email.strip():
        raise DomainError(
            "contact_required",
            Message(gettext_noop("Cần nhập số điện thoại hoặc thư điện tử.")),
            field="phone",
        )
    try:
        validate_password(password, user_model(username=username, full_name=full_name))
    except ValidationError as exc:
        raise DomainError("weak_password", " ".join(exc.messages), field="password") from None
    with transaction.atomic():
        if user_model.objects.filter(username=username).exists():
            raise Conflict(
                "username_taken",
                Message(gettext_noop("Tên đăng nhập này đã có người dùng.")),
                field="username",
            )
        user = user_model.objects.create_user(
            username=username,
            password=password,
            full_name=full_name.strip()[:200],
            email=email.strip(),
            phone=phone.strip()[:20],
        )
        org_services.citizen_create(
            actor=user,
            user=user,
            full_name=full_name,
            personal_id=personal_id,
            birth_date=birth_date,
            gender=gender or None,
            phone=phone,
            email=email,
        )
        record(actor=user, action="portal.account.register", target=user)
    return user


def profile_update(*, actor: Any, phone: str, email: str, address: str) -> Citizen:
    """The citizen changes their contact details (identity fields come from the registry)."""
    citizen = Citizen.objects.filter(user_id=actor.pk).first() if actor.pk else None
    if citizen is None:
        raise NotFound("citizen_not_found", "Tài khoản chưa có thông tin công dân.")
    with transaction.atomic():
        before = snapshot(citizen)
        citizen.phone = phone.strip()[:20]
        citizen.email = email.strip()
        citizen.address = address.strip()[:255]
        try:
            citizen.full_clean(exclude=["personal_id", "user", "full_name"])
        except ValidationError as exc:
            field, messages = next(iter(exc.message_dict.items()))
            raise DomainError("invalid", " ".join(messages), field=field) from None
        citizen.save(update_fields=["phone", "email", "address"])
        record(
            actor=actor,
            action="portal.profile.update",
            target=citizen,
            before=before,
            after=snapshot(citizen),
        )
    return citizen


# --- Drafts ---------------------------------------------------------------------------------------


def draft_open(
    *,
    actor: Any,
    procedure: Procedure,
    initial: Mapping[str, Any],
    choice: acting.Choice | None = None,
) -> Draft:
    """The actor's draft for ``procedure``, created with ``initial`` (the prefill) and
    ``choice`` (who it is for; default oneself) if none."""
    defaults: dict[str, Any] = {"data": dict(initial)}
    if choice is not None:
        defaults |= {
            "applicant_kind": choice.kind.value,
            "organisation": choice.organisation,
            "on_behalf": choice.on_behalf,
        }
    draft, _created = Draft.objects.get_or_create(
        user=actor, procedure=procedure, defaults=defaults
    )
    return draft


def draft_save(
    *,
    actor: Any,
    draft: Draft,
    data: Mapping[str, Any],
    step: int,
    competent_agency: Agency | None = None,
    choice: acting.Choice | None = None,
) -> Draft:
    """Merge the values of one step into the draft (checked on submission by the schema), and
    the applicant choice of the first page when given."""
    if draft.user_id != actor.pk:
        raise NotFound("draft_not_found", "Không tìm thấy hồ sơ nháp.")
    draft.data = {**draft.data, **dict(data)}
    draft.step = max(0, step)
    if competent_agency is not None:
        draft.competent_agency = competent_agency
    fields = ["data", "step", "competent_agency", "updated_at"]
    if choice is not None:
        draft.applicant_kind = choice.kind.value
        draft.organisation = choice.organisation
        draft.on_behalf = choice.on_behalf
        fields += ["applicant_kind", "organisation", "on_behalf"]
    draft.save(update_fields=fields)
    return draft


def _slot(version: ProcedureVersion, code: str) -> Component:
    slot = version.components.filter(code=code).first()
    if slot is None:
        raise DomainError(
            "unknown_component", f"Thủ tục không có thành phần hồ sơ mã «{code}».", field=code
        )
    return slot


def draft_attach(*, actor: Any, draft: Draft, component_code: str, upload: Any) -> DraftFile:
    """Check an upload against its component slot (type read from the content, size limit) and
    keep it in the draft."""
    if draft.user_id != actor.pk:
        raise NotFound("draft_not_found", "Không tìm thấy hồ sơ nháp.")
    slot: Component | applicant.ProofSlot
    if component_code == applicant.PROOF_COMPONENT and draft.applicant_kind == "on_behalf":
        slot = applicant.proof_slot(str((draft.on_behalf or {}).get("relationship") or ""))
    else:
        slot = _slot(current_version(draft.procedure), component_code)
    field = f"files.{component_code}"
    if draft.files.filter(component_code=component_code).count() >= MAX_FILES_PER_SLOT:
        raise DomainError(
            "too_many_files",
            Message(
                gettext_noop("Mỗi thành phần hồ sơ nhận tối đa %(max)s tệp."),
                max=MAX_FILES_PER_SLOT,
            ),
            field=field,
        )
    checked = attachments.check_for_slot(upload, slot)
    item = DraftFile(
        draft=draft,
        component_code=slot.code,
        original_name=checked.name,
        size=checked.size,
        mime_type=checked.mime_type,
    )
    stored = checked.sha256[:16] + attachments.EXTENSIONS[checked.mime_type]
    item.file.save(stored, File(upload, name=stored), save=False)
    try:
        item.save()
    except BaseException:
        item.file.delete(save=False)
        raise
    draft.save(update_fields=["updated_at"])
    return item


def draft_reuse(*, actor: Any, draft: Draft, component_code: str, document_id: int) -> DraftFile:
    """Satisfy a component of the draft from the citizen's store ("Giấy tờ của tôi") instead of
    an upload: the entry must be the actor's, reuse allowed and valid; its file is checked
    against the slot like an upload. Recorded as a reuse when the draft is submitted."""
    if draft.user_id != actor.pk:
        raise NotFound("draft_not_found", "Không tìm thấy hồ sơ nháp.")
    document = docstore.reusable(actor=actor, document_id=document_id)
    if draft.files.filter(component_code=component_code, store_document=document).exists():
        return draft.files.get(component_code=component_code, store_document=document)
    with document.file.open("rb") as handle:
        upload = File(handle.file, name=f"{document.title}.pdf")
        item = draft_attach(actor=actor, draft=draft, component_code=component_code, upload=upload)
    item.store_document = document
    item.save(update_fields=["store_document"])
    return item


def draft_detach(*, actor: Any, draft: Draft, file_id: int) -> None:
    item = draft.files.filter(pk=file_id).first()
    if draft.user_id != actor.pk or item is None:
        raise NotFound("draft_file_not_found", "Không tìm thấy tệp.")
    item.file.delete(save=False)
    item.delete()


def draft_discard(*, actor: Any, draft: Draft) -> None:
    if draft.user_id != actor.pk:
        raise NotFound("draft_not_found", "Không tìm thấy hồ sơ nháp.")
    for item in draft.files.all():
        item.file.delete(save=False)
    draft.delete()


def draft_submit(*, actor: Any, draft: Draft) -> Dossier:
    """Submit the draft online (:func:`dossier_submit_online` checks everything again) and
    delete it once the dossier exists."""
    if draft.user_id != actor.pk:
        raise NotFound("draft_not_found", "Không tìm thấy hồ sơ nháp.")
    if draft.competent_agency is None:
        raise DomainError(
            "agency_required",
            Message(gettext_noop("Cần chọn cơ quan giải quyết.")),
            field="competent_agency",
        )
    choice = acting.current(draft)
    if choice.kind == applicant.Kind.ORGANISATION and choice.organisation is None:
        raise DomainError(
            "organisation_required",
            "Cần chọn tổ chức mà bạn là người đại diện.",
            field="organisation",
        )
    items = list(draft.files.all())
    reused = [
        (item.component_code, item.store_document_id) for item in items if item.store_document_id
    ]
    for _code, document_id in reused:  # consent withdrawn or expired since: refused before
        docstore.reusable(actor=actor, document_id=document_id)
    files: dict[str, list[Any]] = {}
    handles = []
    try:
        for item in items:
            handle = item.file.open("rb")
            handles.append(handle)
            files.setdefault(item.component_code, []).append(
                File(handle.file, name=item.original_name)
            )
        proof = files.pop(applicant.PROOF_COMPONENT, [])
        on_behalf = None
        if choice.kind == applicant.Kind.ON_BEHALF:
            on_behalf = applicant.OnBehalf(
                relationship=choice.relationship, note=choice.note, files=proof
            )
        with transaction.atomic():
            dossier = dossier_services.dossier_submit_online(
                actor=actor,
                procedure=draft.procedure,
                competent_agency=draft.competent_agency,
                form_data=draft.data,
                files=files,
                organisation=choice.organisation,
                on_behalf=on_behalf,
            )
            for component_code, document_id in reused:
                docstore.reuse_record(
                    actor=actor,
                    document_id=document_id,
                    dossier=dossier,
                    component_code=component_code,
                )
    finally:
        for handle in handles:
            handle.close()
    draft_discard(actor=actor, draft=draft)
    return dossier
