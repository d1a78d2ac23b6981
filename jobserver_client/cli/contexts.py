"""`sjs contexts`: create (returns once usable), list, show and delete contexts."""

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from jobserver_client.cli.conf import config_text
from jobserver_client.cli.output import Output, OutputOption, err, out, print_json, print_table
from jobserver_client.cli.session import server_of

app = typer.Typer(help="Warm Spark contexts.", no_args_is_help=True)

ConfFile = Annotated[
    typer.FileText | None,
    typer.Option("--conf", help="HOCON or JSON config file ('-' reads stdin)"),
]
Settings = Annotated[
    list[str] | None,
    typer.Option("--set", "-c", help="key=value on top of --conf (value JSON or text); repeatable"),
]


@app.command()
def create(
    ctx: typer.Context,
    name: str,
    cpus: Annotated[int | None, typer.Option("--cpus", min=1, help="num-cpu-cores")] = None,
    memory: Annotated[str | None, typer.Option(help="memory-per-node, e.g. 512m")] = None,
    factory: Annotated[str | None, typer.Option(help="context-factory (SJS's Python factory names)")] = None,
    conf: ConfFile = None,
    settings: Settings = None,
    output: OutputOption = Output.text,
) -> None:
    """Create a context; returns once its SparkSession is warm."""
    server = server_of(ctx)
    body = config_text(conf, settings or [])
    with err.status(f"Starting context {name} …"):
        details = server.create_context(
            name, num_cpu_cores=cpus, memory_per_node=memory, context_factory=factory, config=body
        )
    if output is Output.json:
        print_json(details.as_json())
    else:
        out.print(f"Context {name} {details.state}", highlight=False)


@app.command("list")
def list_contexts(ctx: typer.Context, output: OutputOption = Output.text) -> None:
    """The contexts' names: running, starting, or restarting (supervised)."""
    names = server_of(ctx).contexts()
    if output is Output.json:
        print_json(names)
    else:
        for name in names:
            out.print(name, highlight=False)


@app.command()
def show(ctx: typer.Context, name: str, output: OutputOption = Output.text) -> None:
    """A context's state, times, host and Spark UI."""
    details = server_of(ctx).context(name).as_json()
    if output is Output.json:
        print_json(details)
        return
    table = Table(box=None, show_header=False)
    for field, value in details.items():
        if value is not None:
            table.add_row(field, escape(str(value)))
    print_table(table)


@app.command()
def delete(ctx: typer.Context, name: str, output: OutputOption = Output.text) -> None:
    """Stop a context (its running jobs end ERROR)."""
    server_of(ctx).delete_context(name)
    if output is Output.json:
        print_json({"deleted": name})
    else:
        out.print(f"Stopped {name}", highlight=False)
