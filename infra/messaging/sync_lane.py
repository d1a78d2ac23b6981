"""The API's side of a host's private endpoint (context_host/endpoint.py): the sync lane, a sync
job handed straight to its context's host whose answer is the job's end, and the adoption of a
warm spare host by a new context. One call, no retry: a job may run only once, so a connection
that breaks after the job was handed over is reported, never tried again."""

import urllib3
from pydantic import BaseModel

from events.messages import Adoption, JobEnded, JobRequested

SECRET_HEADER = "X-Sjs-Host-Secret"
CONNECT_SECONDS = 2.0


class HostUnreachable(Exception):
    """The host did not take the job (no connection, or it refused it): nothing ran, so the job
    can go by the queue instead."""


class HostLost(Exception):
    """The connection broke after the job was handed over: the host is gone or going."""


class SyncLane:
    def __init__(self) -> None:
        self._http = urllib3.PoolManager(
            maxsize=8, retries=False, timeout=urllib3.Timeout(connect=CONNECT_SECONDS, read=None)
        )

    def run(self, endpoint: str, secret: str, request: JobRequested) -> JobEnded:
        """Hand the job to its host and wait for its end."""
        return JobEnded.model_validate_json(self._call(endpoint, "/jobs", secret, request))

    def adopt(self, endpoint: str, secret: str, adoption: Adoption) -> None:
        """Have a spare host serve a new context; HostUnreachable (or HostLost) when it did not."""
        self._call(endpoint, "/adopt", secret, adoption)

    def _call(self, endpoint: str, path: str, secret: str, message: BaseModel) -> bytes:
        try:
            response = self._http.request(
                "POST",
                f"{endpoint}{path}",
                body=message.model_dump_json().encode(),
                headers={SECRET_HEADER: secret, "Content-Type": "application/json"},
            )
        except (urllib3.exceptions.NewConnectionError, urllib3.exceptions.ConnectTimeoutError) as e:
            raise HostUnreachable(str(e)) from e
        except urllib3.exceptions.HTTPError as e:
            raise HostLost(f"the host broke off the call: {e}") from e
        if response.status != 200:  # refused before doing anything (an old secret, a bad request)
            raise HostUnreachable(f"the host answered {response.status}: {response.data[:200]!r}")
        return response.data
