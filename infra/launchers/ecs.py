"""Context hosts as ECS Fargate tasks of the stack's host task definition (template.yaml)."""

from infra.aws import client
from infra.config import Settings
from infra.launchers import host_command, spare_command

PREFIX = "ecs:"
CONTAINER = "context-host"


class EcsLauncher:
    def __init__(self, settings: Settings):
        self._settings = settings
        self._ecs = client("ecs")

    def launch(self, context: str, context_id: str) -> str:
        return self._run_task(host_command(context, context_id), f"sjs-{context}")

    def launch_spare(self, spare_id: str) -> str:
        return self._run_task(spare_command(spare_id), f"sjs-spare-{spare_id[:8]}")

    def _run_task(self, command: list[str], started_by: str) -> str:
        subnets = [s for s in self._settings.host_subnets.split(",") if s]
        response = self._ecs.run_task(
            cluster=self._settings.host_cluster,
            taskDefinition=self._settings.host_task_definition,
            launchType="FARGATE",
            networkConfiguration={"awsvpcConfiguration": {"subnets": subnets, "assignPublicIp": "DISABLED"}},
            overrides={
                "containerOverrides": [
                    {"name": CONTAINER, "command": ["python", *command]}
                ]
            },
            startedBy=started_by[:36],
        )
        if response.get("failures"):
            raise RuntimeError(f"ECS could not start a host ({started_by}): {response['failures']}")
        return PREFIX + response["tasks"][0]["taskArn"]

    def stop(self, host_id: str) -> None:
        if host_id.startswith(PREFIX):
            self._ecs.stop_task(
                cluster=self._settings.host_cluster, task=host_id.removeprefix(PREFIX), reason="context ended"
            )
