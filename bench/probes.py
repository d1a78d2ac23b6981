"""Measurements that need a fresh interpreter, run as `python -m bench.probes <probe> [arg]`.

Module level imports stay in the standard library: whatever this file imported would be charged
to (or hidden from) the thing it measures.

- `session <conf JSON>`: start a bare local[2] SparkSession, print READY, then stop it. The parent
  times launch → READY, which is what a context host has to do before its context is usable.
- `api-import`: time `import functions.api.app` (the API Lambda's cold-start import) and report
  whether any pyspark module came along, as one JSON line."""

import json
import sys
import time

READY = "READY"


def session(conf_json: str) -> None:
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("bench-bare").master("local[2]")
    for key, value in json.loads(conf_json).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    print(READY, flush=True)
    spark.stop()


def api_import() -> None:
    start = time.perf_counter()
    import functions.api.app  # noqa: F401

    elapsed = (time.perf_counter() - start) * 1000
    pyspark = sorted(name for name in sys.modules if name == "pyspark" or name.startswith("pyspark."))
    print(json.dumps({"ms": elapsed, "pyspark_modules": pyspark}), flush=True)


if __name__ == "__main__":
    probe, *args = sys.argv[1:]
    {"session": session, "api-import": api_import}[probe](*args)
