"""The places `Viewer.go_to` understands besides element ids: `line:N`, `entry:N`, `message:N`,
`action:N`, each N counted from 0 as core counts it (tui.core.run_model names places so):

- `line:N`: a skyvern_log's lines; a raw log's events; a text's lines as shown (JSON
  pretty-printed); an HTML file's lines as it came (its indented view has others);
- `entry:N`: the HAR's `log.entries`, in the file's order (a trace's requests too);
- `message:N`: a console log's messages (a trace's console too);
- `action:N`: the actions of an LLM answer (`llm_response_parsed`/`rendered`), or of a trace.
"""

from __future__ import annotations


def numbered(target: str, kind: str) -> int | None:
    """N of `kind:N` (`line:12` -> 12), or None when the target is another kind or no number."""
    name, colon, number = target.strip().partition(":")
    number = number.strip()
    if not colon or name.strip().lower() != kind or not (number.isascii() and number.isdigit()):
        return None
    return int(number)
