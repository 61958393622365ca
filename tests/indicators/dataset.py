"""A small hand-computed month for the index, dashboard and report tests.

The world is the dossier tests' (province 51, communes A and B, a 3-working-day birth
registration offered fully online, a 4-step process at commune A). Every dossier goes through
the real services; the one exception is the signed electronic result of A1, which is written as
the signing service writes it (a ``SignedResult`` row, then ``record_signed_result``) without
running PAdES — the PKI is not what these tests are about.

=====  =========  =====================================================================
 A     channel    life (March 2026, commune A)
=====  =========  =====================================================================
 A1    online     received Mon 02 09:00, completed Tue 03 14:00 (early), e-result signed
                  Tue 14:30, returned online Tue 15:00, rated 5
 A2    online     received Mon 02 09:00, completed Fri 06 10:00 (late: due Wed 04 17:00),
                  returned at the desk Fri 11:00, rated 2
 A3    in person  received Mon 02 10:00 with every component scanned (digitised),
                  completed Wed 04 10:00 (early or on time), returned Wed 11:00, rated 4
 A4    in person  received Mon 02 13:00 with one scan of three, still being processed
=====  =========  =====================================================================

By hand, over 01–31/03/2026 (thresholds 80 %, 50 % for 3, 90 % for 5.4):

* 2.1 on time: (A1 + A3) / (A1 + A2 + A3) = 2/3 → min(20, 2/3 × 20 / 0.8) = 16.67 points;
* 3 full online: e-results of online dossiers of full-online procedures (A1) / dossiers of
  those procedures received (4) = 1/4 → 1/4 × 12 / 0.5 = 6.00;
* 4.1 e-result: signed results (1) / returned (3) = 1/3 → 1/3 × 6 / 0.8 = 2.50;
* 4.2 digitised: A3 / 4 received = 1/4 → 1/4 × 4 / 0.8 = 1.25;
* 5.4 satisfaction: 1 − (late 1 + dissatisfied 1) / 3 = 1/3 → 1/3 × 6 / 0.9 = 2.22;
* total 28.64 of the 48 points with data (of 100).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.files.base import ContentFile

from congso.dossiers import services
from congso.dossiers.models import Channel, Dossier
from congso.indicators import aggregates
from tests.dossiers.conftest import FORM, Clock, World, at, pdf, png, receive, submit

START = date(2026, 3, 1)
END = date(2026, 3, 31)


@dataclass
class Month:
    a1: Dossier
    a2: Dossier
    a3: Dossier
    a4: Dossier


def in_person(world: World, files: dict[str, Any]) -> Dossier:
    return services.dossier_receive_in_person(
        actor=world.reception_a,
        procedure=world.procedure,
        competent_agency=world.commune_a,
        desk=world.desk_a,
        citizen=world.citizen,
        channel=Channel.IN_PERSON,
        form_data=dict(FORM),
        files=files,
    )


def _complete(world: World, dossier: Dossier) -> Dossier:
    dossier = services.dossier_forward(actor=world.specialist_a, dossier=dossier)
    return services.dossier_complete(actor=world.leader_a, dossier=dossier, result_summary="Cấp.")


def sign_result(dossier: Dossier, clock: Clock) -> None:
    """What ``signing.services`` leaves once every signature is on: a signed result row and
    the ``e_results`` counter."""
    from congso.results.models import SignedResult

    content = b"%PDF-1.7 result"
    result = SignedResult(
        dossier=dossier,
        number=1,
        code=f"{dossier.code}-KQ1",
        title="Trích lục khai sinh",
        level="B-B",
        roles=["leader"],
        status="signed",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        public_token=hashlib.sha256(dossier.code.encode()).hexdigest()[:32],
        created_at=clock.now,
        signed_at=clock.now,
    )
    result.file.save("ket-qua.pdf", ContentFile(content), save=False)
    result.save()
    aggregates.record_signed_result(dossier.pk, signed_at=clock.now)


def build_month(world: World, clock: Clock) -> Month:
    clock.set(at(2026, 3, 2, 9, 0))
    a1 = receive(world, submit(world))
    a1 = services.dossier_start_processing(actor=world.reception_a, dossier=a1)
    a2 = receive(world, submit(world))
    a2 = services.dossier_start_processing(actor=world.reception_a, dossier=a2)
    clock.set(at(2026, 3, 2, 10, 0))
    a3 = in_person(
        world,
        {"to-khai": [pdf()], "giay-chung-sinh": [png()], "giay-uy-quyen": [pdf("uq.pdf")]},
    )
    a3 = services.dossier_start_processing(actor=world.reception_a, dossier=a3)
    clock.set(at(2026, 3, 2, 13, 0))
    a4 = in_person(world, {"to-khai": [pdf()]})
    a4 = services.dossier_start_processing(actor=world.reception_a, dossier=a4)

    clock.set(at(2026, 3, 3, 14, 0))
    a1 = _complete(world, a1)
    clock.set(at(2026, 3, 3, 14, 30))
    sign_result(a1, clock)
    clock.set(at(2026, 3, 3, 15, 0))
    a1 = services.dossier_return_result(actor=world.reception_a, dossier=a1, method="online")
    services.dossier_rate(actor=world.citizen_user, dossier=a1, score=5)

    clock.set(at(2026, 3, 4, 10, 0))
    a3 = _complete(world, a3)
    clock.set(at(2026, 3, 4, 11, 0))
    a3 = services.dossier_return_result(actor=world.reception_a, dossier=a3, method="desk")
    services.dossier_rate(actor=world.citizen_user, dossier=a3, score=4)

    clock.set(at(2026, 3, 6, 10, 0))
    a2 = _complete(world, a2)
    clock.set(at(2026, 3, 6, 11, 0))
    a2 = services.dossier_return_result(actor=world.reception_a, dossier=a2, method="desk")
    services.dossier_rate(actor=world.citizen_user, dossier=a2, score=2)

    clock.set(at(2026, 3, 10, 9, 0))
    return Month(a1, a2, a3, a4)
