"""What counts as a credential in a request, and how to hide it (copy as curl, a saved run).

By name, not by a fixed list: a header, a query parameter or a body field whose name holds one
of the SECRET_WORDS is a secret, and so is every parameter of a signed URL (S3's X-Amz-*,
GCS's X-Goog-*, Azure's sig, CloudFront's Signature / Policy / Key-Pair-Id). Over-hiding a
harmless value costs a retype; under-hiding one leaks an account.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED = "REDACTED"
SECRET_WORDS = ("token", "auth", "key", "secret", "session", "cookie", "signature", "passw", "pwd",
                "credential", "csrf", "xsrf", "jwt", "bearer")
_SECRET_NAME = re.compile("|".join(SECRET_WORDS), re.I)
_SIGNED_PREFIXES = ("x-amz-", "x-goog-", "x-ms-", "x-oss-", "x-cos-")
# Names too short or too common to search for inside other names, secret when they are the whole name.
_SIGNED_NAMES = frozenset({"sig", "policy", "key-pair-id", "code", "se", "st", "sp", "sv", "sr", "skt",
                           "ske", "sks", "skv", "skoid", "sktid", "expires", "hash", "hmac", "nonce"})
_FORM = re.compile(r"^[^=&\s]+=[^&]*(&[^=&\s]+=[^&]*)*$")
# `"name": "value"` and `name=value` inside text that does not parse: the value goes.
_JSON_PAIR = re.compile(r'("(?P<name>[^"\\]{1,200})"\s*:\s*)("(?:[^"\\]|\\.)*"|[^,}\]\s]+)')
_TEXT_PAIR = re.compile(r"(?P<name>[A-Za-z0-9_.\-\[\]]{1,200})(\s*[=:]\s*)([^&\s,;]+)")


def is_secret_name(name: str) -> bool:
    """A header, a form or JSON field named like a credential."""
    return bool(_SECRET_NAME.search(name))


def is_secret_param(name: str) -> bool:
    """A query parameter that is a credential, or a part of a URL's signature."""
    lowered = name.strip().lower()
    return lowered.startswith(_SIGNED_PREFIXES) or lowered in _SIGNED_NAMES or is_secret_name(lowered)


def _redact_pairs(text: str) -> tuple[str, bool]:
    pairs = parse_qsl(text, keep_blank_values=True)
    if not any(is_secret_param(k) for k, _ in pairs):
        return text, False
    return urlencode([(k, REDACTED if is_secret_param(k) else v) for k, v in pairs], safe="/:,"), True


def redact_url(url: str) -> str:
    """The URL with its password, signed and secret query parameters (and fragment parameters,
    where OAuth puts tokens) replaced by REDACTED; unchanged when it has none."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact_text(url)
    changed = False
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        user = userinfo.split(":", 1)[0]
        netloc, changed = f"{user}:{REDACTED}@{host}" if ":" in userinfo else f"{REDACTED}@{host}", True
    query, hid = _redact_pairs(parts.query) if parts.query else (parts.query, False)
    fragment, hid_fragment = (_redact_pairs(parts.fragment) if "=" in parts.fragment else (parts.fragment, False))
    if not (changed or hid or hid_fragment):
        return url
    return urlunsplit(parts._replace(netloc=netloc, query=query, fragment=fragment))


def redact_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(name, REDACTED if is_secret_name(name) else value) for name, value in headers]


def _redact_json(value: Any) -> tuple[Any, bool]:
    """Secret-named fields of parsed JSON replaced, iteratively (no recursion limit to hit)."""
    changed = False
    root = [value]
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, child in list(items):
            if isinstance(node, dict) and isinstance(key, str) and is_secret_name(key):
                node[key], changed = REDACTED, True
            elif isinstance(child, (dict, list)):
                stack.append(child)
    return root[0], changed


def redact_text(text: str) -> str:
    """Secret-named `"name": value` and `name=value` pairs in text that is neither JSON nor a form."""
    text = _JSON_PAIR.sub(lambda m: f'{m.group(1)}"{REDACTED}"' if is_secret_name(m.group("name")) else m.group(0), text)
    return _TEXT_PAIR.sub(lambda m: f"{m.group('name')}{m.group(2)}{REDACTED}" if is_secret_name(m.group("name")) else m.group(0), text)


def redact_body(body: str, mime: str = "") -> str:
    """A request body with secret-named JSON or form fields replaced; unchanged when it has none."""
    stripped = body.strip()
    if "json" in mime.lower() or stripped[:1] in ("{", "["):
        try:
            value, changed = _redact_json(json.loads(stripped))
        except (ValueError, RecursionError):
            return redact_text(body)
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")) if changed else body
    if "x-www-form-urlencoded" in mime.lower() or _FORM.match(stripped):
        redacted, changed = _redact_pairs(stripped)
        return redacted if changed else body
    return redact_text(body)
