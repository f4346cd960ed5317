"""The migrations to several connections per person: one connection of before carries over as
it is, its token still readable, and the activity of before gets its company."""

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from reports_admin.activity.models import Activity
from reports_admin.connection.models import WeblinkConnection

BEFORE = [("reports_admin", "0009_activity_previewed")]


@pytest.mark.django_db(transaction=True)
def test_one_connection_carries_over_and_still_decrypts():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    app_label, model_name = settings.AUTH_USER_MODEL.split(".")
    one = old.get_model(app_label, model_name).objects.create(username="one")
    two = old.get_model(app_label, model_name).objects.create(username="two")
    old_connection = old.get_model("reports_admin", "WeblinkConnection")(
        user_id=one.pk, company="acme", username="admin"
    )
    # The field encrypts as today's does, bound to the owner and the company.
    old_connection.access_token = "token-of-before"
    old_connection.save()
    old_activity = old.get_model("reports_admin", "Activity")
    old_activity.objects.create(user_id=one.pk, username="one", action="sent", outcome="accepted")
    old_activity.objects.create(user_id=two.pk, username="two", action="sent", outcome="accepted")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    carried = WeblinkConnection.objects.get()
    assert (carried.user_id, carried.company, carried.username) == (one.pk, "acme", "admin")
    assert carried.access_token == "token-of-before"
    assert not carried.token_unreadable
    companies = dict(Activity.objects.values_list("username", "company"))
    # Two had no connection: their entry's company is not guessed.
    assert companies == {"one": "acme", "two": ""}
