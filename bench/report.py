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
from bench.workloads import WORKLOADS

FLOOR, SERVER, SUBMIT, CONNECT = "in-process", "server", "spark-submit", "spark-connect"
SYSTEM_LABELS = {
    FLOOR: "in-process floor (warm SparkSession)",
    SERVER: "this server (sync POST /jobs, warm context)",
    SUBMIT: "spark-submit (cold, one per job)",
    CONNECT: "Spark Connect (warm server)",
}
STARTUP_LABELS = {
    "bare SparkSession": "bare SparkSession start (fresh process → session ready)",
    "POST /contexts": "this server: POST /contexts → 200 (context usable)",
    "ad-hoc job": "this server: ad-hoc job (sync POST /jobs, no context) → result",
}
MET, MISSED = "✅ met", "❌ missed"


@dataclass
class Results:
    machine: dict[str, str]
    plan: dict[str, Any]
    latency: dict[str, dict[str, Stats]] = field(default_factory=dict)
    throughput: dict[int, dict[str, Stats]] = field(default_factory=dict)
    throughput_busy: dict[int, int] = field(default_factory=dict)  # 503 NO SLOTS answers retried
    startup: dict[str, Stats] = field(default_factory=dict)
    connect_start_ms: float | None = None
    api_import: dict[str, Any] | None = None
    elapsed_s: float = 0.0
    leftovers: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Target:
    goal: str
    figure: str
    met: bool | None  # None: not measured in this run


def fmt_ms(value: float) -> str:
    return f"{value / 1000:.2f} s" if abs(value) >= 1000 else f"{value:.1f} ms"


def fmt_delta(value: float) -> str:
    return ("+" if value >= 0 else "-") + fmt_ms(abs(value))


def targets(results: Results) -> list[Target]:
    found: list[Target] = []
    for workload in WORKLOADS:
        by = results.latency.get(workload.key, {})
        floor, server, submit, connect = (by.get(name) for name in (FLOOR, SERVER, SUBMIT, CONNECT))
        if floor and server:
            gap50, gap99 = server.p50 - floor.p50, server.p99 - floor.p99
            found += [
                Target(
                    f"{workload.label}: warm sync p50 within 15 ms of the floor",
                    f"{fmt_delta(gap50)} ({fmt_ms(server.p50)} vs {fmt_ms(floor.p50)})",
                    gap50 <= 15,
                ),
                Target(
                    f"{workload.label}: warm sync p99 within 50 ms of the floor's p99",
                    f"{fmt_delta(gap99)} ({fmt_ms(server.p99)} vs {fmt_ms(floor.p99)})",
                    gap99 <= 50,
                ),
            ]
        if server and submit:
            ratio = submit.p50 / server.p50
            found.append(
                Target(
                    f"{workload.label}: ≥ 30x faster than spark-submit (p50)",
                    f"{ratio:.0f}x ({fmt_ms(server.p50)} vs {fmt_ms(submit.p50)})",
                    ratio >= 30,
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
    at4 = results.throughput.get(4, {})
    if at4.get(FLOOR) and at4.get(SERVER):
        share = at4[SERVER].p50 / at4[FLOOR].p50
        found.append(
            Target(
                "throughput, 4 clients on one context: ≥ 90 % of in-process",
                f"{share:.0%} ({at4[SERVER].p50:.1f} vs {at4[FLOOR].p50:.1f} jobs/s)",
                share >= 0.9,
            )
        )
    bare, context = results.startup.get("bare SparkSession"), results.startup.get("POST /contexts")
    if bare and context:
        gap = context.p50 - bare.p50
        found.append(
            Target(
                "context usable within 1.5 s of a bare SparkSession start (p50)",
                f"{fmt_delta(gap)} ({fmt_ms(context.p50)} vs {fmt_ms(bare.p50)})",
                gap <= 1500,
            )
        )
    if results.api_import:
        cached, pyspark = results.api_import["cached"], results.api_import["pyspark_modules"]
        found.append(
            Target(
                "API handler import under 300 ms, no pyspark imported",
                f"{fmt_ms(cached.p50)} p50; pyspark modules: {', '.join(pyspark[:3]) or 'none'}",
                cached.p50 < 300 and not pyspark,
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
        for system in (FLOOR, SERVER, CONNECT, SUBMIT):
            stats = by.get(system)
            if stats is None:
                if system == CONNECT:
                    lines.append(
                        f"| {workload.label} | {SYSTEM_LABELS[system]} | n/a (RDD job) |  |  |  |  |  |"
                    )
                continue
            versus = "" if system == FLOOR or floor is None else fmt_delta(stats.p50 - floor.p50)
            lines.append(
                f"| {workload.label} | {SYSTEM_LABELS[system]} | {fmt_ms(stats.p50)} | {fmt_ms(stats.p95)} | "
                f"{fmt_ms(stats.p99)} | {fmt_ms(min(stats.samples))} | {stats.n} | {versus} |"
            )
    return lines


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
    if results.startup:
        parts.append(f"Start-up: {plan['start_rounds']} rounds.")
    if results.api_import:
        parts.append(f"Import: {plan['import_rounds']} fresh interpreters.")
    return " ".join(parts)


def markdown(results: Results) -> str:
    marks = targets(results)
    met = sum(1 for t in marks if t.met)
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
            f"## Targets ({met} of {len(marks)} met)",
            "",
            "| target | measured | |",
            "|---|---|---|",
            *(f"| {t.goal} | {t.figure} | {MET if t.met else MISSED} |" for t in marks),
        ]
    if results.latency:
        out += ["", "## Latency per job", "", *_latency_table(results)]
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
