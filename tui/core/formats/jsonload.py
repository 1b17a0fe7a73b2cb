"""JSON from outside, read into values the parsers can trust to be what they look like.

`json.loads` fails three ways on hostile bytes: ValueError (not JSON), UnicodeDecodeError (a
ValueError too) and RecursionError (nested deeper than Python recurses: 100,000 `[` are
enough), which is neither. `load_json` turns all three into the one ParseError. NaN and
Infinity parse by default; `number` and `count` give a field as a finite float or a bounded
int (wrong types, NaN and Infinity fall back to the default) so `round`, `int` and sorting
never meet them.

orjson reads first: it is 2-4x faster than json on the big artifacts (a 53 MB HAR, an 84 MB
element tree). What it refuses (NaN, integers over 64 bits, a BOM, nesting over 1,024 levels)
is read again by json, so the values and the errors are json's, as before.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import orjson

from ..errors import ParseError, TuiError

P = ParamSpec("P")
R = TypeVar("R")
TOO_DEEP = "nested too deeply to read (lists or objects hundreds of levels deep)"

# Larger magnitudes are taken for garbage: far above any size, status or epoch milliseconds.
MAX_NUMBER = 1e15


def load_json(data: bytes | str, what: str, error: type[TuiError] = ParseError) -> Any:
    """The decoded value; `error` (ParseError, or a source's SourceError) naming `what` ("The
    HAR file", a path) and why, for a person."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        pass  # json decides: it reads more than orjson, and says why it cannot
    try:
        return json.loads(data)
    except RecursionError:
        raise error(f"{what} is {TOO_DEEP}.") from None
    except UnicodeDecodeError as exc:
        raise error(f"{what} is not UTF-8 text (a bad byte at offset {exc.start}).") from None
    except json.JSONDecodeError as exc:
        raise error(f"{what} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.") from None
    except ValueError as exc:  # what json.loads raises for other bad input
        raise error(f"{what} is not valid JSON: {exc}.") from None


def number(value: Any, default: float = 0.0) -> float:
    """A JSON number as a finite float of sane size; anything else (text, NaN, Infinity, a
    bool, 1e308) is `default`."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return default
    if isinstance(value, int):
        return float(value) if -MAX_NUMBER <= value <= MAX_NUMBER else default
    return value if math.isfinite(value) and -MAX_NUMBER <= value <= MAX_NUMBER else default


def count(value: Any, default: int = 0) -> int:
    """A JSON number as an int (fractions dropped), same rules as `number`."""
    result = number(value, math.nan)
    return default if math.isnan(result) else int(result)


def text_number(value: Any, default: float = 0.0) -> float:
    """`number`, also for a number written as a string ("1.5"), as some recorders do."""
    if isinstance(value, str):
        try:
            return number(float(value), default)
        except ValueError:
            return default
    return number(value, default)


def nesting_guard(what: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """A parser whose RecursionError becomes ParseError: a value json.loads could still read
    (some 900 levels deep) can exhaust the stack later, in `str()` or `json.dumps` of it."""

    def wrap(parse: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(parse)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return parse(*args, **kwargs)
            except RecursionError:
                raise ParseError(f"{what} is {TOO_DEEP}.") from None

        return guarded

    return wrap
