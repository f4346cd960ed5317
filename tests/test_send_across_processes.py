"""Send now's one-time key holds across processes: two gunicorn instances on one Redis.

The same confirmation is posted to both instances at once; Weblink must be asked once. The
cool-off is switched off so that the one-time key alone has to hold the second post back.
"""

import os
import threading

import pytest
import redis

from bench.clients import DashboardClient, SimulatorClient
from bench.servers import Stack

REDIS_URL = "redis://127.0.0.1:6379/14"
REPORT_ID = "2583"  # the simulator's first seeded report


@pytest.fixture
def redis_url() -> str:
    """An empty Redis database of this test's own; skipped on a laptop without Redis."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=3).flushdb()
    except redis.RedisError as error:
        reason = f"Redis does not answer on 127.0.0.1:6379 ({error.__class__.__name__})"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return REDIS_URL


def test_one_confirmation_posted_to_two_instances_sends_once(redis_url):
    with Stack(env={"CACHE_URL": redis_url, "SEND_COOLOFF_SECONDS": "0"}) as stack:
        simulator = SimulatorClient(stack.start_simulator())
        stack.prepare_dashboard()
        first = stack.start_dashboard(workers=1, threads=4)
        second = stack.start_dashboard(workers=1, threads=4)

        person = DashboardClient(first.url)
        person.sign_in()
        form = person.form(f"/c/demo/reports/{REPORT_ID}/send/", "key")
        # The same person (same session cookie) on the other instance, as after a failover.
        elsewhere = person.copy()
        elsewhere.url = second.url

        start = threading.Barrier(2)
        answers = {}

        def post(client: DashboardClient) -> None:
            start.wait(timeout=10)
            answers[client.url] = client.post(f"/c/demo/reports/{REPORT_ID}/send/", form.fields)

        threads = [threading.Thread(target=post, args=(c,)) for c in (person, elsewhere)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        assert sorted(response.status_code for response in answers.values()) == [302, 302]
        assert simulator.stats()["sent"] == 1

        # The messages: one instance sent it, the other refused the used confirmation.
        shown = [
            client.page(answers[client.url].headers["Location"]) for client in (person, elsewhere)
        ]
        assert sum("Sent to" in page for page in shown) == 1
        assert sum("This confirmation was used already" in page for page in shown) == 1
