"""A stand-in for the Weblink NGUC API, for development, demos and tests.

It follows ../shared/weblink/API.md and is never imported by ``reports_admin``.
"""
