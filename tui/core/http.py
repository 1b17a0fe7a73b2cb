"""GETs with retries, hand-followed redirects, bounded answers and errors a person can act on.

Every request of the API source goes through `HttpClient.get`. The API key is added per hop,
and only when that hop's origin (scheme, host, port) is the configured API origin AND every hop
before it was too: a redirect to another origin is followed without it, so the key cannot leak
to a storage host, a CDN or a hostile Location, and a hop reached through another origin (a
signed URL that redirects back to the API) gets no key either: that Location was chosen by a
host we do not trust with it. A redirect from https to http is refused (the answer, signed
query included, would cross the network in clear).

Every answer is read as a stream with two bounds: its decoded size (a small gzip body can
inflate to gigabytes; `http_body`) and an overall deadline per request, redirects and retries
included (a server dripping a byte now and then never trips a per-read timeout). Only GETs are made, so every failure that may pass (5xx,
429, timeouts, refused or cut connections) is retried with a bounded exponential backoff.
"""

from __future__ import annotations

import ipaddress
import random
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import httpx

from .http_deadline import DeadlinePassed, DeadlineTransport, passed, within
from .http_body import ACCEPT_ENCODING, BodyCut, BodyOverdue, BodyTooBig, BodyUndecodable, read_body
from .errors import ApiError, ApiUnavailable, AuthError, InvalidRequest, RateLimited, SourceError

MAX_REDIRECTS = 5
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
AUTH_DETAILS = ("invalid credentials", "could not validate credentials")
DEFAULT_MAX_BYTES = 1 << 30  # decoded bytes of one answer; a recording of a long run fits
DEFAULT_DEADLINE = 600.0  # seconds for one request, first connect to last byte, retries included
Params = Mapping[str, str | int | Sequence[str]] | None
# A host name -> every address it resolves to (as text); injected by tests.
Resolver = Callable[[str], Iterable[str]]
Sleep = Callable[[float], None]
Clock = Callable[[], float]


def origin_of(url: httpx.URL | str) -> tuple[str, str, int]:
    """(scheme, host, port) with the default port filled in, so http://h and http://h:80 match."""
    url = httpx.URL(str(url))
    port = url.port or {"http": 80, "https": 443}.get(url.scheme, 0)
    return (url.scheme.lower(), url.host.lower(), port)


def system_resolver(host: str) -> list[str]:
    """Every address the system gives for a host name ([] when it resolves to none)."""
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        return []
    return [str(info[4][0]) for info in infos]


def _loopback_address(text: str) -> bool:
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])  # drop an IPv6 zone
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def is_loopback(url: httpx.URL | str, resolve: Resolver = system_resolver) -> bool:
    """True when the URL's host is this machine's loopback, judged by its address: an IP
    literal is parsed, a name is resolved and every address it has must be loopback (a name
    such as 127.attacker.example is whatever its DNS says, not what it reads like)."""
    try:
        host = httpx.URL(str(url)).host
    except (httpx.InvalidURL, ValueError, TypeError):
        return False
    if not host:
        return False
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        addresses = list(resolve(host))
        return bool(addresses) and all(_loopback_address(a) for a in addresses)
    return _loopback_address(host)


def insecure_warning(base_url: str, resolve: Resolver = system_resolver) -> str | None:
    """A warning for a plain http:// API on another machine: the key would cross the network
    in clear. None for https, and for http to loopback."""
    try:
        url = httpx.URL(base_url.strip())
    except (httpx.InvalidURL, ValueError, TypeError):
        return None
    if url.scheme != "http" or is_loopback(url, resolve):
        return None
    return (f"the API URL {public_url(url)} is plain http to a host that is not this machine: "
            "the API key and every artifact cross the network unencrypted; use https://")


def public_url(url: httpx.URL | str) -> str:
    """The URL without query or user info: a signed URL's query is a credential, never shown."""
    url = httpx.URL(str(url))
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{url.host}{port}{url.path}"


class _Refused(Exception):
    """A redirect we will not follow (a loop, a downgrade to http): not worth a retry."""


class HttpClient:
    """One thread-safe httpx client for the API and for signed URLs.

    `sleep` and `clock` are injectable so that tests assert the waits asked for instead of
    measuring them; by default a wait ends early when the client is closed."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float,
        retries: int,
        backoff: float,
        max_backoff: float,
        max_retry_after: float,
        max_bytes: int = DEFAULT_MAX_BYTES,
        deadline: float = DEFAULT_DEADLINE,
        transport: httpx.BaseTransport | None = None,
        sleep: Sleep | None = None,
        clock: Clock = time.monotonic,
    ) -> None:
        try:
            base = httpx.URL(base_url.strip())
        except (httpx.InvalidURL, ValueError, TypeError):
            base = None
        if base is None or base.scheme not in ("http", "https") or not base.host:
            raise SourceError(f"the API URL must start with http:// or https:// and name a host, not {base_url!r}")
        if base.userinfo:
            # It would show in labels and messages; the key has its own setting.
            raise SourceError("the API URL must not contain a user name or password: pass the key with --api-key")
        self.base_url = str(base).rstrip("/")
        self.origin = origin_of(base)
        self._key = api_key
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after
        self.max_bytes = max_bytes
        self.deadline = deadline
        self._sleep = sleep
        self._clock = clock
        self._closed = threading.Event()
        # follow_redirects=False: every hop passes through _send, which decides about the key.
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            headers={"user-agent": "skyvern-tui", "accept-encoding": ACCEPT_ENCODING},
            # Our sockets keep the deadline (a drip in the headers too); a test's transport is its own.
            transport=transport or DeadlineTransport(),
        )

    def close(self) -> None:
        self._closed.set()  # wakes any retry that is waiting
        self._client.close()

    def api_url(self, path: str) -> httpx.URL:
        return httpx.URL(self.base_url + path)

    # -- one request -----------------------------------------------------------------------
    def _send(self, url: httpx.URL, params: Params, keyed: bool, headers: Mapping[str, str],
              max_bytes: int, due: float) -> httpx.Response:
        for _hop in range(MAX_REDIRECTS + 1):
            hop_headers = dict(headers)
            if keyed and origin_of(url) != self.origin:
                keyed = False  # off the API origin: no later hop gets the key, even back on it
            if keyed and self._key:
                hop_headers["x-api-key"] = self._key
            request = self._client.build_request("GET", url, params=params, headers=hop_headers)
            response = self._client.send(request, stream=True)
            try:
                location = response.headers.get("location")
                if response.status_code in REDIRECT_CODES and location:
                    target = response.url.join(location)
                    if response.url.scheme == "https" and target.scheme != "https":
                        raise _Refused(f"a redirect from https to {target.scheme} "
                                       f"({public_url(target)}) was refused: it would leave the encrypted connection")
                    url, params = target, None  # the Location carries its own query
                    continue
                return self._read(response, due, max_bytes)
            finally:
                response.close()
        raise _Refused(f"more than {MAX_REDIRECTS} redirects (a redirect loop?)")

    def _read(self, response: httpx.Response, due: float, max_bytes: int) -> httpx.Response:
        """The answer's decoded body, within `max_bytes` and before `due`, as a plain response."""
        content = read_body(response, max_bytes, due, self._clock, self.deadline)
        # A response holding the decoded bytes: the encoding headers no longer describe them.
        headers = [(k, v) for k, v in response.headers.multi_items()
                   if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")]
        return httpx.Response(
            response.status_code,
            headers=headers,
            content=content,
            request=response.request,
            extensions={k: v for k, v in response.extensions.items() if k in ("http_version", "reason_phrase")},
        )

    # -- with retries ----------------------------------------------------------------------
    def get(
        self,
        url: httpx.URL,
        params: Params = None,
        *,
        keyed: bool = True,
        headers: Mapping[str, str] | None = None,
        what: str | None = None,
        max_bytes: int | None = None,
    ) -> httpx.Response:
        """A finished response of any status below 500 other than 429; errors otherwise."""
        what = what or f"GET {public_url(url)}"
        with within(self.deadline):
            return self._get(url, params, keyed, headers or {}, what,
                             self.max_bytes if max_bytes is None else min(max_bytes, self.max_bytes))

    def _get(self, url: httpx.URL, params: Params, keyed: bool, headers: Mapping[str, str], what: str,
             limit: int) -> httpx.Response:
        attempts = self.retries + 1
        due = self._clock() + self.deadline  # for the whole request: redirects and retries too
        for attempt in range(attempts):
            if self._closed.is_set():
                raise ApiError(f"{what} was cancelled: the connection is closed")
            last = attempt + 1 == attempts
            try:
                if attempt and (self._clock() > due or passed()):
                    raise BodyOverdue(f"no answer within {self.deadline:g} s")
                response = self._send(url, params, keyed, headers, limit, due)
            except (BodyTooBig, BodyUndecodable, _Refused) as exc:
                raise ApiError(f"{what} failed: {exc}.") from None
            except (BodyOverdue, DeadlinePassed) as exc:
                raise self._overdue(what, url, exc, attempt) from None
            except (httpx.TransportError, BodyCut) as exc:
                if isinstance(exc, httpx.TimeoutException) and passed():  # cut short by the deadline
                    raise self._overdue(what, url, exc, attempt) from None
                if last or not _retryable(exc):
                    raise ApiUnavailable(f"{what} failed: {self._describe(exc, url)}{_tries(attempts)}. {self._advice(url)}") from None
                self._pause(self._backoff(attempt))
                continue
            except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
                raise ApiError(f"{what} failed: {type(exc).__name__}: {exc}") from None
            status = response.status_code
            if status == 429 or status >= 500:
                if last:
                    raise self._status_error(what, response, attempts)
                wait = _retry_after(response.headers.get("retry-after"))
                self._pause(min(wait, self.max_retry_after) if wait is not None else self._backoff(attempt))
                continue
            return response
        raise AssertionError("unreachable")

    def _overdue(self, what: str, url: httpx.URL, exc: Exception, attempt: int) -> ApiUnavailable:
        detail = str(exc) if isinstance(exc, BodyOverdue) else f"the answer did not arrive within {self.deadline:g} s"
        return ApiUnavailable(f"{what} failed: {detail}{_tries(attempt + 1)}. {self._advice(url)}")

    def _pause(self, seconds: float) -> None:
        seconds = max(0.0, seconds)
        if self._sleep is not None:
            self._sleep(seconds)
            if self._closed.is_set():
                raise ApiError("cancelled: the connection is closed")
        elif self._closed.wait(seconds):
            raise ApiError("cancelled: the connection is closed")

    def _backoff(self, attempt: int) -> float:
        # Jitter so that parallel downloads do not retry in lockstep.
        return min(self.backoff * 2**attempt, self.max_backoff) * random.uniform(0.75, 1.0)

    def _status_error(self, what: str, response: httpx.Response, attempts: int) -> ApiError:
        status = response.status_code
        if status == 429:
            return RateLimited(
                f"{what} failed: the server kept answering 429 Too Many Requests{_tries(attempts)}. "
                "Wait a minute and try again, or fetch fewer artifacts at once.",
                status=status,
            )
        return ApiUnavailable(
            f"{what} failed: the server answered {status} {response.reason_phrase}{_tries(attempts)}"
            f"{_detail_suffix(response)}. The server is failing: try again later or look at its logs.",
            status=status,
        )

    def _describe(self, exc: Exception, url: httpx.URL) -> str:
        host = f"{url.host}:{origin_of(url)[2]}"
        text = str(exc)
        lowered = text.lower()
        if isinstance(exc, BodyCut):
            return f"the answer was cut off ({text})"
        if isinstance(exc, httpx.ConnectTimeout):
            return f"no connection to {host} within {self.timeout:g} s"
        if isinstance(exc, httpx.TimeoutException):
            return f"{host} stopped answering for more than {self.timeout:g} s"
        if _bad_location(exc):
            return f"{host} redirected to a URL that is not valid ({text.removesuffix('.')})"
        if isinstance(exc, httpx.RemoteProtocolError):
            return f"the connection to {host} was cut before the whole answer arrived ({text})"
        if isinstance(exc, httpx.UnsupportedProtocol):
            return f"unsupported URL scheme {url.scheme!r}"
        if any(s in lowered for s in ("name or service not known", "nodename nor servname", "getaddrinfo",
                                      "name resolution", "no address associated", "11001")):
            return f"the host name {url.host!r} could not be resolved (DNS)"
        if "refused" in lowered or "errno 111" in lowered or "10061" in lowered:
            return f"connection refused by {host}: is the server running on that port?"
        return f"{type(exc).__name__}: {text or 'network error'}"

    def _advice(self, url: httpx.URL) -> str:
        if origin_of(url) == self.origin:
            return "Check --base-url / SKYVERN_BASE_URL, that the server is running and that this machine can reach it."
        return "The storage host holding the artifact could not be reached; try again later."


def _tries(attempts: int) -> str:
    return f" (after {attempts} attempts)" if attempts > 1 else ""


def _bad_location(exc: Exception) -> bool:
    # httpx builds the next request of a redirect even when it does not follow it.
    return isinstance(exc, httpx.RemoteProtocolError) and "location header" in str(exc).lower()


def _retryable(exc: Exception) -> bool:
    return not isinstance(exc, (httpx.UnsupportedProtocol, httpx.LocalProtocolError)) and not _bad_location(exc)


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds, from a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def detail_of(response: httpx.Response) -> str:
    """FastAPI's `detail`: a string, or for 422 a list of {loc, msg, input}."""
    try:
        data = response.json()
    except ValueError:
        return response.text.strip()[:200]
    detail = data.get("detail") if isinstance(data, dict) else data
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, dict):
                loc = [str(p) for p in item.get("loc", []) if p not in ("query", "path", "body")]
                where = ".".join(loc) or "request"
                got = f" (got {item['input']!r})" if "input" in item else ""
                parts.append(f"{where}: {item.get('msg', 'invalid')}{got}")
            else:
                parts.append(str(item))
        return "; ".join(parts)
    return str(detail)[:300] if detail is not None else ""


def _detail_suffix(response: httpx.Response) -> str:
    detail = detail_of(response)
    return f": {detail}" if detail else ""


def raise_for_status(
    response: httpx.Response,
    what: str,
    not_found: Callable[[], SourceError] | None = None,
) -> None:
    """Turn a non-2xx answer of the API into the error that explains it."""
    status = response.status_code
    if status < 300:
        return
    detail = detail_of(response)
    if status in (401, 403) and (status == 401 or detail.lower().strip(".") in AUTH_DETAILS):
        raise AuthError(
            f"{what} was refused: {detail or 'unauthorized'} ({status}). "
            "Check the API key (SKYVERN_API_KEY or --api-key) and that it belongs to this server.",
            status=status,
        )
    if status == 404 and not_found is not None:
        raise not_found()
    if status == 422:
        raise InvalidRequest(
            f"{what} was refused: the server does not accept a parameter: {detail or 'unprocessable'}.",
            status=status,
        )
    raise ApiError(f"{what} failed: the server answered {status} {response.reason_phrase}{_detail_suffix(response)}.", status=status)


def json_of(response: httpx.Response, what: str) -> object:
    try:
        return response.json()
    except RecursionError:  # deeper than Python recurses: neither a ValueError nor a crash
        raise ApiError(f"{what} answered JSON nested too deeply to read (lists or objects hundreds of "
                       "levels deep).") from None
    except ValueError:
        kind = response.headers.get("content-type", "unknown content")
        raise ApiError(
            f"{what} answered {kind}, not JSON: is --base-url the Skyvern API "
            "(e.g. http://localhost:8000), not its web UI?"
        ) from None
