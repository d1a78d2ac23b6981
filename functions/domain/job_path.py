"""A job's path as SJS builds it: which packages a job sees, in which order.

- `appName=a&classPath=C`: the job config's `dependent-jar-uris`, then `a` (SJS appends the app).
- `cp=a,b,s3://…&mainClass=C` (or `classPath`): the list as given; without either parameter, the
  job config's `cp`.
- then the context's own `cp` and `dependent-jar-uris` (its config), for every job it runs.

Each entry is an uploaded binary's name (its newest version) or a package URI, checked against
the operator's allowance (infra/package_uris.py). Lists are HOCON lists or comma-separated
text, as SJS's `getSeqFromConfig` read them. The binary holding the class is the first named
binary that has it; every entry goes on the path in its order, the first one winning a name."""

from collections.abc import Mapping
from typing import Any

from infra.errors import BadRequest

CONFIG_KEYS = ("cp", "dependent-jar-uris")


def job_entries(app_name: str | None, cp: str | None, config: Mapping[str, Any]) -> tuple[str, ...]:
    """The entries a job request names, in order; BadRequest when it names none."""
    if app_name:
        return _unique([*_seq(config, "dependent-jar-uris"), app_name])
    entries = _split(cp) if cp else _seq(config, "cp")
    if not entries:
        raise BadRequest("To start the job appName or cp parameters should be configured!")
    return _unique(entries)


def context_entries(config: Mapping[str, Any]) -> tuple[str, ...]:
    """The entries a context's config puts on every one of its jobs' paths."""
    return _unique([entry for key in CONFIG_KEYS for entry in _seq(config, key)])


def _seq(config: Mapping[str, Any], key: str) -> list[str]:
    value = config.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return _split(value)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [item.strip() for item in value if item.strip()]
    raise BadRequest(f"{key} must be a list of binary names or URIs, or a comma-separated string")


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _unique(entries: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(entries))
