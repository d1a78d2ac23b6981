"""What the commands print: text for people (tables, colours where the terminal has them; rows
of tab-separated fields into a pipe) or JSON for scripts (`--output json`: the server's own
fields, one document on stdout).
Results go to stdout; statuses, progress and errors to stderr, so `> result.json` keeps the result."""

import json
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.json import JSON
from rich.markup import escape
from rich.table import Table
from rich.text import Text

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


def print_table(table: Table) -> None:
    """On a terminal, a table fitted to it; into a pipe or a file, its rows as tab-separated lines
    (no header, nothing cut short) for cut, grep and awk. Cells are rich markup."""
    if out.is_terminal:
        out.print(table)
        return
    for row in zip(*(column.cells for column in table.columns), strict=True):
        typer.echo("\t".join(Text.from_markup(str(cell)).plain for cell in row))


def print_value(value: Any) -> None:
    """A job's result or a config as people read it: JSON, highlighted on a terminal."""
    if isinstance(value, dict | list):
        out.print(JSON.from_data(value, ensure_ascii=False))
    else:
        out.print(value if isinstance(value, str) else json.dumps(value), markup=False, highlight=False)


def status_text(status: JobStatus) -> str:
    return f"[{STATUS_STYLES.get(status, 'cyan')}]{status}[/]"


def job_table(jobs: list[Job]) -> Table:
    """Ids whole (folded on a narrow terminal, never cut), classes by their own name; `sjs jobs
    status` shows all of a job."""
    table = Table(box=None, padding=(0, 2, 0, 0), pad_edge=False)
    table.add_column("job id", overflow="fold")
    for name in ("status", "class", "context", "started", "duration"):
        table.add_column(name, no_wrap=True, overflow="ellipsis")
    for job in jobs:
        table.add_row(
            job.job_id,
            status_text(job.status),
            (job.class_path or "").rpartition(".")[2],
            job.context or "",
            (job.start_time or "")[:19].replace("T", " "),
            "" if job.status.is_active else job.duration or "",
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
    """`42% · stages 1/3 · tasks 10/24`, with what is known (and `batches 7 · 50 rows/s` for a
    streaming job)."""
    parts = [f"{fraction * 100:.0f}%"] if fraction is not None else []
    for label in ("jobs", "stages", "tasks"):
        counts = getattr(progress, label) if progress is not None else None
        if counts is not None and counts.total:
            parts.append(f"{label} {counts.done}/{counts.total}")
    streaming = progress.streaming if progress is not None else None
    if streaming is not None:
        parts += [f"batches {streaming.batches}", f"{streaming.rows_per_second:g} rows/s"]
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
