"""The measurements. Each one alternates the systems it compares inside every round (in a rotating
order), so a slow minute on the VM lands on all of them instead of on whichever ran then."""

import json
import os
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

from bench.measure import Stats, rotated, timed_ms
from bench.probes import READY
from bench.systems import CONTEXT, InProcess, Runner, SandboxedWorker, Server, SparkSubmit
from bench.workloads import COLD_TINY, ROOT, TINY, Workload
from context_host.spark_conf import DEFAULTS
from jobserver_client import JobServer

SETTLE_SECONDS = 2.0  # after a context host or ad-hoc context goes away, let its JVM finish exiting
Progress = Callable[[str], None]


class System(Protocol):
    name: str

    def runner(self, workload: Workload) -> Runner | None: ...


def as_value(result: Any) -> Any:
    """Results compare as JSON values: in-process runners return JSON text, HTTP ones parsed JSON."""
    return json.loads(result) if isinstance(result, str) else result


def check_same(workload: Workload, system: str, expected: Any, got: Any) -> None:
    """The systems must do the same work: a different answer makes the timings meaningless."""
    if as_value(got) != as_value(expected):
        raise RuntimeError(f"{system} answered {workload.label} with {got!r}, expected {expected!r}")


def latency(
    systems: Sequence[System],
    submit: SparkSubmit,
    workloads: Sequence[Workload],
    rounds: int,
    submit_rounds: int,
    warmup: int,
    progress: Progress,
) -> dict[str, dict[str, Stats]]:
    """Per workload and system, one job's wall time. Warm systems run every round; spark-submit
    (seconds per run) runs in `submit_rounds` rounds spread evenly over the whole span."""
    results: dict[str, dict[str, Stats]] = {w.key: defaultdict(Stats) for w in workloads}
    runners: dict[str, list[tuple[str, Runner]]] = {}
    for workload in workloads:
        runners[workload.key] = [(s.name, r) for s in systems if (r := s.runner(workload)) is not None]
        expected = as_value(runners[workload.key][0][1]())
        for name, run in runners[workload.key]:
            for _ in range(warmup):
                check_same(workload, name, expected, run())
        cold = submit.runner(workload)
        if cold is not None:

            def checked(run: Runner = cold, w: Workload = workload, e: Any = expected) -> None:
                check_same(w, submit.name, e, run())

            runners[workload.key].append((submit.name, checked))
    submit_at = {round(i * rounds / submit_rounds) for i in range(submit_rounds)} if submit_rounds else set()
    for turn in range(rounds):
        for workload in workloads:
            entries = [e for e in runners[workload.key] if e[0] != submit.name or turn in submit_at]
            for name, run in rotated(entries, turn):
                results[workload.key][name].samples.append(timed_ms(run))
        if (turn + 1) % 10 == 0 or turn + 1 == rounds:
            progress(f"latency: round {turn + 1}/{rounds}")
    return {key: dict(by_system) for key, by_system in results.items()}


def burst(runners: Sequence[Runner], jobs: int) -> float:
    """`jobs` jobs shared out to len(runners) concurrent clients; returns jobs per second."""
    tickets, lock = iter(range(jobs)), threading.Lock()

    def client(run: Runner) -> int:
        done = 0
        while True:
            with lock:
                ticket = next(tickets, None)
            if ticket is None:
                return done
            run()
            done += 1

    with ThreadPoolExecutor(max_workers=len(runners), thread_name_prefix="client") as pool:
        start = time.perf_counter()
        finished = sum(f.result() for f in [pool.submit(client, run) for run in runners])
        return finished / (time.perf_counter() - start)


def throughput(
    floor: InProcess,
    server: Server,
    levels: Sequence[int],
    rounds: int,
    jobs: int,
    progress: Progress,
    workload: Workload = TINY,
) -> tuple[dict[int, dict[str, Stats]], dict[int, int]]:
    """Jobs/s with 1, 4, 8 concurrent clients on one context, against the same number of threads
    calling the job on the in-process session. Each server client has its own HTTP connection.
    Also returns, per level, how many submits met 503 NO SLOTS AVAILABLE and were retried."""
    busy: dict[int, int] = defaultdict(int)
    lock = threading.Lock()
    level_now = 0

    def count_busy() -> None:
        with lock:
            busy[level_now] += 1

    makers: list[tuple[str, Callable[[], Runner]]] = [
        (floor.name, lambda: floor.runner(workload)),
        (server.name, lambda: server.runner(workload, client=JobServer(server.url), on_busy=count_busy)),
    ]
    results: dict[int, dict[str, Stats]] = {level: defaultdict(Stats) for level in levels}
    for level_now in levels:  # one unrecorded burst: threads, connections and pools get going
        for _, make in makers:
            burst([make() for _ in range(level_now)], level_now)
    busy.clear()
    for turn in range(rounds):
        for level_now in levels:
            for name, make in rotated(makers, turn):
                results[level_now][name].samples.append(burst([make() for _ in range(level_now)], jobs))
        progress(f"throughput: round {turn + 1}/{rounds}")
    return {level: dict(by_system) for level, by_system in results.items()}, {lv: busy[lv] for lv in levels}


def bare_session_ms(scratch: Path) -> float:
    """Launch → READY of a fresh interpreter starting a bare local[2] SparkSession (host defaults)."""
    log = scratch / "bare-session.log"
    start = time.perf_counter()
    with open(log, "ab") as err:
        probe = subprocess.Popen(
            [sys.executable, "-m", "bench.probes", "session", json.dumps(DEFAULTS)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=err,
            start_new_session=True,
        )
    try:
        assert probe.stdout is not None
        for line in probe.stdout:
            if line.decode().strip() == READY:
                elapsed = (time.perf_counter() - start) * 1000
                break
        else:
            raise RuntimeError(f"the bare SparkSession probe failed:\n{log.read_text()[-3000:]}")
        probe.stdout.read()
        probe.wait(60)
        return elapsed
    finally:
        if probe.poll() is None:
            probe.kill()
            probe.wait()


def startup(server: Server, scratch: Path, rounds: int, progress: Progress) -> dict[str, Stats]:
    """Time to a usable context (POST /contexts → 200) and to an ad-hoc job's result (sync POST /jobs
    without a context: a transient context for one job), each from the warm pool and cold (a setting
    no spare can take), against a bare SparkSession start in a fresh process. Every measure starts
    with a warm spare ready and nothing else starting, as an idle server would meet the request."""
    results: dict[str, Stats] = defaultdict(Stats)
    adhoc = {
        "pool": server.runner(TINY, context=None),
        "cold": server.runner(COLD_TINY, context=None),
    }

    def new_context(turn: int, cold: bool) -> float:
        name = f"benchstart{'cold' if cold else 'pool'}{turn}"
        elapsed = timed_ms(lambda: server.create_context(name, cold=cold))
        server.delete_context(name)
        return elapsed

    def adhoc_job(kind: str) -> float:
        elapsed = timed_ms(lambda: check_same(TINY, f"ad-hoc job ({kind})", 100, adhoc[kind]()))
        server.wait_contexts({CONTEXT})  # its transient context ends after the job
        return elapsed

    measures: list[tuple[str, Callable[[int], float]]] = [
        ("bare SparkSession", lambda _: bare_session_ms(scratch)),
        ("POST /contexts pool", lambda turn: new_context(turn, cold=False)),
        ("POST /contexts cold", lambda turn: new_context(turn, cold=True)),
        ("ad-hoc job pool", lambda _: adhoc_job("pool")),
        ("ad-hoc job cold", lambda _: adhoc_job("cold")),
    ]
    for turn in range(rounds):
        for name, measure in rotated(measures, turn):
            server.wait_spare()  # the one taken last time is replaced, and warm
            time.sleep(SETTLE_SECONDS)
            results[name].samples.append(measure(turn))
        progress(f"start-up: round {turn + 1}/{rounds}")
    return dict(results)


def async_submit(server: Server, rounds: int, progress: Progress, workload: Workload = TINY) -> Stats:
    """POST /jobs without sync → 202 STARTED on the warm context (SJS answers once the job's
    `validate` passed), then the job is waited for, so each submit meets an idle context."""
    results = Stats()
    for turn in range(rounds):
        job_id = ""

        def submit() -> None:
            nonlocal job_id
            job_id = server.submit_async(workload)

        results.samples.append(timed_ms(submit))
        server.wait_job(job_id)
        if (turn + 1) % 10 == 0 or turn + 1 == rounds:
            progress(f"async submit: {turn + 1}/{rounds}")
    return results


def worker_replacement(worker: SandboxedWorker, rounds: int, progress: Progress) -> Stats:
    """A job worker killed → a new one ready for the next job, on the sandboxed worker's pool."""
    results = Stats([worker.replacement_ms() for _ in range(rounds)])
    progress(f"worker replacement: {rounds} kills")
    return results


def api_import(scratch: Path, rounds: int) -> dict[str, Any]:
    """`import functions.api.app` in fresh interpreters, as a Lambda cold start does. Bytecode goes
    to a private cache (PYTHONPYCACHEPREFIX: nothing written into the tree) that the first,
    reported-apart run fills, as a deployment package with compiled bytecode would have it."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(scratch / "pycache")

    def probe(*flags: str) -> tuple[dict[str, Any], str]:
        done = subprocess.run(
            [sys.executable, *flags, "-m", "bench.probes", "api-import"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr

    first, _ = probe()
    runs = [probe()[0] for _ in range(rounds)]
    _, trace = probe("-X", "importtime")
    return {
        "first_ms": first["ms"],
        "cached": Stats([run["ms"] for run in runs]),
        "pyspark_modules": sorted({m for run in [first, *runs] for m in run["pyspark_modules"]}),
        "top_packages_ms": top_packages(trace),
    }


def top_packages(trace: str, count: int = 5) -> dict[str, float]:
    """From `-X importtime` output, the top-level packages that cost the most (own time, summed)."""
    own: dict[str, float] = defaultdict(float)
    for line in trace.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _, name = (part.strip() for part in line.removeprefix("import time:").split("|"))
        own[name.split(".")[0]] += int(self_us) / 1000
    return dict(sorted(own.items(), key=lambda item: -item[1])[:count])
