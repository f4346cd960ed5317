"""The person's Weblink connection is read from the database once per request, however many
parts of a page (the layout, the view, the services) use it."""

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db

CONNECTION_TABLE = "reports_admin_weblinkconnection"


def connection_reads(queries):
    """Queries that read the connection itself (a join through it, for a company, does not)."""
    return [q["sql"] for q in queries if f'FROM "{CONNECTION_TABLE}"' in q["sql"]]


def warm_page_queries(client, url):
    """The queries of the second of two GETs of ``url`` (caches warm, session settled)."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(db_connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response, captured.captured_queries


def test_a_warm_new_report_page_reads_the_connection_once(client_connected, simulator):
    response, queries = warm_page_queries(
        client_connected, reverse("reports:create", args=["demo"])
    )

    # The page did use the connection: in the layout's badge and for the form's metadata.
    assert response.context["weblink_connection"] is not None
    assert response.context["form"] is not None
    assert "Connected" in response.content.decode()
    assert len(connection_reads(queries)) == 1, connection_reads(queries)


def test_a_warm_report_list_reads_the_connection_once(client_connected, simulator):
    response, queries = warm_page_queries(client_connected, reverse("reports:list", args=["demo"]))

    assert response.context["weblink_connection"] is not None
    assert len(response.context["rows"]) > 0
    assert len(connection_reads(queries)) == 1, connection_reads(queries)
    # The "Last sent" column of every row: one query for the page.
    activity_reads = [q["sql"] for q in queries if "reports_admin_activity" in q["sql"]]
    assert len(activity_reads) == 1, activity_reads


def test_an_edit_page_reads_the_connection_once(client_connected, simulator):
    url = reverse("reports:edit", args=["demo", simulator.state.reports[0].id])
    response, queries = warm_page_queries(client_connected, url)

    assert response.context["report"].id == simulator.state.reports[0].id
    assert len(connection_reads(queries)) == 1, connection_reads(queries)
