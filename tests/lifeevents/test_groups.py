"""Issue 21: procedure groups (ND 63/2024) and proactive offers (ND 224/2026 art. 16), through
the services on the real demo (province 51, its catalogue, the two groups and the rules)."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from congso.audit.models import AuditEvent
from congso.core.errors import DomainError
from congso.dossiers import services as dossier_services
from congso.dossiers.models import Dossier
from congso.lifeevents import groups, selectors, services
from congso.lifeevents.models import (
    GroupApplication,
    Level,
    LifeEventRule,
    Offer,
    OfferStatus,
    ProcedureGroup,
)
from congso.lifeevents.services import Upload
from congso.notify.models import Message, Preference
from congso.org.models import AdministrativeUnit, Citizen, RoleAssignment
from tests.api.tokens import bearer

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def demo(db: Any, settings: Any, tmp_path: Any) -> Citizen:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.OFFICER_2FA_REQUIRED = False
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_catalog_demo", stdout=io.StringIO())
    call_command("load_lifeevents_demo", stdout=io.StringIO())
    call_command("load_lifeevents_demo", stdout=io.StringIO())  # idempotent
    citizen = Citizen.objects.select_related("user").filter(user__isnull=False).first()
    assert citizen is not None
    citizen.email = "me.be@example.vn"
    citizen.save()
    return citizen


def _commune(citizen: Citizen) -> str:
    code = citizen.address_unit.code if citizen.address_unit else None
    return code or AdministrativeUnit.objects.filter(level="commune").first().code  # type: ignore[union-attr]


def birth_answers(citizen: Citizen, commune: str) -> dict[str, Any]:
    return {
        "applicant_full_name": citizen.full_name,
        "applicant_personal_id": citizen.personal_id,
        "applicant_address": {"unit_code": commune, "detail": "Số 12, thôn Cổ Lũy"},
        "applicant_phone": "0912345678",
        "applicant_relationship": "mother",
        "child_full_name": "Nguyễn Ngọc An",
        "child_birth_date": (datetime.date.today() - datetime.timedelta(days=10)).isoformat(),
        "child_gender": "female",
        "child_ethnicity": "Kinh",
        "child_nationality": "Việt Nam",
        "child_birth_place": {"unit_code": commune, "detail": ""},
        "child_residence": {"unit_code": commune, "detail": "Số 12, thôn Cổ Lũy"},
        "household_head_full_name": citizen.full_name,
        "child_household_relationship": "Con",
        "health_facility": "Trạm Y tế xã",
        "card_delivery": "vneid",
    }


def _certificate() -> dict[str, list[Upload]]:
    return {"file_birth_certificate": [Upload("giay-chung-sinh.pdf", PDF, "application/pdf")]}


def test_a_birth_group_makes_three_dossiers_at_three_agencies(demo: Citizen) -> None:
    group = ProcedureGroup.objects.get(code="khai-sinh")
    version = groups.version_in_force(group)
    commune = _commune(demo)
    rows = groups.preview(version, commune)
    assert [r.procedure.code for r in rows] == ["1.001193", "1.004222", "DP.BHYT-TE6"]
    assert groups.latest(rows) == max(r.due for r in rows if r.due)
    application = services.group_submit(
        actor=demo.user, group=group, form_data=birth_answers(demo, commune), files=_certificate()
    )
    view = selectors.application_for(demo.user, application.code)
    dossiers = [row.dossier for row in view.rows]
    assert len({d.code for d in dossiers}) == 3
    assert len({d.competent_agency_id for d in dossiers}) == 3
    assert {d.competent_agency.name.split()[0] for d in dossiers} == {"Ủy", "Công", "Bảo"}
    assert all(d.status == "submitted" for d in dossiers)
    # The residence registration got the combined answers as its declaration (a real PDF).
    residence = dossiers[1]
    files = list(
        residence.components.get(code="to-khai-thay-doi-thong-tin-cu-tru").attachments.all()
    )
    assert files and files[0].mime_type == "application/pdf"
    assert "Nguyễn Ngọc An" in residence.form_data["note"]
    assert dossiers[2].form_data["child_full_name"] == "Nguyễn Ngọc An"
    assert AuditEvent.objects.filter(action="lifeevents.group.submit").count() == 1
    # One component refused: the others go on.
    desk_officer = (
        RoleAssignment.objects.filter(role="reception", desk=dossiers[0].desk).first().user
    )  # type: ignore[union-attr]
    dossier_services.dossier_not_accept(
        actor=desk_officer, dossier=dossiers[0], reason="Giấy chứng sinh không đọc được"
    )
    view = selectors.application_for(demo.user, application.code)
    assert [row.stage for row in view.rows] == ["ended", "waiting", "waiting"]


def test_a_missing_file_or_field_writes_nothing(demo: Citizen) -> None:
    group = ProcedureGroup.objects.get(code="khai-sinh")
    answers = birth_answers(demo, _commune(demo))
    with pytest.raises(DomainError):
        services.group_submit(actor=demo.user, group=group, form_data=answers)
    answers.pop("health_facility")
    with pytest.raises(DomainError):
        services.group_submit(actor=demo.user, group=group, form_data=answers, files=_certificate())
    assert Dossier.objects.count() == 0


def _death_dossier(citizen: Citizen, commune: str) -> Dossier:
    from congso.catalog.models import Procedure
    from congso.dossiers.services.intake import default_desk  # noqa: F401

    procedure = Procedure.objects.get(code="1.000656")
    version = procedure.versions.get(version=1)
    rows = groups.route(
        groups.ComponentSpec(procedure="1.000656", routing="commune_justice"), version, commune
    )
    return dossier_services.dossier_submit_online(
        actor=citizen.user,
        procedure=procedure,
        competent_agency=rows,
        form_data={
            "applicant_full_name": citizen.full_name,
            "applicant_personal_id": citizen.personal_id,
            "applicant_address": {"unit_code": commune, "detail": "Số 3, thôn Phú Hòa"},
            "applicant_phone": "0912345678",
            "applicant_relationship": "child",
            "deceased_full_name": "Trần Văn Thọ",
            "deceased_gender": "male",
            "deceased_personal_id": "051045001234",
            "deceased_residence": {"unit_code": commune, "detail": "Số 3, thôn Phú Hòa"},
            "death_date": (datetime.date.today() - datetime.timedelta(days=2)).isoformat(),
            "death_place": {"unit_code": commune, "detail": ""},
        },
        files={
            "giay-bao-tu-hoac-giay-to-thay-giay-bao": [
                __import__("django.core.files.uploadedfile", fromlist=["x"]).SimpleUploadedFile(
                    "bao-tu.pdf", PDF, content_type="application/pdf"
                )
            ]
        },
    )


def test_a_death_registered_makes_a_prepared_offer_accepted_in_one_step(demo: Citizen) -> None:
    commune = _commune(demo)
    dossier = _death_dossier(demo, commune)
    made = services.on_dossier_done(dossier)
    assert len(made) == 1
    offer = made[0]
    assert offer.status == OfferStatus.OFFERED and offer.level == Level.PREPARE
    assert offer.prepared["deceased_full_name"] == "Trần Văn Thọ"
    assert offer.procedures == ["DP.XOA-TT", "DP.MAI-TANG"]
    assert Message.objects.filter(kind="lifeevents.offer", recipient="me.be@example.vn").exists()
    assert services.on_dossier_done(dossier) == []  # once per event
    # Through the API (thin over the same services): the groups, the preview, the offer.
    client, headers = Client(), bearer(demo.user)
    listed = client.get("/api/v1/lifeevents/groups").json()
    assert [g["code"] for g in listed] == ["khai-sinh", "khai-tu"]
    assert [c["routing"] for c in listed[1]["components"]] == [
        "commune_justice",
        "commune_police",
        "social_insurance",
    ]
    preview = client.post(
        "/api/v1/lifeevents/groups/khai-tu/preview",
        data={"unit_code": commune},
        content_type="application/json",
    ).json()
    dues = [row["due_at"] for row in preview["components"] if row["due_at"]]
    assert preview["latest_due_at"] == max(dues)
    offers = client.get("/api/v1/lifeevents/offers", headers=headers).json()
    assert [o["id"] for o in offers] == [offer.pk]
    assert client.get("/api/v1/lifeevents/review", headers=headers).status_code == 403
    answer = client.post(
        f"/api/v1/lifeevents/offers/{offer.pk}/accept",
        data={"form_data": {"payment_method": "cash"}},
        content_type="application/json",
        headers=headers,
    )
    assert answer.status_code == 201, answer.content
    assert [m["procedure"] for m in answer.json()["members"]] == ["DP.XOA-TT", "DP.MAI-TANG"]
    application = GroupApplication.objects.get(code=answer.json()["code"])
    again = client.get(f"/api/v1/lifeevents/applications/{application.code}", headers=headers)
    assert again.status_code == 200 and again.json()["done"] == 0
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED and offer.consent_at is not None
    codes = [m.procedure.code for m in application.members.order_by("order")]
    assert codes == ["DP.XOA-TT", "DP.MAI-TANG"]
    funeral = application.members.get(order=2).dossier
    assert funeral.form_data["deceased_full_name"] == "Trần Văn Thọ"
    assert funeral.competent_agency.name.startswith("Bảo hiểm xã hội")
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"lifeevents.offer.create", "lifeevents.offer.accept"} <= actions
    with pytest.raises(DomainError):
        services.offer_accept(actor=demo.user, offer_id=offer.pk)
    measures = client.get("/api/v1/lifeevents/measures").json()
    assert {m["rule"]: m["accepted"] for m in measures}["sau-khai-tu"] == 1
    totals = selectors.totals()
    assert totals["made"] == 1 and totals["accepted"] == 1 and totals["minutes_saved"] == 90
    # The operations dashboard shows them to a province-wide viewer, not to an agency's leader.
    admin = get_user_model().objects.create_superuser("giamsat", "gs@example.vn", "x")
    province = Client()
    province.force_login(admin)
    html = province.get("/can-bo/chi-so/").content.decode()
    assert 'id="proactive-title"' in html and "lời mời đã gửi" in html
    leader = RoleAssignment.objects.filter(role="leader").first()
    assert leader is not None
    local = Client()
    local.force_login(leader.user)
    assert 'id="proactive-title"' not in local.get("/can-bo/chi-so/").content.decode()


def test_preferences_are_respected_and_a_decline_is_recorded(demo: Citizen) -> None:
    Preference.objects.create(citizen=demo, unsubscribed=True)
    offer = services.on_dossier_done(_death_dossier(demo, _commune(demo)))[0]
    assert not Message.objects.filter(kind="lifeevents.offer").exists()
    services.offer_decline(actor=demo.user, offer_id=offer.pk, reason="Đã tự làm")
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DECLINED
    assert [s["step"] for s in offer.trail] == ["offer", "decline"]


def test_act_by_itself_only_where_allowed_and_through_the_review_queue(demo: Citizen) -> None:
    remind = LifeEventRule.objects.get(code="du-14-tuoi")
    with pytest.raises(DomainError):
        services.rule_set_level(actor=None, rule=remind, level=Level.ACT)
    auto = LifeEventRule.objects.get(code="the-bhyt-tu-dong")
    auto.active = True
    auto.save()
    LifeEventRule.objects.filter(code="sau-khai-sinh").update(active=False)
    group = ProcedureGroup.objects.get(code="khai-sinh")
    commune = _commune(demo)
    from congso.catalog.models import Procedure

    birth = Procedure.objects.get(code="1.001193")
    agency = groups.route(
        groups.ComponentSpec(procedure="1.001193", routing="commune_justice"),
        birth.versions.get(version=1),
        commune,
    )
    dossier = dossier_services.dossier_submit_online(
        actor=demo.user,
        procedure=birth,
        competent_agency=agency,
        form_data={
            k: v
            for k, v in birth_answers(demo, commune).items()
            if k in {f["name"] for f in birth.versions.get(version=1).form_schema["fields"]}
        },
        files={
            "giay-chung-sinh-neu-khong-co-thi-van-ban": [
                __import__("django.core.files.uploadedfile", fromlist=["x"]).SimpleUploadedFile(
                    "cs.pdf", PDF, content_type="application/pdf"
                )
            ]
        },
    )
    offer = services.on_dossier_done(dossier)[0]
    assert offer.status == OfferStatus.REVIEW
    assert list(selectors.review_queue()) == [offer]
    with pytest.raises(DomainError):
        services.offer_review(actor=demo.user, offer_id=offer.pk, approve=True)
    officer = RoleAssignment.objects.get(role="reception", agency__short_name="BHXH tỉnh").user
    # The officer's page: the measures and the queue; approved there.
    page = Client()
    page.force_login(officer)
    html = page.get("/can-bo/dich-vu-chu-dong/").content.decode()
    assert "Thẻ BHYT cho trẻ dưới 6 tuổi, tự động cấp" in html and "Duyệt và tiếp nhận" in html
    answer = page.post(f"/can-bo/dich-vu-chu-dong/{offer.pk}/", {"approve": "1"})
    assert answer.status_code == 302 and "da=1" in answer["Location"]
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED and offer.application is not None
    card = offer.application.members.get().dossier
    assert card.status == "received" and card.applicant_citizen == demo
    assert group.code == "khai-sinh"


def test_a_child_turning_14_is_reminded(demo: Citizen) -> None:
    today = datetime.date.today()
    demo.birth_date = today.replace(year=today.year - 14) - datetime.timedelta(days=3)
    demo.save()
    made = services.scan_ages(day=today)
    assert [o.rule.code for o in made] == ["du-14-tuoi"]
    assert made[0].status == OfferStatus.REMINDED
    assert services.scan_ages(day=today) == []
    assert Offer.objects.count() == 1
