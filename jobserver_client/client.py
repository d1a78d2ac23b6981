"""A typed client of the job server's REST API (spark-jobserver's, plus this server's progress
and logs), on httpx. One `JobServer` is safe to share between threads; close it when done (or
use it as a context manager)."""

import json
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import httpx

from jobserver_client.errors import WaitTimeout, api_error, translate_transport_errors
from jobserver_client.models import BinaryDetails, BinaryInfo, ContextDetails, Job, JobStatus

DEFAULT_URL = "http://127.0.0.1:8090"
REQUEST_SECONDS = 30.0
# POST /contexts answers once the context's SparkSession is warm: a JVM start, seconds to a minute.
CONTEXT_START_SECONDS = 300.0
# A sync job's answer can also wait for a transient context's start (a job without a context).
SYNC_MARGIN_SECONDS = CONTEXT_START_SECONDS
SERVER_SYNC_TIMEOUT = 60  # what the server waits for a sync job when not told
POLL_SECONDS = 0.25
STARTING = ("STARTED", "RESTARTING")  # a context's states on its way to RUNNING
# The server sniffs a package's type from its bytes when the client names none.
SNIFFED = "application/octet-stream"

Config = str | Mapping[str, Any] | None


class JobServer:
    """`JobServer(url, auth=("alice", "secret"))` for HTTP Basic, `api_key="sjs_…"` for a bearer
    key (or any bearer token the server accepts, such as a JWT on AWS)."""

    def __init__(
        self,
        url: str = DEFAULT_URL,
        *,
        auth: tuple[str, str] | None = None,
        api_key: str | None = None,
        timeout: float = REQUEST_SECONDS,
        transport: httpx.BaseTransport | None = None,
    ):
        if auth and api_key:
            raise ValueError("give Basic credentials or an API key, not both")
        self.url = url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.url,
            auth=httpx.BasicAuth(*auth) if auth else None,
            headers={"Authorization": f"Bearer {api_key}"} if api_key else None,
            timeout=timeout,
            transport=transport,
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # binaries

    def upload_binary(self, app: str, package: bytes | Path, content_type: str | None = None) -> BinaryInfo:
        """A new version of `app` (egg, wheel, zip or jar); its type from `content_type`
        (application/python-egg, …-wheel, …-archive, application/java-archive), else from its bytes."""
        data = package.read_bytes() if isinstance(package, Path) else package
        answer = self._call(
            "POST", f"/binaries/{app}", content=data, headers={"Content-Type": content_type or SNIFFED}
        )
        return BinaryInfo.model_validate(answer)

    def binaries(self) -> dict[str, BinaryInfo]:
        return {app: BinaryInfo.model_validate(info) for app, info in self._call("GET", "/binaries").items()}

    def binary(self, app: str) -> BinaryDetails:
        return BinaryDetails.model_validate(self._call("GET", f"/binaries/{app}"))

    def delete_binary(self, app: str) -> None:
        self._call("DELETE", f"/binaries/{app}")

    # contexts

    def create_context(
        self,
        name: str,
        *,
        num_cpu_cores: int | None = None,
        memory_per_node: str | None = None,
        context_factory: str | None = None,
        params: Mapping[str, str] | None = None,
        config: Config = None,
    ) -> ContextDetails:
        """Returns once the context is usable (or has failed: see its state). `params` are further
        query parameters (spark.*), `config` its HOCON/JSON body. A server that answers 202
        STARTING (its gateway's bound ran out first) is followed by GET until the context is."""
        query = {
            "num-cpu-cores": num_cpu_cores,
            "memory-per-node": memory_per_node,
            "context-factory": context_factory,
            **(params or {}),
        }
        started = time.monotonic()
        response = self._send(
            "POST",
            f"/contexts/{name}",
            params=_present(query),
            content=_config_text(config),
            timeout=CONTEXT_START_SECONDS,
        )
        details = self.context(name)
        while response.status_code == 202 and details.state in STARTING:
            if time.monotonic() - started > CONTEXT_START_SECONDS:
                break
            time.sleep(POLL_SECONDS)
            details = self.context(name)
        return details

    def contexts(self) -> list[str]:
        return list(self._call("GET", "/contexts"))

    def context(self, name: str) -> ContextDetails:
        return ContextDetails.model_validate(self._call("GET", f"/contexts/{name}"))

    def delete_context(self, name: str) -> None:
        self._call("DELETE", f"/contexts/{name}", timeout=CONTEXT_START_SECONDS)

    # jobs

    def submit(
        self,
        app: str,
        class_path: str,
        config: Config = None,
        *,
        context: str | None = None,
        sync: bool = False,
        timeout: int | None = None,
        callback_url: str | None = None,
    ) -> Job:
        """Async (the job as it started) or `sync` (the job as it ended, with its result or error;
        `timeout` is how long the server waits for it, in seconds). Without `context` the job gets
        a transient context of its own."""
        query = {
            "appName": app,
            "classPath": class_path,
            "context": context,
            "sync": "true" if sync else None,
            "timeout": timeout,
            "callbackUrl": callback_url,
        }
        waits = (timeout or SERVER_SYNC_TIMEOUT) + SYNC_MARGIN_SECONDS if sync else SYNC_MARGIN_SECONDS
        started = time.monotonic()
        response = self._send(
            "POST", "/jobs", params=_present(query), content=_config_text(config), timeout=waits
        )
        job = Job.model_validate(response.json())
        if sync and response.status_code == 202:  # it outlived the server's gateway bound: follow it
            left = (timeout or SERVER_SYNC_TIMEOUT) - (time.monotonic() - started)
            return self.wait(job.job_id, max(left, 0.0))
        return job

    def jobs(self, limit: int | None = None, status: JobStatus | str | None = None) -> list[Job]:
        """Newest first."""
        answer = self._call("GET", "/jobs", params=_present({"limit": limit, "status": status}))
        return [Job.model_validate(job) for job in answer]

    def job(self, job_id: str) -> Job:
        return Job.model_validate(self._call("GET", f"/jobs/{job_id}"))

    def job_config(self, job_id: str) -> dict[str, Any]:
        return self._call("GET", f"/jobs/{job_id}/config")

    def kill(self, job_id: str) -> JobStatus:
        """KILLED for a running job; a job that already failed answers ERROR (SJS's way)."""
        return JobStatus(self._call("DELETE", f"/jobs/{job_id}")["status"])

    def job_logs(self, job_id: str, tail: int | None = None, since: str | None = None) -> list[str]:
        """The job's own log lines, each `<ISO time> <text>`: the last `tail` of them, those from the
        ISO time `since` on, or with a number as `since` those after the first that many."""
        response = self._send("GET", f"/jobs/{job_id}/logs", params=_present({"tail": tail, "since": since}))
        return response.text.splitlines()

    def wait(
        self,
        job_id: str,
        timeout: float,
        on_update: Callable[[Job], None] | None = None,
        poll: float = POLL_SECONDS,
    ) -> Job:
        """The job once it ended (FINISHED, ERROR or KILLED), polling every `poll` seconds and
        handing each state seen to `on_update`; WaitTimeout after `timeout` seconds.
        (A poll, not a retry: a retry library would add a dependency for these lines.)"""
        deadline = time.monotonic() + timeout
        while True:
            job = self.job(job_id)
            if on_update is not None:
                on_update(job)
            if not job.status.is_active:
                return job
            left = deadline - time.monotonic()
            if left <= 0:
                raise WaitTimeout(job, timeout)
            time.sleep(min(poll, left))

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        """The JSON of a successful answer; ApiError for an error answer."""
        return self._send(method, path, **kwargs).json()

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        with translate_transport_errors(self.url):
            response = self._http.request(method, path, **kwargs)
        if response.status_code >= 400:
            raise api_error(response)
        return response


def _present(params: Mapping[str, Any]) -> dict[str, str]:
    return {key: str(value) for key, value in params.items() if value is not None}


def _config_text(config: Config) -> bytes:
    """A job's or context's config as the request body: HOCON/JSON text as it is, a mapping as JSON."""
    if config is None:
        return b""
    return (config if isinstance(config, str) else json.dumps(config)).encode()
