"""The one place request bodies are parsed: SJS sends HOCON (JSON is a subset of it).

Config text is data. Substitutions resolve within the text only, `include` is refused, and sizes
and durations stay the text written (infra/hocon.py). The limits (Limits in
infra/server_config.py) are checked before the text reaches a parser: its size, how deep its
brackets nest, and for HOCON, whose parse costs far more than JSON's, a smaller size and a cap
on substitutions. After parsing, the result is checked again, since HOCON's dotted keys nest
without brackets and substitutions copy values: it must nest no deeper, and its JSON (the form
stored in the job's item) must fit max-config-bytes. Every value is plain JSON: numbers that
JSON cannot carry (NaN, infinities) are refused.

pyhocon builds its grammar on every parse (~5 ms), so JSON bodies take the json module, and a
HOCON text already seen (clients resend the same job config) is parsed once. pyhocon is imported
on the first HOCON body, not with the function: it is an eighth of the API's cold start, and
GETs, uploads and JSON bodies never need it."""

import copy
import json
import math
import re
from functools import lru_cache
from typing import Any

from infra.errors import ConfigRefused, MalformedConfig
from infra.server_config import Limits

# A JSON/HOCON quoted string, or a bracket; brackets inside strings are not nesting.
_STRING_OR_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')
_SUBSTITUTION_MARKS = ("${", "+=")  # every pyhocon substitution starts with one of these


def parse_config(body: bytes | str, limits: Limits) -> dict[str, Any]:
    """A HOCON/JSON document as plain, JSON-safe data; ConfigRefused over a limit,
    MalformedConfig when it does not parse."""
    data = body.encode() if isinstance(body, str) else body
    if len(data) > limits.max_config_bytes:
        raise ConfigRefused(
            f"Config is {len(data)} bytes; the limit is {limits.max_config_bytes} (limits.max-config-bytes)"
        )
    text = data.decode("utf-8", errors="replace")
    if not text.strip():
        return {}
    _check_depth(_bracket_depth(text), limits.max_config_depth)
    config = _parse(text, len(data), limits)
    try:  # JSON's \ud800 escapes make strings that are no Unicode, which no store or queue takes
        json.dumps(config, ensure_ascii=False).encode()
    except UnicodeEncodeError as e:
        raise MalformedConfig(f"it holds {e.object[e.start : e.end]!r}, which is not valid Unicode") from None
    stored = len(json.dumps(config))  # as the job's item stores it (infra/stores/jobs.py)
    if stored > limits.max_config_bytes:
        raise ConfigRefused(
            f"Config is {stored} bytes as stored (JSON, ASCII-escaped, substitutions resolved); "
            f"the limit is {limits.max_config_bytes} (limits.max-config-bytes)"
        )
    return config


def _parse(text: str, size: int, limits: Limits) -> dict[str, Any]:
    json_error = None
    if text.lstrip().startswith("{"):
        try:
            value = _parse_json(text)
        except ValueError as e:
            json_error = e  # HOCON may start with '{' too
        else:
            if isinstance(value, dict):
                return value
    _check_hocon_cost(text, size, limits, json_error)
    return copy.deepcopy(_parse_hocon(text, limits.max_config_depth))


def _check_depth(depth: int, max_depth: int) -> None:
    if depth > max_depth:
        raise ConfigRefused(
            f"Config nests {depth} levels deep; the limit is {max_depth} (limits.max-config-depth)"
        )


def _check_hocon_cost(text: str, size: int, limits: Limits, json_error: ValueError | None) -> None:
    not_json = f" (it is not JSON: {json_error})" if json_error else ""
    if size > limits.max_hocon_bytes:
        raise ConfigRefused(
            f"HOCON configs are limited to {limits.max_hocon_bytes} bytes (limits.max-hocon-bytes); "
            f"this one is {size}{not_json}. Send a larger config as JSON."
        )
    substitutions = sum(text.count(mark) for mark in _SUBSTITUTION_MARKS)
    if substitutions > limits.max_hocon_substitutions:
        raise ConfigRefused(
            f"HOCON configs may hold {limits.max_hocon_substitutions} substitutions (${{...}} or +=; "
            f"limits.max-hocon-substitutions); this one has {substitutions}{not_json}. "
            "Send it as JSON, or with the values written out."
        )


def _bracket_depth(text: str) -> int:
    depth = deepest = 0
    for token in _STRING_OR_BRACKET.finditer(text):
        mark = token.group()
        if mark in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif mark in "]}":
            depth -= 1
    return deepest


def _value_depth(value: Any) -> int:
    """How deep objects and lists nest in a parsed value, without recursion."""
    deepest = 0
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is not None:
            deepest = max(deepest, depth)
            pending.extend((child, depth + 1) for child in children)
    return deepest


def _parse_json(text: str) -> Any:
    return json.loads(text, parse_constant=_no_constant, parse_float=_finite_float)


def _no_constant(name: str) -> Any:
    raise MalformedConfig(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise MalformedConfig(f"the number {text} is out of range")
    return number


@lru_cache(maxsize=256)
def _parse_hocon(text: str, max_depth: int) -> dict[str, Any]:
    from pyhocon import ConfigTree

    from infra.hocon import parse_request_hocon

    try:
        tree = parse_request_hocon(text)
    except MalformedConfig:
        raise
    except RecursionError:  # dotted keys nest without brackets: a.a.a.(thousands) = 1
        raise MalformedConfig("it nests too deeply") from None
    except Exception as e:
        raise MalformedConfig(str(e)) from None
    if not isinstance(tree, ConfigTree):
        raise MalformedConfig("the body must be an object")
    _check_depth(_value_depth(tree), max_depth)
    return _plain(tree, ConfigTree)


def _plain(value: Any, tree_type: type) -> Any:
    """pyhocon's values as plain JSON values (quoted keys unquoted, as pyhocon's own
    as_plain_ordered_dict does)."""
    if isinstance(value, tree_type):
        return {key.strip('"'): _plain(item, tree_type) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item, tree_type) for item in value]
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise MalformedConfig(f"the number {value} is out of range")
        return value
    if isinstance(value, str):
        return str(value)  # pyhocon's string subclasses as str
    raise MalformedConfig(f"a value of type {type(value).__name__} is not supported")


def flatten(config: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """{"spark": {"executor": {"memory": "1g"}}} → {"spark.executor.memory": "1g"}."""
    flat: dict[str, Any] = {}
    for key, value in config.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            flat.update(flatten(value, f"{path}."))
        else:
            flat[path] = value
    return flat
