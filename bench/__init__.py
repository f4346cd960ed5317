"""`make bench`: what the dashboard costs on top of the Weblink API, measured side by side."""
