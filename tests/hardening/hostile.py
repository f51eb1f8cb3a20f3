"""Values no route may answer with a 5xx, as a client can send them on the wire."""

import datetime
import json
import types
import typing
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

MARKUP = "<script>alert('x')</script>"
TEXTS = [
    "",
    "   ",
    "a\x00b",
    "\ud800",  # a lone surrogate: %ED%A0%80 in a URL, « \ud800 » in JSON
    "\udfff fin",
    "x" * 5000,
    MARKUP,
    "%_\\' OR 1=1 --",
    "ligne\u2028suite\u2029\x85\x0b\x0c",
    "😀\u202eetouq",
    "\ufeffé\u0301",
]
DATES = ["0001-01-01", "9999-12-31", "0000-00-00", "2026-02-30", "10000-01-01", "-0001-01-01"]
INTEGERS = [
    "-1",
    "0",
    "2147483648",
    "9223372036854775808",
    "-9223372036854775809",
    "1" + "0" * 40,
    "1e9",
    "NaN",
]
PATHS = ["../../etc/passwd", "%2e%2e%2f", "SIG-2026-99999999999999999999", "SIG-0000-1"]
# Anything may be typed in a text field; a date or a number is text on the wire too.
EVERYTHING = [*TEXTS, "0001-01-01", "9999-12-31", "-1", "9223372036854775808"]


def _kinds(annotation: Any) -> set[type]:
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return {kind for arg in typing.get_args(annotation) for kind in _kinds(arg)}
    return {annotation} if isinstance(annotation, type) else {str}


def for_parameter(annotation: Any) -> list[str]:
    """The values for one parameter: everything for text, and a few texts for the others."""
    kinds = _kinds(annotation)
    if str in kinds:
        return EVERYTHING
    few_texts = ["", "a\x00b", "\ud800", "x" * 5000, MARKUP]
    if datetime.date in kinds:
        return DATES + few_texts + ["-1"]
    if int in kinds:
        return INTEGERS + few_texts
    return [*few_texts, "0001-01-01", "2147483648"]


def wire(value: str) -> str:
    """Percent-encoded as a client sends it; a lone surrogate becomes its (invalid) UTF-8."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def query_string(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{wire(name)}={wire(value)}" for name, value in pairs)


# --- JSON bodies ---------------------------------------------------------------------------

_RAW = ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1" * 5000]
JSON_VALUES: list[Any] = [
    *TEXTS,
    *DATES,
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
    "2026-11-30T10:00:00",
    2**31,
    2**63,
    10**40,
    -1,
    0,
    1.5,
    1e308,
    None,
    True,
    [],
    {},
    [MARKUP],
    {"a": "\x00"},
    *(f"__raw_{i}__" for i in range(len(_RAW))),
]
WHOLE_BODIES = [
    b"",
    b"null",
    b"[]",
    b'"texte"',
    b"{",
    b"[" * 50_000,
    b'{"a":' * 20_000,
    b"\xff\xfe\x00",
    "\ufeff{}".encode(),
    b'{"\\u0000": 1}',
    b'{"provider_name": "\xff"}',
]


def dumps(document: Any) -> bytes:
    """JSON as sent (escapes for lone surrogates), with raw tokens json.dumps would refuse."""
    text = json.dumps(document, ensure_ascii=True)
    for index, raw in enumerate(_RAW):
        text = text.replace(f'"__raw_{index}__"', raw)
    return text.encode()


def leaves(document: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place a value sits in a JSON document, containers included."""
    if at:
        yield at
    if isinstance(document, dict):
        for key, value in document.items():
            yield from leaves(value, (*at, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from leaves(value, (*at, index))


def replaced(document: Any, at: tuple[Any, ...], value: Any) -> Any:
    copy = json.loads(json.dumps(document))
    target = copy
    for step in at[:-1]:
        target = target[step]
    target[at[-1]] = value
    return copy


def without(document: dict[str, Any], key: str) -> dict[str, Any]:
    return {name: value for name, value in document.items() if name != key}
