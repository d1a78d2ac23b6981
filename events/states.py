"""Job and context states, named as spark-jobserver names them (its io/InfoDefinitions)."""

from enum import StrEnum


class JobStatus(StrEnum):
    STARTED = "STARTED"  # accepted: queued for its context's host, or loading and validating there
    RUNNING = "RUNNING"  # loaded, validated and claimed by a host: running
    FINISHED = "FINISHED"
    ERROR = "ERROR"
    KILLED = "KILLED"
    RESTARTING = "RESTARTING"  # SJS's vocabulary; this server never restarts a job

    @property
    def is_active(self) -> bool:
        return self in ACTIVE_JOB_STATES


ACTIVE_JOB_STATES = frozenset({JobStatus.STARTED, JobStatus.RUNNING})


class ContextState(StrEnum):
    STARTED = "STARTED"  # host launched, SparkSession not yet usable
    RUNNING = "RUNNING"
    STOPPING = "STOPPING"
    FINISHED = "FINISHED"
    ERROR = "ERROR"  # failed to start, or its host died
    KILLED = "KILLED"
    RESTARTING = "RESTARTING"
    SPARE = "SPARE"  # ours: a warm host no context has adopted yet (never listed as a context)

    @property
    def is_live(self) -> bool:
        return self in LIVE_CONTEXT_STATES


LIVE_CONTEXT_STATES = frozenset({ContextState.STARTED, ContextState.RUNNING, ContextState.STOPPING})


class FailurePhase(StrEnum):
    """Where a job failed; the API answers load and validate failures as SJS does (400)."""

    LOAD = "load"
    VALIDATE = "validate"
    RUN = "run"
    CONTEXT = "context"  # its context stopped or its host died under it
