"""Report packs as the tests write them by hand."""


def report_pack(*names: str, **changes) -> dict:
    """A pack of queue reports named ``names`` (one, "Imported queue report", by default),
    each with ``changes`` to its keys."""
    report = {
        "description": "",
        "interval": "day",
        "active": True,
        "email_link_only": False,
        "type": {"id": "1", "name": "Queue - Missed"},
        "arguments": [
            {"key": "format", "value": "csv"},
            {"key": "email", "value": "boss@example.com"},
            {"key": "queue_id", "value": "1101", "option": "Kundtjänst"},
        ],
    }
    return {
        "format": "weblink-report-pack",
        "version": 1,
        "company": "demo",
        "exported_at": "2026-11-29T00:00:00+00:00",
        "reports": [
            {**report, "name": name, **changes} for name in names or ["Imported queue report"]
        ],
    }
