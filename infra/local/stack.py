"""The whole local stack in one object: start it, serve, stop everything it started.

Order of starting: moto server → resources from template.yaml → environment for the functions and
hosts → the API's HTTP server and the other functions' warm workers, side by side → queue pollers
(the functions' SQS event sources) and the reconciler schedule → in the background, the server
config's preloaded contexts (SJS's `spark.contexts`). Stopping runs it backwards: the
HTTP server first, then every context host (so contexts end FINISHED while moto still answers),
then the workers and moto; no process is left behind."""

import contextlib
import logging
import os
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from events.states import ContextState
from functions.reconciler.app import START_PRELOADED
from infra.config import Settings
from infra.launchers.local import PREFIX as LOCAL_HOST
from infra.local.api_server import ApiServer
from infra.local.dispatch import QueuePoller
from infra.local.lambda_runtime import FunctionPool
from infra.local.moto_server import MotoServer, read_credentials
from infra.local.processes import group_alive, signal_group, wait_groups_gone
from infra.local.provision import provision
from infra.local.template import load
from infra.stores.contexts import ContextStore

log = logging.getLogger("sjs.stack")

HOST_STOP_SECONDS = 25.0


@dataclass(frozen=True)
class StackConfig:
    api_host: str = "127.0.0.1"
    api_port: int = 8090
    moto_host: str = "127.0.0.1"
    moto_port: int = 4566
    stack_name: str = "sjs-local"
    api_workers: int = 8
    reconcile_seconds: float = 5.0
    state_dir: Path = Path(".sjs")
    server_config: str = ""  # the operator's file; the template's ServerConfigFile names it on AWS

    def function_env(self) -> dict[str, str]:
        """What the local stack adds to the template's environment for its functions and hosts."""
        return {
            "CONTEXT_LAUNCHER": "local",
            "STATE_DIR": str(self.state_dir),
            "SERVER_CONFIG": self.server_config,
            "POWERTOOLS_TRACE_DISABLED": "true",
            "METRICS_LOG": str(self.state_dir / "logs" / "metrics.log"),  # EMF lines, out of the terminal
            "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
        }

    @classmethod
    def from_env(cls) -> "StackConfig":
        env = os.environ
        return cls(
            api_host=env.get("API_HOST", cls.api_host),
            api_port=int(env.get("API_PORT", cls.api_port)),
            moto_host=env.get("MOTO_HOST", cls.moto_host),
            moto_port=int(env.get("MOTO_PORT", cls.moto_port)),
            stack_name=env.get("STACK_NAME", cls.stack_name),
            api_workers=int(env.get("API_WORKERS", cls.api_workers)),
            reconcile_seconds=float(env.get("RECONCILE_SECONDS", cls.reconcile_seconds)),
            state_dir=Path(env.get("STATE_DIR", cls.state_dir)).resolve(),
            server_config=str(Path(env["SERVER_CONFIG"]).resolve()) if env.get("SERVER_CONFIG") else "",
        )

    @property
    def credentials_path(self) -> Path:
        """The embedded AWS's keys, for the stack and its user's tools (`source .sjs/aws.env`)."""
        return self.state_dir / "aws.env"


def use_local_credentials(config: StackConfig) -> None:
    """The keys of the embedded AWS while it runs; with an endpoint of the user's own (LocalStack
    takes any keys) stand-ins where the environment names none."""
    if not os.environ.get("AWS_ENDPOINT_URL") and config.credentials_path.is_file():
        os.environ.update(read_credentials(config.credentials_path))
        return
    for name, value in {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        os.environ.setdefault(name, value)


class LocalStack:
    def __init__(self, config: StackConfig):
        self.config = config
        self._moto: MotoServer | None = None
        self._pools: list[FunctionPool] = []
        self._api: ApiServer | None = None
        self._stopping = threading.Event()

    def start(self) -> None:
        started = time.monotonic()
        self._configure_aws()
        template = load()
        provisioned = provision(template, self.config.stack_name)
        os.environ.update(provisioned.env)
        os.environ.update({**self.config.function_env(), "SUPERVISOR_PID": str(os.getpid())})
        log.info("resources of template.yaml provisioned as stack %s", self.config.stack_name)
        handlers = {spec.name: spec.handler for spec in template.functions}
        self._api = ApiServer(
            handlers["ApiFunction"], self.config.api_host, self.config.api_port, self.config.api_workers
        )
        self._api.start()
        reconciler = FunctionPool(handlers["ReconcilerFunction"], "ReconcilerFunction", 1)
        consumers = [
            (FunctionPool(spec.handler, spec.name, 1), spec.queue_sources)
            for spec in template.functions
            if spec.queue_sources
        ]
        self._pools = [reconciler, *(pool for pool, _ in consumers)]
        for warming in [future for pool in self._pools for future in pool.warm()]:  # all at once
            warming.result()
        self._api.wait_ready()
        for pool, sources in consumers:
            for source in sources:
                queue_arn = provisioned.outputs[source.queue_arn_output]
                QueuePoller(
                    pool, queue_arn, source.batch_size, source.reports_failures, self._stopping
                ).start()
                log.info("%s takes events from %s", pool.function_name, queue_arn.rsplit(":", 1)[-1])
        threading.Thread(target=self._reconcile, args=(reconciler,), name="reconciler", daemon=True).start()
        threading.Thread(target=self._preload, args=(reconciler,), name="preload", daemon=True).start()
        log.info(
            "API on %s (OpenAPI UI at /swagger) — ready in %.1f s", self._api.url, time.monotonic() - started
        )

    def stop(self) -> None:
        self._stopping.set()
        if self._api:
            self._api.stop()
        self._stop_hosts()
        for pool in self._pools:
            pool.shutdown()
        if self._moto:
            self._moto.stop()
            self.config.credentials_path.unlink(missing_ok=True)  # they open nothing any more
        log.info("local stack stopped")

    def _configure_aws(self) -> None:
        if os.environ.get("AWS_ENDPOINT_URL"):
            use_local_credentials(self.config)
            log.info("using the AWS endpoint %s (no embedded moto)", os.environ["AWS_ENDPOINT_URL"])
            return
        self.config.credentials_path.unlink(missing_ok=True)
        self._moto = MotoServer(
            self.config.moto_host,
            self.config.moto_port,
            self.config.state_dir / "logs" / "moto.log",
            self.config.credentials_path,
        )
        self._moto.start()
        os.environ.update(read_credentials(self.config.credentials_path))
        log.info("moto server on %s (keys in %s)", self._moto.url, self.config.credentials_path)

    def _reconcile(self, pool: FunctionPool) -> None:
        while not self._stopping.wait(self.config.reconcile_seconds):
            try:
                pool.invoke({"source": "local.schedule", "requestContext": {"requestId": "reconcile"}})
            except Exception:
                if not self._stopping.is_set():
                    log.exception("reconciler run failed")

    def _preload(self, pool: FunctionPool) -> None:
        """SJS starts the server config's contexts as it starts: here once the API is up, in the
        background (the stack is ready before they are)."""
        event = {"action": START_PRELOADED, "requestContext": {"requestId": "start-preloaded"}}
        try:
            started = pool.invoke(event)["startedPreloaded"]
        except Exception:
            if not self._stopping.is_set():
                log.exception("starting the preloaded contexts failed")
            return
        if started:
            log.info("preloaded contexts starting: %s", ", ".join(started))

    def _stop_hosts(self) -> None:
        """SIGTERM the host of every live context (they drain and end their contexts), wait for
        those and for hosts still exiting after their context ended, SIGKILL what remains."""
        try:
            records = ContextStore(Settings.from_env().contexts_table).all()
        except Exception:
            log.exception("could not list contexts; stopping none")
            return
        hosts = {
            int(r.hostId.removeprefix(LOCAL_HOST)): r.state.is_live or r.state is ContextState.SPARE
            for r in records
            if (r.hostId or "").startswith(LOCAL_HOST)
        }
        groups = [group for group in hosts if group_alive(group)]
        if groups:
            log.info("stopping %d context host(s)", len(groups))
        for group in groups:  # the host itself, not its JVM: it stops its SparkSession in order
            if hosts[group]:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(group, signal.SIGTERM)
        for group in wait_groups_gone(groups, HOST_STOP_SECONDS):
            log.warning("host %d did not stop in %g s; killing it", group, HOST_STOP_SECONDS)
            signal_group(group, signal.SIGKILL)
