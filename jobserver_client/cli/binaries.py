"""`sjs binaries`: upload, list, show and delete job packages."""

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from jobserver_client.cli.output import Output, OutputOption, out, print_json, print_table
from jobserver_client.cli.session import server_of

app = typer.Typer(help="Job packages (egg, wheel, zip, jar).", no_args_is_help=True)


@app.command()
def upload(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="the app name jobs will use")],
    package: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    content_type: Annotated[
        str | None,
        typer.Option("--type", help="e.g. application/python-wheel; default: told by the bytes"),
    ] = None,
    output: OutputOption = Output.text,
) -> None:
    """Upload a package as a new version of NAME."""
    info = server_of(ctx).upload_binary(name, package, content_type)
    if output is Output.json:
        print_json(info.as_json())
    else:
        out.print(f"Uploaded {name}: {info.binary_type}, {info.upload_time}", highlight=False)


@app.command("list")
def list_binaries(ctx: typer.Context, output: OutputOption = Output.text) -> None:
    """The apps and their newest versions."""
    binaries = server_of(ctx).binaries()
    if output is Output.json:
        print_json({name: info.as_json() for name, info in binaries.items()})
        return
    table = Table("app", "type", "uploaded", box=None)
    for name, info in binaries.items():
        table.add_row(name, info.binary_type, info.upload_time)
    print_table(table)


@app.command()
def show(ctx: typer.Context, name: str, output: OutputOption = Output.text) -> None:
    """An app's versions, newest first."""
    details = server_of(ctx).binary(name)
    if output is Output.json:
        print_json(details.as_json())
        return
    table = Table("uploaded", "type", "size", "sha256", box=None, title=name)
    for version in details.versions:
        table.add_row(version.upload_time, version.binary_type, str(version.size or ""), version.digest or "")
    print_table(table)


@app.command()
def delete(ctx: typer.Context, name: str, output: OutputOption = Output.text) -> None:
    """Delete an app, every version."""
    server_of(ctx).delete_binary(name)
    if output is Output.json:
        print_json({"deleted": name})
    else:
        out.print(f"Deleted {name}", highlight=False)
