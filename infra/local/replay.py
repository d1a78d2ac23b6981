"""Replays a sample event through the handler of the function it belongs to, as the local stack
invokes it: `python -m infra.local.replay ApiFunction/get_job` (see events/samples/).

Runs beside `make up`: the endpoint and stack name are read as `make up` reads them (MOTO_HOST,
MOTO_PORT, STACK_NAME, or AWS_ENDPOINT_URL), and the functions' environment is read back from
that stack, so the handler sees what it sees there. Prints the handler's answer."""

import json
import os
import sys
from typing import Any

from events.sample_events import load_event
from infra.local import lambda_runtime
from infra.local.provision import existing
from infra.local.stack import StackConfig, use_local_credentials
from infra.local.template import load


def handler_of(function: str) -> lambda_runtime.Handler:
    handlers = {spec.name: spec.handler for spec in load().functions}
    if function not in handlers:
        raise SystemExit(f"no function {function!r} in template.yaml; there are {', '.join(handlers)}")
    return lambda_runtime.load_handler(handlers[function])


def invoke(function: str, event: dict[str, Any]) -> Any:
    return lambda_runtime.invoke(handler_of(function), event, function)


def main(sample: str) -> None:
    config = StackConfig.from_env()
    use_local_credentials(config)
    os.environ.setdefault("AWS_ENDPOINT_URL", f"http://{config.moto_host}:{config.moto_port}")
    os.environ.update({**existing(load(), config.stack_name).env, **config.function_env()})
    print(json.dumps(invoke(sample.split("/")[0], load_event(sample)), indent=2, default=str))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python -m infra.local.replay <FunctionName>/<sample>  (see events/samples/)")
    main(sys.argv[1])
