"""`sjs run` and `sjs jobs`: submit a job and follow it to its result; list, show, wait for,
read the logs of and kill jobs."""

from typing import Annotated

import typer

from jobserver_client.cli.conf import config_text
from jobserver_client.cli.contexts import ConfFile, Settings
from jobserver_client.cli.output import (
    Output,
    OutputOption,
    err,
    job_details,
    job_table,
    out,
    print_json,
    print_table,
    print_value,
    report_end,
    report_outcome,
)
from jobserver_client.cli.session import ExitCode, server_of
from jobserver_client.cli.watch import JobWatch
from jobserver_client.client import JobServer
from jobserver_client.models import Job, JobStatus

app = typer.Typer(help="Jobs: list, status, wait, config, logs, kill.", no_args_is_help=True)

DEFAULT_TIMEOUT = 300
Timeout = Annotated[
    int, typer.Option(min=1, max=3600, help="seconds to wait for the job's end (--sync, --watch)")
]


def run(
    ctx: typer.Context,
    app_name: Annotated[str, typer.Argument(metavar="APP", help="the binary's app name")],
    class_path: Annotated[str, typer.Argument(metavar="CLASS", help="the job's class")],
    context: Annotated[
        str | None, typer.Option(help="a context's name; without it, a transient context")
    ] = None,
    conf: ConfFile = None,
    settings: Settings = None,
    sync: Annotated[bool, typer.Option("--sync", help="wait for the job's end and show its result")] = False,
    watch: Annotated[
        bool, typer.Option("--watch", help="follow the job with a progress bar until it ends (waits too)")
    ] = False,
    timeout: Timeout = DEFAULT_TIMEOUT,
    output: OutputOption = Output.text,
) -> None:
    """Run a job. Exits 1 when it ends ERROR or KILLED."""
    server = server_of(ctx)
    body = config_text(conf, settings or [])
    if not watch:
        job = server.submit(app_name, class_path, body, context=context, sync=sync, timeout=timeout)
        if sync:
            finish(job, output)
        elif output is Output.json:
            print_json(job.as_json())
        else:
            err.print(f"Submitted job {job.job_id} ({job.status})", highlight=False)
            out.print(job.job_id, highlight=False)  # for JOB=$(sjs run …)
        return
    # Followed: submitted async (its id is known at once), then polled with its progress.
    started = server.submit(app_name, class_path, body, context=context)
    finish(follow(server, started.job_id, timeout), output)


@app.command("list")
def list_jobs(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
    status: Annotated[JobStatus | None, typer.Option(case_sensitive=False)] = None,
    output: OutputOption = Output.text,
) -> None:
    """Recent jobs, newest first."""
    jobs = server_of(ctx).jobs(limit, status)
    if output is Output.json:
        print_json([job.as_json() for job in jobs])
    else:
        print_table(job_table(jobs))


@app.command()
def status(ctx: typer.Context, job_id: str, output: OutputOption = Output.text) -> None:
    """A job's status, progress, and its result or error once it ended."""
    job = server_of(ctx).job(job_id)
    if output is Output.json:
        print_json(job.as_json())
        return
    print_table(job_details(job))
    report_outcome(job)


@app.command()
def wait(
    ctx: typer.Context,
    job_id: str,
    watch: Annotated[bool, typer.Option(help="a progress bar while it runs")] = True,
    timeout: Timeout = DEFAULT_TIMEOUT,
    output: OutputOption = Output.text,
) -> None:
    """Wait for a job's end, then show its result. Exits 1 when it ends ERROR or KILLED."""
    server = server_of(ctx)
    finish(follow(server, job_id, timeout) if watch else server.wait(job_id, timeout), output)


@app.command()
def config(ctx: typer.Context, job_id: str, output: OutputOption = Output.text) -> None:
    """The config a job was submitted with."""
    submitted = server_of(ctx).job_config(job_id)
    if output is Output.json:
        print_json(submitted)
    else:
        print_value(submitted)


@app.command()
def logs(
    ctx: typer.Context,
    job_id: str,
    tail: Annotated[int | None, typer.Option(min=1, help="only the last N lines")] = None,
    since: Annotated[
        str | None,
        typer.Option(help="lines from this ISO 8601 time on (with its zone), or after the first N lines"),
    ] = None,
    output: OutputOption = Output.text,
) -> None:
    """What the job wrote (print, logging, stderr), each line after the time the server read it."""
    lines = server_of(ctx).job_logs(job_id, tail, since)
    if output is Output.json:
        print_json({"jobId": job_id, "lines": lines})
    else:
        for line in lines:
            out.print(line, markup=False, highlight=False)


@app.command()
def kill(ctx: typer.Context, job_id: str, output: OutputOption = Output.text) -> None:
    """Kill a running job."""
    ended = server_of(ctx).kill(job_id)
    if output is Output.json:
        print_json({"jobId": job_id, "status": ended})
    else:
        out.print(f"{ended} {job_id}", highlight=False)


def follow(server: JobServer, job_id: str, timeout: int) -> Job:
    with JobWatch(job_id) as bar:
        return server.wait(job_id, timeout, on_update=bar.update)


def finish(job: Job, output: Output) -> None:
    """Show the ended job; a failed one exits JOB_FAILED."""
    report_end(job, output)
    if job.status is not JobStatus.FINISHED:
        raise typer.Exit(ExitCode.JOB_FAILED)
