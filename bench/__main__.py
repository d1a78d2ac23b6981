"""`python -m bench` (what `make bench` runs): every benchmark in one run, then
bench/results/latest.md (printed too), latest.png and latest.json. A run cut down with --quick or
--only writes partial.* instead (git-ignored), so it never replaces a full run's figures.

    python -m bench [--rounds N] [--submit-rounds N] [--only latency,throughput,...] [--quick]

Each option also reads an environment variable (BENCH_ROUNDS, BENCH_SUBMIT_ROUNDS, ...; see --help).
The defaults keep a full run near 15 minutes on a 2-core VM; spark-submit (≈7 s a run) is what
costs, so it runs in only a few of the latency rounds.

Systems start once and stay up for every section; all of them are stopped on every way out
(error, Ctrl-C, SIGTERM), and a final sweep ends and reports anything that was still running.
Results are written only when the whole run finished."""

import argparse
import contextlib
import os
import shutil
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path
from types import FrameType

from bench import chart, machine, processes, report, scenarios
from bench.systems import InProcess, SandboxedWorker, Server, SparkConnect, SparkSubmit
from bench.workloads import WORKLOADS

RESULTS = Path(__file__).resolve().parent / "results"
SECTIONS = ("import", "latency", "async", "workers", "throughput", "startup")
# option: (environment variable, default, what it sets)
COUNTS = {
    "rounds": ("BENCH_ROUNDS", 60, "latency rounds of the warm systems (in-process, server, Spark Connect)"),
    "submit_rounds": ("BENCH_SUBMIT_ROUNDS", 5, "latency rounds that also run spark-submit, per workload"),
    "warmup": ("BENCH_WARMUP", 5, "unrecorded runs per warm system and workload before measuring"),
    "throughput_rounds": (
        "BENCH_THROUGHPUT_ROUNDS",
        4,
        "throughput rounds (each: every level, both systems)",
    ),
    "throughput_jobs": ("BENCH_THROUGHPUT_JOBS", 32, "jobs per throughput burst"),
    "async_rounds": ("BENCH_ASYNC_ROUNDS", 30, "async submits (POST /jobs → 202), each waited for"),
    "worker_rounds": ("BENCH_WORKER_ROUNDS", 10, "job workers killed, each timed until replaced"),
    "start_rounds": (
        "BENCH_START_ROUNDS",
        5,
        "start-up rounds (bare session; POST /contexts and ad-hoc job, each from the pool and cold)",
    ),
    "import_rounds": ("BENCH_IMPORT_ROUNDS", 10, "fresh-interpreter imports of the API handler"),
}
QUICK = {
    "rounds": 3,
    "submit_rounds": 1,
    "warmup": 1,
    "throughput_rounds": 1,
    "throughput_jobs": 8,
    "async_rounds": 3,
    "worker_rounds": 2,
    "start_rounds": 1,
    "import_rounds": 2,
}
LEVELS = (1, 4, 8)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    for name, (variable, default, help_text) in COUNTS.items():
        parser.add_argument(
            f"--{name.replace('_', '-')}",
            type=int,
            default=int(os.environ.get(variable, default)),
            help=f"{help_text} (env {variable}, default {default})",
        )
    parser.add_argument("--quick", action="store_true", help="tiny counts, for trying the suite out")
    parser.add_argument(
        "--only",
        default=os.environ.get("BENCH_ONLY", ",".join(SECTIONS)),
        help=f"comma-separated sections out of {','.join(SECTIONS)} (env BENCH_ONLY)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"results directory (default {RESULTS})")
    args = parser.parse_args(argv)
    if args.quick:
        for name, value in QUICK.items():
            setattr(args, name, min(getattr(args, name), value))
    args.only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(args.only) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}; choose from {', '.join(SECTIONS)}")
    return args


def progress(message: str) -> None:
    print(f"bench {time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


def on_sigterm(signum: int, frame: FrameType | None) -> None:
    """SIGTERM unwinds like Ctrl-C, so the same cleanup runs; a second one is ignored meanwhile."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def run(args: argparse.Namespace, scratch: Path, cleanup: contextlib.ExitStack) -> report.Results:
    """Every section asked for; `cleanup` gets each system's close() before that system starts."""
    results = report.Results(machine=machine.describe(), plan={k: getattr(args, k) for k in COUNTS})
    progress(f"load average (1/5 min) at start: {results.machine['load_at_start']}")
    if "import" in args.only:  # first, while nothing else of ours runs (a Lambda container is alone)
        progress("API handler import, fresh interpreters")
        results.api_import = scenarios.api_import(scratch, args.import_rounds)
    if not set(SECTIONS[1:]) & set(args.only):
        return results

    progress("starting: in-process SparkSession and a sandboxed job worker on it, local stack + context")
    floor, server = InProcess(), Server(scratch)
    worker = SandboxedWorker(floor, scratch)
    connect, submit = SparkConnect(scratch), SparkSubmit(scratch)
    for system in (floor, worker, server, connect, submit):
        cleanup.callback(system.close)
    floor.start()
    # SparkContext installed its own SIGINT handler (cancel jobs over py4j, then raise); mid-call
    # it only adds py4j tracebacks. A plain KeyboardInterrupt unwinds to the cleanup just as well.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    worker.start()
    server.start()
    results.machine["isolation"] = f"server context: {server.isolation}, bench worker: {worker.isolation}"
    if "latency" in args.only:
        progress("starting the Spark Connect server")
        results.connect_start_ms = connect.start().start_ms
        submit.start()
        progress(f"latency: {len(WORKLOADS)} workloads, {args.rounds} rounds")
        results.latency = scenarios.latency(
            (floor, worker, server, connect),
            submit,
            WORKLOADS,
            args.rounds,
            args.submit_rounds,
            args.warmup,
            progress,
        )
        connect.close()  # not in the later sections: its idle JVM would only add noise
    if "async" in args.only:
        progress(f"async submit → 202, {args.async_rounds} jobs")
        results.async_submit = scenarios.async_submit(server, args.async_rounds, progress)
    if "workers" in args.only:
        progress(f"job worker replacement after a kill, {args.worker_rounds} kills")
        results.worker_replacement = scenarios.worker_replacement(worker, args.worker_rounds, progress)
    worker.close()  # its idle worker process would only add noise from here on
    if "throughput" in args.only:
        progress(f"throughput at {LEVELS} clients, {args.throughput_rounds} rounds")
        results.throughput, results.throughput_busy = scenarios.throughput(
            floor, server, LEVELS, args.throughput_rounds, args.throughput_jobs, progress
        )
    if "startup" in args.only:
        progress(f"start-up, {args.start_rounds} rounds")
        results.startup = scenarios.startup(server, scratch, args.start_rounds, progress)
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    signal.signal(signal.SIGTERM, on_sigterm)
    processes.become_subreaper()
    started = time.perf_counter()
    results: report.Results | None = None
    failed = True
    scratch = Path(tempfile.mkdtemp(prefix="sjs-bench-"))  # logs of every process; kept on failure
    scratch.chmod(0o755)  # as root, job code runs as sandbox users, who must reach their folders here
    try:
        with contextlib.ExitStack() as cleanup:
            results = run(args, scratch, cleanup)
            progress("stopping everything the benchmark started")
        failed = False
    except KeyboardInterrupt:
        progress("interrupted: everything started was stopped; no results written")
    except Exception:
        traceback.print_exc()
        progress("failed: everything started was stopped; no results written")
    finally:
        leftovers = processes.sweep()
        if leftovers:
            progress(f"ended {len(leftovers)} process(es) still running after close: {leftovers}")
    if failed or results is None:
        progress(f"logs kept in {scratch} (stack/stack.log, stack/logs/<context>.log, spark-connect/)")
        return 1
    shutil.rmtree(scratch, ignore_errors=True)
    results.elapsed_s = time.perf_counter() - started
    results.leftovers = leftovers
    results.machine["load_at_end"] = machine.load()
    progress(f"load average (1/5 min) at end: {results.machine['load_at_end']}")
    stem = "partial" if args.quick or set(args.only) != set(SECTIONS) else "latest"
    text = report.write(results, args.out, stem)
    chart.draw(results, args.out / f"{stem}.png")
    print(text)
    progress(f"done in {results.elapsed_s / 60:.1f} min; results in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
