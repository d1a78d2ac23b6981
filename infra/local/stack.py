"""The whole local stack in one object: start it, serve, stop everything it started.

Order of starting: moto server → resources from template.yaml → environment for the functions and
hosts → the API's HTTP server and the other functions' warm workers, side by side → queue pollers
(the functions' SQS event sources) and the reconciler schedule → in the background, the server
config's preloaded contexts (SJS's `spark.contexts`). Stopping runs it backwards: the
HTTP server first, then every context host (so contexts end FINISHED while moto still answers),
then the workers and moto; no process is left behind.

The embedded moto keeps its state in memory, so the stack keeps it on disk (infra/local/snapshot.py):
restored into the new resources before anything uses them, saved every SNAPSHOT_SECONDS and once
more at the stop, after the hosts have ended their contexts. A restored run's leftovers are ended,
and the contexts that ran started again, before the API serves (functions/domain/resume.py).
One stack at a time uses a state directory: it holds a lock on `<state>/stack.lock` while it runs
(`make clean-state` checks it)."""

import contextlib
import fcntl
import logging
import os
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from events.states import ContextState
from functions.reconciler.app import RESUME, START_PRELOADED
from infra.clock import now_iso
from infra.config import Settings
from infra.launchers.local import PREFIX as LOCAL_HOST
from infra.local.api_server import ApiServer
from infra.local.dispatch import QueuePoller
from infra.local.lambda_runtime import FunctionPool
from infra.local.moto_server import MotoServer, read_credentials
from infra.local.processes import group_alive, signal_group, wait_groups_gone
from infra.local.provision import provision
from infra.local.snapshot import Cost, Retained, StateSnapshot, UnreadableState, retained
from infra.local.template import LocalTemplate, load
from infra.stores.contexts import ContextRecord, ContextStore

log = logging.getLogger("sjs.stack")

HOST_STOP_SECONDS = 25.0
SAVE_SHARE = 0.05  # of the stack's time, at most, spent saving its state while it runs


@dataclass(frozen=True)
class StackConfig:
    api_host: str = "127.0.0.1"
    api_port: int = 8090
    moto_host: str = "127.0.0.1"
    moto_port: int = 4566
    stack_name: str = "sjs-local"
    api_workers: int = 8
    reconcile_seconds: float = 5.0
    snapshot_seconds: float = 30.0  # how much AWS state a crash of the stack may lose at most
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
            snapshot_seconds=float(env.get("SNAPSHOT_SECONDS", cls.snapshot_seconds)),
            state_dir=Path(env.get("STATE_DIR", cls.state_dir)).resolve(),
            server_config=str(Path(env["SERVER_CONFIG"]).resolve()) if env.get("SERVER_CONFIG") else "",
        )

    @property
    def credentials_path(self) -> Path:
        """The embedded AWS's keys, for the stack and its user's tools (`source .sjs/aws.env`)."""
        return self.state_dir / "aws.env"

    @property
    def lock_path(self) -> Path:
        """Held (flock) by the stack that uses this state directory, while it runs."""
        return self.state_dir / "stack.lock"


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
        self._snapshot = StateSnapshot(config.state_dir / "aws")
        self._retained: Retained | None = None  # set once restored: only then may a save replace the state
        self._state_lock: int | None = None
        self._started_at = ""  # when this run started: records older than it are of a run before

    def start(self) -> None:
        started = time.monotonic()
        self._started_at = now_iso()
        self._lock_state_dir()
        self._configure_aws()
        template = load()
        resume: list[str] | None = None

        def restore() -> None:
            nonlocal resume
            resume = self._restore(template)

        provisioned = provision(template, self.config.stack_name, restore if self._moto else None)
        os.environ.update(provisioned.env)
        os.environ.update({**self.config.function_env(), "SUPERVISOR_PID": str(os.getpid())})
        log.info("resources of template.yaml provisioned as stack %s", self.config.stack_name)
        handlers = {spec.name: spec.handler for spec in template.functions}
        self._api = ApiServer(
            handlers["ApiFunction"], self.config.api_host, self.config.api_port, self.config.api_workers
        )
        reconciler = FunctionPool(handlers["ReconcilerFunction"], "ReconcilerFunction", 1)
        consumers = [
            (FunctionPool(spec.handler, spec.name, 1), spec.queue_sources)
            for spec in template.functions
            if spec.queue_sources
        ]
        self._pools = [reconciler, *(pool for pool, _ in consumers)]
        warming = [future for pool in self._pools for future in pool.warm()]  # all at once
        if resume is not None:  # before the API serves: nobody may see the stopped run's contexts live
            self._resume(reconciler, resume)
        self._api.start()
        for future in warming:
            future.result()
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
        if self._retained:
            threading.Thread(target=self._save_periodically, name="snapshot", daemon=True).start()
        log.info(
            "API on %s (OpenAPI UI at /swagger) — ready in %.1f s", self._api.url, time.monotonic() - started
        )

    def stop(self) -> None:
        self._stopping.set()
        if self._api:
            self._api.stop()
        records = self._contexts() if self._api else []  # no API: it stopped before any host started
        self._stop_hosts(records)
        for pool in self._pools:
            pool.shutdown()
        if self._retained:
            self._save([r.name for r in records if r.state.is_live and not r.transient])
        if self._moto:
            self._moto.stop()
            self.config.credentials_path.unlink(missing_ok=True)  # they open nothing any more
        if self._state_lock is not None:
            os.close(self._state_lock)
        log.info("local stack stopped")

    def _lock_state_dir(self) -> None:
        self.config.state_dir.mkdir(parents=True, exist_ok=True)
        self._state_lock = os.open(self.config.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self._state_lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._state_lock)
            self._state_lock = None
            raise RuntimeError(
                f"another local stack is running on {self.config.state_dir}; stop it, or set STATE_DIR"
            ) from None

    def _restore(self, template: LocalTemplate) -> list[str] | None:
        """Fill the new resources from the saved state; the contexts to start again, or None when
        nothing was saved yet."""
        resources = retained(template.retained, self.config.stack_name)
        try:
            snapshot, cost = self._snapshot.restore(resources)
        except UnreadableState as e:
            raise RuntimeError(f"{e}. Keep it aside and `make clean-state` to start afresh.") from e
        self._retained = resources
        if snapshot is None:
            log.info("no saved state in %s: starting empty", self._snapshot.folder)
            return None
        log.info("state of %s restored from %s: %s", snapshot.savedAt, self._snapshot.folder, cost)
        return snapshot.resume

    def _resume(self, reconciler: FunctionPool, were_running: list[str]) -> None:
        event = {"action": RESUME, "contexts": were_running, "requestContext": {"requestId": "resume"}}
        resumed = reconciler.invoke(event)
        if resumed["ended"]:
            log.info("contexts of the stopped run ended: %s", ", ".join(resumed["ended"]))
        if resumed["restarted"]:
            log.info("contexts starting again with their settings: %s", ", ".join(resumed["restarted"]))

    def _save_periodically(self) -> None:
        """Every SNAPSHOT_SECONDS, or less often when a save costs more than SAVE_SHARE of the
        time between two: moto answers a scan at ~1.2 ms of its CPU per item, which the jobs'
        hot path shares, and the job history only grows."""
        interval = self.config.snapshot_seconds
        while not self._stopping.wait(interval):
            try:
                records = self._contexts()
                cost = self._save(
                    [r.name for r in records if r.state.is_live and not r.transient], quiet=True
                )
            except Exception:
                if not self._stopping.is_set():
                    log.exception("saving the state failed")
                continue
            interval = max(self.config.snapshot_seconds, cost.seconds / SAVE_SHARE)

    def _save(self, were_running: list[str], quiet: bool = False) -> Cost:
        assert self._retained is not None
        cost = self._snapshot.save(self._retained, were_running)
        (log.debug if quiet else log.info)("state saved in %s: %s", self._snapshot.folder, cost)
        return cost

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

    def _contexts(self) -> list[ContextRecord]:
        try:
            return ContextStore(Settings.from_env().contexts_table).all()
        except Exception:
            log.exception("could not list contexts")
            return []

    def _stop_hosts(self, records: list[ContextRecord]) -> None:
        """SIGTERM the host of every live context (they drain and end their contexts), wait for
        those and for hosts still exiting after their context ended, SIGKILL what remains. Only
        hosts of this run: a restored record's process group number may be another process's now."""
        hosts = {
            int(r.hostId.removeprefix(LOCAL_HOST)): r.state.is_live or r.state is ContextState.SPARE
            for r in records
            if (r.hostId or "").startswith(LOCAL_HOST) and r.startTime >= self._started_at
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
