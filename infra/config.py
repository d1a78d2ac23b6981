"""Settings read from the environment, the one place that does so.

template.yaml `!Ref`s every resource into these variables (Globals of the functions, the host task
definition); the local stack resolves the same template. Pointing at LocalStack or AWS is a matter
of AWS_ENDPOINT_URL / credentials, which boto3 reads itself."""

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from infra.server_config import ServerConfig, load_server_config


@dataclass(frozen=True)
class Settings:
    binaries_bucket: str
    jobs_table: str
    contexts_table: str
    binaries_table: str
    event_bus_name: str
    dead_letter_queue_url: str
    queue_prefix: str
    idempotency_table: str = ""  # Powertools Idempotency (the deploy function)
    context_launcher: str = "local"  # "local" (child processes) or "ecs" (Fargate tasks)
    host_cluster: str = ""
    host_task_definition: str = ""
    host_subnets: str = ""  # comma-separated, for ECS awsvpc networking
    host_security_groups: str = ""  # comma-separated: the hosts' (template.yaml's HostSecurityGroup)
    host_public_ip: str = "DISABLED"  # ENABLED: host tasks get a public IP (public subnets, no NAT)
    spark_master: str = ""  # empty: local[num-cpu-cores] inside the host
    heartbeat_seconds: float = 5.0
    heartbeat_timeout_seconds: float = 15.0
    context_start_timeout_seconds: float = 60.0
    state_dir: str = ".sjs"  # host logs, binary cache and data files (/data) on this machine
    spare_hosts: int = 1  # the warm pool: hosts kept started with no context (functions/domain/pool.py)
    host_bind: str = "127.0.0.1"  # where a host serves its sync lane; 0.0.0.0 on AWS (its task's address)
    host_port: int = 0  # 0: any free port (many hosts on one machine); fixed on AWS, for its security group
    ecs_container_metadata_uri_v4: str = ""  # set by ECS in a task: where a host learns its private address
    supervisor_pid: int = 0  # locally: the stack that launched a host; the host stops when it is gone
    worker_memory_mb: int = 4096  # data memory of one job worker (a job beyond it fails with MemoryError)
    max_result_mb: int = 100  # a job's result as JSON; a larger one fails the job
    server_config: str = ""  # the operator's HOCON file (infra/server_config.py); empty: defaults
    job_retention_days: int = 30  # an ended job's record expires after this (the jobs table's TTL)
    host_scoped_role_arn: str = ""  # on AWS: the role a host acts as, tagged with its context
    metrics_log: str = ""  # where EMF metric lines go (infra/metrics.py); empty: stdout, as on AWS

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> "Settings":
        values = {}
        for field in fields(cls):
            raw = env.get(field.name.upper())
            if raw is None or raw == "":
                continue
            values[field.name] = field.type(raw) if field.type in (int, float) else raw
        return cls(**values)

    def to_env(self) -> dict[str, str]:
        """The variables that rebuild these settings in another process (a context host)."""
        return {field.name.upper(): str(getattr(self, field.name)) for field in fields(self)}

    @property
    def state_path(self) -> Path:
        return Path(self.state_dir).resolve()

    @property
    def data_path(self) -> Path:
        """The hosts' folder of data files (SJS's /data): the path an upload returns is in it, so
        the API and the hosts must agree on STATE_DIR (template.yaml gives both the same)."""
        return self.state_path / "data"

    @property
    def policy(self) -> "ServerConfig":
        """The operator's server config this deployment names."""
        return load_server_config(self.server_config)
