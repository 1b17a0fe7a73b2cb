"""A small, tolerant HTML pretty-printer: one tag per line, nested indentation, text kept.

It is for reading, not for parsing: it never fails, whatever the markup (unclosed tags, stray
closing tags, `<` in text, unterminated comments). It runs in linear time so a page of many
megabytes is indented in a worker without stalling: every regex used here stops at the next
`<` or at a fixed delimiter, and a closing tag looks at most MAX_UNWIND levels up the stack.
"""

from __future__ import annotations

import re

from ..textsafe import visible_controls

VOID = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr", "keygen", "command",
})
# Their content is not markup: kept as it is, line by line.
RAW = frozenset({"script", "style", "textarea", "pre", "xmp", "plaintext"})
INDENT = "  "
MAX_DEPTH = 40  # deeper nesting is drawn at this depth: indentation past it helps no one
MAX_UNWIND = 64  # levels a closing tag may close at once (keeps stray closers linear)
INLINE = 120  # `<td>text</td>` stays on one line up to this length

# A comment (possibly unterminated), a declaration or processing instruction, or a tag.
# `[^<>]*` stops at the next `<`, so a stray `<` costs one short scan, not a scan to the end.
_TOKEN = re.compile(r"<!--.*?(?:-->|\Z)|<[!?][^<>]*>|</?[A-Za-z][^<>]*>", re.DOTALL)
_NAME = re.compile(r"</?\s*([A-Za-z][^\s/>]*)")
_SPACE = re.compile(r"\s+")


def _closer(tag: str) -> re.Pattern[str]:
    return re.compile(rf"</{re.escape(tag)}\s*>", re.IGNORECASE)


def _text_lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def pretty_html(text: str) -> list[str]:
    """Lines of `text` indented for reading. Control characters are made visible."""
    text = visible_controls(text.replace("\r\n", "\n"))
    out: list[str] = []
    stack: list[str] = []

    def emit(line: str) -> None:
        out.append(INDENT * min(len(stack), MAX_DEPTH) + line)

    def emit_text(chunk: str) -> None:
        for line in _text_lines(chunk):
            emit(line)

    pos = 0
    size = len(text)
    while pos < size:
        match = _TOKEN.search(text, pos)
        if match is None:
            emit_text(text[pos:])
            break
        if match.start() > pos:
            emit_text(text[pos : match.start()])
        token = match.group()
        pos = match.end()
        if token.startswith(("<!", "<?")):
            if token.startswith("<!--"):
                for line in _text_lines(token):
                    emit(line)
            else:
                emit(_SPACE.sub(" ", token))
            continue
        tag = _SPACE.sub(" ", token)
        name_match = _NAME.match(tag)
        name = name_match.group(1).lower() if name_match else ""
        if tag.startswith("</"):
            # Close up to the matching open tag if it is near; a stray closer closes nothing.
            for depth in range(len(stack) - 1, max(-1, len(stack) - 1 - MAX_UNWIND), -1):
                if stack[depth] == name:
                    del stack[depth:]
                    break
            emit(tag)
            continue
        if name in VOID or tag.endswith("/>"):
            emit(tag)
            continue
        if name in RAW:
            closer = _closer(name).search(text, pos)
            end = closer.start() if closer else size
            body = text[pos:end]
            if closer and len(tag) + len(body) + len(closer.group()) <= INLINE and "\n" not in body:
                emit(tag + body + closer.group())
            else:
                emit(tag)
                stack.append(name)
                for line in body.split("\n"):
                    if line.strip():
                        emit(line.rstrip())
                stack.pop()
                if closer:
                    emit(closer.group())
            pos = closer.end() if closer else size
            continue
        # `<td>short text</td>` reads best on one line.
        following = _TOKEN.search(text, pos)
        if following is not None:
            inner = text[pos : following.start()]
            closing = following.group()
            if (
                closing.startswith("</")
                and (m := _NAME.match(closing)) is not None
                and m.group(1).lower() == name
                and "<" not in inner
            ):
                inner_text = " ".join(inner.split())
                line = tag + inner_text + closing
                if len(line) <= INLINE:
                    emit(line)
                    pos = following.end()
                    continue
        emit(tag)
        stack.append(name)
    return out


def pretty_html_bytes(data: bytes) -> list[str]:
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    return pretty_html(data[start:].decode("utf-8", errors="replace"))
