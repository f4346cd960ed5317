"""The simulator serving several companies at once, over real HTTP: each company signs in with
its own accounts, and a token acts on its own company's reports, lists and sends only."""

import csv
import io
import json
import time

import pytest
import requests

from tests.test_weblink_sim import ADMIN, NEW_REPORT, Api, sign_in, start_command, stop_command
from weblink_sim import seed
from weblink_sim.auth import Grant
from weblink_sim.server import Simulator
from weblink_sim.validation import check_arguments

HAMNEN_ADMIN = {**ADMIN, "client_id": "external.hamnen", "password": "hamnen"}
HAMNEN_ONLY = "2616"  # a report of hamnen's; demo has no report with this id
SHARED_ID = "2605"  # a report in each company, each its own


@pytest.fixture
def demo(simulator):
    client = Api(simulator.base_url, simulator.issue_token())
    yield client
    client.session.close()


@pytest.fixture
def hamnen(simulator):
    client = Api(simulator.base_url, simulator.issue_token(company="hamnen"))
    yield client
    client.session.close()


def listed(api: Api) -> list[dict]:
    body = api("GET", "/company/report", params={"limit": 1000}).json()
    assert int(body["count"]) == len(body["reports"])
    return body["reports"]


def everything(simulator: Simulator) -> dict:
    """Every company's reports and sends, to compare before and after."""
    return {name: (company.reports, company.sent) for name, company in simulator.companies.items()}


# The seed ------------------------------------------------------------------------------------


def test_the_second_company_differs_from_the_first_and_shares_some_queue_names():
    demo, hamnen = seed.DEMO, seed.HAMNEN
    for kind in ("pbx_queue", "pbx_user", "pbx_app_callback_destination"):
        demo_ids = {item["name"]: item["id"] for item in demo.option_lists[kind]}
        hamnen_ids = {item["name"]: item["id"] for item in hamnen.option_lists[kind]}
        shared = demo_ids.keys() & hamnen_ids.keys()
        # Some names in both, each with another id; others in one company only.
        assert shared, kind
        assert all(demo_ids[name] != hamnen_ids[name] for name in shared), kind
        assert hamnen_ids.keys() - demo_ids.keys(), kind
        assert not set(demo_ids.values()) & set(hamnen_ids.values()), kind
    assert "Kundtjänst" in {q["name"] for q in hamnen.option_lists["pbx_queue"]}
    assert seed.COMPANIES[0] is demo and demo.name == seed.COMPANY == "demo"
    assert [c.name for c in seed.COMPANIES] == ["demo", "hamnen"]


def test_every_seeded_report_is_valid_in_its_own_company():
    for company in seed.COMPANIES:
        for report in company.reports:
            type_id, arguments = report[2], report[-1]
            check_arguments(type_id, arguments, company.option_lists)


def test_report_ids_overlap_in_part_between_the_companies():
    sim = Simulator()
    demo_ids = {r.id for r in sim.state.reports}
    hamnen_ids = {r.id for r in sim.company("hamnen").reports}

    assert len(demo_ids) == 30 and len(hamnen_ids) == 12
    assert SHARED_ID in demo_ids & hamnen_ids
    assert HAMNEN_ONLY in hamnen_ids - demo_ids
    assert sim.state.report(SHARED_ID).name != sim.company("hamnen").report(SHARED_ID).name


def test_an_unknown_company_name_is_a_clear_error():
    with pytest.raises(KeyError, match="no company 'nowhere'"):
        Simulator().company("nowhere")


# Sign-in -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        (HAMNEN_ADMIN, 200),
        ({**HAMNEN_ADMIN, "username": "secure", "tfa": "654321"}, 200),
        # Each company's accounts are its own: demo's password and code do not open hamnen.
        ({**HAMNEN_ADMIN, "password": "demo"}, 401),
        ({**ADMIN, "password": "hamnen"}, 401),
        ({**HAMNEN_ADMIN, "username": "secure", "tfa": "123456"}, 402),
        ({**HAMNEN_ADMIN, "client_id": "hamnen"}, 401),
        ({**HAMNEN_ADMIN, "client_id": "external.nowhere"}, 401),
    ],
)
def test_each_company_signs_in_with_its_own_accounts(simulator, fields, status):
    response = sign_in(simulator, **fields)

    assert response.status_code == status, response.text
    assert ("access_token" in response.json()) == (status == 200)


def test_a_sign_in_gives_a_token_of_the_company_it_names(simulator):
    grant = sign_in(simulator, **HAMNEN_ADMIN).json()
    api = Api(simulator.base_url, grant["access_token"])

    names = [r["name"] for r in listed(api)]
    api.session.close()

    assert simulator.tokens.grant_for(grant["access_token"]) == Grant("hamnen", "admin")
    assert names == [r.name for r in simulator.company("hamnen").reports]


def test_a_refresh_token_renews_only_at_its_own_company(simulator):
    grant = sign_in(simulator, **HAMNEN_ADMIN).json()
    refresh = {"grant_type": "refresh_token", "refresh_token": grant["refresh_token"]}

    elsewhere = sign_in(simulator, **refresh, client_id="external.demo")
    renewed = sign_in(simulator, **refresh, client_id="external.hamnen")

    assert elsewhere.status_code == 401
    assert renewed.status_code == 200  # refused at demo, it was not used up
    assert simulator.tokens.grant_for(renewed.json()["access_token"]).company == "hamnen"


# Each token on its own company ------------------------------------------------------------


def test_each_company_sees_only_its_own_reports_and_lists(demo, hamnen, simulator):
    demo_reports, hamnen_reports = listed(demo), listed(hamnen)
    demo_queues = demo("GET", "/company/queue").json()
    hamnen_queues = hamnen("GET", "/company/queue").json()

    assert [r["id"] for r in demo_reports] == [r.id for r in simulator.state.reports]
    assert [r["id"] for r in hamnen_reports] == [r.id for r in simulator.company("hamnen").reports]
    shared = next(r for r in hamnen_reports if r["id"] == SHARED_ID)
    assert shared["name"] == simulator.company("hamnen").report(SHARED_ID).name
    assert shared not in demo_reports
    assert demo_queues == list(seed.QUEUES)
    assert hamnen_queues == list(seed.HAMNEN_QUEUES)
    assert hamnen("GET", "/company/user").json() == list(seed.HAMNEN_USERS)
    # The report types and fields are Weblink's, the same for every company.
    assert (
        hamnen("GET", "/company/report/type").json() == demo("GET", "/company/report/type").json()
    )


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PATCH", f"/company/report/{HAMNEN_ONLY}", {"name": "Taken over"}),
        ("DELETE", f"/company/report/{HAMNEN_ONLY}", None),
        ("POST", f"/company/report/{HAMNEN_ONLY}/argument", {"key": "email", "value": "x@y.se"}),
        ("GET", f"/company/report/{HAMNEN_ONLY}/send", None),
    ],
)
def test_a_token_of_one_company_cannot_touch_anothers_report(demo, simulator, method, path, body):
    before = everything(simulator)
    argument = simulator.company("hamnen").report(HAMNEN_ONLY).arguments[0].id

    response = demo(method, path, json=body)
    argument_change = demo(
        "PATCH",
        f"/company/report/{HAMNEN_ONLY}/argument/{argument}",
        json={"key": "format", "value": "csv"},
    )

    assert response.status_code == 404
    assert argument_change.status_code == 404
    assert HAMNEN_ONLY not in [r["id"] for r in listed(demo)]
    assert everything(simulator) == before


def test_the_same_id_names_each_companys_own_report(demo, hamnen, simulator):
    demo_before = simulator.state.report(SHARED_ID)

    renamed = hamnen("PATCH", f"/company/report/{SHARED_ID}", json={"name": "Hamnens egen"})
    sent = hamnen("GET", f"/company/report/{SHARED_ID}/send")

    assert renamed.status_code == 200 and sent.status_code == 200
    assert simulator.company("hamnen").report(SHARED_ID).name == "Hamnens egen"
    assert simulator.state.report(SHARED_ID) == demo_before
    assert simulator.state.sent == []
    [hamnen_sent] = simulator.company("hamnen").sent
    assert hamnen_sent.recipients == tuple(
        simulator.company("hamnen").report(SHARED_ID).values("email")
    )
    assert [r["name"] for r in listed(demo) if r["id"] == SHARED_ID] == [demo_before.name]


def test_creating_in_one_company_leaves_the_other_unchanged(demo, hamnen, simulator):
    demo_before = simulator.state.reports
    body = {
        **NEW_REPORT,
        "name": "Ny i hamnen",
        "arguments": [*NEW_REPORT["arguments"], {"key": "queue_id", "value": "4103"}],
    }

    created = hamnen("POST", "/company/report", json=body)
    hamnen_after = simulator.company("hamnen").reports
    in_demo = demo("POST", "/company/report", json={**NEW_REPORT, "name": "Ny i demo"})

    assert created.json() == {"id": "2617"}  # after hamnen's own last id
    assert simulator.state.reports[:-1] == demo_before
    assert in_demo.json() == {"id": "2613"}  # demo's next id, whatever hamnen created
    assert simulator.company("hamnen").reports == hamnen_after
    assert simulator.company("hamnen").report("2613").name != "Ny i demo"
    assert [r["name"] for r in listed(hamnen)][-1] == "Ny i hamnen"
    assert "Ny i hamnen" not in [r["name"] for r in listed(demo)]


def test_queues_users_and_destinations_are_checked_against_the_companys_own(hamnen, simulator):
    demo_queue = {"key": "queue_id", "value": "1101"}  # Kundtjänst in demo; 4101 in hamnen
    body = {**NEW_REPORT, "arguments": [*NEW_REPORT["arguments"], demo_queue]}
    download = {"interval": "day", "report_type_id": "1", "arguments": body["arguments"]}
    own = [*NEW_REPORT["arguments"], {"key": "queue_id", "value": "4103"}]

    queue_argument = next(
        a for a in simulator.company("hamnen").report(SHARED_ID).arguments if a.key == "queue_id"
    )

    create = hamnen("POST", "/company/report", json=body)
    change = hamnen(
        "PATCH", f"/company/report/{SHARED_ID}/argument/{queue_argument.id}", json=demo_queue
    )
    refused_download = hamnen("POST", "/company/report/download/csv", json=download)
    own_download = hamnen(
        "POST", "/company/report/download/csv", json={**download, "arguments": own}
    )

    for response in (create, change, refused_download):
        assert response.status_code == 400
        assert response.json()["errors"]["queue_id"] == ["No such item in the company."]
    assert len(simulator.company("hamnen").reports) == 12
    assert simulator.company("hamnen").report(SHARED_ID).values("queue_id") == ["4101"]
    rows = list(csv.reader(io.StringIO(own_download.content.decode("utf-8-sig"))))
    assert {row[1] for row in rows[1:] if len(row) > 1} == {"Uthyrning"}  # hamnen's queue 4103


def test_the_request_log_names_each_requests_company(demo, hamnen, simulator):
    simulator.log.clear()

    demo("GET", "/company/report")
    hamnen("GET", "/company/queue")
    sign_in(simulator, **HAMNEN_ADMIN)
    requests.get(simulator.base_url + "/company/report", timeout=10)  # no token

    assert [(r.path, r.company) for r in simulator.requests] == [
        ("/company/report", "demo"),
        ("/company/queue", "hamnen"),
        ("/oauth2/user-credentials", "hamnen"),
        ("/company/report", None),
    ]


# Faults and control endpoints -----------------------------------------------------------------


def test_faults_for_one_company_spare_the_others(demo, hamnen, simulator):
    simulator.faults.configure({"status": 503, "company": "hamnen"})

    hamnen_list = hamnen("GET", "/company/report")
    hamnen_sign_in = sign_in(simulator, **HAMNEN_ADMIN)
    demo_list = demo("GET", "/company/report")
    demo_sign_in = sign_in(simulator, **ADMIN)
    simulator.faults.configure({"tokens_expired": True, "company": "hamnen"})
    hamnen_expired = hamnen("GET", "/company/report/type")
    demo_working = demo("GET", "/company/report/type")

    assert hamnen_list.status_code == 503 and hamnen_sign_in.status_code == 503
    assert demo_list.status_code == 200 and demo_sign_in.status_code == 200
    assert hamnen_expired.status_code == 401 and demo_working.status_code == 200


def test_control_endpoints_reseed_and_count_each_company(demo, hamnen, simulator):
    control = simulator.base_url + "/_sim/"
    demo("PATCH", "/company/report/2583", json={"name": "Kept"})
    hamnen("DELETE", f"/company/report/{HAMNEN_ONLY}")
    hamnen("GET", f"/company/report/{SHARED_ID}/send")

    counts = requests.get(control + "companies", timeout=10).json()
    faults = requests.post(
        control + "faults", json={"latency": 0.5, "company": "hamnen"}, timeout=10
    )
    unknown = requests.post(control + "faults", json={"company": "nowhere"}, timeout=10)
    reseeded = requests.post(control + "reset", json={"company": "hamnen"}, timeout=10)
    bad_resets = [
        requests.post(control + "reset", json=body, timeout=10)
        for body in ({"company": "nowhere"}, {"company": ["hamnen"]}, {"colour": "red"})
    ]

    assert counts == {"demo": {"reports": 30, "sent": 0}, "hamnen": {"reports": 11, "sent": 1}}
    assert faults.json()["company"] == "hamnen"
    assert unknown.status_code == 400 and simulator.faults.latency == 0.5
    assert reseeded.json() == {"reset": True, "company": "hamnen"}
    assert [r.status_code for r in bad_resets] == [400, 400, 400]
    hamnen_now = simulator.company("hamnen")
    assert len(hamnen_now.reports) == 12 and hamnen_now.sent == []
    # Reseeding one company leaves the others, the faults and the logs as they were.
    assert simulator.state.report("2583").name == "Kept"
    assert simulator.faults.company == "hamnen"
    assert simulator.requests


# The state file ------------------------------------------------------------------------------


def test_a_state_file_keeps_every_company_and_its_tokens(tmp_path):
    state_file = tmp_path / "sim.json"
    first = Simulator(state_file=state_file)
    first.state.update_report("2583", {"name": "Demo kept"})
    hamnen = first.company("hamnen")
    hamnen.update_report(SHARED_ID, {"name": "Hamnen kept"})
    created = hamnen.create_report(
        {"interval": "day"}, "7", [("format", "csv"), ("email", "a@b.se")]
    )
    token = first.issue_token(company="hamnen")
    first.save()

    second = Simulator(state_file=state_file)
    url = second.start()
    try:
        api = Api(url, token)
        seen = {r["id"]: r["name"] for r in listed(api)}
        api.session.close()
    finally:
        second.stop()

    assert second.state.reports == first.state.reports
    assert second.company("hamnen").reports == hamnen.reports
    assert seen[SHARED_ID] == "Hamnen kept" and created in seen
    assert "Demo kept" not in seen.values()
    assert second.tokens.grant_for(token) == Grant("hamnen", "admin")
    # The next ids carry over too.
    assert second.company("hamnen").create_report({"interval": "day"}, "7", []) == "2618"


def test_a_state_file_of_one_company_still_loads(tmp_path):
    old = Simulator()
    old.state.update_report("2583", {"name": "From the old file"})
    expires_at = time.time() + 600
    # As the simulator wrote it when it had one company: its reports and bare user names.
    state_file = tmp_path / "old.json"
    state_file.write_text(
        json.dumps(
            {
                "company": old.state.dump(),
                "tokens": {
                    "access": {"old-access": ["admin", expires_at]},
                    "refresh": {"old-refresh": "admin"},
                },
            }
        ),
        encoding="utf-8",
    )

    sim = Simulator(state_file=state_file)

    assert sim.state.report("2583").name == "From the old file"
    assert sim.company("hamnen").reports == Simulator().company("hamnen").reports
    assert sim.tokens.grant_for("old-access") == Grant("demo", "admin")
    assert sim.tokens.use_refresh_token("old-refresh", "demo") == Grant("demo", "admin")


def test_a_state_file_with_a_company_the_simulator_lacks_loads_the_others(tmp_path):
    sim = Simulator()
    sim.state.update_report("2583", {"name": "Kept"})
    token = sim.issue_token(company="hamnen")
    state_file = tmp_path / "sim.json"
    sim.state_file = state_file
    sim.save()
    data = json.loads(state_file.read_text(encoding="utf-8"))
    data["companies"]["gone"] = data["companies"].pop("hamnen")
    data["tokens"]["access"][token]["company"] = "gone"
    state_file.write_text(json.dumps(data), encoding="utf-8")

    loaded = Simulator(state_file=state_file)
    url = loaded.start()
    try:
        # A token of a company the simulator no longer has is no longer valid.
        gone = Api(url, token)
        listing = gone("GET", "/company/report")
        gone.session.close()
    finally:
        loaded.stop()

    assert loaded.state.report("2583").name == "Kept"
    assert set(loaded.companies) == {"demo", "hamnen"}
    assert listing.status_code == 401
    assert [r.company for r in loaded.requests] == [None]


def test_management_command_names_every_companys_sign_in():
    process = start_command()
    try:
        url = process.stdout.readline().split()[-1]
        lines = [process.stdout.readline() for _ in seed.COMPANIES]
        signed_in = requests.post(url + "/oauth2/user-credentials", json=HAMNEN_ADMIN, timeout=10)
        rest = stop_command(process)
    finally:
        process.kill()
        process.stdout.close()

    assert "company demo, user admin, password demo;" in lines[0]
    assert "company hamnen, user admin, password hamnen;" in lines[1]
    assert "user secure, password hamnen, two-factor code 654321" in lines[1]
    assert signed_in.status_code == 200
    assert "Ctrl-C" in rest
