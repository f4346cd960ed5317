"""The preview of a report file: its first rows as a table, read from the start of a stream.

Only the beginning of the file is read: at most ``MAX_BYTES``, and no further than the rows
shown (plus one, to tell that there are more). The encoding is UTF-8 (with or without a BOM)
when the first bytes decode as UTF-8, else Windows-1252 (Latin-1 when even that fails); the
delimiter is sniffed from the same sample. Records are parsed only once they are complete, so
a quoted field holding a newline is one cell wherever the chunks were split; the last record,
cut off where reading stopped, is dropped. Everything read stays text: nothing is rendered as
markup here or by the template.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

MAX_BYTES = 512 * 1024
MAX_ROWS = 200
# How much of the file the encoding and the delimiter are told from.
SAMPLE_BYTES = 16 * 1024
DELIMITERS = ",;\t|"


@dataclass(frozen=True)
class CsvPreview:
    """The first rows of a CSV file: ``header`` and up to ``MAX_ROWS`` ``rows`` after it.

    ``more``: the file holds rows not shown (or reading stopped at ``MAX_BYTES`` before its
    end). ``bytes_read``: how much of the file was read.
    """

    header: list[str]
    rows: list[list[str]]
    more: bool
    encoding: str
    delimiter: str
    bytes_read: int


def html_preview(chunks: Iterable[bytes], *, max_bytes: int = MAX_BYTES) -> tuple[bytes, bool]:
    """The first ``max_bytes`` of an HTML file, and whether it was cut there."""
    source = _LimitedBytes(chunks, max_bytes)
    read = source.take(max_bytes)
    return read, source.cut


def csv_preview(
    chunks: Iterable[bytes], *, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS
) -> CsvPreview:
    """The first rows of the CSV file streaming in ``chunks`` (bytes, split anywhere).

    Stops pulling chunks once it has ``max_rows`` rows and one more, or ``max_bytes``; the
    caller closes the stream.
    """
    source = _LimitedBytes(chunks, max_bytes)
    sample = source.take(SAMPLE_BYTES)
    encoding = detect_encoding(sample, complete=source.ended)
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    text_sample = decoder.decode(sample, final=source.ended)
    delimiter = detect_delimiter(text_sample)
    lines = _CompleteLines(text_sample, source, decoder)
    records = csv.reader(lines, delimiter=delimiter)
    header: list[str] = []
    rows: list[list[str]] = []
    more = False
    for record in records:
        if lines.exhausted and source.cut:
            break  # the record reading stopped in the middle of
        if not header:
            header = record
        elif len(rows) < max_rows:
            rows.append(record)
        else:
            more = True
            break
    return CsvPreview(
        header=header,
        rows=rows,
        more=more or source.cut,
        encoding=encoding,
        delimiter=delimiter,
        bytes_read=source.read,
    )


def detect_encoding(sample: bytes, *, complete: bool) -> str:
    """utf-8-sig when there is a UTF-8 BOM, utf-8 when the sample decodes as UTF-8 (a
    character cut at its end aside, unless ``complete``), else cp1252, else latin-1."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for encoding in ("utf-8", "cp1252"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(sample, final=complete)
        except UnicodeDecodeError:
            continue
        return encoding
    return "latin-1"


def detect_delimiter(sample: str) -> str:
    """The delimiter of the sample's complete lines; a comma when it cannot be told."""
    complete = sample[: sample.rfind("\n") + 1] or sample
    try:
        return csv.Sniffer().sniff(complete, delimiters=DELIMITERS).delimiter
    except csv.Error:
        return ","


class _LimitedBytes:
    """The chunks, never more than ``limit`` bytes of them in all.

    Reaching the limit counts as cut: looking further to see whether the file ends right
    there would read past the limit.
    """

    def __init__(self, chunks: Iterable[bytes], limit: int) -> None:
        self._chunks = iter(chunks)
        self._limit = limit
        self.read = 0  # bytes pulled from the chunks, whole chunks counted
        self.ended = False  # the file ended before the limit
        self.cut = False  # reading stopped at the limit

    def next_chunk(self) -> bytes:
        """The next bytes; b"" once the file ended or the limit was reached."""
        if self.ended or self.cut:
            return b""
        chunk = next(self._chunks, None)
        if chunk is None:
            self.ended = True
            return b""
        kept = chunk[: self._limit - self.read]
        self.read += len(chunk)
        self.cut = self.read >= self._limit
        return kept

    def take(self, size: int) -> bytes:
        """At least ``size`` bytes (fewer only at the file's end or the limit)."""
        taken = bytearray()
        while len(taken) < size:
            chunk = self.next_chunk()
            if not chunk:
                break
            taken += chunk
        return bytes(taken)


class _CompleteLines(Iterator[str]):
    """Decoded lines for csv.reader, each with its line end, given only once complete; the
    text after the last line end is given at the file's end, never where reading was cut.
    ``exhausted`` turns true when the reader asks past the last line: a record it returns
    then was cut off."""

    def __init__(
        self, text: str, source: _LimitedBytes, decoder: codecs.IncrementalDecoder
    ) -> None:
        self._buffer = text
        self._source = source
        self._decoder = decoder
        self._ready: list[str] = []
        self.exhausted = False

    def __next__(self) -> str:
        while not self._ready:
            end = self._buffer.rfind("\n") + 1
            if end:
                # Split at "\n" only: csv.reader itself reads "\r" and the rest.
                self._ready = [line + "\n" for line in self._buffer[: end - 1].split("\n")][::-1]
                self._buffer = self._buffer[end:]
                break
            chunk = self._source.next_chunk()
            if chunk:
                self._buffer += self._decoder.decode(chunk)
                continue
            if self._source.ended:
                self._buffer += self._decoder.decode(b"", final=True)
                if self._buffer:
                    self._ready, self._buffer = [self._buffer], ""
                    break
            self.exhausted = True
            raise StopIteration
        return self._ready.pop()
