"""The preview's parsing, on crafted byte streams split at every awkward place."""

from __future__ import annotations

import codecs

import pytest

from reports_admin.reports.preview import (
    csv_preview,
    detect_delimiter,
    detect_encoding,
    html_preview,
)


def split_every(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def split_at(data: bytes, cut: int) -> list[bytes]:
    return [data[:cut], data[cut:]]


QUOTED = 'Name;Note\r\n"Åsa";"two\r\nlines; and ""quotes"""\r\nBo;plain\r\n'.encode()


@pytest.mark.parametrize("cut", range(1, len(QUOTED)))
def test_a_quoted_newline_and_a_multibyte_character_survive_any_split(cut: int) -> None:
    preview = csv_preview(split_at(QUOTED, cut))
    assert preview.delimiter == ";"
    assert preview.encoding == "utf-8"
    assert preview.header == ["Name", "Note"]
    assert preview.rows == [["Åsa", 'two\r\nlines; and "quotes"'], ["Bo", "plain"]]
    assert not preview.more


@pytest.mark.parametrize("size", [1, 2, 3, 7])
def test_tiny_chunks_give_the_same_rows(size: int) -> None:
    assert csv_preview(split_every(QUOTED, size)).rows == csv_preview([QUOTED]).rows


def test_a_last_line_without_a_line_end_is_a_row() -> None:
    assert csv_preview([b"a,b\n1,2"]).rows == [["1", "2"]]


@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8])
def test_utf8_with_or_without_a_bom(bom: bytes) -> None:
    preview = csv_preview(split_every(bom + "Kö,Tid\nÅre,12\n".encode(), 1))
    assert preview.header == ["Kö", "Tid"]
    assert preview.rows == [["Åre", "12"]]


def test_windows_1252_when_not_utf8() -> None:
    preview = csv_preview(["Kö;Tid\nÅre;12 €\n".encode("cp1252")])
    assert preview.encoding == "cp1252"
    assert preview.rows == [["Åre", "12 €"]]


def test_latin1_when_not_even_windows_1252() -> None:
    assert detect_encoding(b"a\x81b", complete=True) == "latin-1"


def test_a_utf8_character_cut_at_the_sample_end_is_still_utf8() -> None:
    assert detect_encoding("aå".encode()[:-1], complete=False) == "utf-8"
    assert detect_encoding("aå".encode()[:-1], complete=True) == "cp1252"


@pytest.mark.parametrize(("text", "delimiter"), [("a\tb\n1\t2\n", "\t"), ("a|b\n1|2\n", "|")])
def test_the_delimiter_is_sniffed(text: str, delimiter: str) -> None:
    assert detect_delimiter(text) == delimiter


def test_a_comma_when_the_delimiter_cannot_be_told() -> None:
    assert detect_delimiter("justoneword\n") == ","


def test_the_first_rows_and_that_there_are_more() -> None:
    data = b"n\n" + b"".join(b"%d\n" % n for n in range(500))
    preview = csv_preview(split_every(data, 5), max_rows=200)
    assert [row[0] for row in preview.rows] == [str(n) for n in range(200)]
    assert preview.more


def test_exactly_the_rows_shown_is_not_more() -> None:
    data = b"n\n" + b"".join(b"%d\n" % n for n in range(200))
    preview = csv_preview([data])
    assert len(preview.rows) == 200
    assert not preview.more


def _numbered(rows: int) -> bytes:
    return b"id,note\n" + b"".join(b'%d,"line\nbreak %d"\n' % (n, n) for n in range(rows))


@pytest.mark.parametrize("limit", range(20, 120))
def test_reading_stops_at_the_limit_and_the_cut_row_is_dropped(limit: int) -> None:
    data = _numbered(50)
    preview = csv_preview(split_every(data, 1), max_bytes=limit)
    assert preview.bytes_read == limit
    assert preview.more
    # Every row shown is whole, and in order.
    assert preview.rows == [[str(n), f"line\nbreak {n}"] for n in range(len(preview.rows))]
    complete = data[:limit].count(b'"\n')
    assert len(preview.rows) == complete


def test_no_more_is_read_than_the_sample_and_the_rows_need() -> None:
    pulled = []

    def chunks():
        for n in range(10_000):
            pulled.append(n)
            yield b"n\n" + b"x\n" * 1999

    preview = csv_preview(chunks(), max_rows=3000)
    assert len(preview.rows) == 3000 and preview.more
    # 4,000 bytes a chunk: four for the 16 KB sample, then only as far as row 3,001.
    assert len(pulled) == 5
    assert preview.bytes_read == 5 * 4000


def test_an_empty_file() -> None:
    preview = csv_preview([])
    assert (preview.header, preview.rows, preview.more) == ([], [], False)


def test_html_is_cut_at_the_limit() -> None:
    assert html_preview(split_every(b"<p>" * 10, 4), max_bytes=12) == (b"<p>" * 4, True)
    assert html_preview([b"<p>hi</p>"], max_bytes=100) == (b"<p>hi</p>", False)
