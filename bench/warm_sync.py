"""Sync job latency on a warm context against the same Spark work in-process.

    python -m bench.warm_sync [rounds]

Starts the real local stack (as `make up` does), creates one context, and alternates one
in-process run and one sync POST /jobs per round, so machine drift hits both alike."""

import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import requests
from pyhocon import ConfigFactory

from context_host.results import to_json_safe
from context_host.session import build_session
from events.settings import ContextSettings
from examples.build import build_package
from infra.local.child import StackProcess
from sparkjobserver.api import JobEnvironment

WORKLOADS = {
    "range(100).count()": ("example_jobs.dataframes.RangeCountJob", {"n": 100}),
    "word count": (
        "example_jobs.word_count.WordCountSparkJob",
        {"input": {"strings": ["a", "b", "a", "c"] * 25}},
    ),
}


def percentile(samples: list[float], q: float) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1] if len(samples) > 1 else samples[0]


def in_process(session, class_path: str, config: dict) -> Callable[[], object]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
    module, _, name = class_path.rpartition(".")
    job = getattr(__import__(module, fromlist=[name]), name)()
    runtime = JobEnvironment("floor", None, ConfigFactory.from_dict({}))

    def run() -> object:
        data = job.validate(session, runtime, ConfigFactory.from_dict(config))
        return json.dumps(to_json_safe(job.run_job(session, runtime, data)))

    return run


def over_http(http: requests.Session, url: str, class_path: str, config: dict) -> Callable[[], object]:
    def run() -> object:
        answer = http.post(
            f"{url}/jobs",
            params={"appName": "bench", "classPath": class_path, "context": "bench", "sync": "true"},
            data=json.dumps(config),
        )
        answer.raise_for_status()
        return answer.json()["result"]

    return run


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return (time.perf_counter() - start) * 1000


def main(rounds: int = 60) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        stack = StackProcess(Path(tmp), STACK_NAME="sjs-bench").start()
        try:
            http = requests.Session()
            http.post(f"{stack.url}/binaries/bench", data=build_package(Path(tmp) / "jobs.egg").read_bytes())
            http.post(f"{stack.url}/contexts/bench?num-cpu-cores=2").raise_for_status()
            session = build_session("floor", ContextSettings(numCpuCores=2))
            print("| workload | in-process p50 | server p50 | server p95 | p50 gap | rounds |")
            print("|---|---|---|---|---|---|")
            for label, (class_path, config) in WORKLOADS.items():
                floor, server = (
                    in_process(session, class_path, config),
                    over_http(http, stack.url, class_path, config),
                )
                for _ in range(5):  # warm both
                    floor(), server()
                samples = [(timed(floor), timed(server)) for _ in range(rounds)]
                local, remote = [s[0] for s in samples], [s[1] for s in samples]
                gap = statistics.median(remote) - statistics.median(local)
                print(
                    f"| {label} | {statistics.median(local):.1f} ms | {statistics.median(remote):.1f} ms | "
                    f"{percentile(remote, 95):.1f} ms | {gap:+.1f} ms | {rounds} |"
                )
            session.stop()
        finally:
            stack.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 60)
