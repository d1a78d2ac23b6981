"""A host follows the jobs it runs: their Spark progress and the JVM's log events that are theirs
(jvm/host JobSamples, read through the engine in one call), and their own output
(context_host/job_output.py), off every job's path.

A sampler thread, alive while jobs run, looks at each job that has run for a whole sampling period
(a job that ends sooner costs nothing here): it writes the job's progress to its record when it
changed (a write conditional on RUNNING, so it never touches an ended job), sends a `Job Progress`
event when the server config asks for them (at most one per job per `event-seconds`), adds the
JVM's log events to the job's log, and saves the log when it grew. When a job ends, its last
progress is read once more for the write that ends it (infra/job_end.py), and its log is saved one
last time beside, after the end, with the JVM's last events for it."""

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from context_host.engine import JobSample
from context_host.job_output import JobLog
from events.jobs import Progress
from events.lifecycle import JobProgress, LifecycleEvent
from events.messages import JobRequested
from events.states import JobStatus
from infra.server_config import ProgressSection
from infra.stores.job_logs import JobLogStore
from infra.stores.jobs import JobStore

log = logging.getLogger(__name__)


@dataclass
class _Followed:
    request: JobRequested
    log: JobLog
    since: float = field(default_factory=time.monotonic)
    progress: Progress | None = None  # as last written
    event_at: float = 0.0  # when its last Job Progress event left
    saved_version: int = 0  # the log's version as last saved
    lock: threading.Lock = field(default_factory=threading.Lock)  # one save of its log at a time


class JobWatch:
    def __init__(
        self,
        *,
        sample_of: Callable[..., JobSample],
        forget: Callable[[str], list[str]],
        jobs: JobStore,
        logs: JobLogStore,
        publish: Callable[[LifecycleEvent], None],
        settings: ProgressSection,
    ):
        self._sample_of = sample_of
        self._forget = forget
        self._jobs = jobs
        self._logs = logs
        self._publish = publish
        self._settings = settings
        self._followed: dict[str, _Followed] = {}
        self._lock = threading.Lock()
        self._sampler: threading.Thread | None = None
        self._saver = ThreadPoolExecutor(max_workers=1, thread_name_prefix="job-logs")

    def follow(self, request: JobRequested) -> JobLog:
        """A job starts running here: the log its worker's output goes to."""
        followed = _Followed(request, JobLog(self._settings.max_log_bytes))
        with self._lock:
            self._followed[request.jobId] = followed
            if self._sampler is None:
                self._sampler = threading.Thread(target=self._sample, name="progress", daemon=True)
                self._sampler.start()
        return followed.log

    def last_progress(self, job_id: str) -> Progress | None:
        """The job is ending: its progress for the write that ends it, read now (with the JVM's
        log events for it so far, into its log)."""
        followed = self._followed.get(job_id)
        if followed is None:
            return None  # it never reached a worker (its binary or data could not be fetched)
        try:
            return _reported(self._read(followed, last=True))
        except Exception:
            log.warning("the progress of job %s could not be read", job_id, exc_info=True)
            return None

    def ended(self, job_id: str) -> None:
        """The job has ended: stop following it, and save its log as it ended."""
        with self._lock:
            followed = self._followed.pop(job_id, None)
        if followed is not None:
            self._saver.submit(self._finish, followed)

    def _finish(self, followed: _Followed) -> None:
        try:
            followed.log.extend(self._forget(followed.request.jobId))
        except Exception:  # the engine may be gone with its context
            log.debug("forgetting job %s in the engine failed", followed.request.jobId, exc_info=True)
        self._save_log(followed)

    def _sample(self) -> None:
        period = self._settings.sample_seconds
        while True:
            time.sleep(period)
            with self._lock:
                if not self._followed:
                    self._sampler = None
                    return
                due = [f for f in self._followed.values() if time.monotonic() - f.since >= period]
            for followed in due:
                try:
                    self._sample_one(followed)
                except Exception:  # a store or the engine failing now must not stop the sampler
                    log.warning("following job %s failed", followed.request.jobId, exc_info=True)

    def _sample_one(self, followed: _Followed) -> None:
        job_id = followed.request.jobId
        progress = _reported(self._read(followed))
        if progress and progress != followed.progress and self._jobs.write_progress(job_id, progress):
            followed.progress = progress
            self._tell(followed, progress)
        self._save_log(followed)

    def _read(self, followed: _Followed, last: bool = False) -> Progress:
        """The job's progress, its JVM log events added to its log on the way."""
        sample = self._sample_of(followed.request.jobId, last=last)
        followed.log.extend(sample.log)
        return sample.progress

    def _tell(self, followed: _Followed, progress: Progress) -> None:
        every = self._settings.event_seconds
        now = time.monotonic()
        if every <= 0 or now - followed.event_at < every:
            return
        followed.event_at = now
        request = followed.request
        self._publish(
            JobProgress(
                **request.model_dump(include={"jobId", "context", "appName", "classPath", "startTime"}),
                status=JobStatus.RUNNING,
                progress=progress,
            )
        )

    def _save_log(self, followed: _Followed) -> None:
        with followed.lock:
            version = followed.log.version
            if version == followed.saved_version:
                return
            request = followed.request
            try:
                self._logs.save(request.context, request.jobId, followed.log.text())
            except Exception:
                log.warning("saving the log of job %s failed", request.jobId, exc_info=True)
                return
            followed.saved_version = version


def _reported(progress: Progress) -> Progress | None:
    """Progress once the job has started Spark work: before that (or for a job that never does)
    there is nothing to tell, rather than a 0 % that would never move."""
    return progress if progress.jobs.total or progress.streaming else None
