"""A function handler for tests of the local Lambda runtime: it answers with the process it ran in."""

import os
from typing import Any


def process_id(event: dict[str, Any], context: Any) -> int:
    return os.getpid()
