"""Job results become JSON whatever a job returns."""

import datetime
import json
from collections import defaultdict
from decimal import Decimal

from pyspark.sql import Row

from context_host.worker.results import to_json_safe


def test_results_are_json_safe():
    counts = defaultdict(int, {"a": 2, 3: 1})
    value = {
        "counts": counts,
        "row": Row(name="x", n=Decimal("1.50"), day=datetime.date(2026, 11, 21)),
        "tuple": (1, 2.5, None),
        "set": {7},
        "whole": Decimal("10"),
        "nan": float("nan"),
        "bytes": b"\x00\x01",
        "other": object,
    }
    safe = to_json_safe(value)
    json.dumps(safe, allow_nan=False)
    assert safe["counts"] == {"a": 2, "3": 1}
    assert safe["row"] == ["x", 1.5, "2026-11-21"]
    assert safe["tuple"] == [1, 2.5, None]
    assert safe["set"] == [7]
    assert safe["whole"] == 10
    assert safe["nan"] == "nan"
    assert safe["bytes"] == "AAE="
    assert safe["other"] == "<class 'object'>"


def test_collected_rows_become_lists_of_values_as_in_sjs():
    assert to_json_safe([Row(bucket=0, total=5), Row(bucket=1, total=7)]) == [[0, 5], [1, 7]]
