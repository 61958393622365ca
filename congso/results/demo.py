"""The e-result templates of the demo province (demo only, idempotent): the procedures whose
results the seeds report as e-signed get the official document they print and the signatures
they need. ``manage.py signing_demo_setup`` runs :func:`setup` after signing's demo PKI and signer
profiles (:mod:`congso.signing.demo`). Seed data: it writes the models directly, audited."""

from __future__ import annotations

from django.db import transaction

from congso.audit.services import record
from congso.catalog.models import Procedure
from congso.results.models import ResultTemplate, TemplateKind
from congso.signing import demo as signing_demo
from congso.signing.models import Level, SignatureRole

#: Procedure code → (kind, title, level, roles, legal basis). Commune procedures: the demo
#: communes have a leader and no clerk, so their results carry the leader's signature only.
TEMPLATES: dict[str, tuple[str, str, str, list[str], str]] = {
    "1.001193": (
        TemplateKind.BIRTH_EXTRACT,
        "Trích lục khai sinh (bản điện tử)",
        Level.B_T,
        [SignatureRole.APPROVAL],
        "Luật Hộ tịch năm 2014; Nghị định 87/2020/NĐ-CP; Thông tư 04/2020/TT-BTP",
    ),
    "1.000656": (
        TemplateKind.DEATH_EXTRACT,
        "Trích lục khai tử (bản điện tử)",
        Level.B_T,
        [SignatureRole.APPROVAL],
        "Luật Hộ tịch năm 2014; Thông tư 04/2020/TT-BTP",
    ),
    "1.000894": (
        TemplateKind.MARRIAGE_EXTRACT,
        "Trích lục đăng ký kết hôn (bản điện tử)",
        Level.B_T,
        [SignatureRole.APPROVAL],
        "Luật Hộ tịch năm 2014; Luật Hôn nhân và gia đình năm 2014",
    ),
    "1.001612": (
        TemplateKind.HOUSEHOLD_BUSINESS,
        "Giấy chứng nhận đăng ký hộ kinh doanh",
        Level.B_LT,
        [SignatureRole.APPROVAL],
        "Luật Doanh nghiệp 2020; Nghị định 168/2025/NĐ-CP",
    ),
}


def ensure_templates() -> list[str]:
    made = []
    for code, (kind, title, level, roles, basis) in TEMPLATES.items():
        procedure = Procedure.objects.filter(code=code).first()
        if procedure is None:
            continue
        with transaction.atomic():
            template, created = ResultTemplate.objects.get_or_create(
                procedure=procedure,
                defaults={
                    "kind": kind,
                    "title": title,
                    "level": level,
                    "signature_roles": [str(role) for role in roles],
                    "legal_basis": basis,
                },
            )
            if not created and template.kind != kind:
                # Demo templates made before the official forms existed: print those now.
                template.kind = kind
                template.save(update_fields=["kind"])
            if created:
                record(
                    actor=None,
                    action="signing.template.demo_create",
                    target=template,
                    after={"procedure": code, "title": title, "level": level},
                )
        made.append(f"{code} {procedure.name}: {template.title} ({template.level})")
    return made


def setup() -> signing_demo.Summary:
    """Signing's demo (PKI, signer profiles), then the result templates."""
    summary = signing_demo.setup()
    summary.templates = ensure_templates()
    return summary
