"""bench/results/latest.png: latency per workload and system (log scale: spark-submit is seconds,
the rest tens of milliseconds), throughput per client count, and start-up times."""

from pathlib import Path
from typing import Any

from bench.report import (
    CONNECT,
    FLOOR,
    SERVER,
    STARTUP_LABELS,
    SUBMIT,
    SYSTEMS,
    WORKER,
    Results,
    write_atomically,
)
from bench.workloads import WORKLOADS

COLOURS = {FLOOR: "#4c72b0", WORKER: "#64b5cd", SERVER: "#dd8452", CONNECT: "#55a868", SUBMIT: "#c44e52"}
SHORT = {
    FLOOR: "in-process",
    WORKER: "in-process, sandboxed worker",
    SERVER: "this server",
    CONNECT: "Spark Connect",
    SUBMIT: "spark-submit",
}
STARTUP_SHORT = {
    "bare SparkSession": "bare session",
    "POST /contexts pool": "POST /contexts\npool",
    "POST /contexts cold": "POST /contexts\ncold",
    "ad-hoc job pool": "ad-hoc job\npool",
    "ad-hoc job cold": "ad-hoc job\ncold",
}


def draw(results: Results, path: Path) -> None:
    import io

    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    panels = [
        (draw_panel, weight)
        for draw_panel, weight, present in (
            (_latency, 4, bool(results.latency)),
            (_throughput, 2, bool(results.throughput)),
            (_startup, 3, bool(results.startup) or results.connect_start_ms is not None),
        )
        if present
    ]
    if not panels:
        return
    figure, axes = plt.subplots(
        1,
        len(panels),
        figsize=(2.4 * sum(w for _, w in panels) + 1, 5.5),
        squeeze=False,
        gridspec_kw={"width_ratios": [w for _, w in panels]},
    )
    for (draw_panel, _), ax in zip(panels, axes[0], strict=True):
        draw_panel(results, ax)
    figure.suptitle(f"Serverless Spark job server benchmark · {results.machine['date']}", fontsize=11)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    plt.close(figure)
    write_atomically(path, buffer.getvalue())


def _latency(results: Results, ax: Any) -> None:
    systems = SYSTEMS
    width = 0.8 / len(systems)
    workloads = [w for w in WORKLOADS if w.key in results.latency]
    for i, system in enumerate(systems):
        xs, p50s, spread = [], [], []
        for j, workload in enumerate(workloads):
            stats = results.latency[workload.key].get(system)
            if stats:
                xs.append(j + (i - (len(systems) - 1) / 2) * width)
                p50s.append(stats.p50)
                spread.append(stats.p95 - stats.p50)
        if xs:
            bars = ax.bar(
                xs,
                p50s,
                width,
                yerr=[[0] * len(spread), spread],
                capsize=2,
                color=COLOURS[system],
                label=SHORT[system],
            )
            ax.bar_label(bars, [f"{v:.0f}" for v in p50s], fontsize=7, padding=2)
    ax.set_yscale("log")
    ax.set_xticks(range(len(workloads)), [w.label for w in workloads], fontsize=8)
    ax.set_ylabel("ms per job (bar p50, whisker to p95; log scale)")
    ax.set_title("Latency per job")
    ax.legend(fontsize=8)


def _throughput(results: Results, ax: Any) -> None:
    levels = sorted(results.throughput)
    for i, system in enumerate((FLOOR, SERVER)):
        values = [results.throughput[level][system].p50 for level in levels]
        bars = ax.bar(
            [k + (i - 0.5) * 0.38 for k in range(len(levels))],
            values,
            0.38,
            color=COLOURS[system],
            label=SHORT[system],
        )
        ax.bar_label(bars, [f"{v:.1f}" for v in values], fontsize=7, padding=2)
    ax.set_xticks(range(len(levels)), [f"{level} client{'s' * (level > 1)}" for level in levels])
    ax.set_ylabel("jobs/s (p50 over rounds)")
    ax.set_title("Throughput, range(100).count(), one context")
    ax.legend(fontsize=8)


def _startup(results: Results, ax: Any) -> None:
    names, values = [], []
    for key in STARTUP_LABELS:
        if key in results.startup:
            names.append(STARTUP_SHORT[key])
            values.append(results.startup[key].p50 / 1000)
    submit = results.latency.get("tiny", {}).get(SUBMIT)
    if submit:
        names.append("spark-submit\nrange(100)")
        values.append(submit.p50 / 1000)
    if results.connect_start_ms is not None:
        names.append("Connect server\nstart")
        values.append(results.connect_start_ms / 1000)
    bars = ax.bar(range(len(names)), values, 0.6, color="#8172b3")
    ax.bar_label(bars, [f"{v:.1f}" for v in values], fontsize=7, padding=2)
    ax.set_xticks(range(len(names)), names, fontsize=8)
    ax.set_ylabel("seconds (p50)")
    ax.set_title("Start-up")
