"""What the report form posts, for the tests that post it."""


def form_data(**changes) -> dict:
    """A complete, valid create form for report type 1 (Queue - Missed); a change to None
    leaves that field out."""
    data = {
        "name": "Missed calls, Support",
        "description": "For the team leads",
        "interval": "day",
        "active": "on",
        "report_type": "1",
        "arg-format": "xlsx",
        "arg-email": "lead@example.com\nboss@example.com",
        "arg-queue_id": "1104",
        "arg-option": "missedCalls",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}
