"""Reading corpora: formats, encodings, column roles and a data-quality summary.

Everything here parses bytes as *data*: nothing is unpickled, evaluated or executed.
`load_corpus(bytes, name, LoadOptions)` is the single way in, for the dashboard and the CLI.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from core.errors import InputError, Message
from core.files import read_regular_file
from core.i18n import N_
from core.safezip import Limits, SafeZip

FORMATS = ("auto", "csv", "xlsx", "txt", "jsonl", "zip")
TXT_MODES = ("line", "paragraph")
MAX_ZIP_MEMBERS = 20_000
SNIFF_BYTES = 64 * 1024

# Detected charset -> the codec we decode with (supersets where safe: GBK/GB2312 text is valid GB18030).
_CODEC_FAMILY = {
    "utf_8": "utf-8", "ascii": "utf-8", "utf_8_sig": "utf-8-sig",
    "gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "cp936": "gb18030", "hz": "gb18030",
    "big5": "big5hkscs", "big5hkscs": "big5hkscs", "cp950": "big5hkscs",
    "utf_16": "utf-16", "utf_16_le": "utf-16-le", "utf_16_be": "utf-16-be",
    "utf_32": "utf-32", "utf_32_le": "utf-32-le", "utf_32_be": "utf-32-be",
    "cp1252": "cp1252", "latin_1": "cp1252", "iso8859_15": "cp1252",
}
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
_MAGIC = {  # what a file starting with these bytes is (a value in an error message: translated with it)
    b"\x89PNG": N_("a PNG image"), b"\xff\xd8\xff": N_("a JPEG image"), b"GIF8": N_("a GIF image"),
    b"%PDF": N_("a PDF document"), b"\x1f\x8b": N_("a gzip archive"), b"PK\x03\x04": N_("a ZIP archive"),
    b"\xd0\xcf\x11\xe0": N_("an old Office file (.xls/.doc)"), b"7z\xbc\xaf": N_("a 7-Zip archive"),
    b"Rar!": N_("a RAR archive"), b"\x7fELF": N_("a program"), b"MZ": N_("a Windows program"),
    b"\x80\x04": N_("a Python pickle"), b"\x80\x03": N_("a Python pickle"), b"\x80\x05": N_("a Python pickle"),
}
_ROLE_NAMES = {"text": N_("text"), "label": N_("label"), "date": N_("date")}
# Column names that say "the documents are here": such a column empty in every row is refused, never
# silently replaced by another column (a label column would become the text).
_TEXT_NAMES = {"text", "texts", "content", "contents", "document", "documents", "doc", "body", "review", "sentence",
               "正文", "文本", "内容", "评论"}
_LABEL_NAMES = {"label", "labels", "category", "class", "group", "topic", "tag", "type", "类别", "标签", "分类"}
_DATE_NAMES = re.compile(r"date|time|日期|时间|published|created", re.I)
_BLANK = re.compile(rb"[ \t\r\n\x00\xef\xbb\xbf]*")
_ROLE_SAMPLE = 10_000    # values per column that role detection parses (evenly spaced)


@dataclass(frozen=True)
class LoadOptions:
    """How to read an upload. `None` means "detect"."""

    file_format: str = "auto"
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    txt_mode: str = "line"
    text_col: str | None = None
    label_col: str | None = None     # "" means explicitly none
    date_col: str | None = None      # "" means explicitly none
    drop_empty: bool = False
    drop_duplicates: bool = False
    header: bool | None = None       # CSV/TSV: first row is a header (True), data (False), or detect (None)

    def validate(self) -> "LoadOptions":
        if self.file_format not in FORMATS:
            raise InputError("Unknown format {fmt!r}; choose one of {choices}.", fmt=self.file_format,
                             choices=", ".join(FORMATS))
        if self.txt_mode not in TXT_MODES:
            raise InputError("Unknown TXT mode {mode!r}; choose 'line' or 'paragraph'.", mode=self.txt_mode)
        if self.encoding:
            try:
                codecs.lookup(self.encoding)
            except LookupError:
                raise InputError("Unknown encoding {encoding!r}; try utf-8, gb18030, big5 or utf-16.",
                                 encoding=self.encoding) from None
        if self.delimiter is not None and len(self.delimiter) != 1:
            raise InputError("The delimiter must be a single character (use \\t for tab).")
        return self


@dataclass
class Corpus:
    """A decoded table of documents with its column roles."""

    frame: pd.DataFrame
    name: str
    content_hash: str            # sha256 of the uploaded bytes
    file_format: str
    encoding: str | None
    delimiter: str | None
    text_col: str
    label_col: str | None = None
    date_col: str | None = None
    sheet_names: list[str] = field(default_factory=list)
    sheet: str | None = None
    sheet_rows: dict[str, int] = field(default_factory=dict)   # data rows per sheet (from the sheet's dimensions)
    options: LoadOptions = field(default_factory=LoadOptions)
    warnings: list[str] = field(default_factory=list)
    dropped_empty: int = 0
    dropped_duplicates: int = 0

    @property
    def fingerprint(self) -> str:
        """Content hash of the bytes plus everything that shapes the documents: the cache key base."""
        roles = (self.options.file_format, self.encoding, self.delimiter, self.sheet, self.options.txt_mode,
                 self.text_col, self.label_col, self.date_col, self.options.drop_empty, self.options.drop_duplicates,
                 self.options.header)
        return hashlib.sha256((self.content_hash + repr(roles)).encode()).hexdigest()[:24]

    @property
    def n_docs(self) -> int:
        return len(self.frame)

    @cached_property  # built once: pages read these on every rerun
    def texts(self) -> list[str]:
        return _text_series(self.frame[self.text_col]).tolist()

    @cached_property
    def labels(self) -> list[str] | None:
        if not self.label_col:
            return None
        col = self.frame[self.label_col]
        return [("" if pd.isna(v) else str(v)) for v in col]

    @cached_property
    def dates(self) -> pd.Series | None:
        if not self.date_col:
            return None
        return pd.to_datetime(self.frame[self.date_col], errors="coerce", format="mixed")

    @property
    def columns(self) -> list[str]:
        return [str(c) for c in self.frame.columns]

    def with_roles(self, text_col: str | None = None, label_col: str | None = None,
                   date_col: str | None = None) -> "Corpus":
        """A copy with other column roles (validated): `""` clears label/date."""
        opts = replace(self.options, text_col=text_col or self.text_col,
                       label_col=self.label_col if label_col is None else label_col,
                       date_col=self.date_col if date_col is None else date_col)
        text, label, date = _resolve_roles(self.frame, opts)
        return replace(self, text_col=text, label_col=label, date_col=date, options=opts)


# ---------------------------------------------------------------------------------------------
# entry points


def load_corpus(data: bytes, name: str, options: LoadOptions | None = None) -> Corpus:
    """Parse uploaded bytes into a Corpus; raise InputError with a readable message on bad input."""
    opts = (options or LoadOptions()).validate()
    if not data or _BLANK.fullmatch(data):   # (a regex: `data.strip()` would copy a large file)
        raise InputError("{name} is empty: upload a file with a header row and at least one document.", name=name)
    fmt = opts.file_format if opts.file_format != "auto" else detect_format(data, name)
    encoding = delimiter = sheet = None
    sheet_names: list[str] = []
    sheet_rows: dict[str, int] = {}
    warnings: list[str] = []
    if fmt == "xlsx":
        frame, sheet, sheet_names, sheet_rows = _read_xlsx(data, opts.sheet)
    elif fmt == "zip":
        frame, encoding, warnings = _read_zip(data, opts.encoding)
        opts = opts if opts.text_col else replace(opts, text_col="text")  # never the file-name column
    elif fmt == "csv" and (fast := _read_csv_bytes(data, name, opts)) is not None:
        frame, encoding, delimiter = fast
    else:
        _reject_binary(data, name)
        text, encoding = decode_bytes(data, opts.encoding)
        if fmt == "jsonl":
            frame, warnings = _read_jsonl(text)
        elif fmt == "txt":
            frame = _read_txt(text, opts.txt_mode)
        else:
            delimiter = opts.delimiter or sniff_delimiter(text)
            frame, warnings = _read_delimited(text, delimiter)
            frame, warnings = _apply_header_choice(text, delimiter, frame, warnings, opts.header)
    blank = _blank_named_columns(frame)   # before _tidy_columns drops the empty ones
    frame = _tidy_columns(frame)
    if frame.empty:
        raise InputError("{name} has a header but no rows: add at least one document below the header.", name=name)
    _refuse_blank_text_column(blank, opts, name)
    text_col, label_col, date_col = _resolve_roles(frame, opts)
    frame, n_empty, n_dup = _clean(frame, text_col, opts)
    if frame.empty:
        raise InputError("No documents left in {name} after dropping empty rows and duplicates.", name=name)
    warnings += giant_document_warnings(frame[text_col])
    return Corpus(
        frame=frame, name=name, content_hash=hashlib.sha256(data).hexdigest(), file_format=fmt,
        encoding=encoding, delimiter=delimiter, text_col=text_col, label_col=label_col, date_col=date_col,
        sheet_names=sheet_names, sheet=sheet, sheet_rows=sheet_rows, options=opts, warnings=warnings,
        dropped_empty=n_empty, dropped_duplicates=n_dup,
    )


def load_path(path: str | Path, options: LoadOptions | None = None) -> Corpus:
    path = Path(path)
    data = read_regular_file(path)  # refuses /dev/zero, FIFOs and files over the input cap
    return load_corpus(data, path.name, options)


# ---------------------------------------------------------------------------------------------
# detection


def detect_format(data: bytes, name: str) -> str:
    suffix = Path(name).suffix.lower()
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = zf.namelist()
        except zipfile.BadZipFile:
            raise InputError("{name} looks like a ZIP archive but is damaged.", name=name) from None
        return "xlsx" if "[Content_Types].xml" in names or suffix in (".xlsx", ".xlsm") else "zip"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".txt":
        return "txt"
    if data[:4] == b"PK\x05\x06":  # only an end-of-archive record: a zip with nothing in it
        raise InputError("{name} is an empty ZIP archive: it holds no files.", name=name)
    if suffix in (".xlsx", ".xlsm") and data[:4] == b"\xd0\xcf\x11\xe0":
        raise InputError("{name} is password-protected (encrypted) or an old-style workbook: remove the password "
                         "and save it as .xlsx, or export the sheet as CSV.", name=name)
    if suffix in (".xlsx", ".xlsm", ".zip"):
        raise InputError("{name} is not a valid {suffix} file (its bytes are not a ZIP container).", name=name,
                         suffix=suffix)
    return "csv"


def _reject_binary(data: bytes, name: str) -> None:
    head = data[:16]
    if any(head.startswith(b) for b, _ in _BOMS):
        return
    for magic, what in _MAGIC.items():
        if head.startswith(magic):
            raise InputError("{name} is {what}, not a text table: upload CSV, TSV, TXT, JSONL, XLSX or a ZIP of .txt "
                             "files.", name=name, what=Message(what))
    sample = data[:SNIFF_BYTES]
    # Many NUL bytes without a BOM: binary, or UTF-16 without BOM (handled by detection below).
    if sample.count(0) > len(sample) * 0.3 and not _looks_utf16(sample):
        raise InputError("{name} looks like a binary file, not text: upload CSV, TSV, TXT, JSONL, XLSX or ZIP.",
                         name=name)


def _looks_utf16(sample: bytes) -> bool:
    even, odd = sample[0::2], sample[1::2]
    return even.count(0) > len(even) * 0.4 or odd.count(0) > len(odd) * 0.4


def _utf16_order(data: bytes) -> str:
    """Little- or big-endian: ASCII is `x 00` in LE, `00 x` in BE (the parity with more zero bytes)."""
    sample = data[:SNIFF_BYTES]
    return "utf-16-le" if sample[1::2].count(0) >= sample[0::2].count(0) else "utf-16-be"


def detect_encoding(data: bytes) -> str:
    """The codec to decode `data` with: BOM, then strict UTF-8, then charset-normalizer."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return enc
    # UTF-16 without a BOM: a zero byte beside every ASCII letter. Checked before UTF-8, which the
    # zero bytes do not contradict (English text in UTF-16 is "valid" UTF-8 full of NULs).
    if b"\x00" in data[:SNIFF_BYTES] and _looks_utf16(data[:SNIFF_BYTES]):
        return _utf16_order(data)
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # A UTF-8 file cut mid-character at the very end is still UTF-8.
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            return "utf-8"
    if _looks_cp1252(data[: 4 << 20]):
        return "cp1252"
    from charset_normalizer import from_bytes

    sample = data
    if len(data) > 4 << 20:  # a large file: detect on whole lines of the first 4 MB (never split a character)
        sample = data[: data.rfind(b"\n", 0, 4 << 20) + 1] or data[: 4 << 20]
    best = from_bytes(sample).best()
    family = _CODEC_FAMILY.get(best.encoding) if best is not None else None
    if family is None:
        # Too little text for statistics (a short file): accept the first Chinese codec that decodes it all.
        for codec in ("gb18030", "big5hkscs"):
            try:
                data.decode(codec)
                return codec
            except UnicodeDecodeError:
                continue
        raise InputError(
            "Could not recognise the text encoding (tried UTF-8, UTF-16, GB18030/GBK, Big5): "
            "choose the encoding by hand, or re-save the file as UTF-8."
        )
    return family


_HIGH_RUNS = re.compile(rb"[\x80-\xff]+")


def _looks_cp1252(sample: bytes) -> bool:
    """Western text saved by Excel on Windows: mostly ASCII with lone accented letters / smart quotes.

    GBK/GB18030 and Big5 write every Chinese character as two bytes >= 0x80 (runs of 2, 4, 6…);
    cp1252 writes é, ’, € as one byte, so its runs of high bytes are mostly of length 1.
    """
    runs = [len(r) for r in _HIGH_RUNS.findall(sample)]
    if not runs or sum(runs) > len(sample) * 0.2:
        return False
    if sum(1 for n in runs if n == 1) < 0.6 * len(runs):
        return False
    try:
        sample.decode("cp1252")
    except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D are not cp1252
        return False
    return True


def decode_bytes(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    if encoding:
        _check_forced_encoding(data, encoding)
    enc = encoding or detect_encoding(data)
    if not encoding and enc in ("utf-16-le", "utf-16-be") and len(data) % 2:
        data = data[:-1]   # a UTF-16 file cut mid-character at the very end is still UTF-16
    try:
        text = data.decode(enc)
    except UnicodeDecodeError as exc:
        if encoding:
            raise InputError("The file is not valid {encoding} (byte {byte}): pick another encoding.",
                             encoding=encoding, byte=exc.start) from None
        # Detection read a sample; the full file disagrees. GB18030 covers GBK with rare extras.
        try:
            text, enc = data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            raise InputError("The file is not valid {encoding} throughout (byte {byte}): choose the encoding by hand.",
                             encoding=enc, byte=exc.start) from None
    return text.lstrip("\ufeff"), enc


def _check_forced_encoding(data: bytes, encoding: str) -> None:
    """A chosen UTF-16/32 on a file without zero bytes decodes to one line of nonsense: say so."""
    if codecs.lookup(encoding).name.startswith(("utf-16", "utf-32")) and not any(data.startswith(b) for b, _ in _BOMS):
        sample = data[:SNIFF_BYTES]
        if sample.count(0) == 0:
            raise InputError("The file is not {encoding}: such files have zero bytes between the letters, this one "
                             "has none. Choose 'auto' (or utf-8 / gb18030) as the encoding.", encoding=encoding)


def sniff_delimiter(text: str) -> str:
    sample = "\n".join(text[:SNIFF_BYTES].splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
    except csv.Error:
        first = sample.split("\n", 1)[0]
        counts = {d: first.count(d) for d in ",\t;|"}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


# ---------------------------------------------------------------------------------------------
# readers


def _read_csv_bytes(data: bytes, name: str, opts: LoadOptions) -> tuple[pd.DataFrame, str, str] | None:
    """Fast path for a well-formed delimited file: pandas' C parser straight from the bytes with the
    detected encoding (a 180 MB CSV: ~2 s, against ~30 s from a decoded `str` in a StringIO).
    Returns None when anything is unusual (bad bytes for the codec, ragged rows, open quotes), and
    the caller takes the decoded-text path with its detailed messages and recovery."""
    _reject_binary(data, name)
    if opts.encoding:
        enc = opts.encoding
    elif any(data.startswith(bom) for bom, _ in _BOMS) or _looks_utf16(data[:SNIFF_BYTES]):
        enc = detect_encoding(data)
    else:
        # Most files are UTF-8: the parser validates every byte as it decodes, so the separate full
        # decode detect_encoding does is skipped; on any invalid byte the text path detects properly.
        enc = "utf-8"
    # The same first SNIFF_BYTES characters the text path sniffs (a character is at most 4 bytes).
    head = data[: SNIFF_BYTES * 4].decode(enc, errors="ignore").lstrip("\ufeff")
    delimiter = opts.delimiter or sniff_delimiter(head)
    kw = dict(sep=delimiter, engine="c", encoding=enc, keep_default_na=False, na_values=[""], skip_blank_lines=True)
    try:
        # Without dtype=str pandas builds text columns straight into Arrow strings (3x faster); the
        # few columns it parsed as numbers/booleans are read again as the exact strings of the file.
        frame = pd.read_csv(io.BytesIO(data), **kw)
        redo = [i for i in range(frame.shape[1]) if not _all_strings(frame.iloc[:, i])]
        if redo:
            again = pd.read_csv(io.BytesIO(data), usecols=redo, dtype=str, **kw)
            for j, i in enumerate(redo):
                frame.isetitem(i, again.iloc[:, j])
    except (UnicodeError, LookupError, ValueError, pd.errors.ParserError, pd.errors.EmptyDataError):
        return None
    if not isinstance(frame.index, pd.RangeIndex):
        return None   # pandas took a first column as the index: rows longer than the header (refused there)
    if opts.header is False or (opts.header is None and header_looks_like_data(frame)):
        return None   # the first row is data: the text path re-reads it under generated names, and says so
    return frame, enc, delimiter


def _all_strings(col: pd.Series) -> bool:
    if pd.api.types.is_object_dtype(col.dtype):   # pandas 2: str objects (check them all)
        return pd.api.types.infer_dtype(col, skipna=True) in ("string", "empty")
    return pd.api.types.is_string_dtype(col.dtype)


def _read_delimited(text: str, delimiter: str) -> tuple[pd.DataFrame, list[str]]:
    # index_col=False: a first data row with an extra field must not silently become the index
    kw = dict(sep=delimiter, dtype=str, keep_default_na=False, na_values=[""], skip_blank_lines=True, index_col=False)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            frame = pd.read_csv(io.StringIO(text), engine="c", **kw)
    except pd.errors.EmptyDataError:
        raise InputError("The file has no columns: the first line must be a header row.") from None
    except pd.errors.ParserError as exc:
        if "EOF inside string" in str(exc):
            row = re.search(r"row (\d+)", str(exc))
            if row:
                raise InputError("A quoted field is never closed (data row {row}): the rest of the file would read as "
                                 "one cell. Check the quotes (\") in the file, or pick TXT format.",
                                 row=int(row.group(1))) from None
            raise InputError("A quoted field is never closed: the rest of the file would read as one cell. "
                             "Check the quotes (\") in the file, or pick TXT format.") from None
        _refuse_ragged(text, delimiter)
        raise InputError("The file cannot be read as a table ({detail}).",
                         detail=str(exc).splitlines()[-1].removeprefix("C error: ")) from None
    if any(issubclass(w.category, pd.errors.ParserWarning) for w in caught):
        _refuse_ragged(text, delimiter)
    return frame, []


def _refuse_ragged(text: str, delimiter: str) -> None:
    """Rows with more fields than the header cannot be read without guessing: name their lines."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader, [])
    lines, total = [], 0
    for row in reader:
        if len(row) > len(header):
            total += 1
            if len(lines) < 5:
                lines.append(reader.line_num)
    if total:
        where = ", ".join(map(str, lines)) + (" …" if total > len(lines) else "")
        raise InputError("{n:,} row(s) have more fields than the header's {fields} (line {where}): "
                         "quote the fields that contain the delimiter, or choose the right delimiter.",
                         n=total, fields=len(header), where=where)


_SENTENCE_MARKS = re.compile(r"[。！？，；、!?]|https?:")
_MANGLED = re.compile(r"\.\d+$")  # pandas renames a repeated header cell "x" to "x.1"


def header_looks_like_data(frame: pd.DataFrame) -> str | None:
    """Why the parsed column names look like a document rather than a header row (None if they don't).

    A header cell is short and names its column; the first row of a headerless file holds a text
    (long, or with sentence punctuation) or a value that recurs in its column (a label such as 正面).
    """
    for col in frame.columns:
        name = str(col)
        if name.startswith("Unnamed: "):
            continue
        if len(name) > 40 or (len(name) > 12 and _SENTENCE_MARKS.search(name)):
            return Message(N_("the column name {name!r} reads like a document"), name=name[:40])
        values = frame[col].dropna().astype(str)
        base = _MANGLED.sub("", name)
        if len(values) >= 3 and (values == base).sum() >= 2:
            return Message(N_("the column name {name!r} is also a value of that column"), name=name[:40])
    return None


def _apply_header_choice(text: str, delimiter: str, frame: pd.DataFrame, warnings: list[str],
                         header: bool | None) -> tuple[pd.DataFrame, list[str]]:
    """Re-read a delimited file with its first row as data when asked to, or when the header looks like data."""
    if header is True:
        return frame, warnings
    why = None
    if header is None:
        why = header_looks_like_data(frame)
        if why is None:
            return frame, warnings
    n = frame.shape[1]
    names = ["text"] if n == 1 else [f"column_{i}" for i in range(1, n + 1)]
    sep = "\t" if delimiter == "\t" else delimiter
    frame, warnings = _read_delimited(sep.join(names) + "\n" + text, delimiter)
    if why:
        named = ", ".join(names[:4]) + ("…" if n > 4 else "")
        warnings = [Message(N_("The first row looks like data, not a header ({why}), so it was read as the first "
                               "document and the columns are named {names}. If it is a header, choose "
                               "'first row is a header'."), why=why, names=named), *warnings]
    return frame, warnings


def _read_txt(text: str, mode: str) -> pd.DataFrame:
    if mode == "paragraph":
        parts = re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    else:
        parts = text.splitlines()
    docs = [p.strip() for p in parts if p.strip()]
    return pd.DataFrame({"text": docs})


def _read_jsonl(text: str) -> tuple[pd.DataFrame, list[str]]:
    """One object per line; a JSON string line is a document; numbers, null, booleans and arrays are skipped."""
    records, skipped = [], []
    for i, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError("JSONL line {line} is not valid JSON ({detail}).", line=i, detail=exc.msg) from None
        if isinstance(obj, str):
            obj = {"text": obj}
        if not isinstance(obj, dict):
            skipped.append(i)
            continue
        records.append({k: (v if isinstance(v, (str, int, float, bool)) or v is None
                            else json.dumps(v, ensure_ascii=False)) for k, v in obj.items()})
    if skipped and not records:
        raise InputError("No JSONL line holds an object: each line must be a JSON object such as "
                         '{{"text": "…", "label": "…"}} (line {line} is not).', line=skipped[0])
    where = ", ".join(map(str, skipped[:5])) + (" …" if len(skipped) > 5 else "")
    warnings = [Message(N_("Skipped {n:,} JSONL line(s) that are not objects (line {lines})."), n=len(skipped),
                        lines=where)] if skipped else []
    return pd.DataFrame.from_records(records), warnings


GIANT_DOC_CHARS = 200_000  # one "document" this long is usually a whole file read as one row


def giant_document_warnings(texts: pd.Series) -> list[str]:
    """A warning when some documents are giant: every view treats each as one document, and
    tokenizing them takes seconds (a 3.5M-character row took 21 s on the Fine-tune page)."""
    lengths = texts.fillna("").astype(str).str.len()
    big = lengths[lengths > GIANT_DOC_CHARS]
    if big.empty:
        return []
    return [Message(N_("{n:,} document(s) are very long (the longest, row {row}, has {chars:,} characters). Each "
                       "counts as one document in term and topic models, and fine-tuning reads only its first tokens. "
                       "If a row holds many documents, split it (e.g. TXT with one document per paragraph)."),
                    n=len(big), row=int(big.idxmax()), chars=int(big.max()))]


def _read_xlsx(data: bytes, sheet: str | None) -> tuple[pd.DataFrame, str, list[str], dict[str, int]]:
    # A workbook is a zip: refuse one that unpacks past the cap before openpyxl inflates it (the
    # declared sizes suffice here: zipfile never inflates a member past its declared size).
    SafeZip(data, Limits.from_env(max_members=MAX_ZIP_MEMBERS), what=N_("The Excel file")).close()
    try:
        book = pd.ExcelFile(io.BytesIO(data), engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise InputError("Could not open the Excel file ({kind}): re-save it as .xlsx or CSV.",
                         kind=type(exc).__name__) from None
    names = [str(s) for s in book.sheet_names]
    if sheet is not None and sheet not in names:
        raise InputError("No sheet named {sheet!r}; the workbook has: {sheets}.", sheet=sheet, sheets=", ".join(names))
    rows = _sheet_rows(book, names)
    # Default: the sheet with the most rows (a 3-row README sheet in front must not win), so the
    # page can ask which one when several have data.
    chosen = sheet or (max(names, key=lambda n: (rows[n], -names.index(n))) if any(rows.values()) else None)
    frames: dict[str, pd.DataFrame] = {}
    for s in ([chosen] if chosen else names):
        try:
            frames[s] = pd.read_excel(book, sheet_name=s, dtype=str)
        except Exception as exc:  # noqa: BLE001 - a damaged sheet (bad XML, e.g. &#x1;) is a message, not a crash
            raise InputError("Could not read the sheet {sheet!r} of the Excel file ({kind}): re-save it as .xlsx "
                             "or CSV.", sheet=s, kind=type(exc).__name__) from None
        if chosen is None and not frames[s].dropna(how="all").empty:
            chosen = s
            break
    chosen = chosen or names[0]
    return frames[chosen], chosen, names, rows


def _sheet_rows(book, names: list[str]) -> dict[str, int]:
    """Data rows per sheet (below the header), from each sheet's stored dimensions: no cell is read."""
    out = {}
    for n in names:
        try:
            max_row = book.book[n].max_row
        except Exception:  # noqa: BLE001 - dimensions are a hint only
            max_row = None
        out[n] = max(0, int(max_row) - 1) if max_row else 0
    return out


def _read_zip(data: bytes, encoding: str | None) -> tuple[pd.DataFrame, str, list[str]]:
    """One document per .txt member, read through SafeZip (bomb, traversal and CRC checks)."""
    texts, names, skipped, encs = [], [], [], set()
    with SafeZip(data, Limits.from_env(max_members=MAX_ZIP_MEMBERS)) as zf:
        members = zf.members()
        if not members:
            raise InputError("The ZIP archive is empty: put one document per .txt file in it.")
        for member in members:
            base = member.basename
            if not base.lower().endswith(".txt") or member.is_os_metadata:
                skipped.append(base)
                continue
            raw = zf.read(member.name)  # a cap, CRC or damage error refuses the whole upload
            try:
                _reject_binary(raw, base)
                text, enc = decode_bytes(raw, encoding)
            except InputError:
                skipped.append(base)
                continue
            if not text.replace("\x00", "").strip():  # empty, or nothing but NUL bytes
                skipped.append(base)
                continue
            encs.add(enc)
            texts.append(text.strip())
            names.append(member.name)
    if not texts:
        raise InputError("The ZIP archive has no readable .txt files: put one document per .txt file.")
    warnings = [Message(N_("Skipped {n:,} non-text or unreadable member(s): {names}"), n=len(skipped),
                        names=", ".join(skipped[:5]) + ("…" if len(skipped) > 5 else ""))] if skipped else []
    return pd.DataFrame({"file": names, "text": texts}), "/".join(sorted(encs)), warnings


# ---------------------------------------------------------------------------------------------
# columns and cleaning


def _tidy_columns(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.dropna(axis=1, how="all") if len(frame) else frame
    cols, seen = [], {}
    for i, c in enumerate(frame.columns):
        name = str(c).strip() or f"column_{i + 1}"
        if name.startswith("Unnamed: "):
            name = f"column_{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        seen.setdefault(name, 0)
        cols.append(name)
    frame = frame.copy()
    frame.columns = cols
    return frame.reset_index(drop=True)


def _is_blank(col: pd.Series) -> bool:
    """Every value missing or only whitespace (a column with text says so in its first rows: cheap)."""
    if col.isna().all():
        return True
    if (_text_series(col.iloc[:1000]).str.strip() != "").any():
        return False
    return bool((_text_series(col).str.strip() == "").all())


def _blank_named_columns(frame: pd.DataFrame) -> list[str]:
    """Columns with a real name (not a trailing delimiter's "Unnamed: 3") and no value in any row."""
    if not len(frame):
        return []
    return [str(c).strip() for c in frame.columns
            if str(c).strip() and not str(c).startswith("Unnamed: ") and _is_blank(frame[c])]


def _refuse_blank_text_column(blank: list[str], opts: LoadOptions, name: str) -> None:
    """The chosen text column, or one named like the documents' column, empty in every row: say so
    and stop (another column, such as the labels, must not silently become the text)."""
    wanted = [opts.text_col] if opts.text_col else [c for c in blank if c.lower() in _TEXT_NAMES]
    for col in wanted:
        if col in blank:
            raise InputError("The text column {col!r} of {name} is empty in every row: there are no documents to "
                             "analyse. Fill in the texts, or choose the column that holds them.", col=col, name=name)


def _text_series(col: pd.Series) -> pd.Series:
    if pd.api.types.is_string_dtype(col.dtype) and not pd.api.types.is_object_dtype(col.dtype):
        return col.fillna("")   # already strings (every CSV/TXT column): vectorised, 1M rows in ms
    return col.map(lambda v: "" if pd.isna(v) else str(v))


def text_column_scores(frame: pd.DataFrame) -> dict[str, float]:
    """Mean string length of each text-like column (numbers and dates do not count as text)."""
    scores = {}
    for col in frame.columns:
        values = frame[col].dropna().astype(str)
        values = values[values.str.strip() != ""]
        if values.empty:
            continue
        # Numbers vs text: an even sample decides (parsing a million strings as numbers takes seconds).
        sample = values.iloc[:: max(1, len(values) // _ROLE_SAMPLE)]
        numeric = pd.to_numeric(sample, errors="coerce").notna().mean()
        if numeric > 0.9:
            continue
        scores[col] = float(values.str.len().mean())
    return scores


def suggest_label_column(frame: pd.DataFrame, text_col: str) -> str | None:
    n = len(frame)
    candidates = []
    for col in frame.columns:
        if col == text_col:
            continue
        k = frame[col].nunique(dropna=True)
        named = str(col).strip().lower() in _LABEL_NAMES
        # A column called "label" is a label even in a tiny corpus; others must repeat values.
        if 2 <= k <= (min(n, 500) if named else min(100, max(2, n // 2))):
            candidates.append((not named, k, col))
    return min(candidates)[2] if candidates else None


def suggest_date_column(frame: pd.DataFrame, text_col: str) -> str | None:
    for col in frame.columns:
        if col == text_col or not _DATE_NAMES.search(str(col)):
            continue
        parsed = pd.to_datetime(frame[col], errors="coerce", format="mixed")
        if parsed.notna().mean() > 0.8:
            return col
    return None


def _resolve_roles(frame: pd.DataFrame, opts: LoadOptions) -> tuple[str, str | None, str | None]:
    cols = list(frame.columns)
    for role, col in (("text", opts.text_col), ("label", opts.label_col), ("date", opts.date_col)):
        if col and col not in cols:
            raise InputError("No column named {col!r} for the {role}; the columns are: {columns}.", col=col,
                             role=Message(_ROLE_NAMES[role]), columns=", ".join(map(str, cols)))
    if opts.text_col:
        text_col = opts.text_col
    else:
        scores = text_column_scores(frame)
        if not scores:
            raise InputError("No text-like column found (every column is empty or numeric): "
                             "the file needs a column of documents.")
        text_col = max(scores, key=scores.get)
    if _is_blank(frame[text_col]):
        raise InputError("The text column {col!r} is empty in every row: there are no documents to analyse. "
                         "Choose the column that holds the texts.", col=text_col)
    if opts.label_col is None:
        label_col = suggest_label_column(frame, text_col)
    else:
        label_col = opts.label_col or None
    if opts.date_col is None:
        date_col = suggest_date_column(frame, text_col)
    else:
        date_col = opts.date_col or None
        if date_col and pd.to_datetime(frame[date_col], errors="coerce", format="mixed").notna().mean() == 0:
            raise InputError("Column {col!r} has no values that read as dates.", col=date_col)
    return text_col, label_col, date_col


def _clean(frame: pd.DataFrame, text_col: str, opts: LoadOptions) -> tuple[pd.DataFrame, int, int]:
    n_empty = n_dup = 0
    if opts.drop_empty:
        keep = _text_series(frame[text_col]).str.strip() != ""
        n_empty = int((~keep).sum())
        frame = frame[keep]
    if opts.drop_duplicates:
        dup = _text_series(frame[text_col]).duplicated()
        n_dup = int(dup.sum())
        frame = frame[~dup]
    return frame.reset_index(drop=True), n_empty, n_dup


# ---------------------------------------------------------------------------------------------
# quality summary

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")


def language_of(text: str) -> str:
    """'zh', 'en' or 'other' from the share of Han vs Latin letters."""
    han = len(_HAN.findall(text))
    latin = len(_LATIN.findall(text))
    if han == 0 and latin == 0:
        return "other"
    # A Han character carries about as much as a 2-3 letter word: weight so mixed titles read as zh.
    return "zh" if han * 3 >= latin else "en"


def _has_control(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" and ch not in "\n\r\t" for ch in text)


@dataclass
class QualitySummary:
    rows: int
    empty_texts: int
    duplicate_texts: int
    control_char_docs: int
    language_mix: dict[str, int]
    char_lengths: np.ndarray
    token_lengths: np.ndarray | None = None

    def length_stats(self) -> dict[str, float]:
        a = self.char_lengths
        return {"min": int(a.min()), "median": float(np.median(a)), "mean": round(float(a.mean()), 1),
                "max": int(a.max())} if len(a) else {}

    def as_dict(self) -> dict:
        out = {
            "rows": self.rows, "empty_texts": self.empty_texts, "duplicate_texts": self.duplicate_texts,
            "control_char_docs": self.control_char_docs, "language_mix": self.language_mix,
            "char_length": self.length_stats(),
        }
        if self.token_lengths is not None and len(self.token_lengths):
            t = self.token_lengths
            out["token_length"] = {"min": int(t.min()), "median": float(np.median(t)),
                                   "mean": round(float(t.mean()), 1), "max": int(t.max())}
        return out


def summarize(corpus: Corpus, token_lengths: np.ndarray | None = None) -> QualitySummary:
    # Arrow strings (what CSV columns already are): strip, duplicates and lengths run vectorised.
    texts = _text_series(corpus.frame[corpus.text_col]).astype("str")   # no copy when already Arrow
    stripped = texts.str.strip()
    nonempty = stripped[stripped != ""]
    try:  # vectorised over the UTF-8 bytes: the same counts as language_of/_has_control per document
        from core.textstats import char_class_counts

        han, latin, ctrl = char_class_counts(texts)
        langs = np.where((han == 0) & (latin == 0), "other", np.where(han * 3 >= latin, "zh", "en"))
        mix = {lang: int((langs == lang).sum()) for lang in ("zh", "en", "other")}
        control_docs = int((ctrl > 0).sum())
    except (UnicodeError, ValueError):  # e.g. lone surrogates, which have no UTF-8 form
        counts = pd.Series([language_of(t) for t in corpus.texts]).value_counts()
        mix = {lang: int(counts.get(lang, 0)) for lang in ("zh", "en", "other")}
        control_docs = int(sum(_has_control(t) for t in corpus.texts))
    return QualitySummary(
        rows=len(texts), empty_texts=int((stripped == "").sum()), duplicate_texts=int(nonempty.duplicated().sum()),
        control_char_docs=control_docs, language_mix=mix,
        char_lengths=texts.str.len().to_numpy(dtype=np.int64), token_lengths=token_lengths,
    )
