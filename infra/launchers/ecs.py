"""Context hosts as ECS Fargate tasks of the stack's host task definition (template.yaml), in the
stack's subnets and the hosts' security group, which admits the API function alone on the
endpoint port. A task learns the private address the API reaches it at from its task metadata."""

import json
import urllib.request

from infra.aws import client
from infra.config import Settings
from infra.launchers import host_command, spare_command

PREFIX = "ecs:"
CONTAINER = "context-host"
METADATA_SECONDS = 2.0  # a link-local endpoint of the task itself


class EcsLauncher:
    def __init__(self, settings: Settings):
        self._settings = settings
        self._ecs = client("ecs")

    def launch(self, context: str, context_id: str) -> str:
        return self._run_task(host_command(context, context_id), f"sjs-{context}")

    def launch_spare(self, spare_id: str) -> str:
        return self._run_task(spare_command(spare_id), f"sjs-spare-{spare_id[:8]}")

    def _run_task(self, command: list[str], started_by: str) -> str:
        response = self._ecs.run_task(
            cluster=self._settings.host_cluster,
            taskDefinition=self._settings.host_task_definition,
            launchType="FARGATE",
            networkConfiguration={"awsvpcConfiguration": self._network()},
            overrides={"containerOverrides": [{"name": CONTAINER, "command": ["python", *command]}]},
            startedBy=started_by[:36],
        )
        if response.get("failures"):
            raise RuntimeError(f"ECS could not start a host ({started_by}): {response['failures']}")
        return PREFIX + response["tasks"][0]["taskArn"]

    def _network(self) -> dict:
        """awsvpc: the stack's subnets, the hosts' security group, a public IP only if asked."""
        return {
            "subnets": _listed(self._settings.host_subnets),
            "securityGroups": _listed(self._settings.host_security_groups),
            "assignPublicIp": self._settings.host_public_ip,
        }

    def stop(self, host_id: str) -> None:
        if host_id.startswith(PREFIX):
            self._ecs.stop_task(
                cluster=self._settings.host_cluster, task=host_id.removeprefix(PREFIX), reason="context ended"
            )


def task_private_address(metadata_uri: str) -> str:
    """This task's private IPv4 address, from the container metadata of ECS's task metadata
    endpoint v4 (`ECS_CONTAINER_METADATA_URI_V4`): its awsvpc network interface."""
    with urllib.request.urlopen(metadata_uri, timeout=METADATA_SECONDS) as response:
        metadata = json.load(response)
    return metadata["Networks"][0]["IPv4Addresses"][0]


def _listed(values: str) -> list[str]:
    return [value for value in values.split(",") if value]
