"""template.yaml as the local stack reads it: the resources moto's CloudFormation can create, and
the functions (handler, environment, events) that the local stack runs itself.

moto cannot run SAM's transform or Lambda code, so the Serverless parts are taken out before the
stack is created; the functions' environment (Globals) is resolved by moto too, by asking for it
as generated Outputs."""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cfnlint.decode import decode_str

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"
SERVERLESS = "AWS::Serverless::"
ENV_OUTPUT_PREFIX = "FunctionEnv"


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    handler: str


@dataclass(frozen=True)
class LocalTemplate:
    deployable: dict[str, Any]  # what moto's CloudFormation creates
    env_outputs: dict[str, str]  # output key → environment variable name
    functions: list[FunctionSpec]

    def body(self) -> str:
        return json.dumps(self.deployable)


def load(path: Path = TEMPLATE) -> LocalTemplate:
    template, problems = decode_str(path.read_text())
    if template is None:
        raise ValueError(f"{path} does not parse: {problems}")
    template = json.loads(json.dumps(template))  # plain dicts
    resources = template["Resources"]
    functions = [
        FunctionSpec(name, spec["Properties"]["Handler"])
        for name, spec in resources.items()
        if spec["Type"] == "AWS::Serverless::Function"
    ]
    variables = template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    env_outputs = {f"{ENV_OUTPUT_PREFIX}{i}": name for i, name in enumerate(variables)}
    deployable = {
        "AWSTemplateFormatVersion": template.get("AWSTemplateFormatVersion", "2010-09-09"),
        "Parameters": template.get("Parameters", {}),
        "Resources": {
            name: spec for name, spec in resources.items() if not spec["Type"].startswith(SERVERLESS)
        },
        "Outputs": {key: {"Value": variables[name]} for key, name in env_outputs.items()},
    }
    return LocalTemplate(deployable, env_outputs, functions)
