"""The host's job runner against a real context engine (a Spark JVM in a sandbox, as a host
starts it) and real job worker processes, shared by the whole package (a start costs ~5 s),
with the host's stores on moto in-process."""

import hashlib
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from context_host.binaries import BinaryCache
from context_host.data_files import DataFileCache
from context_host.engine import SparkEngine
from context_host.progress import JobWatch
from context_host.runner import JobRunner
from context_host.sandbox import Sandbox, open_sandbox
from context_host.spark_conf import engine_conf
from context_host.workers import WorkerPool, WorkerSpec
from events.lifecycle import LifecycleEvent
from events.messages import BinaryRef, JobRequested
from events.settings import ContextFlavour, ContextSettings
from events.states import JobStatus
from functions.domain.waiting import wait_until
from infra.clock import now_iso
from infra.config import Settings
from infra.job_end import JobEnding
from infra.messaging.bus import EventPublisher
from infra.messaging.replies import Replies
from infra.server_config import Limits, ProgressSection
from infra.stores.binaries import BinaryRecord, BinaryStore
from infra.stores.contexts import ContextStore
from infra.stores.data_files import DataFileStore
from infra.stores.job_logs import JobLogStore
from infra.stores.jobs import JobRecord, JobStore
from infra.stores.results import ResultStore
from tests.conftest import moto_in_process


@pytest.fixture(scope="package")
def aws() -> Iterator[Settings]:
    """moto in-process with the template's resources, for this package's tests."""
    with moto_in_process() as settings:
        yield settings


MAX_JOBS = 3
SAMPLE_SECONDS = 0.3  # how often the runner's watch samples running jobs (the least it takes)


@pytest.fixture(scope="session")
def state_dir() -> Iterator[Path]:
    """A folder the sandbox users can reach (pytest's own tmp folders are private to root)."""
    with tempfile.TemporaryDirectory(prefix="sjs-runner-") as folder:
        Path(folder).chmod(0o755)
        yield Path(folder)


@pytest.fixture(scope="session")
def sandbox(state_dir: Path) -> Iterator[Sandbox]:
    box = open_sandbox(state_dir / "sandbox", "tests")
    yield box
    box.release()


@pytest.fixture(scope="session")
def engine(sandbox: Sandbox) -> Iterator[SparkEngine]:
    engine = SparkEngine(sandbox, engine_conf("sjs-tests", ContextSettings(numCpuCores=2)))
    engine.start()
    yield engine
    engine.stop()


class RunnerHarness:
    """Stores a binary, queues jobs for it and runs them as a host would."""

    def __init__(
        self,
        settings: Settings,
        engine: SparkEngine,
        sandbox: Sandbox,
        state_dir: Path,
        flavour: ContextFlavour = ContextFlavour.SESSION,
    ):
        self.jobs = JobStore(settings.jobs_table)
        self.binaries = BinaryStore(settings.binaries_table, settings.binaries_bucket)
        self.results = ResultStore(settings.binaries_bucket)
        self.logs = JobLogStore(settings.binaries_bucket)
        self.events: list[LifecycleEvent] = []
        self.failed: list[str] = []  # jobs whose own code failed, as the runner tells its host
        bus = EventPublisher(settings.event_bus_name, settings.binaries_bucket)

        def publish(event: LifecycleEvent) -> None:
            self.events.append(event)
            bus.publish(event)

        assert engine.access is not None
        worker_spec = WorkerSpec(
            sandbox=sandbox, gateway=engine.access, memory_limit_bytes=1 << 30, max_result_bytes=100 << 20
        )
        self.workers = WorkerPool(worker_spec.start, MAX_JOBS)
        self.workers.warm()
        self.runner = JobRunner(
            workers=self.workers,
            binaries=BinaryCache(self.binaries, state_dir / "cache", Limits()),
            data_files=DataFileCache(DataFileStore(settings.binaries_bucket), state_dir / "data"),
            cancel_spark_jobs=engine.cancel,
            engine_death=engine.death,
            jobs=self.jobs,
            results=self.results,
            job_ending=JobEnding(
                self.jobs,
                ContextStore(settings.contexts_table),
                self.results,
                Replies(settings.queue_prefix),
                lambda record: publish(bus.job_end(record)),
            ),
            publish=publish,
            host_id="test-host",
            max_jobs=MAX_JOBS,
            context_settings=lambda: ContextSettings(flavour=flavour),
            on_job_failed=self.failed.append,
            watch=JobWatch(
                sample_of=engine.sample,
                forget=engine.forget,
                jobs=self.jobs,
                logs=self.logs,
                publish=publish,
                settings=ProgressSection(sample_seconds=SAMPLE_SECONDS),
            ),
        )

    def upload(self, data: bytes) -> BinaryRef:
        digest = hashlib.sha256(data).hexdigest()
        record = BinaryRecord(
            appName="examples",
            uploadTime=now_iso() + uuid.uuid4().hex,
            binaryType="Egg",
            key=f"versions/examples/{digest}.egg",
            digest=digest,
            size=len(data),
        )
        self.binaries.add(record, data)
        return BinaryRef(key=record.key, digest=digest)

    def request(
        self, binary: BinaryRef, class_path: str, config: dict | None = None, path: list | None = None
    ) -> JobRequested:
        job = JobRecord(
            jobId=str(uuid.uuid4()),
            context="tests",
            contextId="tests-1",
            appName="examples",
            classPath=class_path,
            status=JobStatus.STARTED,
            startTime=now_iso(),
            config=config or {},
        )
        self.jobs.create(job)
        return JobRequested(
            **job.model_dump(include={"jobId", "context", "contextId", "appName", "classPath", "startTime"}),
            binary=binary,
            path=path or [],
            config=job.config,
        )

    def wait_ended(self, job_id: str, timeout: float = 60) -> JobRecord:
        record, ended = wait_until(lambda: self.jobs.get(job_id), lambda r: not r.status.is_active, timeout)
        assert ended, f"job {job_id} still {record.status} after {timeout} s"
        return record

    def run(
        self, binary: BinaryRef, class_path: str, config: dict | None = None, path: list | None = None
    ) -> JobRecord:
        """Run a job to its end, events told and all; `path`: the job's whole path, in order."""
        request = self.request(binary, class_path, config, path)
        assert self.runner.submit(request, ack=lambda: None)
        record = self.wait_ended(request.jobId)
        _, done = wait_until(self.runner.running, lambda running: request.jobId not in running, 30)
        assert done, f"job {request.jobId} ended but its runner thread did not"
        return record

    def kill(self, job_id: str) -> None:
        """Kill a job as DELETE /jobs/{id} does: its record ended KILLED, then its host told."""
        assert self.jobs.finish(job_id, JobStatus.KILLED)
        self.runner.kill(job_id)

    def close(self) -> None:
        self.runner.kill_all()
        self.runner.wait_idle(10)
        self.workers.close()


@pytest.fixture(scope="package")
def harness(aws, engine, sandbox, state_dir) -> Iterator[RunnerHarness]:
    harness = RunnerHarness(aws, engine, sandbox, state_dir)
    yield harness
    harness.close()


@pytest.fixture(scope="package")
def examples(harness, example_egg) -> BinaryRef:
    return harness.upload(example_egg)
