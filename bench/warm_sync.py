"""Kept so `python -m bench.warm_sync [rounds]` still works: the warm-context latency comparison now
is the latency section of the suite (`python -m bench --only latency`), which adds Spark Connect and
spark-submit beside the in-process floor and the server, and writes bench/results/partial.*."""

import sys

from bench.__main__ import main

if __name__ == "__main__":
    sys.exit(main(["--only", "latency", "--rounds", sys.argv[1] if len(sys.argv) > 1 else "60"]))
