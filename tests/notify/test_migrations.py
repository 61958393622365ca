"""The open-channels migrations keep every citizen's choices: the SMS and e-mail columns become
``Preference.channels`` (0006–0008) and come back on the way down."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from congso.org.models import Citizen

BEFORE = [("notify", "0006_open_channels")]
AFTER = [("notify", "0008_preference_drop_sms_email")]


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)


@pytest.mark.django_db(transaction=True)
def test_preferences_survive_the_move_to_per_channel_choices() -> None:
    first = Citizen.objects.create(full_name="Nguyễn Văn An", personal_id="051085000001")
    second = Citizen.objects.create(full_name="Trần Thị Bình", personal_id="051185000002")
    executor = _migrate(BEFORE)  # also takes the Zalo app's tables down (they depend on 0008)
    try:
        old = executor.loader.project_state(BEFORE).apps.get_model("notify", "Preference")
        old.objects.create(citizen_id=first.pk, sms=False, email=True, unsubscribed=True)
        old.objects.create(citizen_id=second.pk, sms=True, email=False)

        executor = _migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps.get_model("notify", "Preference")
        chosen = {row.citizen_id: (row.channels, row.unsubscribed) for row in new.objects.all()}
        assert chosen == {
            first.pk: ({"sms": False, "email": True}, True),
            second.pk: ({"sms": True, "email": False}, False),
        }
        new.objects.filter(citizen_id=second.pk).update(
            channels={"sms": False, "email": True, "zalo": True}
        )

        executor = _migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps.get_model("notify", "Preference")
        back = {row.citizen_id: (row.sms, row.email) for row in old.objects.all()}
        assert back == {first.pk: (False, True), second.pk: (False, True)}
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
