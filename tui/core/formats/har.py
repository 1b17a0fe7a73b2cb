"""HAR 1.2 (what Playwright and Skyvern record): entries, a filter language, sorting, curl.

Everything here is linear in the number of entries. A 50 MB HAR of 20,000 entries is cut into
its entries without parsing (`har_slices`), each parsed alone: `har_head` reads the first ones
for the first screen and `read_rest` the others, a batch at a time, in a worker that never
holds the GIL for long. A file that cannot be cut is parsed whole, as before. Each entry is
flattened to an `Entry` with the few fields the table needs precomputed, and filtering/sorting
are one pass / one `sorted` over those fields. Bodies stay as the strings of the HAR and are
decoded only for the entry on screen.
"""

from __future__ import annotations

import base64
import binascii
import re
import shlex
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any
from collections.abc import Callable, Iterator
from urllib.parse import parse_qsl, urlsplit

from ..errors import ParseError
from ..textsafe import safe_fields, visible_controls
from .bodies import PRETTY_LIMIT, BodyPreview, decoded_head, preview_body
from ..fields import mapping
# The curl redaction lives in core.redact; REDACTED and redact_url are re-exported for callers.
from ..redact import REDACTED as REDACTED, redact_body, redact_headers, redact_url as redact_url
from . import har_slices
from .jsonload import MAX_NUMBER, count, load_json, nesting_guard, number

# Name-value pairs (headers, query, cookies) as tuples: tuples of strings are not tracked by the
# garbage collector, lists are, and 100,000 lists of a big HAR added 20 ms to each full collection.
Pairs = tuple[tuple[str, str], ...]

TYPES = ("document", "xhr/fetch", "script", "stylesheet", "image", "font", "media", "other")
TIMING_PHASES = ("blocked", "dns", "connect", "ssl", "send", "wait", "receive")


@dataclass(eq=False)
class Entry:
    index: int  # position in the file: the default order
    method: str
    url: str
    host: str
    path: str  # path and query
    status: int  # 0 when there was no response (aborted, blocked, failed)
    status_text: str
    mime: str
    type: str  # one of TYPES
    size: int  # response body bytes (content.size, else bodySize), 0 when unknown
    started: float  # epoch milliseconds
    duration: float  # milliseconds
    timings: dict[str, float]
    request_headers: Pairs
    response_headers: Pairs
    query: Pairs
    request_cookies: Pairs
    response_cookies: Pairs
    # The bodies stay out of repr: a worker's description is the repr of its arguments, made
    # on the event loop (a 10 MB body took 50 ms there on each cursor move).
    request_body: str | None = field(repr=False)  # postData.text
    request_mime: str
    body_text: str | None = field(repr=False)  # content.text as stored (maybe base64)
    body_encoding: str
    failure: str  # _failureText of Playwright (net::ERR_FAILED, ...)
    body_file: str = ""  # in a trace: the zip member holding the body (content._file or _sha1)
    _search: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        # The body as stored (maybe base64) and its zip member are not text to show: body()
        # gives the bytes and body_text() below the safe text. _search is only matched against.
        # Most entries hold no control character: one search over all their text proves it,
        # much cheaper than the walk field by field (a third of a 20,000-entry HAR's parse).
        if not _clean(self):
            safe_fields(self, keep=_KEPT)

    @property
    def search_text(self) -> str:
        """What a plain filter word is matched against, made on first use (most HARs are
        never filtered)."""
        if not self._search:
            self._search = f"{self.method} {self.url} {self.status} {self.mime}".lower()
        return self._search

    @property
    def failed(self) -> bool:
        return self.status == 0 or self.status >= 400

    @property
    def has_body(self) -> bool:
        return self.body_text is not None

    def body(self) -> bytes | None:
        """The response body as bytes: base64 decoded when the HAR says so, None when omitted."""
        if self.body_text is None:
            return None
        if self.body_encoding == "base64":
            try:
                return base64.b64decode(self.body_text, validate=False)
            except (binascii.Error, ValueError):
                return self.body_text.encode("utf-8", "replace")
        return self.body_text.encode("utf-8", "replace")


_KEPT = ("body_text", "body_file", "_search")
# Entry's fields by what they hold (from the annotations): anything else is walked by safe_fields.
_TEXT_FIELDS = tuple(f.name for f in fields(Entry) if f.type in ("str", "str | None") and f.name not in _KEPT)
_PAIR_FIELDS = tuple(f.name for f in fields(Entry) if f.type == "Pairs")
_PLAIN_FIELDS = tuple(f.name for f in fields(Entry) if f.type in ("int", "float"))
_TIMING_KEYS = frozenset(TIMING_PHASES)
# A field of another kind (added later) is not searched below: every entry then takes the walk.
_UNCHECKED = {f.name for f in fields(Entry)} - {*_TEXT_FIELDS, *_PAIR_FIELDS, *_PLAIN_FIELDS, *_KEPT, "timings"}


def _clean(entry: Entry) -> bool:
    """Whether no field of `entry` that safe_fields would walk holds a control character."""
    if _UNCHECKED:
        return False
    texts = [value for name in _TEXT_FIELDS if (value := getattr(entry, name)) is not None]
    for name in _PAIR_FIELDS:
        for pair in getattr(entry, name):
            texts += pair
    if not _TIMING_KEYS.issuperset(entry.timings):
        return False  # keys of a caller's own: let safe_fields see them
    try:
        blob = "\n".join(texts)
    except TypeError:  # not all strings (an Entry built by hand): the walk decides
        return False
    return visible_controls(blob) is blob


@dataclass
class Har:
    entries: list[Entry]
    creator: str = ""
    pages: list[dict] = field(default_factory=list)
    # Bytes of the file read into entries so far, and its size: a big HAR is shown before all
    # its entries are (har_head reads the first ones, read_rest the others).
    read: int = 0
    size: int = 0
    _rest: _Rest | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        safe_fields(self, keep=("entries", "_rest"))  # each entry is made safe by itself

    @property
    def complete(self) -> bool:
        return self._rest is None

    @property
    def start(self) -> float:
        return min((e.started for e in self.entries), default=0.0)

    @property
    def end(self) -> float:
        return max((e.started + max(e.duration, 0) for e in self.entries), default=0.0)


@dataclass
class _Rest:
    """What read_rest needs to go on: the entries still to come, the headers met so far."""

    raws: Iterator[tuple[int, dict, int]]
    memo: dict[tuple[str, str], tuple[str, str]]


# --- parsing ----------------------------------------------------------------------------------
FIRST_ENTRIES = 200  # what har_head reads: a few screenfuls of the table
BATCH = 250  # entries read_rest adds at a time (some 10 ms of work)
NOT_A_HAR = "Not a HAR file: no log.entries list."


@nesting_guard("The HAR file")
def parse_har(data: bytes) -> Har:
    """The whole HAR, every entry read (blocks: from a worker, or for a small file)."""
    har = har_head(data, first=BATCH)
    read_rest(har)
    return har


@nesting_guard("The HAR file")
def har_head(data: bytes, first: int = FIRST_ENTRIES) -> Har:
    """The HAR with its first `first` entries, and what read_rest needs for the others; a file
    whose entries cannot be cut is read whole (complete)."""
    where = har_slices.layout(data)
    if where is None:
        doc = load_json(data, "The HAR file")
        memo: dict[tuple[str, str], tuple[str, str]] = {}
        har = _har_of(doc, [parse_entry(raw, i, memo) for i, raw, _ in _whole_entries(doc, len(data))])
        har.read = har.size = len(data)
        return har
    har = _har_of(where.skeleton, [])
    har.size = len(data)

    def from_whole(doc: Any) -> None:  # the cut went wrong: the document around may be wrong too
        har.creator, har.pages = (read := _har_of(doc, [])).creator, read.pages

    har._rest = _Rest(_cut_entries(data, where, from_whole), {})
    _read_more(har, first)
    return har


@nesting_guard("The HAR file")
def read_rest(har: Har, progress: Callable[[int, int], None] | None = None,
              cancelled: Callable[[], bool] = lambda: False) -> None:
    """Read the entries har_head left, a batch at a time, into `har.entries` (the caller's
    thread: a worker). `progress(read, size)` after each batch; `cancelled` stops it."""
    while har._rest is not None and not cancelled():
        _read_more(har, BATCH)
        if progress is not None:
            progress(har.read, har.size)


def _read_more(har: Har, wanted: int) -> None:
    rest = har._rest
    assert rest is not None
    batch: list[Entry] = []
    for index, raw, end in rest.raws:
        batch.append(parse_entry(raw, index, rest.memo))
        if len(batch) >= wanted:
            har.entries.extend(batch)  # one call: the interface sees all of a batch or none
            har.read = end
            return
    har.entries.extend(batch)
    har.read, har._rest = har.size, None


def raw_entries(data: bytes) -> Iterator[tuple[int, dict]]:
    """(position in log.entries, the entry's object) for every entry that is an object, cut
    out and parsed one at a time when the file allows (never one long hold of the GIL), else
    from one parse of the whole file. ParseError when it is not a HAR."""
    where = har_slices.layout(data)
    found = _cut_entries(data, where) if where is not None else _whole_entries(load_json(data, "The HAR file"), len(data))
    for index, raw, _ in found:
        yield index, raw


def _cut_entries(data: bytes, where: har_slices.Layout,
                 whole: Callable[[Any], None] = lambda doc: None) -> Iterator[tuple[int, dict, int]]:
    """(position, object, offset after it) of each entry, by slices; from the first slice that
    is not exactly one entry on (the cut went wrong), from the whole file (given to `whole`)."""
    done = 0
    for start, end in har_slices.slices(data, where):
        raw = har_slices.parse_slice(data, start, end)
        if raw is None:
            break
        yield done, raw, end
        done += 1
    else:
        return
    doc = load_json(data, "The HAR file")
    whole(doc)
    for index, raw, end in _whole_entries(doc, len(data)):
        if index >= done:
            yield index, raw, end


def _whole_entries(doc: Any, size: int) -> Iterator[tuple[int, dict, int]]:
    log = doc.get("log") if isinstance(doc, dict) else None
    raws = log.get("entries") if isinstance(log, dict) else None
    if not isinstance(raws, list):
        raise ParseError(NOT_A_HAR)
    return ((i, raw, size) for i, raw in enumerate(raws) if isinstance(raw, dict))


def _har_of(doc: dict, entries: list[Entry]) -> Har:
    log = mapping(doc.get("log"))
    if not isinstance(log.get("entries"), list):
        raise ParseError(NOT_A_HAR)
    creator = mapping(log.get("creator"))
    name = f"{creator.get('name', '')} {creator.get('version', '')}".strip()
    pages = log.get("pages")
    return Har(entries, name, [p for p in pages if isinstance(p, dict)] if isinstance(pages, list) else [])


def _pairs(items: Any, memo: dict[tuple[str, str], tuple[str, str]] | None = None) -> Pairs:
    """(name, value) pairs; with `memo`, a pair met before (the same header on most requests)
    is the same tuple: 20,000 requests hold each repeated header once."""
    if not isinstance(items, list):
        return ()
    pairs = [(str(i.get("name", "")), str(i.get("value", ""))) for i in items if isinstance(i, dict)]
    if memo is None:
        return tuple(pairs)
    return tuple([memo.setdefault(pair, pair) for pair in pairs])


def _timing(value: Any) -> float:
    """jsonload.number(value, -1), inline for the 7 phases of 20,000 entries."""
    if (type(value) is float or type(value) is int) and -MAX_NUMBER <= value <= MAX_NUMBER:  # NaN fails
        return float(value)
    return -1.0


def _epoch_ms(text: Any) -> float:
    if not isinstance(text, str):
        return 0.0
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000
    except (ValueError, OverflowError, OSError):  # not a date, or one no clock reaches
        return 0.0


def classify(mime: str, resource_type: str = "", url: str = "") -> str:
    """Chrome DevTools' type column, from Playwright's _resourceType or else the MIME type."""
    rt = resource_type.lower()
    if rt in ("xhr", "fetch", "eventsource", "websocket"):
        return "xhr/fetch"
    if rt in ("document", "script", "stylesheet", "image", "font", "media"):
        return rt
    m = mime.lower().split(";")[0].strip()
    if m in ("text/html", "application/xhtml+xml"):
        return "document"
    if "javascript" in m or m == "application/ecmascript":
        return "script"
    if m == "text/css":
        return "stylesheet"
    if m.startswith("image/"):
        return "image"
    if m.startswith("font/") or "font" in m:
        return "font"
    if m.startswith(("audio/", "video/")):
        return "media"
    if m == "application/json" or m.endswith("+json"):
        return "xhr/fetch"
    return "other"


def parse_entry(raw: dict, index: int = 0, memo: dict[tuple[str, str], tuple[str, str]] | None = None) -> Entry:
    """One HAR entry (also the `snapshot` of a trace's resource-snapshot line); `memo` shares
    repeated headers between the entries of one file."""
    request = mapping(raw.get("request"))
    response = mapping(raw.get("response"))
    content = mapping(response.get("content"))
    url = str(request.get("url", ""))
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    status = count(response.get("status"), 0)
    mime = str(content.get("mimeType") or "")
    size = count(content.get("size"), -1)
    if size < 0:
        size = max(count(response.get("bodySize"), 0), 0)
    timings_raw = mapping(raw.get("timings"))
    post = mapping(request.get("postData"))
    text = content.get("text")
    return Entry(
        index=index,
        method=str(request.get("method", "")).upper(),
        url=url,
        host=parts.netloc,
        path=path,
        status=max(status, 0),
        status_text=str(response.get("statusText") or ""),
        mime=mime,
        type=classify(mime, str(raw.get("_resourceType") or ""), url),
        size=size,
        started=_epoch_ms(raw.get("startedDateTime")),
        duration=max(number(raw.get("time")), 0.0),
        timings={k: _timing(timings_raw.get(k)) for k in TIMING_PHASES},
        request_headers=_pairs(request.get("headers"), memo),
        response_headers=_pairs(response.get("headers"), memo),
        query=_pairs(request.get("queryString")) or tuple(parse_qsl(parts.query, keep_blank_values=True)),
        request_cookies=_pairs(request.get("cookies")),
        response_cookies=_pairs(response.get("cookies")),
        request_body=post.get("text") if isinstance(post.get("text"), str) else None,
        request_mime=str(post.get("mimeType") or ""),
        body_text=text if isinstance(text, str) else None,
        body_encoding=str(content.get("encoding") or ""),
        failure=str(response.get("_failureText") or raw.get("_failureText") or ""),
        body_file=str(content.get("_file") or content.get("_sha1") or ""),  # v10 / v7 traces
    )


# --- the filter language ----------------------------------------------------------------------
# Terms are ANDed; `-term` negates one. `failed`, a type name (`xhr`, `fetch`, `img`, `js`,
# `css`, `doc`, ...), `status:404` / `status:4xx`, `method:post`, `domain:example.com`,
# `larger-than:10k` (k/M suffix); anything else is a substring of method, URL, status or MIME.
TYPE_WORDS = {
    "document": "document", "doc": "document", "xhr": "xhr/fetch", "fetch": "xhr/fetch",
    "xhr/fetch": "xhr/fetch", "script": "script", "js": "script", "stylesheet": "stylesheet",
    "css": "stylesheet", "image": "image", "img": "image", "font": "font", "media": "media",
    "other": "other",
}

Predicate = Callable[[Entry], bool]


def _size(text: str) -> int:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([kKmM]?)[bB]?", text)
    if not match:
        raise ValueError(f"not a size: {text!r} (try 10k or 2M)")
    factor = {"": 1, "k": 1024, "m": 1024 * 1024}[match.group(2).lower()]
    return int(float(match.group(1)) * factor)


def _status(text: str) -> Predicate:
    if re.fullmatch(r"[1-5]xx", text.lower()):
        hundred = int(text[0])
        return lambda e: e.status // 100 == hundred
    if text.isdigit():
        code = int(text)
        return lambda e: e.status == code
    raise ValueError(f"not a status: {text!r} (try 404 or 4xx)")


def _term(term: str) -> Predicate:
    low = term.lower()
    key, sep, value = low.partition(":")
    if sep and value:
        if key == "status":
            return _status(value)
        if key == "method":
            return lambda e: e.method.lower() == value
        if key == "domain":
            return lambda e: e.host.lower() == value or e.host.lower().endswith("." + value) or (
                "*" in value and re.fullmatch(re.escape(value).replace(r"\*", ".*"), e.host.lower()) is not None
            )
        if key == "larger-than":
            limit = _size(value)
            return lambda e: e.size > limit
        if key == "type":
            kind = TYPE_WORDS.get(value, value)
            return lambda e: e.type == kind
    if low == "failed":
        return lambda e: e.failed
    if low in TYPE_WORDS:
        kind = TYPE_WORDS[low]
        return lambda e: e.type == kind
    return lambda e: low in e.search_text


def compile_filter(query: str) -> Predicate:
    """A predicate for the query; ValueError (with a readable message) for a bad term."""
    tests: list[tuple[bool, Predicate]] = []
    for term in query.split():
        negate = term.startswith("-") and len(term) > 1
        tests.append((negate, _term(term[1:] if negate else term)))
    if not tests:
        return lambda e: True
    return lambda e: all(test(e) != negate for negate, test in tests)


def filter_entries(entries: list[Entry], query: str) -> list[Entry]:
    match = compile_filter(query)
    return [e for e in entries if match(e)]


# --- sorting -----------------------------------------------------------------------------------
SORT_KEYS: dict[str, Callable[[Entry], Any]] = {
    "start": lambda e: (e.started, e.index),
    "method": lambda e: (e.method, e.index),
    "status": lambda e: (e.status, e.index),
    "type": lambda e: (e.type, e.index),
    "url": lambda e: (e.host + e.path, e.index),
    "size": lambda e: (e.size, e.index),
    "duration": lambda e: (e.duration, e.index),
}
SORT_COLUMNS = tuple(SORT_KEYS)


def sort_entries(entries: list[Entry], column: str = "start", reverse: bool = False) -> list[Entry]:
    return sorted(entries, key=SORT_KEYS[column], reverse=reverse)


# --- curl --------------------------------------------------------------------------------------
def to_curl(entry: Entry) -> str:
    """The request as a curl command, with every credential replaced by REDACTED (`redact`)."""
    words = ["curl", shlex.quote(redact_url(entry.url))]
    if entry.method and entry.method != "GET":
        words += ["-X", shlex.quote(entry.method)]
    for name, value in redact_headers(list(entry.request_headers)):
        if name.startswith(":") or name.lower() in ("content-length", "host"):
            continue  # HTTP/2 pseudo headers and what curl computes itself
        words += ["-H", shlex.quote(f"{name}: {value}")]
    if entry.request_body is not None:
        words += ["--data-raw", shlex.quote(redact_body(entry.request_body, entry.request_mime))]
    return " ".join(words)


def entry_body(entry: Entry, limit: int = PRETTY_LIMIT) -> BodyPreview | None:
    """The response body ready to show: whole (pretty-printed) when small, else its start.
    None when the HAR did not record it. The work is bounded by `limit`, not by the body."""
    if entry.body_text is None:
        return None
    data, total = decoded_head(entry.body_text, entry.body_encoding, limit + 1)
    if total <= limit:
        data = entry.body() or b""
        return preview_body(data, entry.mime)
    return preview_body(data[:limit], entry.mime, total=total)


def request_body(entry: Entry) -> BodyPreview | None:
    """The request body ready to show (it is text in a HAR), or None when there is none."""
    if entry.request_body is None:
        return None
    data, total = decoded_head(entry.request_body, None, PRETTY_LIMIT + 1)
    return preview_body(data[:PRETTY_LIMIT] if total > PRETTY_LIMIT else data, entry.request_mime, total=total)
