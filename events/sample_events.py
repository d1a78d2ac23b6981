"""Sample events (events/samples/) for local invokes and tests.

`samples/<FunctionName>/*.json` are what each function of template.yaml is invoked with (API
Gateway requests, SQS batches from the deploy and callback queues, the reconciler's schedule);
`python -m infra.local.replay <FunctionName>/<name>` replays one against the running local stack.
`samples/bus/*.json` are the lifecycle events as a user's rule receives them, one per detail-type."""

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

SAMPLES = Path(__file__).resolve().parent / "samples"


@cache
def _read(name: str) -> dict[str, Any]:
    return json.loads((SAMPLES / f"{name}.json").read_text())


def load_event(name: str) -> dict[str, Any]:
    """A fresh copy of the sample `<folder>/<name>`, e.g. 'ApiFunction/get_job'."""
    return copy.deepcopy(_read(name))


def names(folder: str | None = None) -> list[str]:
    """`<folder>/<name>` of every sample, or of one folder's."""
    pattern = f"{folder}/*.json" if folder else "*/*.json"
    return sorted(f"{path.parent.name}/{path.stem}" for path in SAMPLES.glob(pattern))
