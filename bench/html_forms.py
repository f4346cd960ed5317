"""The values a browser would submit for each form of a page, read with html.parser."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

# Inputs a browser leaves out unless they were clicked (or, for files, filled in).
_NOT_SUBMITTED = {"submit", "button", "image", "reset", "file"}


@dataclass
class Form:
    """One form: where it posts and its successful controls, in page order."""

    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)

    def names(self) -> set[str]:
        return {name for name, _ in self.fields}

    def value(self, name: str) -> str:
        """The first value of ``name`` (KeyError when the form has none)."""
        return next(value for key, value in self.fields if key == name)

    def replace(self, name: str, value: str) -> None:
        """Submit ``value`` as the only value of ``name``."""
        self.fields = [(key, old) for key, old in self.fields if key != name] + [(name, value)]


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        # The select being read: its name, whether it takes several values, its options.
        self._select: tuple[str, bool, list[tuple[str, bool]]] | None = None
        self._option: tuple[str | None, bool, list[str]] | None = None
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._form = Form(a.get("action", ""), a.get("method", "get").lower())
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = a.get("name", "")
        usable = bool(name) and "disabled" not in a
        if tag == "input" and usable:
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form.fields.append((name, a.get("value", "on")))
            elif kind not in _NOT_SUBMITTED:
                self._form.fields.append((name, a.get("value", "")))
        elif tag == "select":
            self._select = (name, "multiple" in a, []) if usable else None
        elif tag == "option" and self._select is not None:
            self._finish_option()
            self._option = (a.get("value"), "selected" in a, [])
        elif tag == "textarea" and usable:
            self._textarea = (name, [])

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option[2].append(data)
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "option":
            self._finish_option()
        elif tag == "select" and self._select is not None and self._form is not None:
            self._finish_option()
            name, multiple, options = self._select
            chosen = [value for value, selected in options if selected]
            if not chosen and not multiple and options:
                chosen = [options[0][0]]  # a single select submits its first option by default
            self._form.fields.extend((name, value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            name, parts = self._textarea
            # Browsers drop one newline right after <textarea>.
            self._form.fields.append((name, "".join(parts).removeprefix("\n")))
            self._textarea = None

    def _finish_option(self) -> None:
        if self._option is not None and self._select is not None:
            value, selected, text = self._option
            self._select[2].append(
                (value if value is not None else "".join(text).strip(), selected)
            )
        self._option = None


def page_forms(html: str) -> list[Form]:
    """Every form of the page with the values a browser would send (no button pressed)."""
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.forms


def form_with(html: str, *names: str) -> Form:
    """The page's first form that has all of ``names``; LookupError when none has."""
    for form in page_forms(html):
        if set(names) <= form.names():
            return form
    raise LookupError(f"No form on the page has the fields {', '.join(names)}.")
