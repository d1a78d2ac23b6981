"""What the commands print: text for people (tables, colours where the terminal has them) or
JSON for scripts (`--output json`: the server's own fields, one document on stdout).
Results go to stdout; statuses, progress and errors to stderr, so `> result.json` keeps the result."""

import json
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.json import JSON
from rich.markup import escape
from rich.table import Table

from jobserver_client.models import Job, JobStatus, Progress

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

STATUS_STYLES = {
    JobStatus.FINISHED: "green",
    JobStatus.ERROR: "red",
    JobStatus.KILLED: "yellow",
}


class Output(StrEnum):
    text = "text"
    json = "json"


OutputOption = Annotated[
    Output,
    typer.Option("--output", "-o", envvar="SJS_OUTPUT", help="text for people, json for scripts"),
]


def print_json(data: Any) -> None:
    """One JSON document on stdout, plain (no colour codes) whatever the terminal."""
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def print_value(value: Any) -> None:
    """A job's result or a config as people read it: JSON, highlighted on a terminal."""
    if isinstance(value, dict | list):
        out.print(JSON.from_data(value, ensure_ascii=False))
    else:
        out.print(value if isinstance(value, str) else json.dumps(value), markup=False, highlight=False)


def status_text(status: JobStatus) -> str:
    return f"[{STATUS_STYLES.get(status, 'cyan')}]{status}[/]"


def job_table(jobs: list[Job]) -> Table:
    table = Table("job id", "status", "app", "class", "context", "started", "duration", box=None)
    for job in jobs:
        table.add_row(
            job.job_id,
            status_text(job.status),
            job.app_name or "",
            job.class_path or "",
            job.context or "",
            job.start_time or "",
            job.duration or "",
        )
    return table


def job_details(job: Job) -> Table:
    """A job's fields, one a row; its progress when the server reports one."""
    table = Table(box=None, show_header=False)
    table.add_row("job id", job.job_id)
    table.add_row("status", status_text(job.status))
    for label, value in (
        ("app", job.app_name),
        ("class", job.class_path),
        ("context", job.context),
        ("started", job.start_time),
        ("duration", job.duration),
    ):
        if value:
            table.add_row(label, value)
    if job.progress is not None:
        table.add_row("progress", progress_text(job.progress, job.progress.fraction))
    return table


def progress_text(progress: Progress | None, fraction: float | None) -> str:
    """`42% · stages 1/3 · tasks 10/24`, with what is known."""
    parts = [f"{fraction * 100:.0f}%"] if fraction is not None else []
    for label in ("jobs", "stages", "tasks"):
        counts = getattr(progress, label) if progress is not None else None
        if counts is not None and counts.total:
            parts.append(f"{label} {counts.done}/{counts.total}")
    return " · ".join(parts)


def report_end(job: Job, output: Output) -> None:
    """An ended job: JSON of all of it, or for people its status line on stderr and its outcome."""
    if output is Output.json:
        print_json(job.as_json())
        return
    took = f" in {job.duration}" if job.duration and job.duration.endswith("secs") else ""
    where = f" on {job.context}" if job.context else ""
    err.print(f"{status_text(job.status)} job {job.job_id}{where}{took}", highlight=False)
    report_outcome(job)


def report_outcome(job: Job) -> None:
    """A finished job's result on stdout, or a failed job's error and stack on stderr."""
    error = job.error
    if error is not None:
        err.print(f"[red]{escape(error.error_class or 'Error')}: {escape(error.message)}[/]", highlight=False)
        for line in error.stack:
            err.print(f"  {line}", markup=False, highlight=False)
    elif job.status is JobStatus.FINISHED:
        print_value(job.result)
