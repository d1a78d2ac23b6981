"""The root of `sjs`: connection options, the command groups, and errors turned into a message
on stderr and an exit code (session.ExitCode) instead of a traceback."""

from pathlib import Path
from typing import Annotated, Any

import click
import typer
from rich.markup import escape
from typer.core import TyperGroup

from jobserver_client.cli import binaries, contexts, jobs
from jobserver_client.cli.output import err
from jobserver_client.cli.profiles import Profile, resolve
from jobserver_client.cli.session import ExitCode
from jobserver_client.client import DEFAULT_URL, JobServer
from jobserver_client.errors import ApiError, Unreachable, WaitTimeout

EPILOG = (
    "Exit codes: 0 done, 1 the job ended ERROR or KILLED, 2 bad command line or profile, "
    "3 the server refused the request, 4 no answer from the server, 5 --timeout ran out."
)


class Commands(TyperGroup):
    """Every command runs inside this group's invoke: the one place client errors become exits."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ApiError as e:
            details = f" ({e.error_class})" if e.error_class else ""
            err.print(
                f"[red]Error {e.status_code} {escape(e.label)}:[/] {escape(e.message)}{escape(details)}"
            )
            raise typer.Exit(ExitCode.TIMED_OUT if e.status_code == 504 else ExitCode.REFUSED) from e
        except Unreachable as e:
            err.print(f"[red]Error:[/] {escape(str(e))}")
            raise typer.Exit(ExitCode.UNREACHABLE) from e
        except WaitTimeout as e:
            err.print(f"[yellow]{escape(str(e))}[/] (it goes on: sjs jobs wait {e.job.job_id})")
            raise typer.Exit(ExitCode.TIMED_OUT) from e


app = typer.Typer(
    cls=Commands,
    name="sjs",
    help="Upload job packages, run Spark jobs on warm contexts, follow them to their results.",
    epilog=EPILOG,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(binaries.app, name="binaries")
app.add_typer(contexts.app, name="contexts")
app.add_typer(jobs.app, name="jobs")
app.command(epilog=EPILOG)(jobs.run)


@app.callback()
def connect(
    ctx: typer.Context,
    url: Annotated[
        str | None, typer.Option(envvar="SJS_URL", help=f"the server (default {DEFAULT_URL})")
    ] = None,
    user: Annotated[str | None, typer.Option(envvar="SJS_USER", help="HTTP Basic user")] = None,
    password: Annotated[
        str | None, typer.Option(envvar="SJS_PASSWORD", help="HTTP Basic password (prefer the environment)")
    ] = None,
    api_key: Annotated[
        str | None, typer.Option(envvar="SJS_API_KEY", help="a bearer key or token (prefer the environment)")
    ] = None,
    profile: Annotated[
        str | None,
        typer.Option(envvar="SJS_PROFILE", help="a profile of the profile file (default: default)"),
    ] = None,
    profile_file: Annotated[
        Path | None, typer.Option(envvar="SJS_CONFIG", help="(default ~/.config/sjs/config.toml)")
    ] = None,
) -> None:
    """Connects once for the command that follows (a server passed in as ctx.obj is used as is)."""
    if isinstance(ctx.obj, JobServer):
        return
    given = Profile(url=url, user=user, password=password, api_key=api_key)
    server = resolve(given, profile, profile_file).client()
    ctx.obj = server
    ctx.call_on_close(server.close)


def main() -> None:
    app(prog_name="sjs")
