"""The hidden fields that tell which version of a report an edit or delete page showed."""


def shown_version(client, url):
    """The hidden fields of the edit or delete page at ``url`` (GET): post them with the form."""
    version = client.get(url).context["version"]
    return {"fingerprint": version.fingerprint, "shown": version.shown}
