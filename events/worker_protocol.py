"""Messages between a context host and its job workers (context_host/workers.py, the trusted
side, and context_host/worker/, where job code runs), one JSON line each over a socket pair.

A worker is told the JVM it joins once, then runs one job at a time: it loads the job's class,
calls `validate` and says so, waits for the host's word (the host claims the job in the store
meanwhile, so a duplicate delivery or a job killed just now never runs), runs it and reports the
outcome. A finished job's result follows its outcome line as `resultBytes` raw bytes of JSON."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, TypeAdapter

from events.jobs import JobError
from events.settings import ContextFlavour
from events.states import FailurePhase

WARM_UP_JOB_ID = "sjs-warm-up"  # the Spark group and tag of a spare's warm-up (no job's: it counts for none)


class JoinEngine(BaseModel):
    """Host → a new worker: the context's JVM it joins."""

    kind: Literal["join"] = "join"
    gatewayPort: int
    gatewaySecret: str
    schedulerPool: str  # a FAIR pool per worker, so jobs running at once share the cores
    maxResultBytes: int
    warmUpSpark: bool = False  # run Spark's first jobs before saying ready (a warm pool's spare)


class BinaryFiles(BaseModel):
    """Where the host put a job's binary for the worker: a Python package unpacked, or a jar."""

    path: str
    jar: bool = False


class RunJob(BaseModel):
    """A job, with what its context is to it: the flavour of its `context` argument and the
    context's config (both per job, so a warm spare's workers serve whatever context adopts it)."""

    kind: Literal["run"] = "run"
    flavour: ContextFlavour
    contextConfig: dict[str, Any] = {}
    jobId: str
    appName: str
    classPath: str
    binary: BinaryFiles  # the one holding the job's class
    path: list[BinaryFiles] = []  # the job's whole path in order, its binary included
    config: dict[str, Any] = {}


class Proceed(BaseModel):
    """The job is claimed: run it."""

    kind: Literal["proceed"] = "proceed"


class Abandon(BaseModel):
    """The job ended meanwhile (killed) or another host has it: do not run it."""

    kind: Literal["abandon"] = "abandon"


ToWorker = Annotated[JoinEngine | RunJob | Proceed | Abandon, Field(discriminator="kind")]
to_worker = TypeAdapter(ToWorker)


class WorkerReady(BaseModel):
    kind: Literal["ready"] = "ready"
    pid: int


class Validated(BaseModel):
    kind: Literal["validated"] = "validated"


class JobOutcome(BaseModel):
    kind: Literal["outcome"] = "outcome"
    finished: bool
    resultBytes: int = 0  # the result's JSON, right after this line, when finished
    error: JobError | None = None
    phase: FailurePhase | None = None


FromWorker = Annotated[WorkerReady | Validated | JobOutcome, Field(discriminator="kind")]
from_worker = TypeAdapter(FromWorker)
