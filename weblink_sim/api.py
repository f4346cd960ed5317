"""The Weblink API itself: its routes, and what each one answers.

Nothing here knows about sockets: a handler takes an :class:`ApiRequest` and returns a
:class:`JsonAnswer` or a :class:`~weblink_sim.report_files.ReportFile`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from weblink_sim import auth, report_files, seed, validation
from weblink_sim.faults import HOSTILE_TEXT
from weblink_sim.report_files import ReportFile
from weblink_sim.validation import ApiError

if TYPE_CHECKING:
    from weblink_sim.server import Simulator

DEFAULT_LIMIT = 25
ENDLESS_COUNT = 1_000_000_000  # the count the endless_list fault claims


@dataclass(frozen=True)
class ApiRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # names in lower case
    body: bytes

    def json(self) -> object:
        """The body parsed as JSON; a 400 answer when it is not JSON."""
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            raise ApiError(400, "The body is not valid JSON.") from None

    def fields(self) -> dict:
        """The body's fields, sent as JSON or form-encoded (sign-in takes both)."""
        content_type = self.headers.get("content-type", "")
        if "application/x-www-form-urlencoded" in content_type:
            form = parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
            return {name: values[-1] for name, values in form.items()}
        body = self.json()
        if not isinstance(body, dict):
            raise ApiError(400, "The body must be a JSON object or a form.")
        return body

    def bearer_token(self) -> str | None:
        scheme, _, token = self.headers.get("authorization", "").partition(" ")
        return token.strip() if scheme.lower() == "bearer" and token.strip() else None


@dataclass
class JsonAnswer:
    status: int
    body: object
    headers: dict[str, str] = field(default_factory=dict)


Answer = JsonAnswer | ReportFile
Handler = Callable[..., Answer]


# Handlers -----------------------------------------------------------------------------------


def sign_in(sim: Simulator, request: ApiRequest) -> Answer:
    return JsonAnswer(200, auth.sign_in(sim.tokens, request.fields()))


def _hostile(sim: Simulator, items: list[dict], **texts: str) -> list[dict]:
    """``items`` as they are, or with each named text set (``=``) or suffixed (``+``) with the
    hostile text when the ``hostile_texts`` fault is on."""
    if not sim.faults.hostile_texts:
        return items
    changed = []
    for item in items:
        item = dict(item)
        for name, how in texts.items():
            before = item.get(name) or ""
            item[name] = HOSTILE_TEXT if how == "=" else f"{before} {HOSTILE_TEXT}"
        changed.append(item)
    return changed


def report_types(sim: Simulator, request: ApiRequest) -> Answer:
    return JsonAnswer(200, _hostile(sim, list(seed.REPORT_TYPES), name="+", description="="))


def argument_fields(sim: Simulator, request: ApiRequest) -> Answer:
    fields = {
        key: _hostile(sim, values, description="=") for key, values in seed.ARGUMENT_FIELDS.items()
    }
    return JsonAnswer(200, fields)


def option_list(name: str) -> Handler:
    """The handler for one of the company's option lists."""

    def handler(sim: Simulator, request: ApiRequest) -> Answer:
        return JsonAnswer(200, _hostile(sim, list(sim.state.option_lists[name]), name="+"))

    return handler


def _query_number(request: ApiRequest, name: str, default: int) -> int:
    value = request.query.get(name)
    if value is None:
        return default
    if not value.isdigit():
        raise validation.invalid({name: ["Must be a whole number, 0 or more."]})
    return int(value)


def report_list(sim: Simulator, request: ApiRequest) -> Answer:
    limit = _query_number(request, "limit", DEFAULT_LIMIT)
    limit_from = _query_number(request, "limit_from", 0)
    cap = sim.faults.list_page_cap
    if cap is not None:
        limit = min(limit, cap)
    if sim.faults.take_create_during_list():
        _create_during_list(sim)
    if sim.faults.endless_list:
        # A count that never ends, and pages that never advance.
        _count, reports = sim.state.page(limit=limit, limit_from=0)
        count = ENDLESS_COUNT
    else:
        count, reports = sim.state.page(limit=limit, limit_from=limit_from)
    reports = _hostile(sim, reports, name="+", description="=")
    # As in the vendor's example: the count is a string, limit and limit_from are numbers.
    return JsonAnswer(
        200, {"count": str(count), "limit": limit, "limit_from": limit_from, "reports": reports}
    )


def _create_during_list(sim: Simulator) -> None:
    """The ``create_during_list`` fault: a copy of the first report, as if someone created it
    on Weblink's portal while the list was being read."""
    original = next(iter(sim.state.reports), None)
    if original is None:
        return
    fields = {
        "name": "Created during the read",
        "description": original.description,
        "interval": original.interval,
        "active": original.active,
        "email_link_only": original.email_link_only,
    }
    sim.state.create_report(fields, original.report_type_id, original.pairs())


def report_create(sim: Simulator, request: ApiRequest) -> Answer:
    fields, report_type_id, arguments = validation.parse_report_create(
        request.json(), sim.state.option_lists
    )
    return JsonAnswer(200, {"id": sim.state.create_report(fields, report_type_id, arguments)})


def report_update(sim: Simulator, request: ApiRequest, report_id: str) -> Answer:
    changes = validation.parse_report_update(request.json())
    sim.state.update_report(report_id, changes)
    return JsonAnswer(200, [])


def report_delete(sim: Simulator, request: ApiRequest, report_id: str) -> Answer:
    sim.state.delete_report(report_id)
    return JsonAnswer(200, [])


def argument_add(sim: Simulator, request: ApiRequest, report_id: str) -> Answer:
    key, value = validation.parse_argument(request.json())
    return JsonAnswer(200, {"id": sim.state.add_argument(report_id, key, value)})


def argument_update(
    sim: Simulator, request: ApiRequest, report_id: str, argument_id: str
) -> Answer:
    key, value = validation.parse_argument(request.json())
    sim.state.update_argument(report_id, argument_id, key, value)
    return JsonAnswer(200, [])


def argument_delete(
    sim: Simulator, request: ApiRequest, report_id: str, argument_id: str
) -> Answer:
    sim.state.delete_argument(report_id, argument_id)
    return JsonAnswer(200, [])


def report_send(sim: Simulator, request: ApiRequest, report_id: str) -> Answer:
    sim.state.send_report(report_id)
    return JsonAnswer(200, [])


def report_download(sim: Simulator, request: ApiRequest, file_format: str) -> Answer:
    if file_format not in seed.FORMATS:
        raise validation.invalid({"format": [f"Must be one of: {', '.join(seed.FORMATS)}."]})
    interval, report_type_id, arguments = validation.parse_download(
        request.json(), sim.state.option_lists
    )
    return report_files.render(
        file_format,
        report_type=validation.report_type(report_type_id),
        interval=interval,
        arguments=arguments,
        rows=sim.settings.download_rows,
    )


# Routing ------------------------------------------------------------------------------------

_REPORT = r"/company/report/(?P<report_id>\d+)"
_ARGUMENT = _REPORT + r"/argument/(?P<argument_id>\d+)"

# (path pattern, {method: handler}); every route but sign-in needs a bearer token.
ROUTES: list[tuple[re.Pattern, dict[str, Handler]]] = [
    (re.compile(pattern), methods)
    for pattern, methods in (
        (r"/oauth2/user-credentials", {"POST": sign_in}),
        (r"/company/report/type", {"GET": report_types}),
        (r"/company/report/argument/fields", {"GET": argument_fields}),
        (r"/company/queue", {"GET": option_list("pbx_queue")}),
        (r"/company/user", {"GET": option_list("pbx_user")}),
        (r"/company/callback/destination", {"GET": option_list("pbx_app_callback_destination")}),
        (r"/company/report", {"GET": report_list, "POST": report_create}),
        (_REPORT, {"PATCH": report_update, "DELETE": report_delete}),
        (_REPORT + r"/argument", {"POST": argument_add}),
        (_ARGUMENT, {"PATCH": argument_update, "DELETE": argument_delete}),
        (_REPORT + r"/send", {"GET": report_send}),
        (r"/company/report/download/(?P<file_format>[^/]+)", {"POST": report_download}),
    )
]


def dispatch(sim: Simulator, request: ApiRequest) -> Answer:
    """The answer to one API request: routing, the bearer token, then the handler."""
    route = _route(request.path)
    if route is None:
        return JsonAnswer(404, {"message": "Not found."})
    methods, params = route
    handler = methods.get(request.method)
    if handler is None:
        allowed = ", ".join(sorted(methods))
        return JsonAnswer(405, {"message": "Method not allowed."}, {"Allow": allowed})
    if handler is not sign_in and not _authorised(sim, request):
        return JsonAnswer(
            401,
            {
                "message": "The access token is missing, invalid or expired.",
                "error": "invalid_token",
            },
            {"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    try:
        return handler(sim, request, **params)
    except ApiError as failure:
        body = failure.body()
        if sim.faults.hostile_texts:
            body["message"] = HOSTILE_TEXT
            if isinstance(body.get("errors"), dict):
                body["errors"] = {key: [HOSTILE_TEXT] for key in body["errors"]}
        return JsonAnswer(failure.status, body)


def _route(path: str) -> tuple[dict[str, Handler], dict[str, str]] | None:
    """The handlers of the route matching ``path`` and the ids in it."""
    for pattern, methods in ROUTES:
        match = pattern.fullmatch(path)
        if match:
            return methods, match.groupdict()
    return None


def _authorised(sim: Simulator, request: ApiRequest) -> bool:
    token = request.bearer_token()
    if token is None or sim.faults.tokens_expired:
        return False
    return sim.tokens.user_for(token) is not None
