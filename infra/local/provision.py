"""Create the stack's resources on the local endpoint (moto's CloudFormation), connect the bucket
notifications moto's CloudFormation leaves out, and return what the template's values resolved
to: the environment the functions and hosts run with, and the generated outputs.

The network the template asks its deployer for (VpcId, SubnetIds, RouteTableIds) is, locally, the
endpoint's default VPC (moto and LocalStack both have one), with the optional endpoints asked for
too: nothing runs in it here, but every security group and endpoint is created, and checked, as
on AWS (and moto's CloudFormation mishandles a resource whose condition is false)."""

import time
from collections.abc import Callable
from dataclasses import dataclass

from infra.aws import client
from infra.local.template import BucketNotification, LocalTemplate

STACK_WAIT_SECONDS = 60


@dataclass(frozen=True)
class Provisioned:
    env: dict[str, str]  # the functions' environment (Globals), as deployed
    outputs: dict[str, str]  # every generated output, by key


def provision(
    template: LocalTemplate, stack_name: str, fill: Callable[[], None] | None = None
) -> Provisioned:
    """`fill` runs once the resources exist and before the bucket notifies anyone: restoring
    saved objects under binaries/ must not deploy them again."""
    cloudformation = client("cloudformation")
    existing = {
        s["StackName"]
        for s in cloudformation.list_stacks()["StackSummaries"]
        if s["StackStatus"] != "DELETE_COMPLETE"
    }
    if stack_name not in existing:
        cloudformation.create_stack(
            StackName=stack_name,
            TemplateBody=template.body(),
            Parameters=_network(set(template.deployable["Parameters"])),
            Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
        )
    provisioned = resolved(template, _wait_complete(cloudformation, stack_name))
    if fill:
        fill()
    _connect_notifications(template.notifications, provisioned.outputs)
    return provisioned


def existing(template: LocalTemplate, stack_name: str) -> Provisioned:
    """What an already created stack resolved to (for tools that run beside `make up`)."""
    return resolved(template, client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"][0])


def resolved(template: LocalTemplate, stack: dict) -> Provisioned:
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    return Provisioned({name: outputs[key] for key, name in template.env_outputs.items()}, outputs)


def _network(asked: set[str]) -> list[dict[str, str]]:
    """The default VPC, its subnets and main route table, and every endpoint, for the network
    parameters the template asks."""
    ec2 = client("ec2")
    [vpc] = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    in_vpc = [{"Name": "vpc-id", "Values": [vpc["VpcId"]]}]
    subnets = [s["SubnetId"] for s in ec2.describe_subnets(Filters=in_vpc)["Subnets"]]
    main = [{"Name": "association.main", "Values": ["true"]}]
    tables = [t["RouteTableId"] for t in ec2.describe_route_tables(Filters=in_vpc + main)["RouteTables"]]
    values = {
        "VpcId": vpc["VpcId"],
        "SubnetIds": ",".join(subnets),
        "RouteTableIds": ",".join(tables),
        "InterfaceEndpoints": "true",
    }
    return [{"ParameterKey": key, "ParameterValue": value} for key, value in values.items() if key in asked]


def _connect_notifications(notifications: list[BucketNotification], outputs: dict[str, str]) -> None:
    by_bucket: dict[str, list[dict]] = {}
    for notification in notifications:
        by_bucket.setdefault(outputs[notification.bucket_output], []).append(
            {
                "QueueArn": outputs[notification.queue_arn_output],
                "Events": [notification.event],
                "Filter": {
                    "Key": {"FilterRules": [{"Name": n, "Value": v} for n, v in notification.filter_rules]}
                },
            }
        )
    s3 = client("s3")
    for bucket, configurations in by_bucket.items():
        s3.put_bucket_notification_configuration(
            Bucket=bucket, NotificationConfiguration={"QueueConfigurations": configurations}
        )


def _wait_complete(cloudformation, stack_name: str) -> dict:
    deadline = time.monotonic() + STACK_WAIT_SECONDS
    while True:
        stack = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
        status = stack["StackStatus"]
        if status.endswith("_COMPLETE") and "ROLLBACK" not in status:
            return stack
        if status.endswith("FAILED") or "ROLLBACK" in status or time.monotonic() > deadline:
            raise RuntimeError(f"stack {stack_name} is {status}: {stack.get('StackStatusReason', '')}")
        time.sleep(0.2)
