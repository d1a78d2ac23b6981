"""Turn whatever a job returns into JSON: dicts (countByValue's defaultdict too), lists, tuples,
sets, Rows, numbers, Decimal, dates; anything else becomes its string. A Row is a tuple, so it
becomes a list of its values, as SJS's Python jobs returned it (`df.collect()` → [[20, 1250.0]])."""

import base64
import datetime
import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any


def to_json_safe(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, Mapping):
        return {_key(key): to_json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_json_safe(item) for item in value]
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        try:
            return to_json_safe(value.item())
        except (TypeError, ValueError):
            pass
    return str(value)


def _key(key: Any) -> str:
    safe = to_json_safe(key)
    return safe if isinstance(safe, str) else str(safe)
