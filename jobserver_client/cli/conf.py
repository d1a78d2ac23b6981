"""A job's or context's config from the command line: a HOCON/JSON file, then `-c key=value`
pairs on top of it (HOCON merges a later key over an earlier one, objects key by key)."""

import json
from typing import TextIO

import typer


def config_text(conf_file: TextIO | None, pairs: list[str]) -> str | None:
    """The request body, or None when neither was given."""
    parts = [conf_file.read()] if conf_file is not None else []
    parts.extend(_setting(pair) for pair in pairs)
    return "\n".join(parts) if parts else None


def _setting(pair: str) -> str:
    """`a.b=v` as the HOCON line `"a" : {"b": v}`: the value is JSON when it parses as JSON
    (numbers, true, lists, objects, "quoted"), else the text itself, so nothing in it (`//`, `#`,
    `${…}`) is read as HOCON syntax."""
    key, equals, raw = pair.partition("=")
    path = [segment.strip() for segment in key.split(".")]
    if not equals or not all(path):
        raise typer.BadParameter(f"{pair!r} is not key=value", param_hint="'-c'")
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    for segment in reversed(path[1:]):
        value = {segment: value}
    return f"{json.dumps(path[0])} : {json.dumps(value)}"
