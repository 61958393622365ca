"""Issue 13 item 4, acting for others: an organisation's dossiers come only from its current
representatives (one refusal whether the tax code exists or not); the applicant identity
fields of the form are the signed-in citizen's, unless the citizen declares submitting for
someone else, which the desk sees and checks at reception. Through the API and the services;
the pages are in ``tests/portal/test_acting_for_others_pages.py``."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.test import Client

from congso.audit.models import AuditEvent
from congso.core.errors import DomainError, PermissionDenied
from congso.dossiers import applicant
from congso.dossiers.models import ApplicantDeclaration, Dossier
from congso.org import representation
from congso.org.demo import demo_tax_code
from congso.org.models import Citizen, Organisation, Representative, RepresentativeRole
from tests.dossiers.conftest import FORM, FORM_SCHEMA, online_files, pdf, png, submit
from tests.dossiers.test_api import BASE, act, assert_error, bearer

#: The world's form with the applicant's identity fields, filled in advance from the profile.
IDENTITY_FIELDS = [
    {
        "name": "applicant_full_name",
        "type": "text",
        "label": "Họ, chữ đệm, tên người yêu cầu",
        "required": True,
        "prefill": "citizen.full_name",
    },
    {
        "name": "applicant_personal_id",
        "type": "personal_id",
        "label": "Số định danh cá nhân",
        "required": True,
        "prefill": "citizen.personal_id",
    },
    {
        "name": "applicant_birth_date",
        "type": "date",
        "label": "Ngày, tháng, năm sinh",
        "prefill": "citizen.birth_date",
    },
    {"name": "applicant_phone", "type": "phone", "label": "Điện thoại", "prefill": "citizen.phone"},
]
OWN = {"applicant_full_name": "Công Dân Một", "applicant_personal_id": "051085000001"}
#: A valid personal ID of someone else (born 1992, female) and of a child (born 2015, male).
OTHER_ID = "051192000077"
CHILD_ID = "051215000009"


@pytest.fixture
def identity_form(world: Any) -> Any:
    world.version.form_schema = {
        **FORM_SCHEMA,
        "fields": IDENTITY_FIELDS + FORM_SCHEMA["fields"],
    }
    world.version.save(update_fields=["form_schema"])
    world.citizen.birth_date = datetime.date(1985, 4, 12)
    world.citizen.save(update_fields=["birth_date"])
    return world


def api_submit(user: Any, form: dict[str, Any], **extra: Any) -> Any:
    data: dict[str, Any] = {
        "procedure": "1.001193",
        "agency": "000.00.51.H51",
        "form_data": json.dumps(form),
        "files.to-khai": pdf(),
        "files.giay-chung-sinh": png(),
    }
    data.update(extra)
    return Client().post(BASE, data=data, headers=bearer(user))


# --- Organisations: only their representatives ----------------------------------------------------


def test_a_citizen_who_is_no_representative_cannot_submit_for_an_organisation(world, clock):
    response = api_submit(world.other_user, FORM, organisation=world.organisation.tax_code)
    assert_error(response, 403, "not_representative", "organisation")
    assert not Dossier.objects.exists()


def test_the_refusal_does_not_reveal_which_tax_codes_are_registered(world, clock):
    registered = world.organisation.tax_code
    unregistered = demo_tax_code("52")
    assert not Organisation.objects.filter(tax_code=unregistered).exists()
    known = api_submit(world.other_user, FORM, organisation=registered)
    unknown = api_submit(world.other_user, FORM, organisation=unregistered)
    assert known.status_code == unknown.status_code == 403
    a, b = known.json(), unknown.json()
    assert a["code"] == b["code"] == "not_representative"
    assert a["field"] == b["field"] == "organisation"
    assert a["message"].replace(registered, "X") == b["message"].replace(unregistered, "X")
    # A malformed code is refused for its form, which tells nothing about registrations.
    assert_error(api_submit(world.other_user, FORM, organisation="12345"), 400, "tax_code_format")


def test_a_representative_submits_for_the_organisation(world, clock):
    response = api_submit(world.citizen_user, FORM, organisation=world.organisation.tax_code)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["applicant_name"] == world.organisation.name
    declaration = body["declaration"]
    assert declaration["kind"] == "organisation"
    assert declaration["relationship"] == "legal_representative"
    assert declaration["relationship_label"] == "Người đại diện theo pháp luật"
    assert declaration["principal_id_number"] == world.organisation.tax_code
    assert declaration["submitter_id_number"] == "051085000001"
    assert declaration["check_required"] is False
    dossier = Dossier.objects.get(code=body["code"])
    assert dossier.applicant_organisation == world.organisation
    assert dossier.submitted_by == world.citizen_user
    # The officer sees the same in the API.
    seen = Client().get(f"{BASE}/{dossier.code}", headers=bearer(world.reception_a)).json()
    assert seen["declaration"]["submitter_name"] == "Công Dân Một"


def test_an_ended_or_future_representation_does_not_count(world, clock):
    link = Representative.objects.get(citizen=world.citizen)
    representation.representative_end(actor=None, representative=link, on=clock.now.date())
    assert_error(
        api_submit(world.citizen_user, FORM, organisation=world.organisation.tax_code),
        403,
        "not_representative",
    )
    representation.representative_add(
        actor=None,
        organisation=world.organisation,
        citizen=world.citizen,
        role=RepresentativeRole.AUTHORISED,
        valid_from=clock.now.date() + datetime.timedelta(days=1),
    )
    with pytest.raises(PermissionDenied):
        submit(world, organisation=world.organisation)


def test_the_service_checks_representation_whatever_the_entry_point(world, clock):
    with pytest.raises(PermissionDenied) as refused:
        submit(world, actor=world.other_user, organisation=world.organisation)
    assert refused.value.code == "not_representative"


def test_organisation_and_procedure_types_must_agree(world, clock):
    world.procedure.applicant_types = ["citizen"]
    world.procedure.save(update_fields=["applicant_types"])
    with pytest.raises(DomainError) as refused:
        submit(world, organisation=world.organisation)
    assert refused.value.code == "applicant_type_not_accepted"
    world.procedure.applicant_types = ["organisation"]
    world.procedure.save(update_fields=["applicant_types"])
    with pytest.raises(DomainError) as refused:
        submit(world)
    assert refused.value.code == "applicant_type_not_accepted"
    assert submit(world, organisation=world.organisation).applicant_organisation is not None


# --- The applicant's identity fields --------------------------------------------------------------


def test_another_persons_id_number_is_refused_naming_the_field(identity_form, clock):
    world = identity_form
    form = {**FORM, **OWN, "applicant_personal_id": OTHER_ID}
    response = api_submit(world.citizen_user, form)
    assert_error(response, 422, "applicant_identity_mismatch", "applicant_personal_id")
    message = response.json()["message"]
    assert "«Số định danh cá nhân»" in message and "051085000001" in message
    assert "Nộp thay người khác" in message
    assert not Dossier.objects.exists()


def test_another_persons_name_is_refused(identity_form, clock):
    world = identity_form
    form = {**FORM, **OWN, "applicant_full_name": "Công Dân Hai"}
    response = api_submit(world.citizen_user, form)
    assert_error(response, 422, "applicant_identity_mismatch", "applicant_full_name")
    born = {**FORM, **OWN, "applicant_birth_date": "1990-01-01"}
    response = api_submit(world.citizen_user, born)
    assert_error(response, 422, "applicant_identity_mismatch", "applicant_birth_date")
    assert "12/04/1985" in response.json()["message"]


def test_own_identity_passes_and_blanks_are_filled_from_the_profile(identity_form, clock):
    world = identity_form
    # The same name in other case, spacing and Unicode form is the same name.
    import unicodedata

    name = unicodedata.normalize("NFD", "  công  dân MỘT ")
    form = {**FORM, "applicant_full_name": name, "applicant_personal_id": "051085000001"}
    response = api_submit(world.citizen_user, form)
    assert response.status_code == 201, response.content
    data = response.json()["form_data"]
    assert data["applicant_birth_date"] == "1985-04-12"  # blank: from the profile
    assert data["applicant_phone"] is None  # a contact field is not tied: left as typed
    assert response.json()["declaration"] is None


def test_a_representative_is_tied_to_their_own_identity_too(identity_form, clock):
    world = identity_form
    form = {**FORM, **OWN, "applicant_personal_id": OTHER_ID}
    response = api_submit(world.citizen_user, form, organisation=world.organisation.tax_code)
    assert_error(response, 422, "applicant_identity_mismatch", "applicant_personal_id")


# --- Submitting for someone else ------------------------------------------------------------------


def on_behalf(relationship: str, **extra: str) -> str:
    return json.dumps({"relationship": relationship, **extra})


def test_submitting_for_someone_else_is_declared_with_its_proof(identity_form, clock):
    world = identity_form
    form = {**FORM, "applicant_full_name": "Trần Thị Bình", "applicant_personal_id": OTHER_ID}
    response = api_submit(
        world.citizen_user,
        form,
        on_behalf=on_behalf("authorised", note="Giấy ủy quyền số 12/2026 ngày 01/03/2026"),
        **{f"files.{applicant.PROOF_COMPONENT}": pdf("giay-uy-quyen.pdf")},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    declared = body["declaration"]
    assert declared["kind"] == "on_behalf" and declared["relationship"] == "authorised"
    assert declared["relationship_label"] == "Người được ủy quyền (có văn bản ủy quyền)"
    assert declared["principal_name"] == "Trần Thị Bình"
    assert declared["principal_id_number"] == OTHER_ID
    assert declared["submitter_id_number"] == "051085000001"
    assert declared["check_required"] is True and declared["checked_at"] is None
    proof = next(c for c in body["components"] if c["code"] == applicant.PROOF_COMPONENT)
    assert proof["mandatory"] and proof["attachments"][0]["mime_type"] == "application/pdf"
    dossier = Dossier.objects.get(code=body["code"])
    # The applicant stays the submitting citizen (account, receipt, notifications).
    assert dossier.applicant_citizen == world.citizen
    assert dossier.form_data["applicant_personal_id"] == OTHER_ID
    history = dossier.history.get(action="submit")
    assert history.data["declaration"]["relationship"] == "authorised"


def test_the_desk_checks_the_declaration_at_reception(identity_form, clock):
    world = identity_form
    form = {**FORM, "applicant_full_name": "Trần Thị Bình", "applicant_personal_id": OTHER_ID}
    code = api_submit(
        world.citizen_user,
        form,
        on_behalf=on_behalf("guardian"),
        **{f"files.{applicant.PROOF_COMPONENT}": pdf("quyet-dinh-giam-ho.pdf")},
    ).json()["code"]
    desk = bearer(world.reception_a)
    refused = act(Client(), desk, code, "receive")
    assert_error(refused, 400, "declaration_check_required", "declaration_checked")
    assert "Trần Thị Bình" in refused.json()["message"]
    assert Dossier.objects.get(code=code).status == "submitted"
    received = act(Client(), desk, code, "receive", declaration_checked=True)
    assert received.status_code == 200, received.content
    declared = received.json()["declaration"]
    assert declared["checked_by"] == "motcua.a" and declared["checked_at"]
    dossier = Dossier.objects.get(code=code)
    assert dossier.history.get(action="receive").data == {"declaration_checked": True}
    assert AuditEvent.objects.filter(action="dossiers.declaration.check").count() == 1


def test_a_relationship_that_needs_a_proof_is_refused_without_one(identity_form, clock):
    world = identity_form
    form = {**FORM, "applicant_full_name": "Trần Thị Bình", "applicant_personal_id": OTHER_ID}
    response = api_submit(world.citizen_user, form, on_behalf=on_behalf("authorised"))
    assert_error(response, 400, "proof_required", f"files.{applicant.PROOF_COMPONENT}")
    other = api_submit(world.citizen_user, form, on_behalf=on_behalf("other_representative"))
    assert_error(other, 400, "required", "on_behalf.note")
    unknown = api_submit(world.citizen_user, form, on_behalf=on_behalf("friend"))
    assert_error(unknown, 400, "relationship_invalid", "on_behalf.relationship")


def test_acting_for_oneself_under_another_name_is_refused(identity_form, clock):
    world = identity_form
    response = api_submit(
        world.citizen_user,
        {**FORM, **OWN},
        on_behalf=on_behalf("authorised"),
        **{f"files.{applicant.PROOF_COMPONENT}": pdf()},
    )
    assert_error(response, 422, "on_behalf_same_person", "applicant_personal_id")


def test_a_parent_acts_only_for_a_minor(identity_form, clock):
    world = identity_form
    adult = {**FORM, "applicant_full_name": "Trần Thị Bình", "applicant_personal_id": OTHER_ID}
    response = api_submit(world.citizen_user, adult, on_behalf=on_behalf("parent_of_minor"))
    assert_error(response, 422, "principal_not_minor", "on_behalf.relationship")
    assert "sinh năm 1992" in response.json()["message"]
    child = {**FORM, "applicant_full_name": "Nguyễn Văn An", "applicant_personal_id": CHILD_ID}
    response = api_submit(world.citizen_user, child, on_behalf=on_behalf("parent_of_minor"))
    assert response.status_code == 201, response.content  # no proof needed: the desk checks
    assert response.json()["declaration"]["check_required"] is True


def test_a_form_without_identity_fields_takes_the_person_from_the_declaration(world, clock):
    response = api_submit(world.citizen_user, FORM, on_behalf=on_behalf("parent_of_minor"))
    assert_error(response, 422, "principal_required", "on_behalf.principal_name")
    declared = on_behalf(
        "parent_of_minor", principal_name="Nguyễn Văn An", principal_id_number=CHILD_ID
    )
    response = api_submit(world.citizen_user, FORM, on_behalf=declared)
    assert response.status_code == 201, response.content
    assert response.json()["declaration"]["principal_name"] == "Nguyễn Văn An"


def test_organisation_and_on_behalf_do_not_mix(world, clock):
    response = api_submit(
        world.citizen_user,
        FORM,
        organisation=world.organisation.tax_code,
        on_behalf=on_behalf("authorised"),
    )
    assert_error(response, 400, "on_behalf_with_organisation", "on_behalf")


def test_the_proof_is_checked_like_any_upload(identity_form, clock):
    from tests.dossiers.conftest import EXE

    world = identity_form
    form = {**FORM, "applicant_full_name": "Trần Thị Bình", "applicant_personal_id": OTHER_ID}
    response = api_submit(
        world.citizen_user,
        form,
        on_behalf=on_behalf("authorised"),
        **{f"files.{applicant.PROOF_COMPONENT}": pdf("uy-quyen.pdf", EXE)},
    )
    assert_error(response, 400, "file_type_not_allowed", f"files.{applicant.PROOF_COMPONENT}")
    assert not Dossier.objects.exists() and not ApplicantDeclaration.objects.exists()


def test_a_proof_without_a_declaration_is_refused(world, clock):
    response = api_submit(world.citizen_user, FORM, **{f"files.{applicant.PROOF_COMPONENT}": pdf()})
    assert_error(response, 400, "on_behalf_required")


def test_the_lookup_accepts_the_digits_of_the_person_acted_for(identity_form, clock):
    world = identity_form
    form = {**FORM, "applicant_full_name": "Trần Thị Bình", "applicant_personal_id": OTHER_ID}
    code = api_submit(
        world.citizen_user,
        form,
        on_behalf=on_behalf("authorised"),
        **{f"files.{applicant.PROOF_COMPONENT}": pdf()},
    ).json()["code"]
    for digits in (OTHER_ID[-4:], "0001", "5678"):  # the person, the submitter, the phone
        answer = Client().post(
            f"/api/v1/lookup/{code}",
            data=json.dumps({"last_digits": digits}),
            content_type="application/json",
        )
        assert answer.status_code == 200, (digits, answer.content)


# --- Managing representatives ---------------------------------------------------------------------


def test_representatives_are_managed_by_officers_in_scope_and_audited(world, clock):
    world.organisation.registered_by = world.commune_a
    world.organisation.save(update_fields=["registered_by"])
    added = representation.representative_add(
        actor=world.reception_a,
        organisation=world.organisation,
        citizen=world.other_citizen,
        role=RepresentativeRole.AUTHORISED,
        evidence="Giấy ủy quyền số 3/2026",
    )
    assert added.created_by == world.reception_a
    assert AuditEvent.objects.filter(action="org.representative.add").count() == 1
    assert submit(world, actor=world.other_user, organisation=world.organisation).pk
    with pytest.raises(PermissionDenied):
        representation.representative_add(
            actor=world.reception_b,
            organisation=world.organisation,
            citizen=world.other_citizen,
            role=RepresentativeRole.LEGAL,
        )
    with pytest.raises(DomainError) as twice:
        representation.representative_add(
            actor=None,
            organisation=world.organisation,
            citizen=world.other_citizen,
            role=RepresentativeRole.AUTHORISED,
        )
    assert twice.value.code == "representative_exists"


def test_the_national_registry_feed_adds_and_ends_its_own_links_only(world, clock):
    Citizen.objects.create(full_name="Người Mới", personal_id=OTHER_ID)
    result = representation.representatives_sync(
        organisation=world.organisation,
        source="national_identity",
        entries=[(OTHER_ID, "legal_representative"), ("051085999999", "authorised")],
    )
    assert [r.citizen.personal_id for r in result.added] == [OTHER_ID]
    assert result.unknown_personal_ids == ["051085999999"]
    assert result.ended == []
    again = representation.representatives_sync(
        organisation=world.organisation, source="national_identity", entries=[]
    )
    assert [r.citizen.personal_id for r in again.ended] == [] and not again.added
    # Added today and ended today: it never took effect, so it is gone.
    assert not Representative.objects.filter(citizen__personal_id=OTHER_ID).exists()
    # The link entered at the desk (source "admin") is untouched.
    assert representation.representation_for(world.citizen_user, world.organisation) is not None


def test_the_citizen_sees_their_own_representations_only(world, clock):
    mine = Representative.objects.restrict(world.citizen_user, "view")
    assert list(mine.values_list("citizen__user", flat=True)) == [world.citizen_user.pk]
    assert not Representative.objects.restrict(world.other_user, "view").exists()
    assert not Representative.objects.restrict(world.citizen_user, "change").exists()


def test_submitting_with_the_default_world_still_works(world, clock):
    """The world's own submissions (no identity fields, for oneself) are unaffected."""
    dossier = submit(world, files=online_files())
    assert dossier.applicant_citizen == world.citizen
