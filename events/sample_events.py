"""Sample events (events/samples/*.json) for local invokes and tests: what API Gateway sends the
API function. Tests start from one and change the parts they are about."""

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
    """A fresh copy of the sample event `name`."""
    return copy.deepcopy(_read(name))


def names() -> list[str]:
    return sorted(path.stem for path in SAMPLES.glob("*.json"))
