"""The signing tools the audit log's daily anchor uses (:class:`congso.audit.anchors.AnchorTools`):
the time-stamp authority of the signing app, the anchoring key (``CONGSO_AUDIT_ANCHOR_P12``) as
a soft-token signer, and the trust roots (``CONGSO_SIGNING_TRUST_ROOTS``). Provided from
``SigningConfig.ready()``; ``audit`` sits below and imports none of this."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from pyhanko_certvalidator import ValidationContext

from congso.audit import anchors
from congso.signing import services, signers
from congso.signing.models import SignerProfile
from congso.signing.validation import trust_roots


def timestamper() -> Any:
    return services.timestamper()


def signer() -> Any:
    profile = SignerProfile(
        display_name="Neo nhật ký kiểm toán",
        title="",
        config={"p12_path": settings.AUDIT_ANCHOR_P12},
    )
    return signers.REGISTRY["soft_token"].signer(profile)


def validation_context() -> Any:
    return ValidationContext(
        trust_roots=trust_roots(), allow_fetching=False, revocation_mode="soft-fail"
    )


anchors.provide(
    anchors.AnchorTools(
        timestamper=timestamper, signer=signer, validation_context=validation_context
    )
)
