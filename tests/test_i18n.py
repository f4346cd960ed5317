"""English and Swedish: how the language is chosen and remembered, translated labels and
messages, and dates in the company's time zone."""

from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from reports_admin.labels import readable_label
from reports_admin.templatetags.local_time import local_datetime, weblink_datetime
from reports_admin.weblink.errors import RateLimited, TokenRejected

pytestmark = pytest.mark.usefixtures("swedish_catalogue")


@pytest.mark.django_db
def test_the_browser_language_is_used_until_one_is_chosen(client):
    page = client.get(reverse("login"), headers={"accept-language": "sv,en;q=0.5"})
    assert '<html lang="sv">' in page.content.decode()
    assert "Logga in" in page.content.decode()
    page = client.get(reverse("login"), headers={"accept-language": "de"})
    assert '<html lang="en">' in page.content.decode()


@pytest.mark.django_db
def test_the_switcher_needs_no_sign_in_and_remembers_the_choice(client):
    response = client.post(reverse("set_language"), {"language": "sv", "next": "/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "sv"
    assert cookie["max-age"] == 365 * 24 * 3600
    assert cookie["httponly"]
    # The cookie wins over the browser's language.
    page = client.get(reverse("login"), headers={"accept-language": "en"})
    assert '<html lang="sv">' in page.content.decode()


@pytest.mark.django_db
def test_the_switcher_refuses_get(client):
    assert client.get(reverse("set_language"), {"language": "sv"}).status_code == 405


@pytest.mark.django_db
def test_the_navigation_offers_both_languages_each_in_itself(client_signed_in):
    html = client_signed_in.get(
        reverse("reports:types", args=["demo"]), headers={"accept-language": "sv"}
    )
    html = html.content.decode()
    assert 'value="sv" lang="sv"' in html and 'aria-current="true">Svenska</button>' in html
    assert 'value="en" lang="en"' in html and ">English</button>" in html
    assert html.count('aria-current="true"') == 1


@pytest.mark.parametrize(
    ("key", "english", "swedish"),
    [
        ("email", "Recipients", "Mottagare"),
        ("format", "Format", "Format"),
        ("option", "Report content", "Rapportinnehåll"),
        ("only_when_data", "Only when there is data", "Bara när det finns data"),
        ("report_language", "Report language", "Rapportens språk"),
        ("queue_id", "Queue", "Kö"),
        ("user_id", "User", "Användare"),
        ("destination_id", "Destination", "Destination"),
        ("missedCalls", "Missed calls", "Missade samtal"),
        ("queueRapportPerDay", "Queue report per day", "Körapport per dag"),
        ("memberRapportPerHour", "Queue member report per hour", "Rapport per kömedlem och timme"),
        ("summary", "Summary", "Sammanfattning"),
        ("perHour", "Per hour", "Per timme"),
        ("perDay", "Per day", "Per dag"),
        ("all", "All", "Alla"),
        ("completed", "Completed", "Genomförda"),
        ("failed", "Failed", "Misslyckade"),
        # Keys nobody told us about are spelled out, the same in both languages.
        ("target_seconds", "Target seconds", "Target seconds"),
        ("pdf", "PDF", "PDF"),
    ],
)
def test_readable_labels_in_both_languages(key, english, swedish):
    with translation.override("en"):
        assert readable_label(key) == english
    with translation.override("sv"):
        assert readable_label(key) == swedish


def test_error_messages_are_in_the_language_of_the_request():
    with translation.override("sv"):
        assert TokenRejected().message == "Weblink godtog inte den sparade token. Anslut igen."
        assert "Vänta 1 sekund " in RateLimited(retry_after=0.2).message
        assert "Vänta 30 sekunder " in RateLimited(retry_after=30).message
    with translation.override("en"):
        assert "Wait 30 seconds " in RateLimited(retry_after=30).message


def test_weblink_timestamps_are_stockholm_time():
    parsed = weblink_datetime("2024-09-02 14:26:51")
    assert parsed.astimezone(UTC) == datetime(2024, 9, 2, 12, 26, 51, tzinfo=UTC)
    # Winter time: one hour ahead of UTC, not two.
    assert weblink_datetime("2024-12-02 14:26:51").astimezone(UTC).hour == 13
    assert weblink_datetime("yesterday") is None
    assert weblink_datetime(None) is None


def test_dates_follow_the_language_and_the_company_time_zone(settings):
    with translation.override("sv"):
        assert local_datetime("2024-09-02 14:26:51") == "2 september 2024 14:26"
        assert local_datetime("2024-09-02 14:26:51", "DATE_FORMAT") == "2 september 2024"
    with translation.override("en"):
        assert local_datetime("2024-09-02 14:26:51") == "Sept. 2, 2024, 2:26 p.m."
    settings.TIME_ZONE = "Europe/London"
    with translation.override("sv"):
        assert local_datetime("2024-09-02 14:26:51") == "2 september 2024 13:26"
        assert local_datetime(datetime(2024, 9, 2, 12, 0, tzinfo=UTC)) == "2 september 2024 13:00"
    assert local_datetime("not a date") == "not a date"
    assert local_datetime(None) == ""


def test_the_filter_in_a_template():
    template = Template("{% load local_time %}{{ added|local_datetime|default:'—' }}")
    with translation.override("sv"):
        assert (
            template.render(Context({"added": "2024-09-02 14:26:51"})) == "2 september 2024 14:26"
        )
        assert template.render(Context({"added": None})) == "—"
