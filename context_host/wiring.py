"""The host's composition root: everything it talks to, built from the settings in one place
(as functions/wiring.py is for the functions). Tests build the same parts on moto."""

from dataclasses import dataclass

from infra.config import Settings
from infra.messaging.bus import EventPublisher
from infra.messaging.host_queues import HostQueues
from infra.messaging.replies import Replies
from infra.stores.binaries import BinaryStore
from infra.stores.contexts import ContextStore
from infra.stores.data_files import DataFileStore
from infra.stores.job_logs import JobLogStore
from infra.stores.jobs import JobStore
from infra.stores.results import ResultStore


@dataclass(frozen=True)
class HostParts:
    settings: Settings
    contexts: ContextStore
    jobs: JobStore
    results: ResultStore
    binaries: BinaryStore
    data_files: DataFileStore
    job_logs: JobLogStore
    queues: HostQueues
    bus: EventPublisher
    replies: Replies


def host_parts(settings: Settings) -> HostParts:
    return HostParts(
        settings=settings,
        contexts=ContextStore(settings.contexts_table),
        jobs=JobStore(settings.jobs_table, settings.job_retention_days),
        results=ResultStore(settings.binaries_bucket),
        binaries=BinaryStore(settings.binaries_table, settings.binaries_bucket),
        data_files=DataFileStore(settings.binaries_bucket),
        job_logs=JobLogStore(settings.binaries_bucket),
        queues=HostQueues(settings.queue_prefix, settings.dead_letter_queue_url),
        bus=EventPublisher(settings.event_bus_name, settings.binaries_bucket),
        replies=Replies(settings.queue_prefix),
    )
