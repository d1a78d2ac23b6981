"""A typed Python client of this job server, and the `sjs` command built on it.

    from jobserver_client import JobServer

    with JobServer("http://127.0.0.1:8090", auth=("alice", "secret")) as server:
        server.upload_binary("wordcount", Path("example_jobs.egg"))
        server.create_context("analytics", num_cpu_cores=2)
        job = server.submit("wordcount", "example_jobs.word_count.WordCountSparkJob",
                            {"input": {"strings": ["a", "b", "a"]}}, context="analytics", sync=True)
        job.result  # {"a": 2, "b": 1}

It needs httpx and pydantic only, and nothing of the server's own packages.
"""

from jobserver_client.client import DEFAULT_URL, JobServer
from jobserver_client.errors import (
    ApiError,
    BadRequest,
    Forbidden,
    JobServerClientError,
    NoSlotsAvailable,
    NotAuthenticated,
    NotFound,
    Unreachable,
    WaitTimeout,
)
from jobserver_client.models import (
    BinaryDetails,
    BinaryInfo,
    ContextDetails,
    Job,
    JobError,
    JobStatus,
    Progress,
)

__all__ = [
    "DEFAULT_URL",
    "ApiError",
    "BadRequest",
    "BinaryDetails",
    "BinaryInfo",
    "ContextDetails",
    "Forbidden",
    "Job",
    "JobError",
    "JobServer",
    "JobServerClientError",
    "JobStatus",
    "NoSlotsAvailable",
    "NotAuthenticated",
    "NotFound",
    "Progress",
    "Unreachable",
    "WaitTimeout",
]
