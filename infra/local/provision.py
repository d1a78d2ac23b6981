"""Create the stack's resources on the local endpoint (moto's CloudFormation) and return the
environment the functions and hosts run with, resolved from the template itself."""

import time

from infra.aws import client
from infra.local.template import LocalTemplate

STACK_WAIT_SECONDS = 60


def provision(template: LocalTemplate, stack_name: str) -> dict[str, str]:
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
            Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
        )
    stack = _wait_complete(cloudformation, stack_name)
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    return {name: outputs[key] for key, name in template.env_outputs.items()}


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
