"""The run's results as Markdown (tables, targets met or missed) and raw JSON under bench/results/.

Targets are reported as figures with a mark, never asserted: on a shared 2-core VM a missed target
is a finding to read next to the machine line, not a failed build."""

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import machine as machine_info
from bench.measure import Stats
from bench.workloads import COLD_MEMORY, TINY, WORD_COUNT, WORKLOADS

FLOOR, WORKER, SERVER = "in-process", "sandboxed-worker", "server"
SUBMIT, CONNECT = "spark-submit", "spark-connect"
SYSTEMS = (FLOOR, WORKER, SERVER, CONNECT, SUBMIT)
SYSTEM_LABELS = {
    FLOOR: "in-process floor (warm SparkSession)",
    WORKER: "in-process, job in a sandboxed worker (same JVM)",
    SERVER: "this server (sync POST /jobs, warm context)",
    SUBMIT: "spark-submit (cold, one per job)",
    CONNECT: "Spark Connect (warm server)",
}
NOT_APPLICABLE = {CONNECT: "n/a (no RDDs or jars)", SUBMIT: "n/a (an SJS job class, not a main)"}
STARTUP_LABELS = {
    "bare SparkSession": "bare SparkSession start (fresh process → session ready)",
    "POST /contexts pool": "this server: POST /contexts, default settings → usable (warm pool)",
    "POST /contexts cold": f"this server: POST /contexts, memory-per-node={COLD_MEMORY} → usable (cold)",
    "ad-hoc job pool": "this server: ad-hoc job (sync POST /jobs, no context) → result (warm pool)",
    "ad-hoc job cold": f"this server: ad-hoc job, context memory-per-node={COLD_MEMORY} → result (cold)",
}
MET, MISSED, FIGURE = "✅ met", "❌ missed", "— figure"
# Issue 11's targets, as ratios to the in-process floor of the same run (and issue 8's isolation
# cost, which has none: it is reported as a figure).
SYNC_P50_MAX, SYNC_P99_MAX = 1.15, 1.3
THROUGHPUT_AT_4_MIN = 0.8
POOL_START_MAX_MS = 1000.0
API_IMPORT_MAX_MS = 250.0


@dataclass
class Results:
    machine: dict[str, str]
    plan: dict[str, Any]
    latency: dict[str, dict[str, Stats]] = field(default_factory=dict)
    throughput: dict[int, dict[str, Stats]] = field(default_factory=dict)
    throughput_busy: dict[int, int] = field(default_factory=dict)  # 503 NO SLOTS answers retried
    startup: dict[str, Stats] = field(default_factory=dict)
    async_submit: Stats | None = None  # POST /jobs → 202, ms
    worker_replacement: Stats | None = None  # a killed job worker → its replacement ready, ms
    connect_start_ms: float | None = None
    api_import: dict[str, Any] | None = None
    elapsed_s: float = 0.0
    leftovers: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Target:
    goal: str
    figure: str
    met: bool | None  # None: a figure to read, no target to meet


def fmt_ms(value: float) -> str:
    return f"{value / 1000:.2f} s" if abs(value) >= 1000 else f"{value:.1f} ms"


def fmt_delta(value: float) -> str:
    return ("+" if value >= 0 else "-") + fmt_ms(abs(value))


def fmt_ratio(value: float, floor: float) -> str:
    return f"{value / floor:.2f}x"


def targets(results: Results) -> list[Target]:
    found: list[Target] = []
    for workload in WORKLOADS:
        by = results.latency.get(workload.key, {})
        floor, worker, server, connect, submit = (by.get(name) for name in SYSTEMS)
        if floor and server and workload in (TINY, WORD_COUNT):
            found += [
                Target(
                    f"{workload.label}: warm sync p50 ≤ {SYNC_P50_MAX}x the floor",
                    f"{fmt_ratio(server.p50, floor.p50)} ({fmt_ms(server.p50)} vs {fmt_ms(floor.p50)})",
                    server.p50 <= SYNC_P50_MAX * floor.p50,
                ),
                Target(
                    f"{workload.label}: warm sync p99 ≤ {SYNC_P99_MAX}x the floor's p99",
                    f"{fmt_ratio(server.p99, floor.p99)} ({fmt_ms(server.p99)} vs {fmt_ms(floor.p99)})",
                    server.p99 <= SYNC_P99_MAX * floor.p99,
                ),
            ]
        elif floor and server:
            found.append(
                Target(
                    f"{workload.label}: warm sync p50 and p99 against the floor",
                    f"p50 {fmt_ratio(server.p50, floor.p50)} ({fmt_ms(server.p50)} vs {fmt_ms(floor.p50)}), "
                    f"p99 {fmt_ratio(server.p99, floor.p99)}",
                    None,
                )
            )
        if server and connect:
            found.append(
                Target(
                    f"{workload.label}: no slower than Spark Connect (p50)",
                    f"{fmt_delta(server.p50 - connect.p50)} ({fmt_ms(server.p50)} vs {fmt_ms(connect.p50)})",
                    server.p50 <= connect.p50,
                )
            )
        if server and submit:
            ratio = submit.p50 / server.p50
            found.append(
                Target(
                    f"{workload.label}: ≥ 30x faster than spark-submit (p50)",
                    f"{ratio:.0f}x ({fmt_ms(server.p50)} vs {fmt_ms(submit.p50)})",
                    ratio >= 30,
                )
            )
        if floor and worker:
            found.append(
                Target(
                    f"{workload.label}: isolation cost per job (sandboxed worker minus in-process, p50)",
                    f"{fmt_delta(worker.p50 - floor.p50)} ({fmt_ms(worker.p50)} vs {fmt_ms(floor.p50)})",
                    None,
                )
            )
    at4 = results.throughput.get(4, {})
    if at4.get(FLOOR) and at4.get(SERVER):
        share = at4[SERVER].p50 / at4[FLOOR].p50
        found.append(
            Target(
                f"throughput, 4 clients on one context: ≥ {THROUGHPUT_AT_4_MIN:.0%} of in-process",
                f"{share:.0%} ({at4[SERVER].p50:.1f} vs {at4[FLOOR].p50:.1f} jobs/s)",
                share >= THROUGHPUT_AT_4_MIN,
            )
        )
    for key, goal in (
        ("ad-hoc job pool", "ad-hoc job → result from the warm pool"),
        ("POST /contexts pool", "POST /contexts with default settings → usable from the warm pool"),
    ):
        pooled, cold = results.startup.get(key), results.startup.get(key.replace("pool", "cold"))
        if pooled:
            versus = f" vs {fmt_ms(cold.p50)} cold" if cold else ""
            found.append(
                Target(
                    f"{goal} ≤ {fmt_ms(POOL_START_MAX_MS)} (p50)",
                    f"{fmt_ms(pooled.p50)}{versus}",
                    pooled.p50 <= POOL_START_MAX_MS,
                )
            )
    if results.async_submit:
        found.append(
            Target(
                "async submit → 202 no slower than before (compare with the previous run's figure)",
                f"{fmt_ms(results.async_submit.p50)} p50, {fmt_ms(results.async_submit.p99)} p99",
                None,
            )
        )
    if results.worker_replacement:
        found.append(
            Target(
                "a killed job's worker replaced, ready for the next job (p50)",
                fmt_ms(results.worker_replacement.p50),
                None,
            )
        )
    if results.api_import:
        cached, pyspark = results.api_import["cached"], results.api_import["pyspark_modules"]
        found.append(
            Target(
                f"API handler import ≤ {fmt_ms(API_IMPORT_MAX_MS)}, no pyspark imported",
                f"{fmt_ms(cached.p50)} p50; pyspark modules: {', '.join(pyspark[:3]) or 'none'}",
                cached.p50 <= API_IMPORT_MAX_MS and not pyspark,
            )
        )
    return found


def _latency_table(results: Results) -> list[str]:
    lines = [
        "| workload | system | p50 | p95 | p99 | min | runs | p50 vs floor |",
        "|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    for workload in WORKLOADS:
        by = results.latency.get(workload.key)
        if not by:
            continue
        floor = by.get(FLOOR)
        for system in SYSTEMS:
            stats = by.get(system)
            if stats is None:
                if system in NOT_APPLICABLE:
                    lines.append(
                        f"| {workload.label} | {SYSTEM_LABELS[system]} | {NOT_APPLICABLE[system]} "
                        "|  |  |  |  |  |"
                    )
                continue
            versus = (
                ""
                if system == FLOOR or floor is None
                else f"{fmt_delta(stats.p50 - floor.p50)} ({fmt_ratio(stats.p50, floor.p50)})"
            )
            lines.append(
                f"| {workload.label} | {SYSTEM_LABELS[system]} | {fmt_ms(stats.p50)} | {fmt_ms(stats.p95)} | "
                f"{fmt_ms(stats.p99)} | {fmt_ms(min(stats.samples))} | {stats.n} | {versus} |"
            )
    return lines


def _isolation_table(results: Results) -> list[str]:
    """Issue 8's cost: the same job on the same JVM, in-process vs in a sandboxed job worker."""
    lines = [
        "| workload | in-process p50 / p99 | sandboxed worker p50 / p99 | cost per job (p50) |",
        "|---|--:|--:|--:|",
    ]
    for workload in WORKLOADS:
        by = results.latency.get(workload.key, {})
        floor, worker = by.get(FLOOR), by.get(WORKER)
        if floor and worker:
            lines.append(
                f"| {workload.label} | {fmt_ms(floor.p50)} / {fmt_ms(floor.p99)} | "
                f"{fmt_ms(worker.p50)} / {fmt_ms(worker.p99)} | {fmt_delta(worker.p50 - floor.p50)} |"
            )
    replaced = results.worker_replacement
    if replaced:
        lines += [
            "",
            f"A killed job's worker is replaced and ready for the next job in {fmt_ms(replaced.p50)} "
            f"(p50; p95 {fmt_ms(replaced.p95)}, min {fmt_ms(min(replaced.samples))}, {replaced.n} kills).",
        ]
    isolation = results.machine.get("isolation")
    if isolation:
        lines += [
            "",
            f"Isolation in this run: {isolation} (user: job code runs as a sandbox user of its own; "
            "process: as the server's user, in a scrubbed process).",
        ]
    return lines


def _async_table(results: Results) -> list[str]:
    stats = results.async_submit
    assert stats is not None
    return [
        "| POST /jobs (async, warm context) → 202 STARTED | p50 | p95 | p99 | min | runs |",
        "|---|--:|--:|--:|--:|--:|",
        f"| range(100).count() | {fmt_ms(stats.p50)} | {fmt_ms(stats.p95)} | {fmt_ms(stats.p99)} | "
        f"{fmt_ms(min(stats.samples))} | {stats.n} |",
    ]


def _throughput_table(results: Results) -> list[str]:
    lines = [
        "| concurrent clients | in-process (threads) | this server (one context) | server / in-process "
        "| server submits answered 503 NO SLOTS (retried) |",
        "|--:|--:|--:|--:|--:|",
    ]
    for level, by in sorted(results.throughput.items()):
        floor, server = by[FLOOR], by[SERVER]
        lines.append(
            f"| {level} | {floor.p50:.1f} jobs/s | {server.p50:.1f} jobs/s | {server.p50 / floor.p50:.0%} "
            f"| {results.throughput_busy.get(level, 0)} |"
        )
    return lines


def _startup_table(results: Results) -> list[str]:
    lines = ["| what | p50 | p95 | min | runs |", "|---|--:|--:|--:|--:|"]
    for key, label in STARTUP_LABELS.items():
        stats = results.startup.get(key)
        if stats:
            lines.append(
                f"| {label} | {fmt_ms(stats.p50)} | {fmt_ms(stats.p95)} | "
                f"{fmt_ms(min(stats.samples))} | {stats.n} |"
            )
    submit = results.latency.get("tiny", {}).get(SUBMIT)
    if submit:
        lines.append(
            f"| spark-submit range(100).count() (from the latency runs) | {fmt_ms(submit.p50)} | "
            f"{fmt_ms(submit.p95)} | {fmt_ms(min(submit.samples))} | {submit.n} |"
        )
    if results.connect_start_ms is not None:
        lines.append(
            "| Spark Connect server start → first query answered | "
            f"{fmt_ms(results.connect_start_ms)} |  |  | 1 |"
        )
    return lines


def _import_table(results: Results) -> list[str]:
    info = results.api_import
    assert info is not None
    cached: Stats = info["cached"]
    top = ", ".join(f"{name} {ms:.0f} ms" for name, ms in info["top_packages_ms"].items())
    return [
        "| import functions.api.app (fresh interpreter) | p50 | max | runs "
        "| first run, empty bytecode cache |",
        "|---|--:|--:|--:|--:|",
        f"| with bytecode cached | {fmt_ms(cached.p50)} | {fmt_ms(max(cached.samples))} | {cached.n} | "
        f"{fmt_ms(info['first_ms'])} |",
        "",
        f"pyspark modules imported: {', '.join(info['pyspark_modules']) or 'none'}. "
        f"Costliest top-level packages (own import time, whole interpreter): {top}.",
    ]


def plan_line(results: Results) -> str:
    plan, parts = results.plan, []
    if results.latency:
        parts.append(
            f"Latency: {plan['rounds']} rounds after {plan['warmup']} warm-up runs per warm system, "
            f"spark-submit in {plan['submit_rounds']} of them."
        )
    if results.throughput:
        parts.append(
            f"Throughput: {plan['throughput_rounds']} rounds of {plan['throughput_jobs']} jobs per level."
        )
    if results.async_submit:
        parts.append(f"Async: {plan['async_rounds']} submits.")
    if results.worker_replacement:
        parts.append(f"Worker replacement: {plan['worker_rounds']} kills.")
    if results.startup:
        parts.append(f"Start-up: {plan['start_rounds']} rounds, each measure with a warm spare ready.")
    if results.api_import:
        parts.append(f"Import: {plan['import_rounds']} fresh interpreters.")
    return " ".join(parts)


def markdown(results: Results) -> str:
    marks = targets(results)
    judged = [t for t in marks if t.met is not None]
    met = sum(1 for t in judged if t.met)
    out = [
        "# Benchmark: serverless Spark job server vs in-process, spark-submit, Spark Connect",
        "",
        f"Machine: {machine_info.line(results.machine)}.",
        "",
        f"Run: {results.elapsed_s / 60:.1f} min, all in this one run; systems alternate in rotating "
        f"order every round. {plan_line(results)} Every system runs the same example job classes on "
        "local[2] with the context host's Spark defaults.",
    ]
    if marks:
        out += [
            "",
            f"## Targets ({met} of {len(judged)} met; figures without a target marked —)",
            "",
            "| target | measured | |",
            "|---|---|---|",
            *(f"| {t.goal} | {t.figure} | {_mark(t.met)} |" for t in marks),
        ]
    if results.latency:
        out += ["", "## Latency per job", "", *_latency_table(results)]
    if any(WORKER in by for by in results.latency.values()):
        out += ["", "## Isolation cost per job (issue 8)", "", *_isolation_table(results)]
    if results.async_submit:
        out += ["", "## Async submit", "", *_async_table(results)]
    if results.throughput:
        out += [
            "",
            "## Throughput: range(100).count() with N concurrent clients (p50 over rounds)",
            "",
            *_throughput_table(results),
        ]
    if results.startup or results.connect_start_ms is not None:
        out += ["", "## Start-up", "", *_startup_table(results)]
    if results.api_import:
        out += ["", "## API handler import (Lambda cold start)", "", *_import_table(results)]
    if results.leftovers:
        listed = "; ".join(f"{pid} {command}" for pid, command in results.leftovers.items())
        out += ["", f"Processes still running after close, ended by the final sweep: {listed}"]
    return "\n".join(out) + "\n"


def _mark(met: bool | None) -> str:
    return FIGURE if met is None else MET if met else MISSED


def to_json(results: Results) -> dict[str, Any]:
    def stats(table: dict[Any, Stats]) -> dict[str, Any]:
        return {str(k): {**v.summary(), "samples": v.samples} for k, v in table.items()}

    return {
        "machine": results.machine,
        "plan": results.plan,
        "elapsed_s": results.elapsed_s,
        "latency_ms": {key: stats(by) for key, by in results.latency.items()},
        "throughput_jobs_per_s": {str(level): stats(by) for level, by in results.throughput.items()},
        "throughput_busy_retries": results.throughput_busy,
        "startup_ms": stats(results.startup),
        "async_submit_ms": results.async_submit and stats({"202": results.async_submit})["202"],
        "worker_replacement_ms": results.worker_replacement
        and stats({"replaced": results.worker_replacement})["replaced"],
        "connect_start_ms": results.connect_start_ms,
        "api_import": results.api_import
        and {**results.api_import, **stats({"cached": results.api_import["cached"]})},
        "targets": [t.__dict__ for t in targets(results)],
        "leftovers": results.leftovers,
    }


def write_atomically(path: Path, data: bytes) -> None:
    """Readers (and git) never see half a file: write a .tmp sibling, then rename over."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def write(results: Results, directory: Path, stem: str) -> str:
    text = markdown(results)
    write_atomically(directory / f"{stem}.md", text.encode())
    write_atomically(directory / f"{stem}.json", json.dumps(to_json(results), indent=1).encode())
    return text
