"""The one place request bodies are parsed: SJS sends HOCON (JSON is a subset of it).

pyhocon builds its grammar on every parse (~5 ms), so JSON bodies take the json module, and a
HOCON text already seen (clients resend the same job config) is parsed once. pyhocon is imported
on the first HOCON body, not with the function: it is an eighth of the API's cold start, and
GETs, uploads and JSON bodies never need it."""

import copy
import json
from functools import lru_cache
from typing import Any

from infra.errors import MalformedConfig


def parse_config(text: str | None) -> dict[str, Any]:
    """A HOCON/JSON document as plain, JSON-safe data; MalformedConfig when it does not parse."""
    if not text or not text.strip():
        return {}
    if text.lstrip().startswith("{"):
        try:
            value = json.loads(text)  # faster than copying a cached parse
        except ValueError:
            value = None  # HOCON may start with '{' too
        if isinstance(value, dict):
            return value
    return copy.deepcopy(_parse_hocon(text))


@lru_cache(maxsize=256)
def _parse_hocon(text: str) -> dict[str, Any]:
    from pyhocon import ConfigFactory, ConfigTree

    try:
        tree = ConfigFactory.parse_string(text)
    except Exception as e:
        raise MalformedConfig(str(e)) from None
    if not isinstance(tree, ConfigTree):
        raise MalformedConfig("the body must be an object")
    return _plain(tree, ConfigTree)


def _plain(value: Any, tree_type: type) -> Any:
    if isinstance(value, tree_type):
        return {key: _plain(item, tree_type) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item, tree_type) for item in value]
    return value


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
