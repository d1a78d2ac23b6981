"""What every command shares: the server the root command connected to, and the exit codes
scripts can test."""

from enum import IntEnum

import typer

from jobserver_client.client import JobServer


class ExitCode(IntEnum):
    OK = 0
    JOB_FAILED = 1  # the job ended ERROR or KILLED
    USAGE = 2  # click's code for a bad command line (also a bad profile)
    REFUSED = 3  # the server answered an error (4xx/5xx in SJS's shape)
    UNREACHABLE = 4  # no answer from the server
    TIMED_OUT = 5  # the job was still running when --timeout ran out


def server_of(ctx: typer.Context) -> JobServer:
    server = ctx.obj
    if not isinstance(server, JobServer):
        raise RuntimeError("commands run under the root command, which connects")
    return server
