"""From bytes to rows: what kind of file it is, its encoding and separator, and its sheets.

Detection looks at the bytes, never the name: Excel by its magic bytes (`D0 CF 11 E0` is `.xls`,
`PK` is `.xlsx`), text by its BOM (UTF-16 or UTF-8), else UTF-8, else cp1252; the separator is
sniffed among `,`, `;` and tab (or read from an Excel `sep=` line). Workbooks are read by
python-calamine, which reads both `.xls` and `.xlsx` natively and fast, and never evaluates a
formula (a cell holds the value Excel saved, or nothing).
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from ..errors import ImportFailed
from ..i18n import _
from ..limits import MAX_CELL_CHARS, MAX_COLUMNS

# A platform export of several years of daily rows per campaign stays far below these.
MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_WORKBOOK_BYTES = 50 * 1024 * 1024
MAX_UNZIPPED_BYTES = 500 * 1024 * 1024
MAX_SHEET_CELLS = 5_000_000
SAMPLE_BYTES = 256 * 1024
DELIMITERS = (",", "\t", ";")


@dataclass
class TextFormat:
    encoding: str
    delimiter: str

    @property
    def numbers(self) -> str:
        """Files separated by `;` come from locales that write `1 234,56`."""
        return "eu" if self.delimiter == ";" else "us"


def container(head: bytes) -> str:
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    return "text"


def size_of(raw: BinaryIO) -> int:
    position = raw.tell()
    size = raw.seek(0, io.SEEK_END)
    raw.seek(position)
    return size


def check_size(raw: BinaryIO, name: str, kind: str) -> None:
    size = size_of(raw)
    limit = MAX_WORKBOOK_BYTES if kind != "text" else MAX_FILE_BYTES
    if size > limit:
        raise ImportFailed(
            f"`{name}` is {size / 1e6:,.0f} MB; kpibot imports {'workbooks' if kind != 'text' else 'files'} "
            f"of up to {limit / 1e6:,.0f} MB. Export a shorter date range, or save it as CSV."
        )


def text_format(raw: BinaryIO) -> TextFormat:
    """The encoding and separator of a text file, from its first 256 KB."""
    start = raw.tell()
    sample = raw.read(SAMPLE_BYTES)
    raw.seek(start)
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif sample.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    else:
        try:
            sample.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError as exc:
            # A cut in the middle of a character at the sample's end is still UTF-8.
            encoding = "utf-8" if exc.start >= len(sample) - 3 and len(sample) == SAMPLE_BYTES else "cp1252"
    text = sample.decode(encoding, errors="ignore")
    return TextFormat(encoding, _delimiter(text))


def _delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[:60] if line.strip() and not line.startswith("#")]
    if lines and lines[0].lower().replace('"', "").startswith("sep=") and len(lines[0].strip()) >= 5:
        return lines[0].strip().replace('"', "")[4]
    best, score = ",", (0, 0)
    for delimiter in DELIMITERS:
        try:
            counts = Counter(len(row) for row in csv.reader(lines[:40], delimiter=delimiter) if len(row) > 1)
        except csv.Error:  # a field past the size limit with this separator: not this separator
            continue
        if not counts:
            continue
        width, rows = max(counts.items(), key=lambda item: (item[1], item[0]))
        if (rows, width) > score:
            best, score = delimiter, (rows, width)
    return best


def text_rows(raw: BinaryIO, fmt: TextFormat) -> tuple[Iterator[list[str]], io.TextIOWrapper]:
    """The rows of a text file (the reader's ``line_num`` says which line a row ended on), and the
    decoding wrapper, to ``detach`` when done so that ``raw`` stays open."""
    csv.field_size_limit(MAX_CELL_CHARS)  # a cell longer than this is a broken file, not data
    text = io.TextIOWrapper(raw, encoding=fmt.encoding, newline="")
    return csv.reader(text, delimiter=fmt.delimiter), text


@dataclass
class Sheet:
    name: str
    rows: list[list[object]]


def workbook_sheets(raw: BinaryIO, name: str, kind: str) -> list[Sheet]:
    """Every sheet of a workbook as rows of cells (str, float, int, date or datetime)."""
    from python_calamine import CalamineError, CalamineWorkbook

    data = raw.read()
    if kind == "xlsx":
        _check_zip(data, name)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for sheet_name in book.sheet_names:
            sheet = book.get_sheet_by_name(sheet_name)
            if sheet.height * max(sheet.width, 1) > MAX_SHEET_CELLS:
                raise ImportFailed(
                    f"`{name}`: the sheet `{sheet_name}` has {sheet.height:,} rows of {sheet.width:,} cells; "
                    f"kpibot reads sheets of up to {MAX_SHEET_CELLS:,} cells. Export a shorter date range."
                )
            if sheet.width > MAX_COLUMNS:
                raise ImportFailed(
                    f"`{name}`: the sheet `{sheet_name}` has {sheet.width:,} columns; kpibot reads up to "
                    f"{MAX_COLUMNS:,}."
                )
            sheets.append(Sheet(sheet_name, sheet.to_python()))
    except CalamineError as exc:
        raise ImportFailed(
            _("`{name}` is not a workbook kpibot can read ({why}).").format(name=name, why=type(exc).__name__)
        ) from None
    except (ValueError, OSError) as exc:
        raise ImportFailed(
            _("`{name}` is not a workbook kpibot can read ({why}).").format(name=name, why=exc)
        ) from None
    return sheets


def _check_zip(data: bytes, name: str) -> None:
    """An `.xlsx` is a zip: refuse one that unpacks to far more than any export (a zip bomb)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise ImportFailed(
            _("`{name}` looks like an .xlsx workbook but is not a readable one.").format(name=name)
        ) from None
    if unpacked > MAX_UNZIPPED_BYTES:
        raise ImportFailed(
            f"`{name}` unpacks to {unpacked / 1e6:,.0f} MB; kpibot reads workbooks of up to "
            f"{MAX_UNZIPPED_BYTES / 1e6:,.0f} MB unpacked."
        )
