"""Reads about electronic results for the officer workspace, the citizen's account, the public
look-up, the public verification page and the dossier lifecycle (which asks whether a dossier
may be completed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models

from congso.dossiers.models import Dossier
from congso.dossiers.permissions import holds_role
from congso.results.models import (
    ResultStatus,
    ResultTemplate,
    SignatureRecord,
    SignedResult,
)
from congso.signing.models import SignatureRole, SignerProfile
from congso.signing.verification import StoredDocument

#: Dossier statuses in which an officer may prepare a result (as ``services.result_prepare``).
PREPARE_STATUSES = frozenset({"processing", "processed", "returned"})
_OFFICER_ROLES = ("specialist", "department_head", "leader", "clerk")


def template_of(dossier: Dossier) -> ResultTemplate | None:
    return ResultTemplate.objects.filter(
        procedure_id=dossier.procedure_version.procedure_id
    ).first()


def latest_result(dossier: Dossier) -> SignedResult | None:
    return SignedResult.objects.filter(dossier=dossier).order_by("-number").first()


def completion_blocker(dossier: Dossier) -> str | None:
    """Why the dossier may not be completed yet, or None.

    A procedure with an electronic result template is completed only once its latest e-result
    carries every signature the template asks for: the leader's signature *is* the approval of
    the result (ND 45/2020 Art. 25: an e-result has legal value only when digitally signed).
    Procedures without a template complete as before (paper results)."""
    if not ResultTemplate.objects.filter(
        procedure_id=dossier.procedure_version.procedure_id
    ).exists():
        return None
    latest = latest_result(dossier)
    if latest is None:
        return (
            "Thủ tục này trả kết quả điện tử: hãy lập kết quả điện tử và trình lãnh đạo ký số "
            "trước khi hoàn thành hồ sơ."
        )
    if latest.status != ResultStatus.SIGNED:
        return (
            f"Kết quả điện tử {latest.code} chưa được ký số đầy đủ; hãy ký số trước khi hoàn "
            "thành hồ sơ."
        )
    return None


@dataclass
class ResultRow:
    result: SignedResult
    signatures: list[SignatureRecord]
    #: The user's profiles able to make the result's next signature (empty: not their turn).
    my_profiles: list[SignerProfile] = field(default_factory=list)
    next_role_label: str = ""


@dataclass
class OfficerPanel:
    template: ResultTemplate | None
    rows: list[ResultRow]
    can_prepare: bool


def signing_profiles(user: Any, result: SignedResult) -> list[SignerProfile]:
    """The user's active profiles that may make the next signature of ``result``."""
    role = result.next_role()
    if role is None or not getattr(user, "is_authenticated", False):
        return []
    return list(
        SignerProfile.objects.filter(
            user=user, active=True, role=role, agency_id=result.dossier.competent_agency_id
        ).select_related("agency")
    )


def officer_panel(user: Any, dossier: Dossier) -> OfficerPanel:
    """The e-result section of the officer's dossier page."""
    template = template_of(dossier)
    results = list(
        SignedResult.objects.filter(dossier=dossier)
        .select_related("dossier")
        .prefetch_related("signatures")
        .order_by("-number")
    )
    rows = []
    for index, result in enumerate(results):
        row = ResultRow(result=result, signatures=list(result.signatures.all()))
        if index == 0 and result.status != ResultStatus.SIGNED:
            role = result.next_role()
            if role is not None:
                row.next_role_label = str(SignatureRole(role).label)
                row.my_profiles = signing_profiles(user, result)
        rows.append(row)
    can_prepare = (
        (template is not None or bool(results))
        and dossier.status in PREPARE_STATUSES
        and holds_role(user, _OFFICER_ROLES, dossier.competent_agency_id)
    )
    return OfficerPanel(template=template, rows=rows, can_prepare=can_prepare)


#: The applicant gets the e-result once the dossier has a result (processed) or was returned:
#: a result signed while the dossier is still open could yet be withdrawn (refused, re-done).
RELEASED_STATUSES = ("processed", "returned")


def signed_results_for_applicant(dossier: Dossier) -> list[SignedResult]:
    """Fully signed results of a completed dossier, newest first (the citizen's downloads)."""
    if dossier.status not in RELEASED_STATUSES:
        return []
    return list(
        SignedResult.objects.filter(dossier=dossier, status=ResultStatus.SIGNED).order_by("-number")
    )


def has_signed_result(code: str) -> bool:
    """Whether the dossier ``code`` has a released, fully signed e-result (the public look-up
    says so, nothing more)."""
    return SignedResult.objects.filter(
        dossier__code=code,
        dossier__status__in=RELEASED_STATUSES,
        status=ResultStatus.SIGNED,
    ).exists()


def own_profile(user: Any, profile_id: str) -> SignerProfile | None:
    """One of the user's own signer profiles by id (None for anything else)."""
    if not profile_id.strip().isdigit() or not getattr(user, "is_authenticated", False):
        return None
    return (
        SignerProfile.objects.filter(pk=int(profile_id), user=user).select_related("agency").first()
    )


#: At most this many unsigned results are looked at for one officer's signing queue (an agency
#: has a handful open at any time; the bound keeps a neglected backlog from slowing every page).
AWAITING_LIMIT = 500


def dossiers_awaiting_signature(user: Any) -> list[int]:
    """Ids of the open dossiers whose latest e-result waits for a signature ``user`` can make
    now (their active profile has the next role, at the competent agency): the officer's
    "chờ ký" work. Two queries, whatever the number of results."""
    if not getattr(user, "is_authenticated", False):
        return []
    profiles = set(
        SignerProfile.objects.filter(user=user, active=True).values_list("role", "agency_id")
    )
    if not profiles:
        return []
    results = (
        SignedResult.objects.filter(
            status__in=(ResultStatus.PREPARED, ResultStatus.PARTIAL),
            dossier__status="processing",
            dossier__competent_agency_id__in={agency for _, agency in profiles},
        )
        .exclude(  # only the latest result of each dossier counts
            models.Exists(
                SignedResult.objects.filter(
                    dossier_id=models.OuterRef("dossier_id"), number__gt=models.OuterRef("number")
                )
            )
        )
        .only("pk", "dossier_id", "roles", "dossier__competent_agency_id")
        .select_related("dossier")
        .prefetch_related(
            models.Prefetch(
                "signatures", queryset=SignatureRecord.objects.only("result_id", "role")
            )
        )
        .order_by("pk")[:AWAITING_LIMIT]
    )
    ids = []
    for result in results:
        done = {signature.role for signature in result.signatures.all()}
        role = next((r for r in result.roles if r not in done), None)
        if (role, result.dossier.competent_agency_id) in profiles:
            ids.append(result.dossier_id)
    return ids


def _read(result: SignedResult) -> bytes:
    with result.file.open("rb") as handle:
        return handle.read()


def stored_result(token: str) -> StoredDocument | None:
    """The stored original of the result with this public token, for the verification page
    (``congso.signing.verification``; the token is the one printed in the result's QR code)."""
    result = SignedResult.objects.filter(public_token=token).first()
    if result is None:
        return None
    return StoredDocument(
        code=result.code,
        title=result.title,
        sha256=result.sha256,
        public_token=result.public_token,
        read=lambda: _read(result),
    )
