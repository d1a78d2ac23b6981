"""template.yaml as the local stack reads it: the resources moto's CloudFormation can create, and
what the local stack does itself because moto cannot: run the functions (handler, environment,
SQS event sources) and connect the bucket's notifications.

moto cannot run SAM's transform or Lambda code, so the Serverless parts are taken out before the
stack is created, and so are two kinds of resource policy: queue policies, which moto does not
model (they only grant S3 and EventBridge the right to send), and bucket policies, which moto's
CloudFormation cannot create (ours denies every request without TLS, and the local endpoint is
plain HTTP on loopback). Every value the local stack needs from a `!Ref`, `!GetAtt` or
`!Sub` (the functions' environment in Globals, queue ARNs, the bucket name) is resolved by moto
itself, by asking for it as a generated Output."""

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cfnlint.decode import decode_str

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"
SERVERLESS = "AWS::Serverless::"
NOT_MODELLED_BY_MOTO = {"AWS::SQS::QueuePolicy", "AWS::S3::BucketPolicy"}


@dataclass(frozen=True)
class QueueSource:
    """A function's SQS event source, as a Lambda event source mapping would poll it."""

    queue_arn_output: str
    batch_size: int
    reports_failures: bool  # FunctionResponseTypes: [ReportBatchItemFailures]


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    handler: str
    queue_sources: tuple[QueueSource, ...] = ()


@dataclass(frozen=True)
class BucketNotification:
    """One of a bucket's QueueConfigurations (S3 → SQS)."""

    bucket_output: str
    queue_arn_output: str
    event: str
    filter_rules: tuple[tuple[str, str], ...]  # (prefix|suffix, value)


@dataclass(frozen=True)
class LocalTemplate:
    deployable: dict[str, Any]  # what moto's CloudFormation creates
    env_outputs: dict[str, str]  # output key → environment variable name
    functions: list[FunctionSpec]
    notifications: list[BucketNotification]
    retained: tuple[str, ...] = ()  # logical ids with DeletionPolicy Retain: what outlives the stack

    def body(self) -> str:
        return json.dumps(self.deployable)


class _Outputs:
    """Generated Outputs: values moto resolves for us."""

    def __init__(self) -> None:
        self.declared: dict[str, dict[str, Any]] = {}

    def add(self, value: Any, key: str | None = None) -> str:
        key = key or f"Resolved{len(self.declared)}"
        self.declared[key] = {"Value": value}
        return key


def load(path: Path = TEMPLATE) -> LocalTemplate:
    template, problems = decode_str(path.read_text())
    if template is None:
        raise ValueError(f"{path} does not parse: {problems}")
    template = json.loads(json.dumps(template))  # plain dicts
    resources = template["Resources"]
    outputs = _Outputs()
    variables = template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    env_outputs = {
        outputs.add(value, f"FunctionEnv{i}"): name for i, (name, value) in enumerate(variables.items())
    }
    functions = [
        _function(name, spec["Properties"], outputs)
        for name, spec in resources.items()
        if spec["Type"] == "AWS::Serverless::Function"
    ]
    notifications = [
        notification
        for name, spec in resources.items()
        if spec["Type"] == "AWS::S3::Bucket"
        for notification in _notifications(name, spec.get("Properties", {}), outputs)
    ]
    kept = _deployable(resources)
    conditions = template.get("Conditions", {})
    used = _referenced([kept, outputs.declared, conditions])
    deployable = {
        "AWSTemplateFormatVersion": template.get("AWSTemplateFormatVersion", "2010-09-09"),
        # Parameters only the Serverless parts use (the HttpApi's JWT issuer) go with them.
        "Parameters": {name: spec for name, spec in template.get("Parameters", {}).items() if name in used},
        "Conditions": conditions,
        "Resources": kept,
        "Outputs": outputs.declared,
    }
    retained = tuple(name for name, spec in kept.items() if spec.get("DeletionPolicy") == "Retain")
    return LocalTemplate(deployable, env_outputs, functions, notifications, retained)


def _function(name: str, properties: dict[str, Any], outputs: _Outputs) -> FunctionSpec:
    sources = tuple(
        QueueSource(
            outputs.add(event["Properties"]["Queue"]),
            int(event["Properties"].get("BatchSize", 10)),
            "ReportBatchItemFailures" in event["Properties"].get("FunctionResponseTypes", []),
        )
        for event in properties.get("Events", {}).values()
        if event["Type"] == "SQS"
    )
    return FunctionSpec(name, properties["Handler"], sources)


def _notifications(bucket: str, properties: dict[str, Any], outputs: _Outputs) -> list[BucketNotification]:
    configurations = properties.get("NotificationConfiguration", {}).get("QueueConfigurations", [])
    return [
        BucketNotification(
            outputs.add({"Ref": bucket}),
            outputs.add(configuration["Queue"]),
            configuration["Event"],
            tuple(
                (rule["Name"], rule["Value"])
                for rule in configuration.get("Filter", {}).get("S3Key", {}).get("Rules", [])
            ),
        )
        for configuration in configurations
    ]


def _referenced(node: Any) -> set[str]:
    """The names a part of the template refers to by `Ref` or in a `Fn::Sub` string."""
    if isinstance(node, list):
        return set().union(*map(_referenced, node))
    if not isinstance(node, dict):
        return set()
    names = set().union(*map(_referenced, node.values()))
    if isinstance(node.get("Ref"), str):
        names.add(node["Ref"])
    sub = node.get("Fn::Sub")
    text = sub[0] if isinstance(sub, list) else sub
    if isinstance(text, str):
        names.update(re.findall(r"\$\{([^}!.]+)\}", text))
    return names


def _deployable(resources: dict[str, Any]) -> dict[str, Any]:
    """The resources moto creates; what it cannot is dropped, and so are dependencies on it."""
    dropped = {
        name
        for name, spec in resources.items()
        if spec["Type"].startswith(SERVERLESS) or spec["Type"] in NOT_MODELLED_BY_MOTO
    }
    kept = {}
    for name, spec in resources.items():
        if name in dropped:
            continue
        spec = dict(spec)
        depends = spec.get("DependsOn", [])
        depends = [d for d in ([depends] if isinstance(depends, str) else depends) if d not in dropped]
        spec.pop("DependsOn", None)
        if depends:
            spec["DependsOn"] = depends
        kept[name] = spec
    return kept
