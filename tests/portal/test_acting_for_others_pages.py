"""Issue 13 item 4 on the pages: the online form's applicant identity is the signed-in
citizen's (shown read-only, another value refused next to the field); the first page asks whom
the dossier is for — oneself, an organisation the account represents, or another person with
the relationship and its proof; the officer sees the declaration and checks it at reception."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from congso.dossiers import applicant
from congso.dossiers.models import Dossier
from congso.portal.models import Draft
from tests.dossiers.conftest import FORM_SCHEMA, PDF, PNG
from tests.dossiers.test_acting_for_others import IDENTITY_FIELDS, OTHER_ID

OWN_ID = "051085000001"


@pytest.fixture(autouse=True)
def no_second_factor(settings: Any) -> None:
    settings.OFFICER_2FA_REQUIRED = False


@pytest.fixture
def identity_form(world: Any) -> Any:
    world.version.form_schema = {**FORM_SCHEMA, "fields": IDENTITY_FIELDS + FORM_SCHEMA["fields"]}
    world.version.save(update_fields=["form_schema"])
    return world


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(world: Any, step: int | None = None) -> str:
    base = f"/thu-tuc/{world.procedure.code}/nop-truc-tuyen/"
    return base if step is None else f"{base}buoc-{step}/"


CHILD = {"ho_ten_tre": "Nguyễn Văn An", "ngay_sinh": "2026-01-20"}


def own_page(world: Any) -> dict[str, str]:
    return {
        "applicant_kind": "self",
        "applicant_full_name": world.citizen.full_name,
        "applicant_personal_id": OWN_ID,
        **CHILD,
    }


def upload(client: Client, world: Any, code: str, content: bytes, name: str) -> Any:
    return client.post(url(world, 1), {f"files.{code}": SimpleUploadedFile(name, content)})


def finish(client: Client, world: Any) -> Dossier:
    assert upload(client, world, "to-khai", PDF, "to-khai.pdf").status_code == 302
    assert upload(client, world, "giay-chung-sinh", PNG, "gcs.png").status_code == 302
    moved = client.post(url(world, 1), {"continue": "1"})
    assert moved.status_code == 302, moved.content.decode()[-3000:]
    response = client.post(url(world, 2))
    assert response.status_code == 302, response.content.decode()[-3000:]
    return Dossier.objects.latest("pk")


def test_the_identity_fields_are_prefilled_and_read_only(identity_form):
    world = identity_form
    html = login(world.citizen_user).get(url(world, 0)).content.decode()
    field = re.search(r'<input id="f-applicant-personal-id"[^>]*>', html, re.S)
    assert field is not None
    assert f'value="{OWN_ID}"' in field.group(0) and "readonly" in field.group(0)
    assert "Lấy từ thông tin định danh của tài khoản" in html
    assert re.search(r'name="applicant_kind" value="self" checked', html)
    assert 'value="on_behalf"' in html and 'value="organisation"' in html


def test_another_persons_id_posted_on_the_page_is_refused_next_to_the_field(identity_form):
    world = identity_form
    client = login(world.citizen_user)
    response = client.post(url(world, 0), {**own_page(world), "applicant_personal_id": OTHER_ID})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="f-applicant-personal-id-error"' in html
    assert "phải đúng thông tin định danh của tài khoản" in html
    # Shown again with the account's own number; the draft never holds the other one.
    assert f'value="{OWN_ID}"' in html and OTHER_ID not in html
    assert Draft.objects.get().data["applicant_personal_id"] != OTHER_ID


def test_submitting_for_someone_else_through_the_pages(identity_form):
    world = identity_form
    client = login(world.citizen_user)
    client.get(url(world))
    switched = client.post(
        url(world, 0), {**own_page(world), "applicant_kind": "on_behalf", "relationship": ""}
    )
    assert switched.status_code == 422
    assert "Cần chọn quan hệ của bạn với người được nộp thay." in switched.content.decode()
    switched = client.post(
        url(world, 0),
        {**own_page(world), "applicant_kind": "on_behalf", "relationship": "authorised"},
    )
    assert switched.status_code == 200  # shown again: enter the other person's identity
    html = switched.content.decode()
    assert "Bạn chọn nộp thay người khác" in html
    field = re.search(r'<input id="f-applicant-personal-id"[^>]*>', html, re.S)
    assert field is not None and "readonly" not in field.group(0) and OWN_ID not in field.group(0)
    draft = Draft.objects.get()
    assert draft.applicant_kind == "on_behalf" and draft.data["applicant_personal_id"] is None
    # Their own number again is refused while acting for someone else.
    same = client.post(
        url(world, 0),
        {
            **own_page(world),
            "applicant_kind": "on_behalf",
            "relationship": "authorised",
        },
    )
    assert same.status_code == 422
    assert "đang là thông tin của chính bạn" in same.content.decode()
    moved = client.post(
        url(world, 0),
        {
            "applicant_kind": "on_behalf",
            "relationship": "authorised",
            "on_behalf_note": "Giấy ủy quyền số 5/2026",
            "applicant_full_name": "Trần Thị Bình",
            "applicant_personal_id": OTHER_ID,
            **CHILD,
        },
    )
    assert moved.status_code == 302
    # The files page asks for the proof, required for an authorised person.
    files = client.get(url(world, 1)).content.decode()
    assert applicant.PROOF_NAME in files and f'name="files.{applicant.PROOF_COMPONENT}"' in files
    assert upload(client, world, "to-khai", PDF, "to-khai.pdf").status_code == 302
    assert upload(client, world, "giay-chung-sinh", PNG, "gcs.png").status_code == 302
    missing = client.post(url(world, 1), {"continue": "1"})
    assert missing.status_code == 422
    assert f"Thiếu thành phần hồ sơ bắt buộc «{applicant.PROOF_NAME}»" in missing.content.decode()
    proof = upload(client, world, applicant.PROOF_COMPONENT, PDF, "giay-uy-quyen.pdf")
    assert proof.status_code == 302
    assert client.post(url(world, 1), {"continue": "1"}).status_code == 302
    review = client.get(url(world, 2)).content.decode()
    assert "Nộp thay người khác — quan hệ: Người được ủy quyền (có văn bản ủy quyền)" in review
    assert client.post(url(world, 2)).status_code == 302
    dossier = Dossier.objects.get()
    declaration = dossier.declaration
    assert declaration.principal_id_number == OTHER_ID and declaration.note.startswith("Giấy")
    assert dossier.components.get(code=applicant.PROOF_COMPONENT).attachments.count() == 1
    # The citizen's own page says for whom it was submitted.
    page = client.get(f"/ca-nhan/ho-so/{dossier.code}/").content.decode()
    assert "Nộp thay người khác" in page and "Trần Thị Bình" in page


def test_a_representative_submits_for_the_organisation_through_the_pages(identity_form):
    world = identity_form
    client = login(world.citizen_user)
    client.get(url(world))
    response = client.post(
        url(world, 0),
        {**own_page(world), "applicant_kind": "organisation", "organisation": "0"},
    )
    assert response.status_code == 422
    assert "Cần chọn tổ chức mà bạn là người đại diện." in response.content.decode()
    response = client.post(
        url(world, 0),
        {
            **own_page(world),
            "applicant_kind": "organisation",
            "organisation": str(world.organisation.pk),
        },
    )
    assert response.status_code == 200  # the kind changed: shown again, identity kept
    assert (
        client.post(
            url(world, 0),
            {
                **own_page(world),
                "applicant_kind": "organisation",
                "organisation": str(world.organisation.pk),
            },
        ).status_code
        == 302
    )
    review_dossier = finish(client, world)
    assert review_dossier.applicant_organisation == world.organisation
    assert review_dossier.declaration.relationship == "legal_representative"


def test_no_organisation_choice_for_a_citizen_who_represents_none(identity_form):
    world = identity_form
    html = login(world.other_user).get(url(world, 0)).content.decode()
    assert 'value="organisation"' not in html
    forged = login(world.other_user).post(
        url(world, 0),
        {
            "applicant_kind": "organisation",
            "organisation": str(world.organisation.pk),
            "applicant_full_name": "Công Dân Hai",
            "applicant_personal_id": "051192000002",
            **CHILD,
        },
    )
    assert forged.status_code == 422
    assert Draft.objects.get(user=world.other_user).applicant_kind == "self"


def test_an_organisation_only_procedure(identity_form):
    world = identity_form
    world.procedure.applicant_types = ["organisation"]
    world.procedure.save(update_fields=["applicant_types"])
    blocked = login(world.other_user).get(url(world))
    assert blocked.status_code == 403
    assert "chưa được đăng ký là người đại diện" in blocked.content.decode()
    client = login(world.citizen_user)
    assert client.get(url(world)).status_code == 302
    draft = Draft.objects.get(user=world.citizen_user)
    assert draft.applicant_kind == "organisation" and draft.organisation == world.organisation
    html = client.get(url(world, 0)).content.decode()
    assert 'value="self"' not in html and 'value="on_behalf"' not in html


def test_the_officer_sees_the_declaration_and_checks_it_at_reception(identity_form, clock):
    from tests.dossiers.conftest import FORM, pdf
    from tests.dossiers.test_acting_for_others import api_submit, on_behalf

    world = identity_form
    form = {**FORM, "applicant_full_name": "Trần Thị Bình", "applicant_personal_id": OTHER_ID}
    code = api_submit(
        world.citizen_user,
        form,
        on_behalf=on_behalf("guardian", note="Quyết định giám hộ số 9"),
        **{f"files.{applicant.PROOF_COMPONENT}": pdf("giam-ho.pdf")},
    ).json()["code"]
    desk = login(world.reception_a)
    page = desk.get(f"/can-bo/ho-so/{code}/").content.decode()
    for text in ("Nộp thay người khác", "Trần Thị Bình", OTHER_ID, "Người giám hộ",
                 "Quyết định giám hộ số 9", "Chưa kiểm tra", applicant.PROOF_NAME):  # fmt: skip
        assert text in page, text
    action = f"/can-bo/ho-so/{code}/thao-tac/receive/"
    form_page = desk.get(action).content.decode()
    assert 'name="declaration_checked"' in form_page
    refused = desk.post(action, {})
    assert refused.status_code == 422
    assert 'id="declaration_checked-error"' in refused.content.decode()
    assert desk.post(action, {"declaration_checked": "1"}).status_code == 302
    page = desk.get(f"/can-bo/ho-so/{code}/").content.decode()
    assert "Đã kiểm tra lúc" in page and "motcua.a" in page


def test_the_choice_is_applied_without_the_rest_of_the_page(identity_form):
    """«Áp dụng lựa chọn» (formnovalidate): the choice alone, no "required" errors for the
    fields still empty; the page comes back ready for the other person's identity."""
    world = identity_form
    client = login(world.citizen_user)
    client.get(url(world))
    html = client.get(url(world, 0)).content.decode()
    assert re.search(r'name="apply_choice"[^>]*formnovalidate', html)
    response = client.post(
        url(world, 0),
        {"applicant_kind": "on_behalf", "relationship": "parent_of_minor", "apply_choice": "1"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bạn chọn nộp thay người khác" in html and "bắt buộc nhập" not in html
    assert "field__error" not in html and "Cần chọn cơ quan giải quyết" not in html
    draft = Draft.objects.get()
    assert draft.applicant_kind == "on_behalf" and draft.step == 0
    # Applying again keeps what was typed for the other person.
    client.post(
        url(world, 0),
        {
            "applicant_kind": "on_behalf",
            "relationship": "parent_of_minor",
            "applicant_personal_id": "051215000009",
            "apply_choice": "1",
        },
    )
    assert Draft.objects.get().data["applicant_personal_id"] == "051215000009"
    # Back to oneself: the account's identity again, locked.
    client.post(url(world, 0), {"applicant_kind": "self", "apply_choice": "1"})
    draft = Draft.objects.get()
    assert draft.applicant_kind == "self" and draft.data["applicant_personal_id"] == OWN_ID
