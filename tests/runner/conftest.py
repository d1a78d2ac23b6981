"""The job runner against one real SparkSession shared by the whole package (a start costs ~3.5 s),
with its stores on moto in-process."""

import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from context_host.loader import BinaryLoader
from context_host.named_objects import ContextNamedObjects
from context_host.runner import JobRunner
from context_host.session import build_session
from events.lifecycle import LifecycleEvent
from events.messages import BinaryRef, JobRequested
from events.settings import ContextSettings
from events.states import JobStatus
from functions.domain.waiting import wait_until
from infra.clock import now_iso
from infra.config import Settings
from infra.messaging.bus import EventPublisher
from infra.messaging.replies import Replies
from infra.stores.binaries import BinaryRecord, BinaryStore
from infra.stores.jobs import JobRecord, JobStore
from infra.stores.results import ResultStore


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    session = build_session("sjs-tests", ContextSettings(numCpuCores=2))
    yield session
    session.stop()


class RunnerHarness:
    """Stores a binary, queues jobs for it and runs them as a host would."""

    def __init__(self, settings: Settings, spark: SparkSession, cache: Path, job_context=None):
        self.jobs = JobStore(settings.jobs_table)
        self.binaries = BinaryStore(settings.binaries_table, settings.binaries_bucket)
        self.results = ResultStore(settings.binaries_bucket)
        self.events: list[LifecycleEvent] = []
        bus = EventPublisher(settings.event_bus_name, settings.binaries_bucket)

        def publish(event: LifecycleEvent) -> None:
            self.events.append(event)
            bus.publish(event)

        self.runner = JobRunner(
            job_context=job_context or spark,
            spark_context=spark.sparkContext,
            jobs=self.jobs,
            results=self.results,
            loader=BinaryLoader(self.binaries, cache),
            named_objects=ContextNamedObjects(),
            context_config={},
            host_id="test-host",
            max_jobs=4,
            publish=publish,
            tell_job_end=lambda record: publish(bus.job_end(record)),
            replies=Replies(settings.queue_prefix),
            free_slot=lambda: None,  # no context item in these tests
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

    def request(self, binary: BinaryRef, class_path: str, config: dict | None = None) -> JobRequested:
        job = JobRecord(
            jobId=str(uuid.uuid4()),
            context="tests",
            appName="examples",
            classPath=class_path,
            status=JobStatus.STARTED,
            startTime=now_iso(),
            config=config or {},
        )
        self.jobs.create(job)
        return JobRequested(
            jobId=job.jobId,
            context="tests",
            appName="examples",
            classPath=class_path,
            startTime=job.startTime,
            binary=binary,
            config=job.config,
        )

    def wait_ended(self, job_id: str, timeout: float = 60) -> JobRecord:
        record, ended = wait_until(lambda: self.jobs.get(job_id), lambda r: not r.status.is_active, timeout)
        assert ended, f"job {job_id} still {record.status} after {timeout} s"
        return record

    def run(self, binary: BinaryRef, class_path: str, config: dict | None = None) -> JobRecord:
        request = self.request(binary, class_path, config)
        assert self.runner.submit(request, ack=lambda: None)
        return self.wait_ended(request.jobId)


@pytest.fixture(scope="package")
def harness(aws, spark, tmp_path_factory) -> RunnerHarness:
    return RunnerHarness(aws, spark, tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="package")
def examples(harness, example_egg) -> BinaryRef:
    return harness.upload(example_egg)
