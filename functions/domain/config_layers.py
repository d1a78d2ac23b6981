"""Configs layered as SJS layers them with Typesafe Config's `withFallback`: the first layer's
keys win, objects merge key by key at every depth, and any other value (a list, a string, null)
is taken whole from the first layer that has it.

A job's config is its posted config → its context's config → the server's `spark.job-defaults`
(infra/server_config.py). SJS itself gives a job `postedConfig.withFallback(serverConfig)` and
its context's config through `JobEnvironment.contextConfig`; here the context's config is a
layer too, so keys given once to a context reach each of its jobs. The operator's layer is one
section, not the whole file: the file also holds the auth section, which job code must not see.

Plain dicts (the JSON the stores keep) rather than pyhocon trees: merging two of them is a few
lines, while pyhocon's own merge would cost the API its import (an eighth of its cold start)."""

import json
from typing import Any

from infra.errors import BadRequest, ConfigRefused

# What of a job's config fits its queue message: SQS takes 256 KiB, the rest of the message is small.
MAX_JOB_MESSAGE_CONFIG_BYTES = 240 * 1024


def with_fallback(first: dict[str, Any], *fallbacks: dict[str, Any]) -> dict[str, Any]:
    """`first.withFallback(fallbacks[0]).withFallback(fallbacks[1])...` as new dicts."""
    merged = dict(first)
    for fallback in fallbacks:
        for key, value in fallback.items():
            if key not in merged:
                merged[key] = value
            elif isinstance(merged[key], dict) and isinstance(value, dict):
                merged[key] = with_fallback(merged[key], value)
    return merged


def nested(flat: dict[str, str]) -> dict[str, Any]:
    """Dotted keys as paths, as Typesafe Config's parseMap reads query parameters:
    {"spark.executor.memory": "1g"} → {"spark": {"executor": {"memory": "1g"}}}."""
    tree: dict[str, Any] = {}
    for key, value in flat.items():
        *parents, leaf = key.split(".")
        if not leaf or not all(parents):
            raise BadRequest(f"Invalid parameter {key!r}: a key path has an empty part")
        node = tree
        for part in parents:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise BadRequest(f"Invalid parameter {key!r}: {part} is both a value and an object")
        if isinstance(node.get(leaf), dict):
            raise BadRequest(f"Invalid parameter {key!r}: {leaf} is both a value and an object")
        node[leaf] = value
    return tree


def job_config(posted: dict[str, Any], context: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """What a job's `validate` gets as its config; it must fit the job's queue message."""
    config = with_fallback(posted, context, defaults)
    size = len(json.dumps(config))
    if size > MAX_JOB_MESSAGE_CONFIG_BYTES:
        raise ConfigRefused(
            f"The job's config with its context's config and the server's job defaults is {size} bytes; "
            f"at most {MAX_JOB_MESSAGE_CONFIG_BYTES} go to a context with a job"
        )
    return config
