"""Start and stop context hosts: child processes locally, ECS (Fargate) tasks in AWS.

A host identifies itself through heartbeats in the contexts table; the launcher's host id is only
what `stop` needs to end a host that no longer answers."""

from typing import Protocol

from infra.config import Settings


class ContextLauncher(Protocol):
    def launch(self, context: str, context_id: str) -> str:
        """Start a host for this context incarnation; returns its host id."""

    def launch_spare(self, spare_id: str) -> str:
        """Start a warm spare host (functions/domain/pool.py); returns its host id."""

    def stop(self, host_id: str) -> None:
        """End a host at once (it had its chance to stop gracefully)."""


def host_command(context: str, context_id: str) -> list[str]:
    return ["-m", "context_host", "--context", context, "--context-id", context_id]


def spare_command(spare_id: str) -> list[str]:
    return ["-m", "context_host", "--spare", spare_id]


def launcher_for(settings: Settings) -> ContextLauncher:
    if settings.context_launcher == "ecs":
        from infra.launchers.ecs import EcsLauncher

        return EcsLauncher(settings)
    from infra.launchers.local import LocalLauncher

    return LocalLauncher(settings)
