"""A small hand-computed month for the index, dashboard and report tests.

The world is the dossier tests' (province 51, communes A and B, the Department of Justice, a
3-working-day birth registration offered fully online, a 4-step process at commune A and the
same process at the department); its result ("Trích lục", a paper document) makes it count in
4.1/4.2. Every dossier goes through the real services; the one exception is the signed
electronic results of A1 and A3, written as the signing service writes them (a
``SignedResult`` row, then ``record_signed_result``) without running PAdES — the PKI is not
what these tests are about. The tests score the month on Tue 10/03/2026 09:00.

=====  =========  =====================================================================
 A     channel    life (March 2026, commune A)
=====  =========  =====================================================================
 A1    online     received Mon 02 09:00, completed Tue 03 14:00 (early), e-result signed
                  Tue 14:30, returned online Tue 15:00, rated 5
 A2    online     received Mon 02 09:00, completed Fri 06 10:00 (late: due Thu 05 09:00),
                  returned at the desk Fri 11:00, rated 2
 A3    in person  received Mon 02 10:00 with every component scanned (digitised),
                  completed Wed 04 10:00 (early), e-result signed Wed 10:30, returned Wed
                  11:00, rated 4
 A4    in person  received Mon 02 13:00 with one scan of three, still being processed
                  (due Thu 05 13:00: overdue on the 10th)
 D1    in person  department; received Mon 09 09:00, completed Mon 09 15:00 (early),
                  returned at the desk Mon 16:00, not rated
 D2    in person  department; received Mon 09 10:00, still being processed (due Thu 12
                  10:00: in time on the 10th)
=====  =========  =====================================================================

Without the department (the ``month`` fixture of the page and report tests) the province is
commune A: 29.22 of 48 by the 2022 layout (below).

By hand, March 2026 (the portal's rule: linear unless a threshold is named; 2.1 counts the
dossiers in progress at the period's end — here the scoring instant, the 10th):

Province (every agency), the 2022 layout (in force until 31/07/2026):

* 2.1: good A1, A3, D1, D2 / ended A1, A2, A3, D1 + in progress A4, D2 = 4/6 → 13.33;
* 3.1: 1 procedure offered online / 1 in force → 2 × 1 ÷ 0.8, capped → 2.00;
* 3.2: 1 offered procedure with an online dossier / 1 → 4.00;
* 3.3: online A1, A2 / 6 received → 1/3 × 6 ÷ 0.5 → 4.00;
* 4.1: returned with an e-result A1, A3 / returned A1, A2, A3, D1 = 2/4 → 3.00;
* 4.2: every component and an e-result, A3 / 6 received → 4/6 → 0.67;
* 5.4: 4 processed − late 1 − dissatisfied 1 = 2/4 → 6 × 0.5 ÷ 0.9 → 3.33;
* total 30.33 of the 48 points with data.

The same by today's layout (``qd766-2026.1``): 3 = e-results of online dossiers A1 / 6 = 1/6
→ 2.00 (the 2022 rows 3.1–3.3 gone) → 22.33 of 48.

Department (its two dossiers), today's layout: 2.1 = 2/2 → 20.00; 3 = 0/2 → 0.00; 4.1 = 0/1
→ 0.00; 4.2 = 0/2 → 0.00; 5.4 = nothing rated → 0.00 (the portal's zero) → 20.00 of 48.

Commune A, today's layout: 2.1 = A1, A3 / A1–A4 = 2/4 → 10.00; 3, 4.5a, 4.5b do not apply to
a commune → 12 + 2 + 2; 4.1 = 2/3 → 4.00; 4.2 = 1/4 → 1.00; 5.4 = (3 − 1 − 1)/3 → 2.22;
total 33.22 of 52. By the 2022 layout: 10.00 + 2.00 + 4.00 + 3.3 (2/4 → 6.00) + 4.00 + 1.00
+ 2.22 = 29.22 of 48.
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
    d1: Dossier | None = None
    d2: Dossier | None = None


def in_person(world: World, files: dict[str, Any], agency: Any = None) -> Dossier:
    return services.dossier_receive_in_person(
        actor=world.reception_a,
        procedure=world.procedure,
        competent_agency=agency or world.commune_a,
        desk=world.desk_a,
        citizen=world.citizen,
        channel=Channel.IN_PERSON,
        form_data=dict(FORM),
        files=files,
    )


def _complete(world: World, dossier: Dossier, *, department: bool = False) -> Dossier:
    specialist = world.specialist_stp if department else world.specialist_a
    leader = world.leader_stp if department else world.leader_a
    dossier = services.dossier_forward(actor=specialist, dossier=dossier)
    return services.dossier_complete(actor=leader, dossier=dossier, result_summary="Cấp.")


def department_process(world: World) -> None:
    """The commune's process, at the Department of Justice; desk A receives for it."""
    from congso.catalog.models import Process

    process = Process.objects.create(
        version=world.version, agency=world.department, name="Quy trình khai sinh (Sở)"
    )
    for step in world.process.steps.order_by("order"):
        step.pk = None
        step.process = process
        step.save()
    world.desk_a.serves.add(world.department)


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


def build_month(world: World, clock: Clock, *, department: bool = False) -> Month:
    """The month; D1 and D2 (the department) only with ``department`` (the index tests)."""
    world.version.result_type = "extract"
    world.version.result_name = "Trích lục khai sinh"
    world.version.save()
    department_process(world)
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
    clock.set(at(2026, 3, 4, 10, 30))
    sign_result(a3, clock)
    clock.set(at(2026, 3, 4, 11, 0))
    a3 = services.dossier_return_result(actor=world.reception_a, dossier=a3, method="desk")
    services.dossier_rate(actor=world.citizen_user, dossier=a3, score=4)

    clock.set(at(2026, 3, 6, 10, 0))
    a2 = _complete(world, a2)
    clock.set(at(2026, 3, 6, 11, 0))
    a2 = services.dossier_return_result(actor=world.reception_a, dossier=a2, method="desk")
    services.dossier_rate(actor=world.citizen_user, dossier=a2, score=2)

    if not department:
        clock.set(at(2026, 3, 10, 9, 0))
        return Month(a1, a2, a3, a4)
    clock.set(at(2026, 3, 9, 9, 0))
    d1 = in_person(world, {"to-khai": [pdf()]}, agency=world.department)
    d1 = services.dossier_start_processing(actor=world.reception_a, dossier=d1)
    clock.set(at(2026, 3, 9, 10, 0))
    d2 = in_person(world, {"to-khai": [pdf()]}, agency=world.department)
    d2 = services.dossier_start_processing(actor=world.reception_a, dossier=d2)
    clock.set(at(2026, 3, 9, 15, 0))
    d1 = _complete(world, d1, department=True)
    clock.set(at(2026, 3, 9, 16, 0))
    d1 = services.dossier_return_result(actor=world.reception_a, dossier=d1, method="desk")

    clock.set(at(2026, 3, 10, 9, 0))
    return Month(a1, a2, a3, a4, d1, d2)
