"""The downloadable report files: CSV, HTML, XLSX and PDF with call-statistics rows.

Rows are made lazily from a seeded random generator, so a file of any size is never held in
memory: CSV and HTML are written as they stream; XLSX and PDF go to a temporary file first
(their formats need the whole content before the end) and are then streamed from it.
"""

from __future__ import annotations

import csv
import html
import io
import itertools
import random
import re
import tempfile
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import IO

from weblink_sim.state import now_text
from weblink_sim.validation import OptionLists, fields_for_type

CHUNK_SIZE = 64 * 1024

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

_START = date(2024, 9, 2)


@dataclass
class ReportFile:
    """A file ready to stream; ``length`` is None when it is only known at the end."""

    content_type: str
    filename: str
    length: int | None
    chunks: Generator[bytes]  # close() it when done early, so a temporary file is deleted


@dataclass
class Table:
    """What every format shows: a title, a subtitle, column names and ``count`` rows.

    Rows come in blocks, so that a big file costs little to make: a few blocks of rows are
    drawn once (``variants``, the cells after the period), and each block of the file is one of
    them, drawn at random, under the next periods. A period is a prefix (a day, for hourly rows)
    and a suffix (the hour); a block covers whole prefixes, ``len(suffixes) * items`` rows each.
    """

    title: str
    subtitle: str
    header: tuple[str, ...]
    count: int
    prefixes: Iterator[str]
    suffixes: tuple[str, ...]
    items: int
    variants: list[list[list]]
    rng: random.Random

    @property
    def rows_per_prefix(self) -> int:
        return len(self.suffixes) * self.items

    def blocks(self) -> Iterator[tuple[int, list[str], int]]:
        """(variant, the prefixes under it, rows of it) for each block; the last one cut."""
        left = self.count
        while left > 0:
            index = self.rng.randrange(len(self.variants))
            rows = min(left, len(self.variants[index]))
            yield (
                index,
                list(itertools.islice(self.prefixes, -(-rows // self.rows_per_prefix))),
                rows,
            )
            left -= rows

    def rows(self) -> Iterator[list]:
        """Every row, period first."""
        per_item = self.items
        for index, prefixes, rows in self.blocks():
            for n, cells in enumerate(self.variants[index][:rows]):
                group, within = divmod(n, self.rows_per_prefix)
                yield [prefixes[group] + self.suffixes[within // per_item], *cells]


# Rows ---------------------------------------------------------------------------------------


def _periods(interval: str) -> tuple[Iterator[str], tuple[str, ...]]:
    """Endless period labels from a fixed start, one per interval, as prefixes and the
    suffixes that follow each: hours are a day's date and its 24 hours."""
    if interval in ("hour", "day"):
        start = _START.toordinal()
        labels = (date.fromordinal(start + n).isoformat() for n in itertools.count())
        if interval == "hour":
            return labels, tuple(f" {hour:02d}:00" for hour in range(24))
    elif interval == "week":
        labels = (
            "{}-W{:02d}".format(*(_START + timedelta(weeks=n)).isocalendar())
            for n in itertools.count()
        )
    else:
        labels = (
            f"{_START.year + (_START.month - 1 + n) // 12}-{(_START.month - 1 + n) % 12 + 1:02d}"
            for n in itertools.count()
        )
    return labels, ("",)


def _queue_row(rng: random.Random, item: dict) -> list:
    offered = rng.randint(8, 140)
    missed = rng.randint(0, offered // 5)
    abandoned = rng.randint(0, missed)
    answered = offered - missed
    within_target = rng.randint(answered * 6 // 10, answered) if answered else 0
    level = round(100 * within_target / offered, 1) if offered else 100.0
    talk = rng.randint(90, 420)
    return [item["name"], offered, answered, missed, abandoned, rng.randint(5, 95), talk, level]


def _user_row(rng: random.Random, item: dict) -> list:
    inbound, outbound = rng.randint(0, 60), rng.randint(0, 35)
    talk = (inbound + outbound) * rng.randint(60, 300)
    return [
        item["name"] or "",
        item["extension"],
        inbound,
        outbound,
        rng.randint(0, 8),
        talk,
        round(rng.uniform(55, 98), 1),
    ]


def _callback_row(rng: random.Random, item: dict) -> list:
    requested = rng.randint(0, 40)
    failed = rng.randint(0, requested // 6)
    return [item["name"], requested, requested - failed, failed, rng.randint(60, 1800)]


def _company_row(rng: random.Random, item: dict) -> list:
    inbound = rng.randint(150, 900)
    return [
        inbound,
        rng.randint(80, 500),
        rng.randint(20, 200),
        rng.randint(0, inbound // 8),
        rng.randint(100, 300),
    ]


# By group: the columns after "Period", the option list the rows are about and the row maker.
_GROUPS: dict[str, tuple[tuple[str, ...], str | None, Callable[[random.Random, dict], list]]] = {
    "queue": (
        (
            "Queue",
            "Offered",
            "Answered",
            "Missed",
            "Abandoned",
            "Avg wait (s)",
            "Avg talk (s)",
            "Service level (%)",
        ),
        "pbx_queue",
        _queue_row,
    ),
    "user": (
        ("User", "Extension", "Inbound", "Outbound", "Missed", "Talk time (s)", "Available (%)"),
        "pbx_user",
        _user_row,
    ),
    "callback": (
        ("Destination", "Requested", "Completed", "Failed", "Avg delay (s)"),
        "pbx_app_callback_destination",
        _callback_row,
    ),
    "company": (
        ("Inbound", "Outbound", "Internal", "Missed", "Avg talk (s)"),
        None,
        _company_row,
    ),
}


def _items(
    report_type_id: str,
    option_list: str | None,
    arguments: list[tuple[str, str]],
    option_lists: OptionLists,
) -> list[dict]:
    """The company's items the rows are about: the one an argument picks, else all of them."""
    if option_list is None:
        return [{}]
    fields = fields_for_type(report_type_id)
    picked = {value for key, value in arguments if fields[key]["type"] == option_list}
    items = option_lists[option_list]
    return [item for item in items if item["id"] in picked] or list(items)


# Distinct blocks of rows a file is made of, and about how many bytes a CSV block holds.
_VARIANTS = 8
_ROW_BYTES = 48


def build_table(
    report_type: dict,
    interval: str,
    arguments: list[tuple[str, str]],
    rows: int,
    option_lists: OptionLists,
) -> Table:
    """The call statistics of a report: ``rows`` rows, the same ones for the same input."""
    columns, option_list, make_row = _GROUPS.get(report_type["group"], _GROUPS["company"])
    items = _items(report_type["id"], option_list, arguments, option_lists)
    rng = random.Random(f"{report_type['id']}/{interval}/{sorted(arguments)}")
    prefixes, suffixes = _periods(interval)
    per_prefix = len(suffixes) * len(items)
    per_block = per_prefix * max(1, CHUNK_SIZE // (per_prefix * _ROW_BYTES))
    # Only as many rows as the file has, up to _VARIANTS blocks.
    drawn = [make_row(rng, items[n % len(items)]) for n in range(min(rows, _VARIANTS * per_block))]
    return Table(
        title=report_type["name"],
        subtitle=f"Interval: {interval}. Generated {now_text()} (Europe/Stockholm).",
        header=("Period", *columns),
        count=rows,
        prefixes=prefixes,
        suffixes=suffixes,
        items=len(items),
        variants=[drawn[n : n + per_block] for n in range(0, len(drawn), per_block)] or [[]],
        rng=rng,
    )


# Formats ------------------------------------------------------------------------------------


def _csv_line(cells: Iterable) -> str:
    line = io.StringIO()
    csv.writer(line).writerow(cells)
    return line.getvalue()


def _csv_chunks(table: Table) -> Iterator[bytes]:
    """The CSV, a block at a time: each variant's rows are written once, as pieces that
    alternate the period's prefix with the rest of the row, and joined under new prefixes."""
    # A byte-order mark, so that spreadsheet programs read the Swedish letters right.
    head = ("\ufeff" + _csv_line(table.header)).encode()
    per_prefix = table.rows_per_prefix
    blocks = []
    for variant in table.variants:
        pieces: list[bytes] = []
        for n, cells in enumerate(variant):
            suffix = table.suffixes[n % per_prefix // table.items]
            pieces += [b"", (suffix + "," + _csv_line(cells)).encode()]
        blocks.append(pieces)
    for index, prefixes, rows in table.blocks():
        pieces = blocks[index]
        for group, prefix in enumerate(prefixes):
            slots = range(2 * group * per_prefix, min(2 * (group + 1) * per_prefix, len(pieces)), 2)
            pieces[slots.start : slots.stop : 2] = [prefix.encode()] * len(slots)
        yield head + b"".join(pieces[: 2 * rows])
        head = b""
    if not table.count:
        yield head


_HTML_HEAD = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: sans-serif; margin: 2rem; }}
table {{ border-collapse: collapse; }}
th, td {{ border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p>{subtitle}</p>
<table>
<thead><tr>{header}</tr></thead>
<tbody>
"""


def _html_chunks(table: Table) -> Iterator[bytes]:
    parts = [
        _HTML_HEAD.format(
            title=html.escape(table.title),
            subtitle=html.escape(table.subtitle),
            header="".join(f"<th>{html.escape(name)}</th>" for name in table.header),
        )
    ]
    size = 0
    for row in table.rows():
        part = "<tr>" + "".join(f"<td>{html.escape(str(cell))}</td>" for cell in row) + "</tr>\n"
        parts.append(part)
        size += len(part)
        if size >= CHUNK_SIZE:
            yield "".join(parts).encode()
            parts, size = [], 0
    parts.append("</tbody>\n</table>\n</body>\n</html>\n")
    yield "".join(parts).encode()


def _write_xlsx(table: Table, out: IO[bytes]) -> None:
    # Imported here: only XLSX downloads need openpyxl, and it is slow to import.
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Report")
    sheet.append([table.title])
    sheet.append([table.subtitle])
    sheet.append(list(table.header))
    for row in table.rows():
        sheet.append(row)
    workbook.save(out)


_PAGE_WIDTH, _PAGE_HEIGHT, _MARGIN = 842, 595, 36  # A4 landscape, in points
_LINE_HEIGHT, _FONT_SIZE = 12, 8
_ROWS_PER_PAGE = (_PAGE_HEIGHT - 2 * _MARGIN - 60) // _LINE_HEIGHT


def _pdf_text(text: str) -> bytes:
    """A PDF string literal in the fonts' WinAnsi encoding."""
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _pdf_page_content(table: Table, rows: list[list], page_number: int) -> bytes:
    column_width = (_PAGE_WIDTH - 2 * _MARGIN) / len(table.header)
    top = _PAGE_HEIGHT - _MARGIN
    lines = [
        b"BT /F2 14 Tf %d %d Td %s Tj ET" % (_MARGIN, top - 14, _pdf_text(table.title)),
        b"BT /F1 9 Tf %d %d Td %s Tj ET" % (_MARGIN, top - 30, _pdf_text(table.subtitle)),
        b"BT /F1 8 Tf %d %d Td %s Tj ET"
        % (_MARGIN, _MARGIN - 12, _pdf_text(f"Page {page_number}")),
    ]
    for line, (font, cells) in enumerate([("/F2", table.header)] + [("/F1", r) for r in rows]):
        y = top - 54 - line * _LINE_HEIGHT
        for column, cell in enumerate(cells):
            x = _MARGIN + column * column_width
            text = _pdf_text(str(cell))
            lines.append(
                b"BT %s %d Tf %.1f %d Td %s Tj ET" % (font.encode(), _FONT_SIZE, x, y, text)
            )
    return b"\n".join(lines)


def _write_pdf(table: Table, out: IO[bytes]) -> None:
    """A valid PDF 1.4: fixed objects 1-4, then a page and its content per 40-odd rows."""
    offsets: dict[int, int] = {}

    def write_object(number: int, body: bytes) -> None:
        offsets[number] = out.tell()
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))

    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    write_object(1, b"<< /Type /Catalog /Pages 2 0 R >>")
    for number, font in ((3, b"Helvetica"), (4, b"Helvetica-Bold")):
        write_object(
            number,
            b"<< /Type /Font /Subtype /Type1 /BaseFont /%s /Encoding /WinAnsiEncoding >>" % font,
        )
    pages: list[int] = []
    rows = table.rows()
    while True:
        page_rows = list(itertools.islice(rows, _ROWS_PER_PAGE))
        if pages and not page_rows:
            break
        page, content = 5 + 2 * len(pages), 6 + 2 * len(pages)
        stream = _pdf_page_content(table, page_rows, len(pages) + 1)
        write_object(
            page,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] "
            b"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents %d 0 R >>"
            % (_PAGE_WIDTH, _PAGE_HEIGHT, content),
        )
        write_object(content, b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        pages.append(page)
    # The page tree comes last, once the pages are known; the cross-reference table says where.
    kids = b" ".join(b"%d 0 R" % page for page in pages)
    write_object(2, b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(pages)))
    xref = out.tell()
    size = max(offsets) + 1
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
    for number in range(1, size):
        out.write(b"%010d 00000 n \n" % offsets[number])
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref))


def _stream_file(file: IO[bytes]) -> Iterator[bytes]:
    """The file's content in chunks; the file is closed (and so deleted) at the end."""
    try:
        file.seek(0)
        while chunk := file.read(CHUNK_SIZE):
            yield chunk
    finally:
        file.close()


def _from_temporary_file(write: Callable[[Table, IO[bytes]], None], table: Table) -> tuple:
    file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by _stream_file once streamed
    try:
        write(table, file)
        length = file.tell()
    except BaseException:
        file.close()
        raise
    return length, _stream_file(file)


def render(
    file_format: str,
    *,
    report_type: dict,
    interval: str,
    arguments: list[tuple[str, str]],
    rows: int,
    option_lists: OptionLists,
) -> ReportFile:
    """The report file in a format of ``seed.FORMATS``, ready to stream; its rows name the
    items of ``option_lists``, the company's own."""
    table = build_table(report_type, interval, arguments, rows, option_lists)
    slug = re.sub(r"[^a-z0-9]+", "-", report_type["name"].lower()).strip("-")
    filename = f"{slug}-{interval}.{file_format}"
    if file_format == "csv":
        length, chunks = None, _csv_chunks(table)
    elif file_format == "html":
        length, chunks = None, _html_chunks(table)
    elif file_format == "xlsx":
        length, chunks = _from_temporary_file(_write_xlsx, table)
    else:
        length, chunks = _from_temporary_file(_write_pdf, table)
    return ReportFile(CONTENT_TYPES[file_format], filename, length, chunks)
