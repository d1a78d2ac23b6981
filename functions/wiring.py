"""The composition root of the API functions: settings from the environment, stores built from
the resource names in them, services built from the stores. Built once per process (container);
every function (API, reconciler, deploy, callbacks) uses the part it needs, and boto3 clients are
made on first use, so the rest costs nothing."""

from dataclasses import dataclass
from functools import cache
from pathlib import PurePosixPath

from functions.domain.binaries import BinaryService
from functions.domain.callback_targets import CallbackTargets
from functions.domain.callbacks import CallbackService
from functions.domain.contexts import ContextService
from functions.domain.data_files import DataFileService
from functions.domain.job_logs import JobLogs
from functions.domain.job_requests import JobRequests
from functions.domain.jobs import JobService
from functions.domain.liveness import Reaper
from functions.domain.overview import Overview
from functions.domain.pool import WarmPool
from functions.domain.preload import Preloads
from functions.domain.resume import Resumption
from functions.domain.supervision import Supervisor
from infra.config import Settings
from infra.context_end import ContextEnding
from infra.job_end import JobEnding
from infra.launchers import launcher_for
from infra.messaging.bus import EventPublisher
from infra.messaging.host_queues import HostQueues
from infra.messaging.replies import Replies
from infra.messaging.sync_lane import SyncLane
from infra.metrics import metrics
from infra.stores.binaries import BinaryStore
from infra.stores.contexts import ContextStore
from infra.stores.data_files import DataFileStore
from infra.stores.job_logs import JobLogStore
from infra.stores.jobs import JobStore
from infra.stores.results import ResultStore


@dataclass(frozen=True)
class Services:
    settings: Settings
    binaries: BinaryService
    contexts: ContextService
    jobs: JobService
    reaper: Reaper
    replies: Replies
    callbacks: CallbackService
    preloads: Preloads
    data_files: DataFileService
    overview: Overview
    resumption: Resumption
    supervisor: Supervisor
    job_logs: JobLogs


@cache
def services() -> Services:
    settings = Settings.from_env()
    metrics.write_to(settings.metrics_log)
    binary_store = BinaryStore(settings.binaries_table, settings.binaries_bucket)
    context_store = ContextStore(settings.contexts_table)
    job_store = JobStore(settings.jobs_table, settings.job_retention_days)
    queues = HostQueues(settings.queue_prefix, settings.dead_letter_queue_url)
    publisher = EventPublisher(settings.event_bus_name, settings.binaries_bucket)
    replies = Replies(settings.queue_prefix)
    results = ResultStore(settings.binaries_bucket)
    job_ending = JobEnding(job_store, context_store, results, replies, publisher.tell_job_end)
    launcher = launcher_for(settings)
    reaper = Reaper(
        context_store,
        job_store,
        queues,
        launcher,
        publisher,
        job_ending,
        settings.heartbeat_timeout_seconds,
        settings.context_start_timeout_seconds,
    )
    limits = settings.policy.limits
    callback_targets = CallbackTargets(limits.callback_allowed_networks)
    lane = SyncLane()
    pool = WarmPool(
        context_store,
        launcher,
        settings.spare_hosts,
        settings.heartbeat_timeout_seconds,
        settings.context_start_timeout_seconds,
    )
    requests = JobRequests(
        binary_store, settings.policy.spark, settings.policy.dependencies, settings.binaries_bucket
    )
    contexts = ContextService(
        context_store,
        queues,
        launcher,
        reaper,
        settings.context_start_timeout_seconds,
        lane,
        requests,
        job_store,
        pool,
    )
    jobs = JobService(
        job_store,
        results,
        contexts,
        queues,
        replies,
        job_ending,
        lane,
        settings.context_start_timeout_seconds,
        callback_targets,
        requests,
        settings.policy.spark,
        settings.policy.gateway.max_wait_seconds,
    )
    callbacks = CallbackService(jobs, callback_targets)
    binaries = BinaryService(binary_store, publisher, limits, jobs.active_using)
    preloads = Preloads(contexts, settings.policy.spark)
    data_files = DataFileService(DataFileStore(settings.binaries_bucket), PurePosixPath(settings.data_path))
    overview = Overview(context_store, job_store)
    resumption = Resumption(
        contexts,
        ContextEnding(context_store, job_ending, queues, publisher.tell),
        settings.policy.spark.jobserver.restart_contexts_on_start,
    )
    supervisor = Supervisor(contexts, publisher.tell)
    return Services(
        settings,
        binaries,
        contexts,
        jobs,
        reaper,
        replies,
        callbacks,
        preloads,
        data_files,
        overview,
        resumption,
        supervisor,
        JobLogs(JobLogStore(settings.binaries_bucket)),
    )
